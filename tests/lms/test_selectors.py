"""Reads of the platform core: who may see which workers, roles."""

import pytest
from django.contrib.auth.models import AnonymousUser

from lms import selectors
from tests.lms.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    WorkerProfileFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def unions():
    """Province → city A (county A1 → enterprise union A1e) and city B; plus a
    sibling province whose code path could share a prefix with nothing."""
    province = OrganisationFactory(name="福建省总工会", code="fj")
    city_a = OrganisationFactory(name="福州市总工会", code="fz", parent=province)
    county_a = OrganisationFactory(name="闽侯县总工会", code="mh", parent=city_a)
    enterprise_a = OrganisationFactory(name="某机械厂工会", code="jxc", parent=county_a)
    city_b = OrganisationFactory(name="厦门市总工会", code="xm", parent=province)
    return {
        "province": province,
        "city_a": city_a,
        "county_a": county_a,
        "enterprise_a": enterprise_a,
        "city_b": city_b,
    }


def _worker(organisation, **kwargs):
    return MembershipFactory(organisation=organisation, role="worker", **kwargs).user


@pytest.fixture
def workers(unions):
    return {
        "city_a": _worker(unions["city_a"]),
        "county_a": _worker(unions["county_a"]),
        "enterprise_a": _worker(unions["enterprise_a"]),
        "city_b": _worker(unions["city_b"]),
        "province": _worker(unions["province"]),
    }


def _ids(queryset):
    return set(queryset.values_list("pk", flat=True))


def test_auditor_sees_workers_of_their_subtree_only(unions, workers, django_assert_num_queries):
    """Given an auditor of city A, when they list workers, then they see the
    workers of city A, its county and enterprise unions, and none of city B or
    of the province above, in one query."""
    auditor = MembershipFactory(organisation=unions["city_a"], role="auditor").user

    with django_assert_num_queries(1):
        visible = _ids(selectors.workers_visible_to(viewer=auditor))

    assert visible == {
        workers["city_a"].pk,
        workers["county_a"].pk,
        workers["enterprise_a"].pk,
    }


def test_auditor_of_two_unions_sees_both_subtrees(unions, workers):
    """Given an auditor of county A and city B, when they list workers, then they
    see both subtrees."""
    auditor = MembershipFactory(organisation=unions["county_a"], role="auditor").user
    MembershipFactory(user=auditor, organisation=unions["city_b"], role="auditor")

    visible = _ids(selectors.workers_visible_to(viewer=auditor))

    assert visible == {workers["county_a"].pk, workers["enterprise_a"].pk, workers["city_b"].pk}


def test_a_worker_in_two_unions_is_listed_once(unions, workers):
    """Given a worker with memberships in two audited unions, when the auditor
    lists workers, then the worker appears once."""
    auditor = MembershipFactory(organisation=unions["city_a"], role="auditor").user
    MembershipFactory(user=workers["county_a"], organisation=unions["enterprise_a"], role="worker")

    visible = list(selectors.workers_visible_to(viewer=auditor).values_list("pk", flat=True))

    assert sorted(visible) == sorted(
        [workers["city_a"].pk, workers["county_a"].pk, workers["enterprise_a"].pk]
    )


def test_auditor_role_elsewhere_does_not_widen_scope(unions, workers):
    """Given a user who is a worker in the province union and an instructor in
    city A, when they list workers, then they see only themself: only the
    auditor role opens a subtree."""
    user = workers["province"]
    MembershipFactory(user=user, organisation=unions["city_a"], role="instructor")

    assert _ids(selectors.workers_visible_to(viewer=user)) == {user.pk}


def test_platform_admin_sees_all_workers(unions, workers, django_assert_num_queries):
    """Given a platform admin, when they list workers, then they see every worker
    (and not the non-worker staff), in one query."""
    admin = MembershipFactory(organisation=unions["province"], role="platform_admin").user
    MembershipFactory(organisation=unions["city_a"], role="auditor")

    with django_assert_num_queries(1):
        visible = _ids(selectors.workers_visible_to(viewer=admin))

    assert visible == {user.pk for user in workers.values()}


def test_superuser_sees_all_workers(workers, django_assert_num_queries):
    """Given a superuser without memberships, when they list workers, then they
    see every worker, in one query."""
    root = UserFactory(is_superuser=True)

    with django_assert_num_queries(1):
        visible = _ids(selectors.workers_visible_to(viewer=root))

    assert visible == {user.pk for user in workers.values()}


def test_worker_sees_only_themself(workers, django_assert_num_queries):
    """Given a worker, when they list workers, then they see only themself."""
    worker = workers["county_a"]

    with django_assert_num_queries(1):
        visible = _ids(selectors.workers_visible_to(viewer=worker))

    assert visible == {worker.pk}


@pytest.mark.parametrize("role", ["instructor", "funder"])
def test_other_roles_see_no_workers_yet(unions, workers, role):
    """Given an instructor or funder who is not a worker, when they list workers,
    then they see none (later features widen this)."""
    user = MembershipFactory(organisation=unions["city_a"], role=role).user

    assert _ids(selectors.workers_visible_to(viewer=user)) == set()


def test_anonymous_sees_no_workers(workers, django_assert_num_queries):
    """Given an anonymous visitor, then no workers and no query."""
    with django_assert_num_queries(0):
        visible = selectors.workers_visible_to(viewer=AnonymousUser())
    assert _ids(visible) == set()


def test_user_roles_and_staff(unions):
    """Given users with various memberships, then their roles and staff status
    are read from them."""
    worker = _worker(unions["city_a"])
    auditor = MembershipFactory(organisation=unions["city_a"], role="auditor").user
    MembershipFactory(user=auditor, organisation=unions["city_b"], role="worker")
    plain = UserFactory()
    root = UserFactory(is_superuser=True)

    assert selectors.user_roles(user=worker) == {"worker"}
    assert selectors.user_roles(user=auditor) == {"auditor", "worker"}
    assert selectors.user_roles(user=plain) == set()
    assert selectors.user_roles(user=AnonymousUser()) == set()
    assert selectors.user_is_staff_role(user=worker) is False
    assert selectors.user_is_staff_role(user=auditor) is True
    assert selectors.user_is_staff_role(user=plain) is False
    assert selectors.user_is_staff_role(user=root) is True
    assert selectors.user_is_staff_role(user=AnonymousUser()) is False


def test_user_is_staff_role_from_membership_alone(unions):
    """Given an instructor membership on a user whose is_staff flag was cleared
    by hand, then the membership alone makes them staff."""
    instructor = MembershipFactory(organisation=unions["city_a"], role="instructor").user
    instructor.is_staff = False
    instructor.save(update_fields=["is_staff"])

    assert selectors.user_is_staff_role(user=instructor) is True


def test_user_is_platform_admin(unions):
    """Given a platform admin, a superuser and an auditor, then only the first two
    are platform admins."""
    admin = MembershipFactory(organisation=unions["province"], role="platform_admin").user
    auditor = MembershipFactory(organisation=unions["province"], role="auditor").user

    assert selectors.user_is_platform_admin(user=admin) is True
    assert selectors.user_is_platform_admin(user=UserFactory(is_superuser=True)) is True
    assert selectors.user_is_platform_admin(user=auditor) is False
    assert selectors.user_is_platform_admin(user=AnonymousUser()) is False


def test_user_by_login_finds_by_phone_or_email():
    """Given users with a phone and an e-mail address, then each is found by what
    they would type."""
    by_phone = UserFactory(email=None, phone="13800138000")
    by_email = UserFactory(email="zhao@example.com")

    assert selectors.user_by_login(login="138 0013 8000") == by_phone
    assert selectors.user_by_login(login="ZHAO@example.com") == by_email
    assert selectors.user_by_login(login="13900000000") is None
    assert selectors.user_by_login(login="nobody") is None


def test_id_number_is_registered():
    """Given a registered ID number, then it is found by its hash; another is not."""
    WorkerProfileFactory(id_number="11010519491231002X")

    assert selectors.id_number_is_registered(id_number="11010519491231002X") is True
    assert selectors.id_number_is_registered(id_number="110105199003071239") is False
