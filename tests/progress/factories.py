"""Factories and fixtures for enrolments, check-ins and assignment.

People and organisations are made through ``lms.services`` (via the lms
factories), pages through the course factories. Test modules take the
fixtures with ``globals().update(factories.fixtures())``.
"""

import itertools

import pytest

from lms.models import Membership, Organisation
from lms.services import membership_grant
from progress.models import Enrolment
from tests.courses import conftest as courses_conftest
from tests.courses.factories import instructor_create
from tests.lms.factories import (
    OrganisationFactory,
    UserFactory,
    WorkerProfileFactory,
    make_id_number,
)

# The course tree fixtures, re-exported for the progress tests.
home = courses_conftest.home
catalogue = courses_conftest.catalogue
provider = courses_conftest.provider
welder = courses_conftest.welder
make_course = courses_conftest.make_course
make_lesson = courses_conftest.make_lesson

FIXTURES = (
    "home",
    "catalogue",
    "provider",
    "welder",
    "make_course",
    "make_lesson",
    "union",
    "enterprise",
    "other_union",
    "worker",
    "course",
    "lessons",
    "instructor",
)

_phones = itertools.count(13800000001)


def phone_make() -> str:
    """A new mainland mobile number as people type it (11 digits)."""
    return str(next(_phones))


def worker_create(*, organisation: Organisation | None = None, phone: str | None = None,
                  id_number: str | None = None, **user_fields):  # fmt: skip
    """A worker: a user with a worker membership in ``organisation`` (when
    given) and a real-name profile."""
    user = UserFactory(phone=phone or phone_make(), **user_fields)
    WorkerProfileFactory(user=user, id_number=id_number or make_id_number())
    if organisation is not None:
        membership_grant(user=user, organisation=organisation, role=Membership.Role.WORKER)
    return user


def staff_create(*, organisation: Organisation, role: str, **user_fields):
    user = UserFactory(**user_fields)
    membership_grant(user=user, organisation=organisation, role=role)
    return user


def enrolment_make(*, user, course, status=Enrolment.Status.ACTIVE, **fields) -> Enrolment:
    """A bare enrolment row (no ledger entry): for setting up a state, e.g. a
    completed prerequisite, that the services under test only read."""
    return Enrolment.objects.create(
        user=user, course=course, source=Enrolment.Source.SELF, status=status, **fields
    )


@pytest.fixture
def union(db):
    return OrganisationFactory(name="福州市总工会", code="fz-union", kind=Organisation.Kind.UNION)


@pytest.fixture
def enterprise(union):
    return OrganisationFactory(
        name="闽江机械厂", code="mj-factory", kind=Organisation.Kind.ENTERPRISE, parent=union
    )


@pytest.fixture
def other_union(db):
    return OrganisationFactory(name="厦门市总工会", code="xm-union", kind=Organisation.Kind.UNION)


@pytest.fixture
def worker(enterprise):
    return worker_create(organisation=enterprise, display_name="王师傅")


@pytest.fixture
def course(make_course, welder):
    """A free live course with three lessons, in the order given."""
    course = make_course(parent=welder, title="手工电弧焊入门", slug="arc")
    return course


@pytest.fixture
def lessons(course, make_lesson):
    return [
        make_lesson(parent=course, title=title, slug=f"arc-{n}")
        for n, title in enumerate(["安全防护", "引弧", "平焊"], start=1)
    ]


@pytest.fixture
def instructor(provider):
    return instructor_create(organisation=provider, username="teacher", display_name="林师傅")


def fixtures() -> dict:
    """The fixtures above by name, for a test module's namespace."""
    return {name: globals()[name] for name in FIXTURES}
