"""The issue's whole assessment journey in Chromium on a phone: a worker
opens the final exam from the course page, fails it, is told to wait (and
offered no start button), really waits the exam's one minute, passes on the
second attempt, sees the course completed, downloads the certificate PDF
and opens its verification page from the course page.

The course's lessons are reading-only, so the rule's coverage part asks for
nothing the server could credit; the final exam is what the rule waits for.
"""

import datetime as dt
import io
import re
import time

import pytest
from django.urls import reverse
from playwright.sync_api import expect
from pypdf import PdfReader

from courses.models import CoursePage
from courses.services import question_bank_create, quiz_create
from progress.models import AttemptQuestion, Certificate, Enrolment, QuizAttempt
from progress.services import enrolment_create
from progress.xapi.platform import site_url
from tests.e2e.conftest import sign_in
from tests.progress import factories
from tests.progress.quiz_factories import SAFETY, right_answers

globals().update(factories.fixtures())  # course, lessons, worker, provider, welder, …

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# No time limit, unlimited attempts, all right to pass, one minute (the
# shortest wait a quiz has) between attempts.
EXAM_RULES = {
    "kind": "final",
    "time_limit_minutes": 0,
    "max_attempts": 0,
    "pass_mark_percent": 100,
    "wait_minutes": 1,
}
# What would give an answer away on the open attempt's page.
LEAKS = ("is_correct", "安全解析", "✔")


@pytest.fixture
def exam_course(course, lessons, provider, welder) -> CoursePage:
    """The course with a final exam of 2 questions drawn from a bank of 3
    single-choice safety questions, and a rule that asks for it passed."""
    bank = question_bank_create(
        title="焊工结业题库", trade=welder, provider=provider, level=5, questions=SAFETY[:3]
    )
    draws = [{"bank": bank, "count": 2}]
    exam = quiz_create(title="焊工结业考试", provider=provider, draws=draws, **EXAM_RULES)
    CoursePage.objects.filter(pk=course.pk).update(
        final_exam=exam, completion_requires_final_exam=True, completion_min_study_hours=0
    )
    course.refresh_from_db()
    return course


def open_attempt(page) -> tuple[QuizAttempt, str]:
    """Press the start button; the attempt and its page's HTML as served."""
    with page.expect_response(
        lambda response: (
            "/learning/quiz/attempt/" in response.url and response.request.method == "GET"
        )
    ) as served:
        page.locator("form.quiz-start button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/learning/quiz/attempt/[0-9a-f-]{36}/$"))
    attempt_id = page.url.rstrip("/").rsplit("/", 1)[1]
    return QuizAttempt.objects.get(pk=attempt_id), served.value.text()


def answer(page, attempt: QuizAttempt, *, right: bool) -> None:
    """Tick the right option of every question, or a wrong one, and submit."""
    correct = right_answers(attempt)
    for row in AttemptQuestion.objects.filter(attempt=attempt):
        position = str(row.position)
        choice = correct[position]
        if not right:
            ids = [option["id"] for option in row.public_data["options"]]
            choice = next(option for option in ids if option != correct[position])
        page.locator(f"input[name='q-{position}'][value='{choice}']").check()
    page.locator("#quiz-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/learning/quiz/attempt/{attempt.pk}/result/$"))


def test_fail_wait_retry_pass_the_final_exam_then_certificate_and_verification(
    exam_course, worker, live_server, page
):
    enrolment = enrolment_create(user=worker, course=exam_course)
    sign_in(page, live_server, worker)

    # 1) From the course page to the exam; a wrong answer to each question.
    page.goto(live_server.url + exam_course.url)
    expect(page.locator("[data-criterion=final_exam]")).to_have_class("open")
    page.locator("section.quiz-link a.button").click()
    expect(page).to_have_url(re.compile(rf"/learning/quiz/course/{exam_course.pk}/$"))
    first, html = open_attempt(page)
    rows = list(AttemptQuestion.objects.filter(attempt=first))
    assert len(rows) == 2
    for row in rows:
        assert row.public_data["stem"] in html
        assert row.grading_data["explanation"] not in html
    for leak in LEAKS:
        assert leak not in html, leak
    answer(page, first, right=False)

    result = page.locator(".quiz-result")
    expect(result.locator(".score strong")).to_have_text("0%")
    expect(result.locator("strong.failed")).to_be_visible()
    expect(result.locator("a.button")).to_have_count(0)  # no "try again" yet
    expect(result.locator("span.meta")).not_to_be_empty()  # how long to wait
    expect(page.locator(".quiz-review.wrong")).to_have_count(2)

    # The exam's page says when, and has no start button.
    page.goto(live_server.url + reverse("progress:quiz-course", args=[exam_course.pk]))
    waiting = page.locator("p.message[role=status]")
    expect(waiting).to_be_visible()
    expect(page.locator("form.quiz-start")).to_have_count(0)
    next_allowed_at = dt.datetime.fromisoformat(waiting.locator("time").get_attribute("datetime"))
    first.refresh_from_db()
    assert next_allowed_at == first.submitted_at + dt.timedelta(minutes=1)

    # 2) Really wait the minute, then try again and pass.
    time.sleep(max(0.0, (next_allowed_at - dt.datetime.now(tz=dt.UTC)).total_seconds()) + 0.5)
    page.reload()
    expect(page.locator("p.message[role=status]")).to_have_count(0)
    second, html = open_attempt(page)
    assert second.number == 2
    for leak in LEAKS:
        assert leak not in html, leak
    answer(page, second, right=True)
    expect(result.locator(".score strong")).to_have_text("100%")
    expect(result.locator("strong.passed")).to_be_visible()
    expect(page.locator(".quiz-review.right")).to_have_count(2)

    # 3) The course is completed; the certificate PDF holds its verification URL.
    result.locator(f"a[href='{exam_course.url}']").click()
    expect(page.locator(".completion.done")).to_be_visible()
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.COMPLETED
    certificate = Certificate.objects.get(enrolment=enrolment)
    assert certificate.final_score == 100
    with page.expect_download() as download:
        page.locator(f".completion a[href$='/{certificate.code}/certificate.pdf']").click()
    with open(download.value.path(), "rb") as file:
        pdf = file.read()
    assert pdf.startswith(b"%PDF-")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert site_url(reverse("verify:detail", args=[certificate.code])) in text
    assert "手工电弧焊入门" in text

    # 4) The verification page, from the course page's link: the facts.
    page.locator(f".completion a[href='/verify/{certificate.code}/']").click()
    expect(page).to_have_url(re.compile(rf"/verify/{certificate.code}/$"))
    facts = page.locator(".certificate-verification")
    expect(page.locator("#certificate-status.success")).to_be_visible()  # not revoked
    expect(facts.locator("h2")).to_have_text("手工电弧焊入门")
    expect(facts).to_contain_text("100.0")
    expect(facts).to_contain_text(certificate.code)
    expect(facts).to_contain_text(certificate.ledger_entry_hash)
