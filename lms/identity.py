"""Real-name identity: the resident ID number (GB 11643-1999) and the mainland
mobile number.

The ID number is personal data of the highest class: it is validated here,
stored only as a keyed hash (for "one ID number, one account"), a Fernet token
(for a lawful read-back) and a masked form (for screens). Nothing in this module
logs it, and no caller should either.
"""

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.debug import SafeExceptionReporterFilter

# GB 11643-1999: ISO 7064 MOD 11-2 over the first 17 digits.
CHECK_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"
# GB/T 2260 province-level codes (first two digits of the region code);
# 71 Taiwan, 81 Hong Kong, 82 Macao, 83 residence permits for Taiwan residents.
PROVINCE_CODES = frozenset(
    {
        *("11", "12", "13", "14", "15"),
        *("21", "22", "23"),
        *("31", "32", "33", "34", "35", "36", "37"),
        *("41", "42", "43", "44", "45", "46"),
        *("50", "51", "52", "53", "54"),
        *("61", "62", "63", "64", "65"),
        *("71", "81", "82", "83"),
    }
)
EARLIEST_BIRTH_YEAR = 1900

_ID_FORMAT = re.compile(r"^\d{17}[\dX]$")
_MAINLAND_MOBILE = re.compile(r"^1[3-9]\d{9}$")

MESSAGES = {
    "id_number_format": _(
        "A resident ID number has 18 characters: 17 digits and a final digit or X."
    ),
    "id_number_region": _("This ID number does not start with a valid region code."),
    "id_number_birth_date": _("The date of birth in this ID number is not possible."),
    "id_number_check_digit": _(
        "This ID number's last character does not match: please check every digit."
    ),
    "phone_invalid": _("Enter an 11-digit mainland mobile number, e.g. 13800138000."),
}


@dataclass(frozen=True)
class ResidentId:
    """A validated resident ID number. ``repr`` never shows the number."""

    number: str
    birth_date: date
    region_code: str

    def __repr__(self) -> str:
        return f"ResidentId({self.masked})"

    __str__ = __repr__

    @property
    def masked(self) -> str:
        return mask_id_number(self.number)


def id_check_character(first_17_digits: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first_17_digits, CHECK_WEIGHTS, strict=True))
    return CHECK_CHARACTERS[total % 11]


def parse_resident_id(value: str, *, today: date | None = None) -> ResidentId:
    """Validate and normalise a resident ID number, or raise ``ValidationError``
    with one of the codes in ``MESSAGES``. Spaces are ignored, a lowercase x is
    accepted."""
    number = re.sub(r"\s+", "", value or "").upper()
    if not _ID_FORMAT.match(number):
        raise ValidationError(MESSAGES["id_number_format"], code="id_number_format")
    if number[:2] not in PROVINCE_CODES:
        raise ValidationError(MESSAGES["id_number_region"], code="id_number_region")
    try:
        birth_date = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        birth_date = None
    today = today or timezone.localdate()
    if birth_date is None or birth_date.year < EARLIEST_BIRTH_YEAR or birth_date > today:
        raise ValidationError(MESSAGES["id_number_birth_date"], code="id_number_birth_date")
    if id_check_character(number[:17]) != number[17]:
        raise ValidationError(MESSAGES["id_number_check_digit"], code="id_number_check_digit")
    return ResidentId(number=number, birth_date=birth_date, region_code=number[:6])


def validate_resident_id(value: str) -> None:
    """Django field validator."""
    parse_resident_id(value)


def mask_id_number(number: str) -> str:
    """First 3 and last 4 characters, the rest starred: ``110***********002X``."""
    if len(number) <= 7:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_phone(phone: str) -> str:
    """``+8613800138000`` → ``+86138****8000``: enough to recognise, not to dial."""
    return phone[:-8] + "****" + phone[-4:] if len(phone) > 8 else "****"


def _derive_key(info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(
        settings.SECRET_KEY.encode()
    )


def _hash_key() -> bytes:
    configured = settings.IDENTITY_HASH_KEY
    if configured:
        return configured.encode() if isinstance(configured, str) else configured
    return _derive_key(b"jiangxue-identity-hash")


def _fernet() -> MultiFernet:
    keys = list(settings.IDENTITY_ENCRYPTION_KEYS)
    if not keys:
        keys = [base64.urlsafe_b64encode(_derive_key(b"jiangxue-identity-encryption"))]
    # The first key encrypts; all of them decrypt, so keys can be rotated.
    return MultiFernet([Fernet(key) for key in keys])


def hash_id_number(number: str) -> str:
    """Keyed hash (HMAC-SHA256, hex) of a normalised ID number: equal numbers give
    equal hashes, so the database can enforce uniqueness without the number."""
    return hmac.new(_hash_key(), number.encode(), hashlib.sha256).hexdigest()


def encrypt_id_number(number: str) -> str:
    return _fernet().encrypt(number.encode()).decode()


def decrypt_id_number(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def normalise_mainland_mobile(value: str) -> str:
    """``138 0013 8000``, ``+86 138-0013-8000`` or ``008613800138000`` →
    ``+8613800138000``; anything else raises ``ValidationError``."""
    digits = re.sub(r"[\s\-()]", "", value or "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
            break
    if not _MAINLAND_MOBILE.match(digits):
        raise ValidationError(MESSAGES["phone_invalid"], code="phone_invalid")
    return "+86" + digits


class IdentityExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports (500 e-mails, Sentry-style handlers) never carry a posted
    ID number, whatever view received it (allauth's sign-up included)."""

    sensitive_post_fields = ("id_number",)

    def get_post_parameters(self, request):
        params = super().get_post_parameters(request)
        if request is None or not any(f in params for f in self.sensitive_post_fields):
            return params
        params = params.copy()
        for field in self.sensitive_post_fields:
            if field in params:
                params[field] = self.cleansed_substitute
        return params
