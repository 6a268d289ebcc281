import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from courses.models import CatalogueIndexPage, HomePage
from tests.courses.factories import (
    CoursePageFactory,
    LessonPageFactory,
    ProviderFactory,
    TradePageFactory,
    instructor_create,
)


@pytest.fixture
def home(db) -> HomePage:
    """The home page that migration courses.0002 made the default site's root."""
    return HomePage.objects.get()


@pytest.fixture
def catalogue(db) -> CatalogueIndexPage:
    """The catalogue created by migration courses.0002 (slug "courses")."""
    return CatalogueIndexPage.objects.get()


@pytest.fixture
def provider(db):
    return ProviderFactory(name="福州闽江技工学校", code="fz-mj-jgxx")


@pytest.fixture
def welder(catalogue):
    return TradePageFactory(
        parent=catalogue,
        title="焊工",
        slug="welder",
        occupation_name="焊工",
        occupation_code="6-18-02-04",
        icon="🔥",
    )


@pytest.fixture
def electrician(catalogue):
    return TradePageFactory(
        parent=catalogue,
        title="电工",
        slug="electrician",
        occupation_name="电工",
        occupation_code="6-31-01-03",
        icon="⚡",
    )


@pytest.fixture
def instructor_a(provider):
    return instructor_create(organisation=provider, username="teacher-a", display_name="林师傅")


@pytest.fixture
def instructor_b(provider):
    return instructor_create(organisation=provider, username="teacher-b", display_name="陈师傅")


@pytest.fixture
def make_course(provider):
    def make(**kwargs):
        kwargs.setdefault("provider", provider)
        return CoursePageFactory(**kwargs)

    return make


@pytest.fixture
def make_lesson():
    return LessonPageFactory


def staff_login(client, user, *, language: str | None = None) -> None:
    """Sign ``user`` in with a TOTP authenticator set up: staff without one are
    sent to the TOTP activation page by lms.middleware.StaffMFARequiredMiddleware.
    ``language``: the admin language the user chose (Wagtail's default is the
    site's, Chinese)."""
    TOTP.activate(user, generate_totp_secret())
    if language:
        from wagtail.users.models import UserProfile

        profile = UserProfile.get_for_user(user)
        profile.preferred_language = language
        profile.save()
    client.force_login(user)


@pytest.fixture
def admin_user_client(client, django_user_model):
    user = django_user_model.objects.create_superuser(
        username="root", email="root@example.cn", password="x-pass-word"
    )
    staff_login(client, user)
    return client
