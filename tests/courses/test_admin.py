"""Instructors in the Wagtail admin: they see and edit only the courses they
teach, and their changes go through moderation."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Page, WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from courses.models import CoursePage
from courses.services import INSTRUCTORS_GROUP_NAME, instructor_group_ensure
from lms.models import Membership
from lms.services import membership_revoke
from tests.courses.conftest import staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def courses(make_course, make_lesson, welder, instructor_a, instructor_b):
    a = make_course(parent=welder, title="林师傅的焊接课", slug="a", instructors=[instructor_a])
    b = make_course(parent=welder, title="陈师傅的焊接课", slug="b", instructors=[instructor_b])
    return {
        "a": a,
        "b": b,
        "a_lesson": make_lesson(parent=a, title="林的第一课", slug="a1"),
        "b_lesson": make_lesson(parent=b, title="陈的第一课", slug="b1"),
    }


@pytest.fixture
def client_a(client, instructor_a):
    staff_login(client, instructor_a)
    return client


def is_denied(response) -> bool:
    """Wagtail answers a refused admin page with a redirect to the dashboard."""
    return response.status_code == 302 and response.url == "/admin/"


def course_form(course, **changes) -> dict:
    data = {
        "title": course.title,
        "slug": course.slug,
        "summary": course.summary,
        "level": str(course.level),
        "study_hours": str(course.study_hours),
        "provider": str(course.provider_id),
        "voucher_price": str(course.voucher_price),
        "completion_coverage_percent": str(course.completion_coverage_percent),
        "completion_min_study_hours": str(course.completion_min_study_hours),
        "instructors": [str(user.pk) for user in course.instructors.all()],
        "description": rich_text(course.description or ""),
        "comments": inline_formset([]),
    }
    data.update(changes)
    return nested_form_data(data)


def test_instructor_membership_puts_the_user_in_the_instructors_group(provider, instructor_a):
    """Given an instructor membership granted by lms.services, the user is in the
    group that courses set up; when it is revoked, they are out."""
    assert list(instructor_a.groups.values_list("name", flat=True)) == [INSTRUCTORS_GROUP_NAME]
    membership_revoke(membership=Membership.objects.get(user=instructor_a))
    assert not instructor_a.groups.exists()


def test_instructors_group_ensure_is_idempotent(catalogue):
    """Running it again (every migrate does) adds nothing."""
    group = instructor_group_ensure()
    counts = (group.permissions.count(), group.page_permissions.count())
    assert instructor_group_ensure() == group
    assert (group.permissions.count(), group.page_permissions.count()) == counts == (1, 1)


def test_instructors_group_can_add_pages_in_the_catalogue_but_not_publish(catalogue):
    """Given the migrations ran, the Instructors group has admin access, *add* (not publish) on the
    catalogue, and may add and choose images and documents."""
    group = Group.objects.get(name=INSTRUCTORS_GROUP_NAME)
    assert list(group.permissions.values_list("codename", flat=True)) == ["access_admin"]
    assert list(group.page_permissions.values_list("page_id", "permission__codename")) == [
        (catalogue.pk, "add_page")
    ]
    assert sorted(group.collection_permissions.values_list("permission__codename", flat=True)) == [
        "add_document",
        "add_image",
        "choose_document",
        "choose_image",
    ]


def test_instructor_edits_own_course_and_its_lessons(client_a, courses):
    """Given A teaches course a, when A opens its and its lesson's edit views, then both open."""
    assert client_a.get(f"/admin/pages/{courses['a'].pk}/edit/").status_code == 200
    assert client_a.get(f"/admin/pages/{courses['a_lesson'].pk}/edit/").status_code == 200


def test_instructor_cannot_edit_another_instructors_course_or_lessons(client_a, courses):
    """Given B teaches course b, when A opens its or its lesson's edit view,
    then Wagtail refuses."""
    assert is_denied(client_a.get(f"/admin/pages/{courses['b'].pk}/edit/"))
    assert is_denied(client_a.get(f"/admin/pages/{courses['b_lesson'].pk}/edit/"))


def test_instructor_cannot_save_another_instructors_course(client_a, courses):
    """A forged POST to B's edit URL changes nothing."""
    b = courses["b"]
    response = client_a.post(f"/admin/pages/{b.pk}/edit/", course_form(b, title="改掉"))
    assert is_denied(response)
    b.refresh_from_db()
    assert (b.title, b.has_unpublished_changes, b.latest_revision.pk) == (
        "陈师傅的焊接课",
        False,
        b.live_revision.pk,
    )


def test_explorer_lists_only_the_instructors_own_courses(client_a, courses, welder):
    """When A explores the trade, then A's course is listed and B's is not."""
    html = client_a.get(f"/admin/pages/{welder.pk}/").content.decode()
    assert "林师傅的焊接课" in html
    assert "陈师傅的焊接课" not in html


def test_explorer_hides_lessons_of_other_courses(client_a, courses):
    """When A explores B's course, B's lessons are not listed; A's own lessons are."""
    html = client_a.get(f"/admin/pages/{courses['b'].pk}/").content.decode()
    assert "陈的第一课" not in html
    assert "林的第一课" in client_a.get(f"/admin/pages/{courses['a'].pk}/").content.decode()


def test_sidebar_page_menu_lists_only_own_courses(client_a, courses, welder):
    """The sidebar's page menu (admin API, for_explorer) lists only A's course."""
    response = client_a.get("/admin/api/main/pages/", {"child_of": welder.pk, "for_explorer": "1"})
    assert response.status_code == 200
    assert [item["title"] for item in response.json()["items"]] == ["林师傅的焊接课"]


def test_superuser_sees_every_course(admin_user_client, courses, welder):
    """A superuser is not scoped: both courses are listed."""
    html = admin_user_client.get(f"/admin/pages/{welder.pk}/").content.decode()
    assert "林师傅的焊接课" in html and "陈师傅的焊接课" in html


def test_instructor_submits_for_moderation_but_cannot_publish(client_a, courses, instructor_a):
    """Given the default "Moderators approval" workflow on the root, an
    instructor's "publish" only saves a draft, and "submit" starts moderation;
    the live course is unchanged either way."""
    a = courses["a"]
    response = client_a.post(
        f"/admin/pages/{a.pk}/edit/", course_form(a, title="新标题", **{"action-publish": "1"})
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert (a.title, a.has_unpublished_changes) == ("林师傅的焊接课", True)
    assert not WorkflowState.objects.exists()

    response = client_a.post(
        f"/admin/pages/{a.pk}/edit/", course_form(a, title="新标题", **{"action-submit": "1"})
    )
    assert response.status_code == 302
    state = WorkflowState.objects.get()
    assert (state.status, state.workflow.name, state.requested_by) == (
        WorkflowState.STATUS_IN_PROGRESS,
        "Moderators approval",
        instructor_a,
    )
    a.refresh_from_db()
    assert (a.title, a.live) == ("林师傅的焊接课", True)
    assert a.get_latest_revision_as_object().title == "新标题"


def test_instructor_adds_courses_under_trades_but_not_trades(client_a, courses, welder, catalogue):
    """An instructor may create a course under a trade, but not a trade in the catalogue."""
    assert client_a.get(f"/admin/pages/add/courses/coursepage/{welder.pk}/").status_code == 200
    assert is_denied(client_a.get(f"/admin/pages/add/courses/tradepage/{catalogue.pk}/"))


def test_instructor_adds_lessons_only_to_own_courses(client_a, courses):
    """An instructor may add lessons to the course they teach, not to another's."""
    assert (
        client_a.get(f"/admin/pages/add/courses/lessonpage/{courses['a'].pk}/").status_code == 200
    )
    assert is_denied(client_a.get(f"/admin/pages/add/courses/lessonpage/{courses['b'].pk}/"))


def test_course_created_by_an_instructor_is_theirs(client_a, instructor_a, welder, provider):
    """Given an instructor creates a course, they own it and can edit it."""
    response = client_a.post(
        f"/admin/pages/add/courses/coursepage/{welder.pk}/",
        nested_form_data(
            {
                "title": "新课",
                "slug": "new",
                "summary": "简介",
                "level": "5",
                "study_hours": "8",
                "provider": str(provider.pk),
                "voucher_price": "0",
                "completion_coverage_percent": "90",
                "completion_min_study_hours": "0",
                "description": rich_text(""),
                "comments": inline_formset([]),
            }
        ),
    )
    assert response.status_code == 302
    course = CoursePage.objects.get(slug="new")
    assert (course.owner, course.live) == (instructor_a, False)
    assert client_a.get(f"/admin/pages/{course.pk}/edit/").status_code == 200
    assert Page.objects.get(pk=course.pk).permissions_for_user(instructor_a).can_publish() is False
