"""Resident ID numbers (GB 11643-1999), their storage, and mobile numbers."""

from datetime import date

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import translation

from lms import identity
from lms.identity import MESSAGES, parse_resident_id

TODAY = date(2025, 6, 1)


@pytest.mark.parametrize(
    ("value", "number", "birth_date"),
    [
        ("11010519491231002X", "11010519491231002X", date(1949, 12, 31)),
        ("11010519491231002x", "11010519491231002X", date(1949, 12, 31)),
        (" 110105 19491231 002X ", "11010519491231002X", date(1949, 12, 31)),
        ("110105199003071239", "110105199003071239", date(1990, 3, 7)),
        ("11010519000101001X", "11010519000101001X", date(1900, 1, 1)),
        ("110105200002290048", "110105200002290048", date(2000, 2, 29)),
    ],
)
def test_valid_id_numbers_are_normalised(value, number, birth_date):
    """Given a valid ID number as a person may type it (lowercase x, spaces),
    when parsed, then it is normalised and its birth date and region are read."""
    resident_id = parse_resident_id(value, today=TODAY)

    assert resident_id.number == number
    assert resident_id.birth_date == birth_date
    assert resident_id.region_code == "110105"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("11010519491231002", "id_number_format"),  # 17 characters
        ("11010519491231002X1", "id_number_format"),  # 19 characters
        ("11010519491231002A", "id_number_format"),  # letter other than X
        ("1101051949123100XX", "id_number_format"),  # X before the end
        ("ABCDEFGHIJKLMNOPQR", "id_number_format"),
        ("", "id_number_format"),
        ("990105199003071232", "id_number_region"),  # no province 99
        ("000105199003071233", "id_number_region"),
        ("110105199902300015", "id_number_birth_date"),  # 30 February 1999
        ("110105190002290017", "id_number_birth_date"),  # 1900 was no leap year
        ("110105209901010012", "id_number_birth_date"),  # born in 2099
        ("440524188001010014", "id_number_birth_date"),  # right check digit, born 1880
        ("110105189912310015", "id_number_birth_date"),  # before 1900
        ("110105199003071238", "id_number_check_digit"),  # 9 is right
        ("110105199003071329", "id_number_check_digit"),  # two digits swapped
        ("110105194912310021", "id_number_check_digit"),  # X is right
    ],
)
def test_invalid_id_numbers_get_a_distinct_message(value, code):
    """Given an invalid ID number, when parsed, then the error names what is
    wrong with it, in the user's language."""
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        parse_resident_id(value, today=TODAY)

    assert excinfo.value.code == code
    assert excinfo.value.messages == [str(MESSAGES[code])]


def test_the_four_id_messages_are_distinct():
    """Given the error messages, then each failure reads differently."""
    codes = [
        "id_number_format",
        "id_number_region",
        "id_number_birth_date",
        "id_number_check_digit",
    ]
    with translation.override("en"):
        assert len({str(MESSAGES[code]) for code in codes}) == 4


def test_birth_date_today_is_accepted_and_tomorrow_is_not():
    """Given an ID number whose birth date is today, then it is valid; one whose
    birth date is tomorrow is not."""
    first_17 = "11010520250601001"
    born_today = first_17 + identity.id_check_character(first_17)
    first_17 = "11010520250602001"
    born_tomorrow = first_17 + identity.id_check_character(first_17)

    assert parse_resident_id(born_today, today=TODAY).birth_date == TODAY
    with pytest.raises(ValidationError) as excinfo:
        parse_resident_id(born_tomorrow, today=TODAY)
    assert excinfo.value.code == "id_number_birth_date"


def test_future_birth_date_is_checked_against_the_real_today():
    """Given no explicit date, when an ID number born next century is parsed,
    then it is refused as of the current local date."""
    with pytest.raises(ValidationError) as excinfo:
        parse_resident_id("110105209901010012")

    assert excinfo.value.code == "id_number_birth_date"


def test_mask_shows_first_three_and_last_four_characters():
    """Given an ID number, when masked, then only its first 3 and last 4
    characters remain."""
    assert identity.mask_id_number("11010519491231002X") == "110***********002X"


def test_resident_id_never_prints_the_full_number():
    """Given a parsed ID number, when it ends up in a log line or a template via
    repr/str, then only the masked form appears."""
    resident_id = parse_resident_id("11010519491231002X", today=TODAY)

    assert repr(resident_id) == "ResidentId(110***********002X)"
    assert str(resident_id) == "ResidentId(110***********002X)"
    assert resident_id.masked == "110***********002X"


@override_settings(IDENTITY_HASH_KEY="", SECRET_KEY="one-secret-key")
def test_hash_is_keyed_and_deterministic():
    """Given the default key (derived from SECRET_KEY), when an ID number is
    hashed twice, then the hashes agree, are 64 hex characters, and change when
    the key changes."""
    first = identity.hash_id_number("11010519491231002X")
    second = identity.hash_id_number("11010519491231002X")

    assert first == second
    assert len(first) == 64
    assert int(first, 16) >= 0
    assert "11010519491231002X" not in first
    assert identity.hash_id_number("110105199003071239") != first
    with override_settings(SECRET_KEY="another-secret-key"):
        assert identity.hash_id_number("11010519491231002X") != first
    with override_settings(IDENTITY_HASH_KEY="an explicit hash key"):
        explicit = identity.hash_id_number("11010519491231002X")
    assert explicit != first
    with override_settings(IDENTITY_HASH_KEY="an explicit hash key", SECRET_KEY="rotated"):
        assert identity.hash_id_number("11010519491231002X") == explicit


@override_settings(IDENTITY_ENCRYPTION_KEYS=[])
def test_encryption_round_trips_with_the_derived_key():
    """Given no configured keys, when an ID number is encrypted, then the token
    hides it and decrypts back to it."""
    token = identity.encrypt_id_number("11010519491231002X")

    assert "11010519491231002X" not in token
    assert identity.decrypt_id_number(token) == "11010519491231002X"


def test_encryption_keys_rotate():
    """Given a token made with an old key, when a new key is put first, then the
    token still decrypts and new tokens use the new key."""
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    with override_settings(IDENTITY_ENCRYPTION_KEYS=[old_key]):
        old_token = identity.encrypt_id_number("11010519491231002X")

    with override_settings(IDENTITY_ENCRYPTION_KEYS=[new_key, old_key]):
        assert identity.decrypt_id_number(old_token) == "11010519491231002X"
        new_token = identity.encrypt_id_number("11010519491231002X")

    with override_settings(IDENTITY_ENCRYPTION_KEYS=[new_key]):
        assert identity.decrypt_id_number(new_token) == "11010519491231002X"
        with pytest.raises(InvalidToken):
            identity.decrypt_id_number(old_token)


@pytest.mark.parametrize(
    "value",
    [
        "13800138000",
        "138 0013 8000",
        "138-0013-8000",
        "+8613800138000",
        "+86 138 0013 8000",
        "8613800138000",
        "008613800138000",
    ],
)
def test_mainland_mobile_numbers_are_normalised(value):
    """Given a mainland mobile number as people write it, when normalised, then
    it becomes +86 followed by 11 digits."""
    assert identity.normalise_mainland_mobile(value) == "+8613800138000"


@pytest.mark.parametrize(
    "value",
    ["12800138000", "1380013800", "138001380001", "+85291234567", "010-12345678", "", "abc"],
)
def test_other_numbers_are_not_mainland_mobiles(value):
    """Given something that is not an 11-digit mainland mobile number, when
    normalised, then it is refused with one clear message."""
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        identity.normalise_mainland_mobile(value)

    assert excinfo.value.messages == [str(MESSAGES["phone_invalid"])]


def test_mask_phone():
    """Given a normalised mobile number, when masked, then the middle is hidden."""
    assert identity.mask_phone("+8613800138000") == "+86138****8000"


def test_error_reports_leave_out_posted_id_numbers(rf):
    """Given a request that posted an ID number, when an error report collects
    the POST data, then the number is replaced like a password."""
    request = rf.post("/accounts/signup/", {"id_number": "11010519491231002X", "email": "a@b.cn"})
    reporter_filter = identity.IdentityExceptionReporterFilter()

    params = reporter_filter.get_post_parameters(request)

    assert params["id_number"] == reporter_filter.cleansed_substitute
    assert params["email"] == "a@b.cn"
    assert request.POST["id_number"] == "11010519491231002X"
