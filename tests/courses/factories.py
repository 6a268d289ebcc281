"""Factories for course pages and the people around them.

Pages are created the way the admin and the demo loader create them:
``parent.add_child(instance=...)`` and then a published revision.
"""

from decimal import Decimal

import factory
from django.test import TestCase
from wagtail.rich_text import RichText

from courses.models import CoursePage, LessonPage, SkillLevel, TradePage
from lms.models import Membership, Organisation, User
from lms.services import membership_grant


class UserFactory(factory.django.DjangoModelFactory):
    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.Sequence(lambda n: f"user{n}@example.cn")
    display_name = factory.Sequence(lambda n: f"用户{n}")

    class Meta:
        model = User


class ProviderFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"闽江技工学校{n}")
    kind = Organisation.Kind.PROVIDER
    code = factory.Sequence(lambda n: f"provider-{n}")

    class Meta:
        model = Organisation

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.add_root(**kwargs)


def instructor_create(*, organisation: Organisation, **user_fields) -> User:
    """A user with an instructor membership, granted as the platform grants it
    (which puts them in the Instructors group)."""
    user = UserFactory(**user_fields)
    membership_grant(user=user, organisation=organisation, role=Membership.Role.INSTRUCTOR)
    return user


class _PageFactory(factory.django.DjangoModelFactory):
    """``parent`` is required; ``publish=False`` leaves the page a draft."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, parent, publish=True, owner=None, **kwargs):
        instructors = kwargs.pop("instructors", None)
        page = model_class(*args, owner=owner, live=publish, **kwargs)
        if instructors is not None:
            page.instructors = instructors
        # Wagtail updates the search index in a task enqueued on commit; tests
        # run inside a transaction, so run those callbacks here.
        with TestCase.captureOnCommitCallbacks(execute=True):
            parent.add_child(instance=page)
            revision = page.save_revision(user=owner)
            if publish:
                revision.publish()
        page.refresh_from_db()
        return page


class TradePageFactory(_PageFactory):
    title = factory.Sequence(lambda n: f"工种{n}")
    slug = factory.Sequence(lambda n: f"trade-{n}")
    occupation_name = factory.LazyAttribute(lambda o: o.title)
    occupation_code = factory.Sequence(lambda n: f"6-{n // 100 % 100:02d}-{n % 100:02d}-01")

    class Meta:
        model = TradePage


class CoursePageFactory(_PageFactory):
    title = factory.Sequence(lambda n: f"课程{n}")
    slug = factory.Sequence(lambda n: f"course-{n}")
    provider = factory.SubFactory(ProviderFactory)
    level = SkillLevel.ENTRY
    study_hours = Decimal("16")
    voucher_price = Decimal("0")
    summary = "课程简介"

    class Meta:
        model = CoursePage


class LessonPageFactory(_PageFactory):
    title = factory.Sequence(lambda n: f"第{n}课")
    slug = factory.Sequence(lambda n: f"lesson-{n}")
    duration_minutes = 20
    body = factory.LazyFunction(lambda: [("paragraph", RichText("<p>正文</p>"))])

    class Meta:
        model = LessonPage
