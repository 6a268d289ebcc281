"""Quiz pages and the quiz API: links from the lesson and course pages, the
start page, an attempt in HTML and JSON with no answer in it before
submission, submitting the form, refusals with their status, the review."""

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import translation

from courses.models import Quiz
from progress.models import AttemptQuestion, QuizAttempt
from tests.progress import quiz_factories
from tests.progress.factories import worker_create
from tests.progress.quiz_factories import right_answers

pytestmark = pytest.mark.django_db

globals().update(quiz_factories.fixtures())

# Anything that would give an answer away before submission.
LEAKS = ("is_correct", "answer_value", "tolerance", "explanation", "statement_is_true",
         "correct", "解析", "40 × 3.2", "烘干去除水分")  # fmt: skip


@pytest.fixture(autouse=True)
def english(client):
    """The assertions read English: the test code's messages and the pages'
    (which a browser without Accept-Language gets in Chinese)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def signed_in(client, worker, enrolment):
    client.force_login(worker)
    return client


def start_url(lesson) -> str:
    return reverse("progress:quiz-lesson", args=[lesson.pk])


def test_the_lesson_and_course_pages_link_to_the_quiz_and_the_exam(
    signed_in, quiz_lesson, exam_course
):
    lesson_html = signed_in.get(quiz_lesson.url).content.decode()
    course_html = signed_in.get(exam_course.url).content.decode()
    assert f'href="{start_url(quiz_lesson)}"' in lesson_html
    exam_url = reverse("progress:quiz-course", args=[exam_course.pk])
    assert f'href="{exam_url}"' in course_html


def test_the_start_page_shows_the_rules_and_attempts_left(signed_in, quiz_lesson):
    response = signed_in.get(start_url(quiz_lesson))
    html = response.content.decode()
    assert response.status_code == 200
    assert "4 questions, drawn at random for each attempt" in html
    assert "Time limit: 10 minutes" in html
    assert "Pass mark: 60%" in html
    assert "2 attempts left" in html


def test_an_open_attempt_page_holds_no_answer(signed_in, quiz_lesson):
    """Start with the form, then the attempt page: the questions and their
    shuffled options, a numeric input with its unit, and nothing that gives
    an answer away (no correct flag, value, tolerance or explanation)."""
    response = signed_in.post(start_url(quiz_lesson))
    attempt = QuizAttempt.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("progress:quiz-attempt", args=[attempt.pk])

    html = signed_in.get(response["Location"]).content.decode()

    for row in attempt.questions.all():
        assert row.public_data["stem"] in html
        for option in row.public_data["options"]:
            assert f'value="{option["id"]}"' in html
    for leak in LEAKS:
        assert leak not in html, leak
    if attempt.questions.filter(public_data__kind="numeric").exists():
        assert 'inputmode="decimal"' in html and '<span class="unit">A</span>' in html


def test_the_attempt_api_holds_no_answer(signed_in, quiz_lesson, exam_course):
    """The JSON of an open attempt has the public questions only."""
    url = reverse("progress-exam-start", args=[exam_course.pk])
    started = signed_in.post(url)
    assert started.status_code == 201
    attempt_id = started.json()["id"]

    response = signed_in.get(reverse("progress-quiz-attempt", args=[attempt_id]))

    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "open"
    assert len(body["questions"]) == 7
    assert "result" not in body and "review" not in body
    text = json.dumps(body, ensure_ascii=False)
    for leak in LEAKS:
        assert leak not in text, leak
    assert started.json()["questions"] == body["questions"]


def test_submitting_the_form_grades_and_shows_the_review(signed_in, quiz_lesson):
    signed_in.post(start_url(quiz_lesson))
    attempt = QuizAttempt.objects.get()
    form = {}
    for position, answer in right_answers(attempt).items():
        form[f"q-{position}"] = {True: "true", False: "false"}.get(answer, answer)

    response = signed_in.post(reverse("progress:quiz-attempt", args=[attempt.pk]), form)

    assert response.status_code == 302
    assert response["Location"] == reverse("progress:quiz-result", args=[attempt.pk])
    attempt.refresh_from_db()
    assert (attempt.status, attempt.percent, attempt.passed) == ("submitted", 100, True)
    html = signed_in.get(response["Location"]).content.decode()
    assert "Passed" in html and "100%" in html
    assert "Review" in html
    for row in AttemptQuestion.objects.filter(attempt=attempt):
        assert row.grading_data["explanation"] in html


def test_the_result_page_has_no_review_when_the_quiz_hides_it(signed_in, quiz_lesson):
    Quiz.objects.filter(pk=quiz_lesson.quiz_id).update(show_review=False)
    signed_in.post(start_url(quiz_lesson))
    attempt = QuizAttempt.objects.get()
    signed_in.post(reverse("progress:quiz-attempt", args=[attempt.pk]), {})

    html = signed_in.get(reverse("progress:quiz-result", args=[attempt.pk])).content.decode()

    assert "This quiz does not show the answers after submission." in html
    for row in AttemptQuestion.objects.filter(attempt=attempt):
        assert row.grading_data["explanation"] not in html


def test_a_form_answer_for_a_question_not_drawn_is_refused(signed_in, quiz_lesson):
    signed_in.post(start_url(quiz_lesson))
    attempt = QuizAttempt.objects.get()

    response = signed_in.post(
        reverse("progress:quiz-attempt", args=[attempt.pk]), {"q-1": "", "q-42": "true"}
    )

    assert response.status_code == 400
    assert "not part of this attempt" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.status == "open"


def test_api_refusals_carry_their_status_and_code(signed_in, quiz_lesson, enterprise, client):
    start = signed_in.post(reverse("progress-quiz-start", args=[quiz_lesson.pk]))
    attempt_id = start.json()["id"]
    submit_url = reverse("progress-quiz-submit", args=[attempt_id])

    not_drawn = signed_in.post(submit_url, {"answers": {"77": 1}}, content_type="application/json")
    assert (not_drawn.status_code, not_drawn.json()["code"]) == (400, "not_drawn")
    shape = signed_in.post(submit_url, {"answers": []}, content_type="application/json")
    assert (shape.status_code, shape.json()["code"]) == (400, "answers_shape")
    assert QuizAttempt.objects.get().status == "open"

    done = signed_in.post(submit_url, {"answers": {}}, content_type="application/json")
    assert done.status_code == 200
    assert done.json()["result"]["passed"] is False
    assert [item["position"] for item in done.json()["review"]] == [1, 2, 3, 4]
    again = signed_in.post(submit_url, {"answers": {}}, content_type="application/json")
    assert again.json()["result"] == done.json()["result"]

    other = worker_create(organisation=enterprise)
    client.force_login(other)
    assert client.get(reverse("progress-quiz-attempt", args=[attempt_id])).status_code == 404
    refused = client.post(submit_url, {"answers": {}}, content_type="application/json")
    assert refused.status_code == 404


def test_the_api_says_how_long_to_wait(signed_in, quiz_lesson):
    Quiz.objects.filter(pk=quiz_lesson.quiz_id).update(wait_minutes=15)
    url = reverse("progress-quiz-start", args=[quiz_lesson.pk])
    attempt_id = signed_in.post(url).json()["id"]
    signed_in.post(
        reverse("progress-quiz-submit", args=[attempt_id]),
        {"answers": {}},
        content_type="application/json",
    )

    response = signed_in.post(url)

    assert response.status_code == 429
    assert response.json()["code"] == "wait"
    assert 14 * 60 < int(response["Retry-After"]) <= 15 * 60
    page = signed_in.post(start_url(quiz_lesson))
    assert page.status_code == 429
    assert re.search(r"try again in 1[45] minutes", page.content.decode())


def test_a_worker_not_enrolled_gets_a_refusal_page(client, quiz_lesson, enterprise):
    client.force_login(worker_create(organisation=enterprise))
    response = client.post(start_url(quiz_lesson))
    assert response.status_code == 403
    assert 'class="message error" role="alert"' in response.content.decode()
    assert not QuizAttempt.objects.exists()


def test_the_question_statistics_page_opens_for_the_banks_instructors_only(
    client, bank, instructor, signed_in
):
    from tests.courses.conftest import staff_login

    url = reverse("progress_quiz:question-stats", args=[bank.pk])
    assert signed_in.get(url).status_code in (302, 403)
    staff_login(client, instructor)
    response = client.get(url)
    assert response.status_code == 200
    assert "Discrimination" in response.content.decode()


def test_opening_an_attempt_after_its_time_shows_the_closed_result(signed_in, quiz_lesson):
    """The server keeps the time: an attempt whose deadline (and grace) has
    passed is closed when it is opened, and the result says why."""
    signed_in.post(start_url(quiz_lesson))
    attempt = QuizAttempt.objects.get()
    QuizAttempt.objects.filter(pk=attempt.pk).update(
        started_at=attempt.started_at - timedelta(minutes=20),
        deadline=attempt.deadline - timedelta(minutes=20),
    )

    response = signed_in.get(reverse("progress:quiz-attempt", args=[attempt.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("progress:quiz-result", args=[attempt.pk])
    attempt.refresh_from_db()
    assert (attempt.status, attempt.score) == ("expired", 0)
    html = signed_in.get(response["Location"]).content.decode()
    assert "no answers were credited" in html


def test_a_malformed_numeric_answer_is_shown_again_with_the_reason(signed_in, exam_course):
    """ "128A" in the numeric field: 400, the reason names the question, the
    form comes back with what was typed, and nothing is stored."""
    signed_in.post(reverse("progress:quiz-course", args=[exam_course.pk]))
    attempt = QuizAttempt.objects.get()
    numeric = attempt.questions.get(public_data__kind="numeric")

    response = signed_in.post(
        reverse("progress:quiz-attempt", args=[attempt.pk]), {f"q-{numeric.position}": "128A"}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert f"Question {numeric.position}: The answer must be a number." in html
    assert 'value="128A"' in html
    assert QuizAttempt.objects.get().status == "open"
    assert not AttemptQuestion.objects.filter(answer__isnull=False).exists()
