"""Reads for the platform core, already scoped to the person asking."""

from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.lookups import StartsWith

from lms import identity
from lms.models import Membership, User, WorkerProfile

Role = Membership.Role


def _is_worker() -> Exists:
    return Exists(Membership.objects.filter(user=OuterRef("pk"), role=Role.WORKER))


def workers_visible_to(*, viewer: User) -> QuerySet[User]:
    """Workers (users with a worker membership) that ``viewer`` may see, in one
    query: a platform admin sees all; a union auditor sees those with a worker
    membership anywhere in the subtree of a union they audit; anyone else sees
    at most themself."""
    if not viewer.is_authenticated:
        return User.objects.none()
    workers = User.objects.filter(_is_worker())
    if viewer.is_superuser:
        return workers
    viewer_is_platform_admin = Exists(
        Membership.objects.filter(user_id=viewer.pk, role=Role.PLATFORM_ADMIN)
    )
    # Materialised path: an organisation is in the subtree of another when its
    # path starts with the other's path.
    audited_subtree_covers = Membership.objects.filter(user_id=viewer.pk, role=Role.AUDITOR).filter(
        StartsWith(OuterRef("organisation__path"), F("organisation__path"))
    )
    in_audited_subtree = Exists(
        Membership.objects.filter(user=OuterRef("pk"), role=Role.WORKER).filter(
            Exists(audited_subtree_covers)
        )
    )
    return workers.filter(Q(viewer_is_platform_admin) | Q(in_audited_subtree) | Q(pk=viewer.pk))


def user_roles(*, user: User) -> set[str]:
    """The roles ``user`` holds in any organisation."""
    if not user.is_authenticated:
        return set()
    return set(Membership.objects.filter(user=user).values_list("role", flat=True))


def user_is_staff_role(*, user: User) -> bool:
    """Whether ``user`` is staff: superuser, ``is_staff``, or a staff role anywhere.
    Staff must use two-factor authentication."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    return Membership.objects.filter(user=user, role__in=Membership.STAFF_ROLES).exists()


def user_is_platform_admin(*, user: User) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Membership.objects.filter(user=user, role=Role.PLATFORM_ADMIN).exists()


def user_by_login(*, login: str) -> User | None:
    """The user a mobile number or e-mail address (as typed) belongs to."""
    login = login.strip()
    if "@" in login:
        return User.objects.filter(email__iexact=login).first()
    try:
        phone = identity.normalise_mainland_mobile(login)
    except ValidationError:
        return None
    return User.objects.filter(phone=phone).first()


def user_memberships(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__path", "role")
    )


def worker_profile_of(*, user: User) -> WorkerProfile | None:
    return WorkerProfile.objects.filter(user=user).select_related("employer").first()


def id_number_is_registered(*, id_number: str) -> bool:
    """Whether a (normalised, valid) ID number already belongs to an account."""
    return WorkerProfile.objects.filter(id_number_hash=identity.hash_id_number(id_number)).exists()
