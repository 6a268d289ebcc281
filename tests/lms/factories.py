"""Factories for the platform core. They create through ``lms.services`` so test
data obeys the same rules as real data."""

import itertools
from datetime import date, timedelta

import factory

from lms import services
from lms.identity import id_check_character
from lms.models import Membership, Organisation, User, WorkerProfile

PASSWORD = "Anvil-and-Tongs-2024"

_id_sequence = itertools.count(1)


def make_id_number(
    *, region: str = "110105", birth_date: date | None = None, sequence: int | None = None
) -> str:
    """A valid resident ID number (correct check character); each call without
    arguments gives a new one."""
    n = next(_id_sequence) if sequence is None else sequence
    birth_date = birth_date or date(1980, 1, 1) + timedelta(days=n // 1000)
    first_17 = f"{region}{birth_date:%Y%m%d}{n % 1000:03d}"
    return first_17 + id_check_character(first_17)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"worker{n}@example.com")
    phone = None
    password = PASSWORD
    display_name = ""
    is_staff = False
    is_superuser = False

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.user_create(**kwargs)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Union {n}")
    kind = Organisation.Kind.UNION
    code = factory.Sequence(lambda n: f"org-{n}")
    parent = None
    region = ""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.organisation_create(**kwargs)


class WorkerProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkerProfile

    user = factory.SubFactory(UserFactory)
    legal_name = "张伟"
    id_number = factory.LazyFunction(make_id_number)
    employer = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.worker_profile_create(**kwargs)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.WORKER

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.membership_grant(**kwargs)
