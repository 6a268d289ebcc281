"""Writes of the platform core: users, real-name profiles, organisations,
memberships."""

from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.utils import translation

from lms import identity, services
from lms.exceptions import ApplicationError
from lms.models import Membership, Organisation, User, WorkerProfile
from tests.lms.factories import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    WorkerProfileFactory,
)

pytestmark = pytest.mark.django_db


def _message(text: str) -> str:
    with translation.override("en"):
        return str(translation.gettext(text))


# --- user_create -------------------------------------------------------------


def test_user_create_with_mobile_number_normalises_it():
    """Given a mainland mobile number as typed, when a user is created, then it is
    stored as +86 and 11 digits, with a generated username and the password."""
    user = services.user_create(phone="138 0013 8000", password=PASSWORD, display_name=" 李 ")

    user.refresh_from_db()
    assert user.phone == "+8613800138000"
    assert user.phone_verified is False
    assert user.email is None
    assert user.display_name == "李"
    assert user.username.startswith("u") and len(user.username) == 13
    assert user.check_password(PASSWORD)
    assert user.is_staff is False and user.is_superuser is False


def test_user_create_with_email_lowercases_it():
    """Given an e-mail address in mixed case, when a user is created, then it is
    stored in lower case."""
    user = services.user_create(email=" Wang.Fang@Example.COM ", password=PASSWORD)

    assert User.objects.get(pk=user.pk).email == "wang.fang@example.com"


def test_user_create_without_password_cannot_log_in_with_one():
    """Given no password, when a user is created, then the password is unusable."""
    user = services.user_create(email="nopass@example.com")

    assert user.has_usable_password() is False


def test_user_create_superuser_is_staff():
    """Given is_superuser, when a user is created, then they are staff too."""
    user = services.user_create(email="root@example.com", is_superuser=True)

    assert (user.is_staff, user.is_superuser) == (True, True)


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({}, "phone", "Enter a mobile number or an e-mail address."),
        (
            {"phone": "12345"},
            "phone",
            "Enter an 11-digit mainland mobile number, e.g. 13800138000.",
        ),
        ({"email": "not-an-address"}, "email", "Enter a valid email address."),
    ],
)
def test_user_create_refuses_bad_contact_details(kwargs, field, message):
    """Given no or malformed contact details, when a user is created, then the
    service refuses with a field message and creates nothing."""
    with translation.override("en"), pytest.raises(ApplicationError) as excinfo:
        services.user_create(password=PASSWORD, **kwargs)

    assert excinfo.value.extra[field] == [_message(message)]
    assert User.objects.count() == 0


def test_user_create_refuses_a_taken_email_in_any_case():
    """Given a user with an e-mail address, when another user is created with the
    same address in other case, then it is refused and nothing is created."""
    UserFactory(email="li.na@example.com")

    with translation.override("en"), pytest.raises(ApplicationError) as excinfo:
        services.user_create(email="LI.NA@example.com", password=PASSWORD)

    assert excinfo.value.message == _message("A user with this e-mail address already exists.")
    assert excinfo.value.extra == {"email": [excinfo.value.message]}
    assert User.objects.count() == 1


def test_user_create_refuses_a_taken_mobile_number_however_written():
    """Given a user with a mobile number, when another user is created with the
    same number written differently, then it is refused and nothing is created."""
    UserFactory(email=None, phone="13800138000")

    with translation.override("en"), pytest.raises(ApplicationError) as excinfo:
        services.user_create(phone="+86 138-0013-8000", password=PASSWORD)

    assert excinfo.value.message == _message("A user with this mobile number already exists.")
    assert User.objects.count() == 1


# --- user_set_phone ----------------------------------------------------------


def test_user_set_phone_normalises_and_marks_verified():
    """Given a user, when a phone is set as verified, then it is stored normalised
    and verified."""
    user = UserFactory()

    services.user_set_phone(user=user, phone="13900139000", verified=True)

    user.refresh_from_db()
    assert (user.phone, user.phone_verified) == ("+8613900139000", True)


def test_user_set_phone_refuses_another_users_number():
    """Given two users, when one takes the other's number, then it is refused and
    neither changes."""
    UserFactory(email=None, phone="13900139000")
    user = UserFactory()

    with pytest.raises(ApplicationError):
        services.user_set_phone(user=user, phone="13900139000", verified=False)

    user.refresh_from_db()
    assert user.phone is None


# --- worker_profile_create ---------------------------------------------------


def test_worker_profile_create_stores_no_plain_id_number():
    """Given a user and a valid ID number with a lowercase x, when the profile is
    created, then only the keyed hash, an encrypted token and the masked form are
    stored, and the birth date is read from the number."""
    user = UserFactory()
    employer = OrganisationFactory(kind=Organisation.Kind.ENTERPRISE)

    profile = services.worker_profile_create(
        user=user, legal_name=" 王芳 ", id_number="11010519491231002x", employer=employer
    )

    profile.refresh_from_db()
    assert profile.legal_name == "王芳"
    assert profile.id_number_hash == identity.hash_id_number("11010519491231002X")
    assert profile.id_number_masked == "110***********002X"
    assert profile.birth_date == date(1949, 12, 31)
    assert profile.employer == employer
    assert identity.decrypt_id_number(profile.id_number_encrypted) == "11010519491231002X"
    stored = [profile.id_number_hash, profile.id_number_encrypted, profile.id_number_masked]
    assert not any("11010519491231002X" in value for value in stored)


def test_worker_profile_create_refuses_an_id_number_of_another_account():
    """Given an ID number registered to one account, when another account
    registers it, then it is refused and no profile is created."""
    WorkerProfileFactory(id_number="11010519491231002X")
    other = UserFactory()

    with translation.override("en"), pytest.raises(ApplicationError) as excinfo:
        services.worker_profile_create(
            user=other, legal_name="王芳", id_number="11010519491231002X"
        )

    message = _message("This ID number is already registered to another account.")
    assert excinfo.value.message == message
    assert excinfo.value.extra == {"id_number": [message]}
    assert WorkerProfile.objects.count() == 1
    assert not WorkerProfile.objects.filter(user=other).exists()


def test_worker_profile_create_refuses_an_invalid_id_number():
    """Given an ID number with a wrong check digit, when the profile is created,
    then the check-digit message is returned and nothing is saved."""
    user = UserFactory()

    with translation.override("en"), pytest.raises(ApplicationError) as excinfo:
        services.worker_profile_create(user=user, legal_name="王芳", id_number="110105199003071238")

    assert excinfo.value.extra == {"id_number": [str(identity.MESSAGES["id_number_check_digit"])]}
    assert WorkerProfile.objects.count() == 0


def test_worker_profile_create_refuses_a_second_identity():
    """Given a user with a profile, when a second one is created, then it is
    refused and the first stays."""
    profile = WorkerProfileFactory()

    with pytest.raises(ApplicationError):
        services.worker_profile_create(
            user=profile.user, legal_name="王芳", id_number="110105199003071239"
        )

    assert list(WorkerProfile.objects.values_list("pk", flat=True)) == [profile.pk]


def test_worker_profile_create_requires_a_name():
    """Given a blank legal name, when the profile is created, then it is refused."""
    user = UserFactory()

    with pytest.raises(ApplicationError) as excinfo:
        services.worker_profile_create(user=user, legal_name="  ", id_number="110105199003071239")

    assert set(excinfo.value.extra) == {"legal_name"}
    assert WorkerProfile.objects.count() == 0


def test_worker_profile_create_employer_must_be_an_enterprise():
    """Given a union as employer, when the profile is created, then it is refused."""
    user = UserFactory()
    union = OrganisationFactory(kind=Organisation.Kind.UNION)

    with pytest.raises(ApplicationError) as excinfo:
        services.worker_profile_create(
            user=user, legal_name="王芳", id_number="110105199003071239", employer=union
        )

    assert set(excinfo.value.extra) == {"employer"}
    assert WorkerProfile.objects.count() == 0


# --- organisations -----------------------------------------------------------


def test_organisation_create_builds_the_tree():
    """Given a provincial union, when city and county unions are created under it,
    then the materialised paths nest."""
    province = services.organisation_create(name="省总工会", kind="union", code="fj")
    city = services.organisation_create(
        name="福州市总工会", kind="union", code="fj-fz", parent=province
    )
    county = services.organisation_create(
        name="闽侯县总工会", kind="union", code="fj-fz-mh", parent=city, region="闽侯"
    )

    assert [province.depth, city.depth, county.depth] == [1, 2, 3]
    assert city.path.startswith(province.path)
    assert county.path.startswith(city.path)
    assert list(province.get_descendants()) == [city, county]
    assert county.region == "闽侯"


def test_organisation_create_with_stale_parent_gives_distinct_paths():
    """Given a parent object fetched before its children existed, when several
    children are added through it, then every child gets its own path."""
    parent = services.organisation_create(name="市总工会", kind="union", code="city")
    stale = Organisation.objects.get(pk=parent.pk)

    children = [
        services.organisation_create(name=f"企业工会 {i}", kind="union", code=f"e{i}", parent=stale)
        for i in range(3)
    ]

    paths = {child.path for child in children}
    assert len(paths) == 3
    assert Organisation.objects.get(pk=parent.pk).numchild == 3


def test_organisation_create_is_idempotent_by_code():
    """Given an organisation, when one with the same code is created again, then
    the existing one is returned unchanged."""
    first = services.organisation_create(name="福建省总工会", kind="union", code="fj")

    again = services.organisation_create(name="Another name", kind="funder", code="fj")

    assert again.pk == first.pk
    assert again.name == "福建省总工会"
    assert Organisation.objects.count() == 1


def test_organisation_create_refuses_an_unknown_kind():
    """Given a kind that is not a choice, when created, then refused, nothing saved."""
    with pytest.raises(ApplicationError) as excinfo:
        services.organisation_create(name="X", kind="club", code="x")

    assert set(excinfo.value.extra) == {"kind"}
    assert Organisation.objects.count() == 0


def test_organisation_update_changes_fields_not_place():
    """Given an organisation, when updated, then its fields change, its path not."""
    parent = OrganisationFactory()
    organisation = OrganisationFactory(parent=parent)
    path = organisation.path

    services.organisation_update(
        organisation=organisation, name="新名称", kind="enterprise", code="new-code", region="厦门"
    )

    organisation.refresh_from_db()
    assert (organisation.name, organisation.kind, organisation.code, organisation.region) == (
        "新名称",
        "enterprise",
        "new-code",
        "厦门",
    )
    assert organisation.path == path


# --- memberships -------------------------------------------------------------


def test_membership_grant_worker_is_idempotent_and_not_staff():
    """Given a user and a union, when the worker role is granted twice, then there
    is one membership and the user is not staff."""
    user, union = UserFactory(), OrganisationFactory()

    first = services.membership_grant(user=user, organisation=union, role="worker")
    second = services.membership_grant(user=user, organisation=union, role="worker")

    user.refresh_from_db()
    assert first.pk == second.pk
    assert Membership.objects.filter(user=user).count() == 1
    assert user.is_staff is False
    assert user.groups.count() == 0


@pytest.mark.parametrize(
    ("role", "group_name"),
    [
        ("instructor", "Instructors"),
        ("auditor", "Union auditors"),
        ("funder", "Funders"),
        ("platform_admin", "Platform admins"),
    ],
)
def test_membership_grant_staff_role_admits_to_the_admin(role, group_name):
    """Given a user, when a staff role is granted, then they are staff and in the
    role's group, which carries Wagtail's access_admin permission."""
    user, organisation = UserFactory(), OrganisationFactory()

    services.membership_grant(user=user, organisation=organisation, role=role)

    user = User.objects.get(pk=user.pk)
    assert user.is_staff is True
    assert list(user.groups.values_list("name", flat=True)) == [group_name]
    assert user.has_perm("wagtailadmin.access_admin")


def test_membership_grant_refuses_an_unknown_role():
    """Given a role that is not a choice, when granted, then refused, nothing saved."""
    user, organisation = UserFactory(), OrganisationFactory()

    with pytest.raises(ApplicationError):
        services.membership_grant(user=user, organisation=organisation, role="boss")

    assert Membership.objects.count() == 0
    assert User.objects.get(pk=user.pk).is_staff is False


def test_membership_revoke_last_staff_role_removes_staff():
    """Given an auditor in two unions, when one membership is revoked they stay
    staff; when the other is revoked, they lose staff and the group."""
    auditor = UserFactory()
    first = MembershipFactory(user=auditor, role="auditor")
    second = MembershipFactory(user=auditor, role="auditor")

    services.membership_revoke(membership=first)
    auditor = User.objects.get(pk=auditor.pk)
    assert auditor.is_staff is True
    assert list(auditor.groups.values_list("name", flat=True)) == ["Union auditors"]

    services.membership_revoke(membership=second)
    auditor = User.objects.get(pk=auditor.pk)
    assert auditor.is_staff is False
    assert auditor.groups.count() == 0
    assert Membership.objects.count() == 0
    assert Group.objects.filter(name="Union auditors").exists()


def test_membership_revoke_keeps_superuser_staff():
    """Given a superuser with an auditor membership, when it is revoked, then they
    remain staff."""
    root = UserFactory(is_superuser=True)
    membership = MembershipFactory(user=root, role="auditor")

    services.membership_revoke(membership=membership)

    assert User.objects.get(pk=root.pk).is_staff is True
