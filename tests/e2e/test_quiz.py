"""A worker takes the demo welding course's section quiz on a phone: the
link under the lesson, the rules, the countdown, the answers, the result."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from courses.models import CoursePage, LessonPage
from lms.models import Membership, User
from progress.models import Enrolment, QuizAttempt
from progress.services import enrolment_create
from tests.e2e.conftest import sign_in
from tests.progress.quiz_factories import right_answers

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", "--skip-videos", stdout=StringIO())


def test_worker_takes_the_section_quiz_with_a_countdown(demo, live_server, page):
    course = CoursePage.objects.get(slug="smaw-basics")
    lesson = LessonPage.objects.child_of(course).get(slug="safety-and-hot-work")
    worker = (
        User.objects.filter(memberships__role=Membership.Role.WORKER, worker_profile__isnull=False)
        .order_by("pk")
        .first()
    )
    if not Enrolment.objects.filter(user=worker, course=course).exists():
        enrolment_create(user=worker, course=course)
    sign_in(page, live_server, worker)

    page.goto(live_server.url + lesson.url)
    page.locator("section.quiz-link a.button").click()
    expect(page).to_have_url(re.compile(rf"/learning/quiz/lesson/{lesson.pk}/$"))
    page.locator("form.quiz-start button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/learning/quiz/attempt/[0-9a-f-]{36}/$"))

    countdown = page.locator("[data-quiz-countdown]")
    expect(countdown).to_have_text(re.compile(r"^(10:00|9:[0-5]\d)$"))
    shown = countdown.text_content()
    expect(countdown).not_to_have_text(shown)  # it ticks

    attempt = QuizAttempt.objects.get(user=worker)
    for position, answer in right_answers(attempt).items():
        field = f"input[name='q-{position}']"
        if isinstance(answer, list):  # multiple choice: every correct option
            for value in answer:
                page.locator(f"{field}[value='{value}']").check()
        elif isinstance(answer, bool):
            page.locator(f"{field}[value='{str(answer).lower()}']").check()
        elif page.locator(f"{field}[type=text]").count():
            page.locator(field).fill(str(answer))
        else:
            page.locator(f"{field}[value='{answer}']").check()
    page.locator("#quiz-form button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/result/$"))
    expect(page.locator(".quiz-result .score strong")).to_have_text("100%")
    expect(page.locator(".quiz-review")).to_have_count(3)
