"""Quiz and exam attempts: drawing and freezing, the attempt limit, the wait
between attempts, which attempt counts, the time limit, refused answers
(nothing recorded), double submission, the ledger fact and xAPI statement,
the review, and the outcomes the completion rule reads."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from courses.models import CoursePage, LessonPage, Question, Quiz
from courses.selectors import lesson_course_get
from courses.services import question_bank_create, quiz_create
from lms.exceptions import ApplicationError
from lms.models import LedgerEntry
from progress import selectors, services
from progress.models import AttemptQuestion, LessonProgress, QuizAttempt, XAPIStatement
from tests.courses.factories import ProviderFactory
from tests.progress import quiz_factories
from tests.progress.factories import worker_create
from tests.progress.quiz_factories import right_answers

pytestmark = pytest.mark.django_db

globals().update(quiz_factories.fixtures())  # bank, section_quiz, quiz_lesson, …

T0 = dt.datetime(2026, 12, 4, 8, 0, tzinfo=dt.UTC)
ADL = "http://adlnet.gov/expapi/verbs/"
GRADING_KEYS = {
    *("correct", "answer", "tolerance", "explanation"),
    *("is_correct", "answer_value", "statement_is_true"),
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def start(user, lesson, *, now=T0) -> QuizAttempt:
    return services.quiz_attempt_start(
        user=user, quiz=lesson.quiz, course=lesson_course_get(lesson=lesson), lesson=lesson, now=now
    )


def refusal(call, **kwargs) -> ApplicationError:
    with pytest.raises(ApplicationError) as excinfo:
        call(**kwargs)
    return excinfo.value


def quiz_entries():
    return list(LedgerEntry.objects.filter(chain="progress", kind="progress.quiz_submitted"))


def quiz_statements():
    verbs = [ADL + "passed", ADL + "failed"]
    return list(XAPIStatement.objects.filter(verb_id__in=verbs))


def keys_in(value) -> set:
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in keys_in(item)}
    if isinstance(value, list):
        return {key for item in value for key in keys_in(item)}
    return set()


# --- Drawing and freezing -----------------------------------------------------------


def test_an_attempt_draws_per_category_and_difficulty_and_freezes_both_views(
    worker, enrolment, quiz_lesson, bank
):
    """3 safety questions of difficulty 1 and 1 process question, distinct,
    in positions 1-4; the public view holds no answer, the grading spec is
    the question's at the start; a 10-minute deadline."""
    attempt = start(worker, quiz_lesson)

    rows = list(attempt.questions.order_by("position").select_related("question"))
    assert [row.position for row in rows] == [1, 2, 3, 4]
    categories = sorted(row.question.category for row in rows)
    assert categories == ["安全", "安全", "安全", "工艺"]
    assert all(row.question.difficulty == 1 for row in rows if row.question.category == "安全")
    assert len({row.question_id for row in rows}) == 4
    for row in rows:
        assert keys_in(row.public_data) & GRADING_KEYS == set()
        assert row.public_data["uuid"] == str(row.question.uuid)
        assert row.grading_data["uuid"] == str(row.question.uuid)
        assert "explanation" in row.grading_data
    assert attempt.number == 1
    assert attempt.status == QuizAttempt.Status.OPEN
    assert attempt.deadline == T0 + dt.timedelta(minutes=10)
    assert attempt.max_score == Decimal("4")
    assert attempt.pass_mark_percent == 60


def test_options_are_shuffled_per_attempt(worker, enrolment, quiz_lesson, enterprise, course):
    """Each attempt shows the options in an order of its own: over ten
    workers' attempts the 3-option questions do not all keep the author's
    order (a chance of 6^-30 if they were not shuffled)."""
    orders = set()
    for n in range(10):
        user = worker if n == 0 else worker_create(organisation=enterprise)
        if n:
            services.enrolment_create(user=user, course=course)
        attempt = start(user, quiz_lesson)
        for row in attempt.questions.filter(public_data__kind="single"):
            shown = [option["id"] for option in row.public_data["options"]]
            authored = [str(option.uuid) for option in row.question.options.order_by("sort_order")]
            assert sorted(shown) == sorted(authored)
            orders.add(shown == authored)
    assert False in orders


def test_starting_again_resumes_the_open_attempt(worker, enrolment, quiz_lesson):
    first = start(worker, quiz_lesson)
    again = start(worker, quiz_lesson, now=T0 + dt.timedelta(minutes=1))
    assert again.pk == first.pk
    assert QuizAttempt.objects.count() == 1


def test_grading_uses_the_frozen_spec_not_the_bank_edited_later(worker, enrolment, exam_course):
    """The numeric answer is changed in the bank after the start: the attempt
    is graded on what it drew."""
    attempt = services.quiz_attempt_start(
        user=worker, quiz=exam_course.final_exam, course=exam_course, now=T0
    )
    answers = right_answers(attempt)
    Question.objects.filter(kind="numeric").update(answer_value=Decimal("999"))

    result = services.quiz_attempt_submit(
        attempt=attempt, user=worker, answers=answers, now=T0 + dt.timedelta(minutes=5)
    )

    assert (result.score, result.percent, result.passed) == (Decimal("7"), Decimal("100"), True)


# --- Who may start --------------------------------------------------------------------


def test_a_locked_lesson_refuses_its_quiz(worker, enrolment, lessons, section_quiz, course):
    """In a course taken in order, the second lesson's quiz is refused (403)
    until the first lesson is completed; nothing is created."""
    CoursePage.objects.filter(pk=course.pk).update(lessons_in_order=True)
    LessonPage.objects.filter(pk=lessons[1].pk).update(quiz=section_quiz)
    lessons[1].refresh_from_db()

    error = refusal(start, user=worker, lesson=lessons[1])
    assert (error.extra["code"], error.extra["status"]) == ("lesson_locked", 403)
    assert "安全防护" in error.message
    assert not QuizAttempt.objects.exists()

    LessonProgress.objects.create(enrolment=enrolment, lesson=lessons[0], completed_at=T0)
    assert start(worker, lessons[1]).number == 1


def test_a_quiz_of_another_provider_attached_to_a_lesson_is_refused(
    worker, enrolment, lessons, welder
):
    other = ProviderFactory(name="厦门技师学院", code="xm-jsxy")
    other_bank = question_bank_create(
        title="厦门题库", trade=welder, provider=other, questions=quiz_factories.SAFETY
    )
    foreign = quiz_create(
        title="别人的测试", provider=other, draws=[{"bank": other_bank, "count": 1}]
    )
    LessonPage.objects.filter(pk=lessons[0].pk).update(quiz=foreign)
    lessons[0].refresh_from_db()

    error = refusal(start, user=worker, lesson=lessons[0])

    assert (error.extra["code"], error.extra["status"]) == ("quiz_foreign", 409)
    assert not QuizAttempt.objects.exists()


def test_a_worker_not_enrolled_is_refused(worker, quiz_lesson, course):
    error = refusal(start, user=worker, lesson=quiz_lesson)
    assert error.extra["status"] == 403
    assert not QuizAttempt.objects.exists()


def test_the_attempt_limit_refuses_a_third_attempt(worker, enrolment, quiz_lesson):
    for minute in (0, 20):
        attempt = start(worker, quiz_lesson, now=T0 + dt.timedelta(minutes=minute))
        services.quiz_attempt_submit(
            attempt=attempt, user=worker, answers={}, now=T0 + dt.timedelta(minutes=minute + 1)
        )

    error = refusal(start, user=worker, lesson=quiz_lesson, now=T0 + dt.timedelta(hours=1))

    assert (error.extra["code"], error.extra["status"]) == ("no_attempts_left", 409)
    assert error.message == "You have used all 2 attempts this quiz allows."
    assert QuizAttempt.objects.count() == 2
    state = selectors.quiz_state_for(user=worker, quiz=quiz_lesson.quiz, lesson=quiz_lesson)
    assert (state.attempts_used, state.attempts_left, state.can_start) == (2, 0, False)


def test_the_wait_between_attempts(worker, enrolment, quiz_lesson):
    """With a 30-minute wait, a new attempt 10 minutes after the last is
    refused with 429 and the seconds to wait; 30 minutes after, it starts."""
    Quiz.objects.filter(pk=quiz_lesson.quiz_id).update(wait_minutes=30)
    quiz_lesson.refresh_from_db()
    attempt = start(worker, quiz_lesson)
    services.quiz_attempt_submit(
        attempt=attempt, user=worker, answers={}, now=T0 + dt.timedelta(minutes=5)
    )

    error = refusal(start, user=worker, lesson=quiz_lesson, now=T0 + dt.timedelta(minutes=15))
    assert (error.extra["code"], error.extra["status"]) == ("wait", 429)
    assert error.extra["retry_after"] == 20 * 60
    assert error.message == "You can try again in 20 minutes."
    assert QuizAttempt.objects.count() == 1

    assert start(worker, quiz_lesson, now=T0 + dt.timedelta(minutes=35)).number == 2


# --- Submission -----------------------------------------------------------------------


def test_a_submission_is_graded_recorded_in_the_ledger_and_as_an_xapi_statement(
    worker, enrolment, quiz_lesson, course
):
    attempt = start(worker, quiz_lesson)
    answers = right_answers(attempt)
    answers["1"] = None  # one question left blank: 3 of 4

    result = services.quiz_attempt_submit(
        attempt=attempt, user=worker, answers=answers, now=T0 + dt.timedelta(minutes=3, seconds=5)
    )

    assert result.status == QuizAttempt.Status.SUBMITTED
    assert (result.score, result.percent, result.passed) == (Decimal("3"), Decimal("75"), True)
    rows = {row.position: row for row in AttemptQuestion.objects.filter(attempt=attempt)}
    assert (rows[1].points, rows[1].correct, rows[1].answer) == (Decimal("0"), False, None)
    assert all(rows[n].correct for n in (2, 3, 4))
    [entry] = quiz_entries()
    assert entry.subject == f"user:{worker.pk}"
    assert entry.actor_id == worker.pk
    assert entry.payload == {
        "attempt": str(attempt.pk),
        "enrolment": str(enrolment.pk),
        "quiz": str(quiz_lesson.quiz_id),
        "lesson": str(quiz_lesson.pk),
        "number": 1,
        "status": "submitted",
        "score": "3.0000",
        "max_score": "4.0000",
        "percent": "75.00",
        "passed": True,
    }
    [statement] = quiz_statements()
    data = statement.data
    assert data["verb"]["id"] == "http://adlnet.gov/expapi/verbs/passed"
    assert data["object"]["id"].endswith(f"/learning/quiz/lesson/{quiz_lesson.pk}/")
    assert data["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/assessment"
    assert data["result"] == {
        "score": {"scaled": 0.75, "raw": 3.0, "min": 0, "max": 4.0},
        "success": True,
        "completion": True,
        "duration": "PT3M5S",
    }
    assert data["context"]["registration"] == str(enrolment.pk)
    assert data["context"]["contextActivities"]["parent"][0]["id"].endswith("/arc-1/")
    assert statement.actor_user_id == worker.pk


def test_a_failed_attempt_is_a_failed_statement(worker, enrolment, quiz_lesson):
    attempt = start(worker, quiz_lesson)
    result = services.quiz_attempt_submit(attempt=attempt, user=worker, answers={}, now=T0)
    assert (result.percent, result.passed) == (Decimal("0"), False)
    [statement] = quiz_statements()
    assert statement.data["verb"]["id"] == "http://adlnet.gov/expapi/verbs/failed"
    assert statement.data["result"]["success"] is False


def test_submitting_twice_counts_once(worker, enrolment, quiz_lesson):
    attempt = start(worker, quiz_lesson)
    answers = right_answers(attempt)
    first = services.quiz_attempt_submit(attempt=attempt, user=worker, answers=answers, now=T0)
    second = services.quiz_attempt_submit(attempt=attempt, user=worker, answers={}, now=T0)

    assert (second.pk, second.score, second.submitted_at) == (first.pk, Decimal("4"), T0)
    assert len(quiz_entries()) == 1
    assert len(quiz_statements()) == 1


@pytest.mark.parametrize(
    "answers",
    [{"99": True}, {"0": True}, {"not-a-question": "x"}],
    ids=["position-out-of-range", "position-zero", "unknown-key"],
)
def test_an_answer_to_a_question_not_drawn_is_refused_and_nothing_recorded(
    worker, enrolment, quiz_lesson, answers
):
    attempt = start(worker, quiz_lesson)
    answers = {**right_answers(attempt), **answers}

    error = refusal(
        services.quiz_attempt_submit, attempt=attempt, user=worker, answers=answers, now=T0
    )

    assert (error.extra["code"], error.extra["status"]) == ("not_drawn", 400)
    attempt.refresh_from_db()
    assert attempt.status == QuizAttempt.Status.OPEN and attempt.score is None
    assert not AttemptQuestion.objects.filter(attempt=attempt, answer__isnull=False).exists()
    assert quiz_entries() == [] and quiz_statements() == []


def test_a_bank_question_that_was_not_drawn_is_refused_by_its_uuid(
    worker, enrolment, quiz_lesson, bank
):
    attempt = start(worker, quiz_lesson)
    drawn = set(attempt.questions.values_list("question_id", flat=True))
    other = Question.objects.filter(bank=bank).exclude(pk__in=drawn).first()

    error = refusal(
        services.quiz_attempt_submit,
        attempt=attempt,
        user=worker,
        answers={str(other.uuid): True},
        now=T0,
    )

    assert error.extra["code"] == "not_drawn"
    assert QuizAttempt.objects.get().status == QuizAttempt.Status.OPEN


def test_answers_keyed_by_question_uuid_are_accepted(worker, enrolment, quiz_lesson):
    attempt = start(worker, quiz_lesson)
    by_uuid = {
        row.public_data["uuid"]: right_answers(attempt)[str(row.position)]
        for row in attempt.questions.all()
    }
    result = services.quiz_attempt_submit(attempt=attempt, user=worker, answers=by_uuid, now=T0)
    assert result.score == Decimal("4")


def test_an_answer_of_the_wrong_shape_is_refused_with_its_reason(worker, enrolment, quiz_lesson):
    attempt = start(worker, quiz_lesson)
    single = attempt.questions.filter(public_data__kind="single").order_by("position").first()
    answers = {**right_answers(attempt), str(single.position): ["a", "b"]}

    error = refusal(
        services.quiz_attempt_submit, attempt=attempt, user=worker, answers=answers, now=T0
    )

    assert (error.extra["code"], error.extra["status"]) == ("single_list", 400)
    assert error.extra["position"] == single.position
    assert error.message == (
        f"Question {single.position}: A single-choice question takes one option, not a list."
    )
    assert QuizAttempt.objects.get().status == QuizAttempt.Status.OPEN
    assert quiz_entries() == []


def test_another_users_attempt_is_not_found(worker, enrolment, quiz_lesson, enterprise):
    attempt = start(worker, quiz_lesson)
    other = worker_create(organisation=enterprise)

    error = refusal(services.quiz_attempt_submit, attempt=attempt, user=other, answers={}, now=T0)

    assert error.extra["status"] == 404
    assert QuizAttempt.objects.get().status == QuizAttempt.Status.OPEN
    assert selectors.attempt_get_for(user=other, attempt_id=attempt.pk) is None


# --- The time limit ------------------------------------------------------------------


def test_a_submission_within_the_grace_period_counts(worker, enrolment, quiz_lesson):
    attempt = start(worker, quiz_lesson)
    late = T0 + dt.timedelta(minutes=10, seconds=29)
    result = services.quiz_attempt_submit(
        attempt=attempt, user=worker, answers=right_answers(attempt), now=late
    )
    assert (result.status, result.score) == (QuizAttempt.Status.SUBMITTED, Decimal("4"))


def test_a_submission_after_the_time_limit_closes_the_attempt_with_nothing_credited(
    worker, enrolment, quiz_lesson
):
    """Past the deadline and the 30 s grace: 409, and the attempt is closed
    as expired with score 0, no answer stored, a ledger fact and a failed
    statement; submitting again is refused the same way."""
    attempt = start(worker, quiz_lesson)
    late = T0 + dt.timedelta(minutes=10, seconds=31)

    error = refusal(
        services.quiz_attempt_submit,
        attempt=attempt,
        user=worker,
        answers=right_answers(attempt),
        now=late,
    )

    assert (error.extra["code"], error.extra["status"]) == ("time_up", 409)
    attempt.refresh_from_db()
    assert attempt.status == QuizAttempt.Status.EXPIRED
    assert (attempt.score, attempt.percent, attempt.passed) == (Decimal("0"), Decimal("0"), False)
    assert attempt.submitted_at == late
    assert not AttemptQuestion.objects.filter(attempt=attempt, answer__isnull=False).exists()
    [entry] = quiz_entries()
    assert entry.payload["status"] == "expired"
    [statement] = quiz_statements()
    assert statement.data["verb"]["id"] == "http://adlnet.gov/expapi/verbs/failed"

    again = refusal(
        services.quiz_attempt_submit, attempt=attempt, user=worker, answers={}, now=late
    )
    assert again.extra["code"] == "time_up"
    assert len(quiz_entries()) == 1


def test_expired_attempts_are_closed_lazily(worker, enrolment, quiz_lesson):
    attempt = start(worker, quiz_lesson)
    assert services.quiz_attempts_expire(now=T0 + dt.timedelta(minutes=10)) == 0
    assert services.quiz_attempts_expire(now=T0 + dt.timedelta(minutes=11)) == 1
    attempt.refresh_from_db()
    assert (attempt.status, attempt.score) == (QuizAttempt.Status.EXPIRED, Decimal("0"))
    [entry] = quiz_entries()
    assert entry.actor_id is None  # closed by the platform

    # The next start counts the expired attempt as used.
    assert start(worker, quiz_lesson, now=T0 + dt.timedelta(minutes=12)).number == 2


# --- What counts, the review, the outcomes --------------------------------------------


def _attempt_with(worker, lesson, *, correct: int, now):
    attempt = start(worker, lesson, now=now)
    answers = right_answers(attempt)
    for position in range(correct + 1, 5):
        answers[str(position)] = None
    return services.quiz_attempt_submit(attempt=attempt, user=worker, answers=answers, now=now)


@pytest.mark.parametrize(("counting", "expected"), [("best", 1), ("last", 2)])
def test_the_best_or_the_last_attempt_counts(worker, enrolment, quiz_lesson, counting, expected):
    Quiz.objects.filter(pk=quiz_lesson.quiz_id).update(counting=counting)
    quiz_lesson.refresh_from_db()
    _attempt_with(worker, quiz_lesson, correct=4, now=T0)
    _attempt_with(worker, quiz_lesson, correct=1, now=T0 + dt.timedelta(minutes=20))

    state = selectors.quiz_state_for(user=worker, quiz=quiz_lesson.quiz, lesson=quiz_lesson)
    outcomes = selectors.quiz_outcomes_for(enrolment=enrolment)

    assert state.counting.number == expected
    assert outcomes.section_quizzes == 1
    assert outcomes.section_quizzes_passed == (1 if counting == "best" else 0)


def test_outcomes_of_the_final_exam(worker, enrolment, exam_course, quiz_lesson):
    assert selectors.quiz_outcomes_for(enrolment=enrolment) == selectors.QuizOutcomes(
        section_quizzes=1, final_exam=True
    )
    attempt = services.quiz_attempt_start(
        user=worker, quiz=exam_course.final_exam, course=exam_course, now=T0
    )
    services.quiz_attempt_submit(
        attempt=attempt, user=worker, answers=right_answers(attempt), now=T0
    )

    outcomes = selectors.quiz_outcomes_for(enrolment=enrolment)

    assert (outcomes.final_exam_passed, outcomes.final_score) == (True, Decimal("100"))
    assert outcomes.section_quizzes_passed == 0


def test_the_review_is_shown_after_submission_only_and_only_if_the_quiz_shows_it(
    worker, enrolment, quiz_lesson
):
    attempt = start(worker, quiz_lesson)
    assert selectors.attempt_review_get(attempt=attempt, user=worker) is None  # open

    services.quiz_attempt_submit(attempt=attempt, user=worker, answers={}, now=T0)
    attempt.refresh_from_db()
    review = selectors.attempt_review_get(attempt=attempt, user=worker)
    assert [item.position for item in review] == [1, 2, 3, 4]
    assert all(item.explanation for item in review)
    numeric = [item for item in review if item.question["kind"] == "numeric"]
    for item in numeric:
        assert item.correct_value == "128 ± 2"

    Quiz.objects.filter(pk=attempt.quiz_id).update(show_review=False)
    attempt = QuizAttempt.objects.select_related("quiz").get(pk=attempt.pk)
    assert selectors.attempt_review_get(attempt=attempt, user=worker) is None


# --- The quiz's own rules ---------------------------------------------------------------


def test_a_quiz_asking_for_more_questions_than_the_bank_has_is_refused(bank, provider):
    with pytest.raises(ApplicationError) as excinfo:
        quiz_create(
            title="太多",
            provider=provider,
            draws=[{"bank": bank, "category": "安全", "difficulty": 1, "count": 5}],
        )
    assert "only 4 questions" in excinfo.value.message
    assert not Quiz.objects.exists()


def test_a_quiz_may_not_draw_from_another_providers_bank(bank):
    other = ProviderFactory(name="厦门技师学院", code="xm-jsxy")
    with pytest.raises(ApplicationError) as excinfo:
        quiz_create(title="别人的题库", provider=other, draws=[{"bank": bank, "count": 1}])
    assert "belongs to another training provider" in excinfo.value.message
    assert not Quiz.objects.exists()


# --- Question statistics ------------------------------------------------------------


def test_question_statistics_are_read_set_wise(
    worker, enrolment, exam_course, bank, enterprise, course, django_assert_num_queries
):
    """Four workers take the final exam (every question), scoring 7, 5, 3
    and 0: per question the times drawn and answered correctly, the options
    chosen, and the discrimination index (top 27 % = 1 attempt against the
    bottom one); three queries."""
    workers = [worker] + [worker_create(organisation=enterprise) for _ in range(3)]
    for user in workers[1:]:
        services.enrolment_create(user=user, course=course)
    for user, right in zip(workers, (7, 5, 3, 0), strict=True):
        attempt = services.quiz_attempt_start(
            user=user, quiz=exam_course.final_exam, course=exam_course, now=T0
        )
        answers = right_answers(attempt)
        rows = attempt.questions.order_by("question__sort_order")
        for row in list(rows)[right:]:
            answers[str(row.position)] = None
        services.quiz_attempt_submit(attempt=attempt, user=user, answers=answers, now=T0)

    with django_assert_num_queries(4):  # questions, their options, rows, percents
        stats = selectors.question_stats_for(bank=bank)

    assert [item.drawn for item in stats] == [4] * 7
    assert [item.correct for item in stats] == [3, 3, 3, 2, 2, 1, 1]
    assert [item.discrimination for item in stats] == [Decimal("1.00")] * 7
    first = stats[0]
    assert first.percent_correct == 75
    assert [(option.is_correct, option.chosen) for option in first.options] == [
        (True, 3),
        (False, 0),
        (False, 0),
    ]
