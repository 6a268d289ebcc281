"""Writes for the platform core: users, real-name profiles, organisations and
memberships. Every caller (sign-up form, profile page, admin, demo command)
goes through these functions."""

import logging
import secrets

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from lms import identity
from lms.exceptions import ApplicationError
from lms.models import Membership, Organisation, User, WorkerProfile

logger = logging.getLogger(__name__)

# Wagtail admits only users with the ``wagtailadmin.access_admin`` permission
# (``is_staff`` alone is not enough), so every staff role has a group that
# carries it. Other apps attach their own permissions to these groups.
STAFF_ROLE_GROUP_NAMES = {
    Membership.Role.INSTRUCTOR: "Instructors",
    Membership.Role.AUDITOR: "Union auditors",
    Membership.Role.FUNDER: "Funders",
    Membership.Role.PLATFORM_ADMIN: "Platform admins",
}


def _error_from_validation(exc: ValidationError) -> ApplicationError:
    if hasattr(exc, "error_dict"):
        extra = {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
        first = next(iter(extra.values()))[0]
        return ApplicationError(first, extra=extra)
    return ApplicationError(" ".join(str(m) for m in exc.messages))


def _validate(instance, **kwargs) -> None:
    """``full_clean()``, with its errors as the domain error the forms show."""
    try:
        instance.full_clean(**kwargs)
    except ValidationError as exc:
        raise _error_from_validation(exc) from exc


def _insert(instance, *, conflict: ApplicationError) -> None:
    """Save a new row; a unique constraint that a concurrent request won
    between our checks and the insert becomes ``conflict``."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as exc:
        raise conflict from exc


def _generate_username() -> str:
    # People sign in by mobile number or e-mail; the username is an internal
    # handle that reveals neither.
    while True:
        username = "u" + secrets.token_hex(6)
        if not User.objects.filter(username=username).exists():
            return username


def _email_taken(email: str) -> bool:
    from allauth.account.models import EmailAddress

    return (
        User.objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email).exists()
    )


@transaction.atomic
def user_create(
    *,
    email: str | None = None,
    phone: str | None = None,
    password: str | None = None,
    display_name: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create a user who signs in with a mobile number and/or an e-mail address.

    The phone is normalised to ``+86XXXXXXXXXXX``. Password strength is the
    caller's policy (the sign-up form runs Django's validators); without a
    password the account cannot log in with one."""
    email = (email or "").strip().lower() or None
    if phone:
        try:
            phone = identity.normalise_mainland_mobile(phone)
        except ValidationError as exc:
            raise ApplicationError(exc.messages[0], extra={"phone": exc.messages}) from exc
    else:
        phone = None
    if not email and not phone:
        message = _("Enter a mobile number or an e-mail address.")
        raise ApplicationError(message, extra={"phone": [message], "email": [message]})
    if email and _email_taken(email):
        message = _("A user with this e-mail address already exists.")
        raise ApplicationError(message, extra={"email": [message]})
    if phone and User.objects.filter(phone=phone).exists():
        message = _("A user with this mobile number already exists.")
        raise ApplicationError(message, extra={"phone": [message]})

    user = User(
        username=_generate_username(),
        email=email,
        phone=phone,
        display_name=display_name.strip(),
        is_staff=is_staff or is_superuser,
        is_superuser=is_superuser,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    _validate(user)
    _insert(
        user,
        conflict=ApplicationError(
            _("A user with this mobile number or e-mail address already exists.")
        ),
    )
    logger.info("User %s created", user.pk)
    return user


@transaction.atomic
def user_set_phone(*, user: User, phone: str, verified: bool) -> User:
    """Set (or confirm) the user's mobile number; allauth's phone flows call this."""
    try:
        phone = identity.normalise_mainland_mobile(phone)
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], extra={"phone": exc.messages}) from exc
    if User.objects.filter(phone=phone).exclude(pk=user.pk).exists():
        message = _("A user with this mobile number already exists.")
        raise ApplicationError(message, extra={"phone": [message]})
    user.phone = phone
    user.phone_verified = verified
    _validate(user)
    user.save(update_fields=["phone", "phone_verified"])
    return user


@transaction.atomic
def worker_profile_create(
    *,
    user: User,
    legal_name: str,
    id_number: str,
    employer: Organisation | None = None,
) -> WorkerProfile:
    """Attach a real-name identity to ``user``. One ID number, one account: the
    keyed hash of the number is unique across all profiles."""
    legal_name = (legal_name or "").strip()
    if not legal_name:
        message = _("Enter your name as it appears on your ID card.")
        raise ApplicationError(message, extra={"legal_name": [message]})
    try:
        resident_id = identity.parse_resident_id(id_number)
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], extra={"id_number": exc.messages}) from exc
    if WorkerProfile.objects.filter(user=user).exists():
        message = _("This account already has a real-name identity.")
        raise ApplicationError(message, extra={"id_number": [message]})

    id_hash = identity.hash_id_number(resident_id.number)
    taken = _("This ID number is already registered to another account.")
    if WorkerProfile.objects.filter(id_number_hash=id_hash).exists():
        raise ApplicationError(taken, extra={"id_number": [taken]})

    profile = WorkerProfile(
        user=user,
        legal_name=legal_name,
        id_number_hash=id_hash,
        id_number_encrypted=identity.encrypt_id_number(resident_id.number),
        id_number_masked=resident_id.masked,
        birth_date=resident_id.birth_date,
        employer=employer,
    )
    _validate(profile)
    _insert(profile, conflict=ApplicationError(taken, extra={"id_number": [taken]}))
    logger.info("Worker profile created for user %s", user.pk)
    return profile


@transaction.atomic
def organisation_create(
    *,
    name: str,
    kind: str,
    code: str,
    parent: Organisation | None = None,
    region: str = "",
) -> Organisation:
    """Create an organisation under ``parent`` (a root without one). Idempotent by
    ``code``: an existing organisation with that code is returned unchanged."""
    existing = Organisation.objects.filter(code=code).first()
    if existing is not None:
        return existing
    organisation = Organisation(name=name.strip(), kind=kind, code=code.strip(), region=region)
    _validate(organisation, exclude=["path", "depth", "numchild"])
    if parent is None:
        return Organisation.add_root(instance=organisation)
    # Lock and re-read the parent: treebeard computes the child's path from the
    # parent's current numchild, and a stale or concurrent copy would collide.
    locked_parent = Organisation.objects.select_for_update().get(pk=parent.pk)
    organisation = locked_parent.add_child(instance=organisation)
    # Keep the caller's copy current, as treebeard does for the node it is given.
    parent.numchild = locked_parent.numchild
    return organisation


@transaction.atomic
def organisation_update(
    *, organisation: Organisation, name: str, kind: str, code: str, region: str = ""
) -> Organisation:
    """Change an organisation's own fields. Its place in the tree is fixed once
    created (moving a union would silently move its members' audit scope)."""
    organisation.name = name.strip()
    organisation.kind = kind
    organisation.code = code.strip()
    organisation.region = region
    _validate(organisation)
    organisation.save(update_fields=["name", "kind", "code", "region"])
    return organisation


def _staff_group(role: str) -> Group:
    # Other apps may create these groups first (courses sets up "Instructors"
    # with its page permissions): add admin access either way.
    group, _created = Group.objects.get_or_create(name=STAFF_ROLE_GROUP_NAMES[role])
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    return group


@transaction.atomic
def membership_grant(*, user: User, organisation: Organisation, role: str) -> Membership:
    """Give ``user`` ``role`` in ``organisation`` (idempotent). A staff role also
    makes the user staff and admits them to the Wagtail admin; staff must then
    set up TOTP before the admin opens (``lms.middleware``)."""
    membership = Membership.objects.filter(user=user, organisation=organisation, role=role).first()
    if membership is None:
        membership = Membership(user=user, organisation=organisation, role=role)
        _validate(membership)
        try:
            with transaction.atomic():
                membership.save()
        except IntegrityError:
            membership = Membership.objects.get(user=user, organisation=organisation, role=role)
    if role in Membership.STAFF_ROLES:
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        user.groups.add(_staff_group(role))
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership) -> None:
    """Remove a membership. Losing the last membership in a staff role removes the
    role's admin group, and ``is_staff`` once no staff role is left (superusers
    keep it)."""
    user, role = membership.user, membership.role
    membership.delete()
    if role not in Membership.STAFF_ROLES:
        return
    remaining = set(
        Membership.objects.filter(user=user, role__in=Membership.STAFF_ROLES).values_list(
            "role", flat=True
        )
    )
    if role not in remaining:
        user.groups.remove(*Group.objects.filter(name=STAFF_ROLE_GROUP_NAMES[role]))
    if not remaining and user.is_staff and not user.is_superuser:
        user.is_staff = False
        user.save(update_fields=["is_staff"])
