"""Quiz and exam attempts: start (draw, shuffle and freeze the questions),
submit (grade on the frozen spec), and close attempts whose time ran out.

Every closed attempt (submitted or expired) is a ledger fact
``progress.quiz_submitted`` (chain "progress") and an xAPI statement
(``passed`` / ``failed``) written in the same transaction, after which the
course's completion rule is evaluated.

Refusals are ``ApplicationError`` with ``extra["code"]`` and
``extra["status"]`` (the HTTP status the page or the API answers with):
403 may not take the quiz, 404 no such quiz or attempt, 409 the state forbids
it (no attempts left, time is up), 429 the wait between attempts is not over,
400 a malformed answer.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_DOWN, Decimal
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.grading import (
    AnswerShapeError,
    grade,
    question_grading_data,
    question_public_data,
)
from courses.models import Question, QuestionOption, Quiz
from lms.exceptions import ApplicationError
from lms.ledger import ledger_append
from progress.models import AttemptQuestion, Enrolment, QuizAttempt
from progress.selectors.enrolments import enrolment_get_open, lesson_access_get
from progress.selectors.quizzes import GRACE_SECONDS, attempt_overdue, quiz_start_refusal
from progress.services.completion import completion_evaluate
from progress.xapi import platform
from progress.xapi.services.outbox import page_activities, platform_statements_record

if TYPE_CHECKING:
    from courses.models import CoursePage, LessonPage
    from lms.models import User

__all__ = ["quiz_attempt_start", "quiz_attempt_submit", "quiz_attempts_expire"]

LEDGER_CHAIN = "progress"
PERCENT_PLACES = Decimal("0.01")
SCORE_PLACES = Decimal("0.0001")
# Draws and shuffles that a worker cannot predict from earlier attempts.
_rng = random.SystemRandom()


def _error(message: str, *, code: str, status: int = 400, **extra) -> ApplicationError:
    return ApplicationError(message, extra={"code": code, "status": status, **extra})


def _no_questions() -> ApplicationError:
    return _error(
        _(
            "This quiz cannot be taken right now: its question banks hold fewer "
            "questions than it asks for. Please tell your instructor."
        ),
        code="quiz_not_ready",
        status=409,
    )


# --- Start -----------------------------------------------------------------------


def _enrolment_for(*, user: User, quiz: Quiz, course: CoursePage, lesson: LessonPage | None):
    """The worker's enrolment through which they take ``quiz``, or the refusal."""
    if lesson is not None:
        if lesson.quiz_id != quiz.pk:
            raise _error(_("This lesson has no such quiz."), code="not_found", status=404)
        access = lesson_access_get(user=user, lesson=lesson)
        if not access.allowed:
            raise _error(access.reason, code="lesson_locked", status=403)
        enrolment = access.enrolment
    else:
        if course.final_exam_id != quiz.pk:
            raise _error(_("This course has no such exam."), code="not_found", status=404)
        enrolment = enrolment_get_open(user=user, course=course)
    if enrolment is None:
        raise _error(
            _("Enrol in this course to take its quizzes and exam."),
            code="not_enrolled",
            status=403,
        )
    if course.provider_id and quiz.provider_id != course.provider_id:
        # The choosers offer only the provider's own quizzes; a page saved
        # with another provider's quiz (a forged form) does not expose its banks.
        raise _error(
            _("This quiz belongs to another training provider. Please tell your instructor."),
            code="quiz_foreign",
            status=409,
        )
    return enrolment


def _draw(*, quiz: Quiz) -> list[Question]:
    """The questions of a new attempt: per draw, ``count`` questions chosen at
    random among the bank's questions of its category and difficulty that no
    earlier draw took, then all of them in a random order."""
    chosen: list[int] = []
    for draw in quiz.draws.order_by("sort_order", "pk"):
        candidates = Question.objects.filter(bank_id=draw.bank_id).exclude(pk__in=chosen)
        if draw.category:
            candidates = candidates.filter(category=draw.category)
        if draw.difficulty is not None:
            candidates = candidates.filter(difficulty=draw.difficulty)
        ids = list(candidates.values_list("pk", flat=True))
        if len(ids) < draw.count:
            raise _no_questions()
        chosen += _rng.sample(ids, draw.count)
    if not chosen:
        raise _no_questions()
    options = QuestionOption.objects.order_by("sort_order", "pk")
    questions = Question.objects.filter(pk__in=chosen).prefetch_related(
        Prefetch("options", queryset=options)
    )
    by_id = {question.pk: question for question in questions}
    _rng.shuffle(chosen)
    return [by_id[pk] for pk in chosen]


def quiz_attempt_start(
    *,
    user: User,
    quiz: Quiz,
    course: CoursePage,
    lesson: LessonPage | None = None,
    now: dt.datetime | None = None,
) -> QuizAttempt:
    """Start an attempt at a lesson's section quiz (``lesson``) or the
    course's final exam, or return the attempt already open (a reload, a
    second tab: there is never more than one open attempt per quiz).

    Refused when the worker may not open the lesson (403), is not enrolled
    (403), the enrolment is withdrawn (409), every attempt is used (409) or
    the wait since the last attempt is not over (429). The questions are
    drawn with ``random.SystemRandom`` per ``QuizDraw``, their options
    shuffled, and both views of each frozen (``courses.grading``)."""
    now = now or timezone.now()
    enrolment = _enrolment_for(user=user, quiz=quiz, course=course, lesson=lesson)
    # Close an attempt whose time ran out first, in its own transaction: a
    # refusal below must not roll the closing back.
    quiz_attempts_expire(enrolment=enrolment, now=now)
    return _start(enrolment=enrolment, user=user, quiz=quiz, lesson=lesson, now=now)


@transaction.atomic
def _start(*, enrolment: Enrolment, user: User, quiz: Quiz, lesson, now) -> QuizAttempt:
    # One start at a time per enrolment: the limit and wait checks and the
    # new attempt's number stay consistent under concurrent requests.
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    # Studying or completed: a worker who completed the course may still
    # practise (completion is final, a later attempt cannot undo it).
    if enrolment.status == Enrolment.Status.WITHDRAWN:
        raise _error(_("This enrolment is not active."), code="not_active", status=409)
    attempts = QuizAttempt.objects.filter(enrolment=enrolment, quiz=quiz)
    current = attempts.filter(status=QuizAttempt.Status.OPEN).first()
    if current is not None:
        return current
    closed = attempts.exclude(status=QuizAttempt.Status.OPEN)
    summary = closed.aggregate(last_closed=Max("submitted_at"), last_number=Max("number"))
    refusal = quiz_start_refusal(
        quiz=quiz, used=closed.count(), last_closed_at=summary["last_closed"], now=now
    )
    if refusal is not None:
        raise refusal
    questions = _draw(quiz=quiz)
    attempt = QuizAttempt(
        enrolment=enrolment,
        user=user,
        quiz=quiz,
        lesson=lesson,
        number=(summary["last_number"] or 0) + 1,
        started_at=now,
        deadline=(
            now + dt.timedelta(minutes=quiz.time_limit_minutes) if quiz.time_limit_minutes else None
        ),
        pass_mark_percent=quiz.pass_mark_percent,
        max_score=Decimal(len(questions)),
    )
    attempt.full_clean(validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            attempt.save(force_insert=True)
    except IntegrityError:  # pragma: no cover - the enrolment lock serialises starts
        return attempts.get(status=QuizAttempt.Status.OPEN)
    rows = []
    for position, question in enumerate(questions, start=1):
        order = [str(option.uuid) for option in question.options.all()]
        _rng.shuffle(order)
        rows.append(
            AttemptQuestion(
                attempt=attempt,
                position=position,
                question=question,
                public_data=question_public_data(question, order),
                grading_data=question_grading_data(question),
            )
        )
    AttemptQuestion.objects.bulk_create(rows)
    return attempt


# --- Close: submitted or expired ---------------------------------------------------


def _quiz_url(attempt: QuizAttempt) -> str:
    if attempt.lesson_id is not None:
        return reverse("progress:quiz-lesson", args=[attempt.lesson_id])
    return reverse("progress:quiz-course", args=[attempt.enrolment.course_id])


def _statement(attempt: QuizAttempt) -> dict:
    page_id = attempt.lesson_id or attempt.enrolment.course_id
    page = page_activities(page_ids=[page_id])[page_id]
    parent = page.activity
    course = page.parent if attempt.lesson_id is not None else page.activity
    return platform.quiz_submitted(
        user_id=attempt.user_id,
        enrolment_id=attempt.enrolment_id,
        quiz=platform.activity(
            url=_quiz_url(attempt), name=attempt.quiz.title, activity_type=platform.ASSESSMENT
        ),
        parent=parent,
        course=course,
        passed=bool(attempt.passed),
        raw=float(attempt.score),
        maximum=float(attempt.max_score),
        seconds=(attempt.submitted_at - attempt.started_at).total_seconds(),
        when=attempt.submitted_at,
    )


def _close(
    *, attempt: QuizAttempt, status: str, score: Decimal, now: dt.datetime, actor_id: int | None
) -> None:
    """Store the result of ``attempt`` (locked by the caller), append the
    ledger fact and the xAPI statement, and evaluate course completion."""
    attempt.status = status
    attempt.submitted_at = now
    attempt.score = score.quantize(SCORE_PLACES)
    attempt.percent = (
        (attempt.score * 100 / attempt.max_score).quantize(PERCENT_PLACES, rounding=ROUND_DOWN)
        if attempt.max_score
        else Decimal("0")
    )
    attempt.passed = (
        status == QuizAttempt.Status.SUBMITTED and attempt.percent >= attempt.pass_mark_percent
    )
    attempt.full_clean(validate_unique=False, validate_constraints=False)
    attempt.save()
    ledger_append(
        chain=LEDGER_CHAIN,
        kind="progress.quiz_submitted",
        subject=f"user:{attempt.user_id}",
        actor_id=actor_id,
        payload={
            "attempt": str(attempt.pk),
            "enrolment": str(attempt.enrolment_id),
            "quiz": str(attempt.quiz_id),
            "lesson": str(attempt.lesson_id) if attempt.lesson_id else None,
            "number": attempt.number,
            "status": attempt.status,
            "score": str(attempt.score),
            "max_score": str(attempt.max_score),
            "percent": str(attempt.percent),
            "passed": attempt.passed,
        },
    )
    platform_statements_record(statements=[_statement(attempt)])
    completion_evaluate(enrolment=attempt.enrolment)


@transaction.atomic
def quiz_attempts_expire(*, enrolment: Enrolment | None = None, now: dt.datetime | None = None):
    """Close the open attempts (of ``enrolment``, or all) whose deadline and
    the grace period have passed: status ``expired`` as of the deadline,
    score 0, no answer credited, not passed; each one a ledger fact and a
    ``failed`` statement.
    Called lazily where attempts are started or read; returns how many."""
    now = now or timezone.now()
    overdue = QuizAttempt.objects.filter(
        status=QuizAttempt.Status.OPEN,
        deadline__lt=now - dt.timedelta(seconds=GRACE_SECONDS),
    )
    if enrolment is not None:
        overdue = overdue.filter(enrolment=enrolment)
    attempts = list(
        overdue.select_related("quiz", "enrolment")
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("pk")
    )
    for attempt in attempts:
        # Closed as of its deadline, when the time ran out: the wait before
        # the next attempt runs from then, not from whenever this is called.
        _close(
            attempt=attempt,
            status=QuizAttempt.Status.EXPIRED,
            score=Decimal("0"),
            now=attempt.deadline,
            actor_id=None,
        )
    return len(attempts)


# --- Submit ----------------------------------------------------------------------


def quiz_attempt_submit(
    *, attempt: QuizAttempt, user: User, answers: dict[str, Any], now: dt.datetime | None = None
) -> QuizAttempt:
    """Grade and close ``attempt`` with ``answers``, keyed by the question's
    position in the attempt ("1", "2", …) or its public id (the question
    uuid); a question without an answer scores 0.

    - Another user's attempt: 404, nothing changes.
    - Submitted already: the stored result is returned, nothing changes
      (a double click or a retried request counts once; the row is locked).
    - After the deadline plus ``GRACE_SECONDS`` (network delay): the attempt
      is closed as ``expired`` with score 0 and none of the answers sent is
      stored or credited; that closing is committed (ledger fact, ``failed``
      statement) and then the submission is refused with 409. Submitting an
      attempt already expired is refused with 409 the same way.
    - Answers that are not a mapping, an answer for a question this attempt
      did not draw, or one question answered twice: 400 and nothing is
      recorded. An answer of the wrong shape (``AnswerShapeError``): 400 with
      the reason and the question's position, nothing recorded.

    Grading uses only the spec frozen when the attempt started."""
    if attempt.user_id != user.pk:
        raise _error(_("There is no such attempt."), code="not_found", status=404)
    if not isinstance(answers, dict):
        raise _error(_("Send the answers as a mapping."), code="answers_shape")
    attempt, late = _submit(attempt_id=attempt.pk, answers=answers, now=now or timezone.now())
    if late:
        raise _error(
            _(
                "Time is up: the answers came after the time limit. The attempt is "
                "closed and no answers were credited."
            ),
            code="time_up",
            status=409,
            attempt=str(attempt.pk),
        )
    return attempt


@transaction.atomic
def _submit(*, attempt_id, answers: dict, now: dt.datetime) -> tuple[QuizAttempt, bool]:
    """The closed attempt, and whether it closed late (expired)."""
    attempt = (
        QuizAttempt.objects.select_for_update(of=("self",))
        .select_related("quiz", "enrolment")
        .get(pk=attempt_id)
    )
    if attempt.status == QuizAttempt.Status.SUBMITTED:
        return attempt, False
    if attempt.status == QuizAttempt.Status.EXPIRED:
        return attempt, True
    if attempt_overdue(attempt=attempt, now=now):
        _close(
            attempt=attempt,
            status=QuizAttempt.Status.EXPIRED,
            score=Decimal("0"),
            now=now,
            actor_id=attempt.user_id,
        )
        return attempt, True
    questions = list(attempt.questions.order_by("position"))
    by_key: dict[str, AttemptQuestion] = {}
    for question in questions:
        by_key[str(question.position)] = question
        by_key[question.public_data["uuid"]] = question
    given: dict[int, Any] = {}
    for key, value in answers.items():
        question = by_key.get(str(key))
        if question is None:
            raise _error(
                _("An answer was sent for a question that is not part of this attempt."),
                code="not_drawn",
                question=str(key)[:100],
            )
        if question.position in given:
            raise _error(
                _("Question %(position)s is answered twice.") % {"position": question.position},
                code="answered_twice",
                position=question.position,
            )
        given[question.position] = value
    for question in questions:
        answer = given.get(question.position)
        try:
            result = grade(question.grading_data, answer)
        except AnswerShapeError as exc:
            raise _error(
                _("Question %(position)s: %(reason)s")
                % {"position": question.position, "reason": exc.message},
                code=exc.code,
                position=question.position,
            ) from exc
        question.answer = answer
        question.points = result.score
        question.correct = result.correct
    AttemptQuestion.objects.bulk_update(questions, ["answer", "points", "correct"])
    score = sum((question.points for question in questions), Decimal("0"))
    _close(
        attempt=attempt,
        status=QuizAttempt.Status.SUBMITTED,
        score=score,
        now=now,
        actor_id=attempt.user_id,
    )
    return attempt, False
