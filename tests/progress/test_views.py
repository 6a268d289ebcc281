"""The progress pages through HTTP, as a phone and an instructor's screen use them."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from lms.models import Membership
from progress import selectors, services
from progress.models import AssignmentJob, ClassCheckIn, DailyCheckIn, Enrolment, LessonProgress
from tests.courses.conftest import staff_login
from tests.progress import factories
from tests.progress.factories import staff_create, worker_create

pytestmark = pytest.mark.django_db

globals().update(factories.fixtures())  # union, worker, course, lessons, …


@pytest.fixture
def browser(worker):
    client = Client(headers={"accept-language": "en"})
    client.force_login(worker)
    return client


@pytest.fixture
def anonymous():
    return Client(headers={"accept-language": "en"})


def text(response) -> str:
    return response.content.decode()


# --- my learning, daily check-in ---------------------------------------------------


def test_my_learning_needs_login(anonymous):
    response = anonymous.get("/learning/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_my_learning_lists_courses_with_resume_link(browser, worker, course, lessons):
    enrolment = services.enrolment_create(user=worker, course=course)
    LessonProgress.objects.create(enrolment=enrolment, lesson=lessons[1], last_position=95.4)
    html = text(browser.get("/learning/"))
    assert "手工电弧焊入门" in html
    assert f'href="{lessons[1].url}?t=95"' in html
    assert "0 of 3 lessons completed" in html
    assert reverse("progress:withdraw", args=[enrolment.pk]) in html
    assert "Check in for today" in html


def test_daily_checkin_button(browser, worker):
    assert browser.get("/learning/checkin/daily/").status_code == 405
    response = browser.post("/learning/checkin/daily/", follow=True)
    assert response.redirect_chain == [("/learning/", 302)]
    assert "Checked in for today. You have studied 1 day in a row." in text(response)
    assert "Study streak: 1 day" in text(response)
    response = browser.post("/learning/checkin/daily/", follow=True)
    assert "You have already checked in today." in text(response)
    assert DailyCheckIn.objects.filter(user=worker).count() == 1


# --- the course page, enrol, withdraw ---------------------------------------------


def test_course_page_offers_enrolment(browser, anonymous, worker, course):
    assert "Log in to enrol" in text(anonymous.get(course.url))
    html = text(browser.get(course.url))
    assert "Enrol for free" in html
    assert f'action="{reverse("progress:enrol", args=[course.pk])}"' in html

    response = browser.post(reverse("progress:enrol", args=[course.pk]), follow=True)
    assert response.redirect_chain == [(course.url, 302)]
    html = text(response)
    assert escape("You are enrolled in “手工电弧焊入门”.") in html
    assert "Continue learning" in html
    assert Enrolment.objects.get(user=worker).source == "self"


def test_course_page_names_missing_prerequisites(browser, make_course, welder, course):
    advanced = make_course(parent=welder, title="压力管道焊接")
    advanced.prerequisites = [course]
    advanced.save()
    html = text(browser.get(advanced.url))
    assert "Complete these courses before enrolling:" in html
    assert f'<a href="{course.url}">手工电弧焊入门</a>' in html

    response = browser.post(reverse("progress:enrol", args=[advanced.pk]))
    assert response.status_code == 409
    assert escape("Complete these courses first: “手工电弧焊入门”.") in text(response)
    assert Enrolment.objects.count() == 0


def test_enrol_refusals_have_their_status(browser, worker, make_course, welder, course):
    paid = make_course(parent=welder, voucher_price=Decimal("99"))
    response = browser.post(reverse("progress:enrol", args=[paid.pk]))
    assert response.status_code == 403
    assert "This course is paid with a training voucher" in text(response)

    browser.post(reverse("progress:enrol", args=[course.pk]))
    response = browser.post(reverse("progress:enrol", args=[course.pk]))
    assert response.status_code == 409
    assert "You are already enrolled in this course." in text(response)
    assert Enrolment.objects.count() == 1

    draft = make_course(parent=welder, publish=False)
    assert browser.post(reverse("progress:enrol", args=[draft.pk])).status_code == 404


def test_withdraw_asks_first(browser, worker, enterprise, course):
    enrolment = services.enrolment_create(user=worker, course=course)
    url = reverse("progress:withdraw", args=[enrolment.pk])
    html = text(browser.get(url))
    assert escape("Do you want to withdraw from “手工电弧焊入门”?") in html

    response = browser.post(url, {"reason": "换岗"}, follow=True)
    assert response.redirect_chain == [("/learning/", 302)]
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.WITHDRAWN
    assert browser.get(url).status_code == 409

    colleague = Client(headers={"accept-language": "en"})
    colleague.force_login(worker_create(organisation=enterprise))
    again = services.enrolment_create(user=worker, course=course)
    assert colleague.post(reverse("progress:withdraw", args=[again.pk])).status_code == 404
    again.refresh_from_db()
    assert again.status == Enrolment.Status.ACTIVE


# --- classroom check-in -------------------------------------------------------------


@pytest.fixture
def session(course, instructor):
    from django.utils import timezone

    course.instructors = [instructor]
    course.save()
    now = timezone.now()
    return services.class_session_create(
        actor=instructor,
        course=course,
        title="焊接实操第一课",
        starts_at=now - timezone.timedelta(minutes=10),
        ends_at=now + timezone.timedelta(hours=2),
    )


@pytest.fixture
def screen(instructor):
    client = Client(headers={"accept-language": "en"})
    staff_login(client, instructor)
    return client


def test_instructor_screen_shows_a_rotating_qr(screen, session, browser):
    url = reverse("progress:classroom-screen", args=[session.pk])
    response = screen.get(url)
    assert response.status_code == 200
    html = text(response)
    assert "<svg" in html
    assert reverse("progress:classroom-token", args=[session.pk]) in html

    data = json.loads(screen.get(reverse("progress:classroom-token", args=[session.pk])).content)
    assert data["token"].startswith(f"{session.pk}.")
    assert data["url"].endswith(f"/learning/checkin/{session.pk}/?t={data['token']}")
    assert data["svg"].startswith("<svg")
    assert (data["rotate_seconds"], data["checked_in"]) == (10, 0)

    assert browser.get(url).status_code == 403
    assert browser.get(reverse("progress:classroom-token", args=[session.pk])).status_code == 403


def scan_url(session, token) -> str:
    return reverse("progress:class-checkin", args=[session.pk]) + f"?t={token}"


def test_worker_scans_and_checks_in(browser, worker, course, session):
    services.enrolment_create(user=worker, course=course)
    token = selectors.class_session_token_get(session=session)
    response = browser.get(scan_url(session, token))
    assert response.status_code == 200
    html = text(response)
    assert "Check in now" in html
    assert ClassCheckIn.objects.count() == 0  # GET writes nothing

    ticket = response.context["ticket"]
    url = reverse("progress:class-checkin", args=[session.pk])
    response = browser.post(url, {"t": token, "ticket": ticket})
    assert response.status_code == 200
    assert escape("You are checked in to “焊接实操第一课”") in text(response)
    assert ClassCheckIn.objects.filter(user=worker, session=session).count() == 1

    response = browser.post(url, {"t": token, "ticket": ticket})
    assert response.status_code == 409
    assert "You have already checked in to this class." in text(response)
    assert browser.get(scan_url(session, token)).status_code == 409
    assert ClassCheckIn.objects.count() == 1


def test_scan_refusals_have_their_status_and_reason(browser, worker, course, session, instructor):
    from django.utils import timezone

    services.enrolment_create(user=worker, course=course)
    stale = selectors.class_session_token_get(
        session=session, now=timezone.now() - timezone.timedelta(seconds=25)
    )
    response = browser.get(scan_url(session, stale))
    assert response.status_code == 410
    assert "This code has expired: scan the code on the screen again." in text(response)

    token = selectors.class_session_token_get(session=session)
    forged = token[:-4] + "abcd" if not token.endswith("abcd") else token[:-4] + "dcba"
    response = browser.get(scan_url(session, forged))
    assert response.status_code == 400
    assert "This check-in code is not valid." in text(response)

    response = browser.get(scan_url(session, "hello"))
    assert response.status_code == 400
    assert "This is not a check-in code." in text(response)

    other = services.class_session_create(
        actor=instructor,
        course=course,
        title="第二课",
        starts_at=session.starts_at,
        ends_at=session.ends_at,
    )
    other_token = selectors.class_session_token_get(session=other)
    response = browser.get(scan_url(session, other_token))
    assert response.status_code == 400
    assert "This code belongs to another class." in text(response)

    # A POST with a stale token and no ticket is refused too.
    url = reverse("progress:class-checkin", args=[session.pk])
    assert browser.post(url, {"t": stale}).status_code == 410
    assert ClassCheckIn.objects.count() == 0


def test_scan_by_a_worker_not_enrolled(browser, session):
    token = selectors.class_session_token_get(session=session)
    response = browser.get(scan_url(session, token))
    assert response.status_code == 403
    assert escape("You are not enrolled in this class's course.") in text(response)


def test_scan_needs_login(anonymous, session):
    token = selectors.class_session_token_get(session=session)
    response = anonymous.get(scan_url(session, token))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- admin: bulk assignment and classes --------------------------------------------


def test_auditor_uploads_a_list_and_downloads_the_report(union, enterprise, course):
    auditor = staff_create(organisation=union, role=Membership.Role.AUDITOR)
    worker_create(organisation=enterprise, phone="13912345678")
    client = Client(headers={"accept-language": "en"})
    staff_login(client, auditor)
    page = reverse("progress_admin:assignments")
    assert client.get(page).status_code == 200
    example = client.get(reverse("progress_admin:assignment-template"))
    assert example.content.decode("utf-8-sig").splitlines()[0] == "手机号,身份证号,课程"

    content = "手机号,课程\n13912345678,arc\n13999999999,arc\n".encode()
    upload = SimpleUploadedFile("名单.csv", content, content_type="text/csv")
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(page, {"organisation": union.pk, "file": upload})
    job = AssignmentJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("progress_admin:assignment", args=[job.pk])

    html = text(client.get(response["Location"]))
    assert "2 of 2 rows processed: 1 assigned, 1 refused." in html
    report = client.get(reverse("progress_admin:assignment-report", args=[job.pk]))
    assert report.status_code == 200
    assert report["Content-Disposition"].startswith("attachment")
    rows = list(csv.reader(io.StringIO(b"".join(report.streaming_content).decode("utf-8-sig"))))
    assert [row[3] for row in rows] == ["Result", "ok", "error"]


def test_assignment_admin_is_for_assigning_roles(union, enterprise, instructor, course):
    course.instructors = [instructor]
    course.save()
    client = Client(headers={"accept-language": "en"})
    staff_login(client, instructor)
    # Wagtail answers a refused admin page with a redirect to the dashboard.
    response = client.get(reverse("progress_admin:assignments"))
    assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))
    assert client.get(reverse("progress_admin:classes")).status_code == 200


def test_bad_upload_is_shown_on_the_form(union):
    auditor = staff_create(organisation=union, role=Membership.Role.AUDITOR)
    client = Client(headers={"accept-language": "en"})
    staff_login(client, auditor)
    upload = SimpleUploadedFile("list.pdf", b"%PDF-1.4")
    response = client.post(
        reverse("progress_admin:assignments"), {"organisation": union.pk, "file": upload}
    )
    assert response.status_code == 200
    assert "Upload a CSV or XLSX file." in text(response)
    assert AssignmentJob.objects.count() == 0


def test_instructor_schedules_a_class(course, instructor):
    course.instructors = [instructor]
    course.save()
    client = Client(headers={"accept-language": "en"})
    staff_login(client, instructor)
    response = client.post(
        reverse("progress_admin:classes"),
        {
            "course": course.pk,
            "title": "实操课",
            "starts_at": "2026-12-01T09:00",
            "ends_at": "2026-12-01T11:00",
            "location": "2 号车间",
        },
    )
    assert response.status_code == 302
    session = selectors.class_sessions_managed_by(user=instructor).get()
    assert session.title == "实操课"
    html = text(client.get(reverse("progress_admin:classes")))
    assert reverse("progress:classroom-screen", args=[session.pk]) in html
