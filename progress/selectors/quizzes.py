"""Reads of quizzes and exams: attempts, what counts, what the worker may do
next, the review after submission, and the question statistics of a bank."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from courses.models import CountingAttempt, CoursePage, LessonPage, Quiz
from courses.selectors import course_lesson_list, lesson_course_get
from lms.exceptions import ApplicationError
from progress.models import AttemptQuestion, QuizAttempt
from progress.selectors.enrolments import enrolment_get_open, lesson_access_get

if TYPE_CHECKING:
    from progress.models import Enrolment

__all__ = [
    "GRACE_SECONDS",
    "AttemptReviewItem",
    "QuizOutcomes",
    "QuizState",
    "attempt_get_for",
    "attempt_overdue",
    "attempt_public_questions",
    "attempt_review_get",
    "counting_attempt",
    "course_final_exam_get",
    "lesson_quiz_get",
    "quiz_outcomes_for",
    "quiz_start_refusal",
    "quiz_state_for",
]

# Seconds after the deadline that a submission is still accepted: the time
# the answers may spend on a slow mobile network.
GRACE_SECONDS = 30
_CLOSED = (QuizAttempt.Status.SUBMITTED, QuizAttempt.Status.EXPIRED)


@dataclass(frozen=True)
class QuizOutcomes:
    """What the completion rule needs to know about one enrolment's quizzes.

    ``section_quizzes`` / ``section_quizzes_passed``: section quizzes of the
    course's live lessons, and how many of them the counting attempt (best or
    last, per quiz) passed. ``final_exam``: the course has a final exam;
    ``final_exam_passed`` and ``final_score`` (percent, 0-100) are its
    counting attempt's, None when there is none."""

    section_quizzes: int = 0
    section_quizzes_passed: int = 0
    final_exam: bool = False
    final_exam_passed: bool = False
    final_score: Decimal | None = None


def counting_attempt(attempts: Iterable[QuizAttempt], counting: str) -> QuizAttempt | None:
    """The attempt that counts among closed ``attempts``: the best (highest
    percent, the earlier on a tie) or the last (highest number)."""
    closed = [attempt for attempt in attempts if attempt.status in _CLOSED]
    if not closed:
        return None
    if counting == CountingAttempt.LAST:
        return max(closed, key=lambda attempt: attempt.number)
    return max(closed, key=lambda attempt: (attempt.percent or Decimal("0"), -attempt.number))


def quiz_outcomes_for(*, enrolment) -> QuizOutcomes:
    """The enrolment's quiz outcomes (see ``QuizOutcomes``) in three queries."""
    course = enrolment.course
    section_ids = set(
        course_lesson_list(course=course)
        .filter(quiz__isnull=False)
        .values_list("quiz_id", flat=True)
    )
    quiz_ids = section_ids | ({course.final_exam_id} if course.final_exam_id else set())
    if not quiz_ids:
        return QuizOutcomes()
    counting = dict(Quiz.objects.filter(pk__in=quiz_ids).values_list("pk", "counting"))
    attempts = QuizAttempt.objects.filter(
        enrolment=enrolment, quiz_id__in=quiz_ids, status__in=_CLOSED
    ).only("quiz_id", "lesson_id", "number", "status", "percent", "passed")
    sections: dict[int, list] = {}
    finals = []
    for attempt in attempts:
        if attempt.lesson_id is None:
            if attempt.quiz_id == course.final_exam_id:
                finals.append(attempt)
        elif attempt.quiz_id in section_ids:
            sections.setdefault(attempt.quiz_id, []).append(attempt)
    passed = 0
    for quiz_id, quiz_attempts in sections.items():
        best = counting_attempt(quiz_attempts, counting.get(quiz_id, CountingAttempt.BEST))
        passed += bool(best and best.passed)
    final = (
        counting_attempt(finals, counting.get(course.final_exam_id, CountingAttempt.BEST))
        if course.final_exam_id
        else None
    )
    return QuizOutcomes(
        section_quizzes=len(section_ids),
        section_quizzes_passed=passed,
        final_exam=course.final_exam_id is not None,
        final_exam_passed=bool(final and final.passed),
        final_score=final.percent if final else None,
    )


# --- What the worker may do next ---------------------------------------------------


def attempt_overdue(*, attempt: QuizAttempt, now: dt.datetime) -> bool:
    """Whether an open attempt's time, with the grace period, has run out."""
    return attempt.deadline is not None and now > attempt.deadline + dt.timedelta(
        seconds=GRACE_SECONDS
    )


def quiz_start_refusal(
    *, quiz: Quiz, used: int, last_closed_at: dt.datetime | None, now: dt.datetime
) -> ApplicationError | None:
    """Why a new attempt may not start (attempts used up: 409; the wait
    since the last attempt not over: 429), or None."""
    if quiz.max_attempts and used >= quiz.max_attempts:
        return ApplicationError(
            ngettext(
                "You have used the %(count)s attempt this quiz allows.",
                "You have used all %(count)s attempts this quiz allows.",
                quiz.max_attempts,
            )
            % {"count": quiz.max_attempts},
            extra={"code": "no_attempts_left", "status": 409},
        )
    if quiz.wait_minutes and last_closed_at is not None:
        next_at = last_closed_at + dt.timedelta(minutes=quiz.wait_minutes)
        if next_at > now:
            minutes = math.ceil((next_at - now).total_seconds() / 60)
            return ApplicationError(
                ngettext(
                    "You can try again in %(minutes)s minute.",
                    "You can try again in %(minutes)s minutes.",
                    minutes,
                )
                % {"minutes": minutes},
                extra={
                    "code": "wait",
                    "status": 429,
                    "retry_after": math.ceil((next_at - now).total_seconds()),
                    "next_allowed_at": next_at.isoformat(),
                },
            )
    return None


@dataclass
class QuizState:
    """One worker and one quiz (of a lesson, or a course's final exam): the
    attempts so far, the one that counts, the open one, and whether (else
    why not) a new attempt may start."""

    quiz: Quiz
    course: CoursePage | None
    lesson: LessonPage | None
    enrolment: Enrolment | None = None
    attempts: list[QuizAttempt] = field(default_factory=list)
    open_attempt: QuizAttempt | None = None
    counting: QuizAttempt | None = None
    refusal: ApplicationError | None = None

    @property
    def attempts_used(self) -> int:
        return sum(1 for attempt in self.attempts if attempt.status in _CLOSED)

    @property
    def attempts_left(self) -> int | None:
        """None when the quiz allows unlimited attempts."""
        if not self.quiz.max_attempts:
            return None
        return max(0, self.quiz.max_attempts - self.attempts_used)

    @property
    def next_allowed_at(self) -> dt.datetime | None:
        if self.refusal is not None and self.refusal.extra.get("code") == "wait":
            return dt.datetime.fromisoformat(self.refusal.extra["next_allowed_at"])
        return None

    @property
    def can_start(self) -> bool:
        return self.refusal is None

    @property
    def reason(self) -> str:
        return self.refusal.message if self.refusal is not None else ""


def lesson_quiz_get(*, lesson: LessonPage) -> Quiz | None:
    """The section quiz of a live lesson, or None."""
    if lesson.quiz_id is None:
        return None
    return Quiz.objects.filter(pk=lesson.quiz_id).first()


def course_final_exam_get(*, course: CoursePage) -> Quiz | None:
    """The final exam of a live course, or None."""
    if course.final_exam_id is None:
        return None
    return Quiz.objects.filter(pk=course.final_exam_id).first()


def quiz_state_for(
    *,
    user,
    quiz: Quiz,
    lesson: LessonPage | None = None,
    course: CoursePage | None = None,
    now: dt.datetime | None = None,
) -> QuizState:
    """The state of ``quiz`` for ``user``: the section quiz of ``lesson``, or
    the final exam of ``course``. An open attempt past its time counts as
    used (``quiz_attempts_expire`` closes it)."""
    now = now or timezone.now()
    if lesson is not None:
        course = lesson_course_get(lesson=lesson)
    state = QuizState(quiz=quiz, course=course, lesson=lesson)
    if lesson is not None:
        access = lesson_access_get(user=user, lesson=lesson)
        state.enrolment = access.enrolment
        if not access.allowed:
            state.refusal = ApplicationError(
                access.reason, extra={"code": "lesson_locked", "status": 403}
            )
            return state
    elif course is not None:
        state.enrolment = enrolment_get_open(user=user, course=course)
    if state.enrolment is None:
        state.refusal = ApplicationError(
            _("Enrol in this course to take its quizzes and exam."),
            extra={"code": "not_enrolled", "status": 403},
        )
        return state
    state.attempts = list(
        QuizAttempt.objects.filter(enrolment=state.enrolment, quiz=quiz).order_by("-number")
    )
    for attempt in state.attempts:
        if attempt.status == QuizAttempt.Status.OPEN and not attempt_overdue(
            attempt=attempt, now=now
        ):
            state.open_attempt = attempt
    state.counting = counting_attempt(state.attempts, quiz.counting)
    if state.open_attempt is not None:
        return state
    used = [
        attempt
        for attempt in state.attempts
        if attempt.status in _CLOSED or attempt_overdue(attempt=attempt, now=now)
    ]
    last_closed = max((attempt.submitted_at or attempt.deadline for attempt in used), default=None)
    if state.enrolment.status == state.enrolment.Status.WITHDRAWN:
        state.refusal = ApplicationError(
            _("This enrolment is not active."), extra={"code": "not_active", "status": 409}
        )
    else:
        state.refusal = quiz_start_refusal(
            quiz=quiz, used=len(used), last_closed_at=last_closed, now=now
        )
    return state


# --- One attempt ---------------------------------------------------------------------


def attempt_get_for(*, user, attempt_id) -> QuizAttempt | None:
    """The worker's own attempt (None for anyone else's: a 404, not a 403)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        QuizAttempt.objects.filter(pk=attempt_id, user=user)
        .select_related("quiz", "lesson", "enrolment__course")
        .first()
    )


def attempt_public_questions(*, attempt: QuizAttempt) -> list[dict[str, Any]]:
    """The attempt's questions as the player shows them: the frozen public
    view (options in this attempt's order) with the position. Never the
    grading spec."""
    rows = AttemptQuestion.objects.filter(attempt=attempt).order_by("position")
    return [
        {"position": position, **public}
        for position, public in rows.values_list("position", "public_data")
    ]


@dataclass(frozen=True)
class AttemptReviewItem:
    """One question of a submitted attempt with the worker's answer, the
    right answer and the explanation."""

    position: int
    question: dict  # the frozen public view
    answer: Any
    points: Decimal
    correct: bool
    explanation: str
    correct_options: frozenset[str] = frozenset()
    chosen_options: frozenset[str] = frozenset()
    correct_value: Any = None  # true/false: bool; numeric: "128 ± 2"


def attempt_review_get(*, attempt: QuizAttempt, user) -> list[AttemptReviewItem] | None:
    """The review of a closed attempt for its worker when the quiz shows
    reviews; None otherwise (open attempt, review off, someone else's)."""
    if attempt.user_id != getattr(user, "pk", None) or attempt.status == QuizAttempt.Status.OPEN:
        return None
    if not attempt.quiz.show_review:
        return None
    items = []
    for row in AttemptQuestion.objects.filter(attempt=attempt).order_by("position"):
        spec = row.grading_data
        answer = row.answer
        chosen = answer if isinstance(answer, list) else [answer] if isinstance(answer, str) else []
        correct_value = None
        if spec["kind"] == "true_false":
            correct_value = spec["answer"]
        elif spec["kind"] == "numeric":
            correct_value = f"{_plain(spec['answer'])} ± {_plain(spec['tolerance'])}"
        items.append(
            AttemptReviewItem(
                position=row.position,
                question=row.public_data,
                answer=answer,
                points=row.points or Decimal("0"),
                correct=bool(row.correct),
                explanation=spec.get("explanation", ""),
                correct_options=frozenset(spec.get("correct", ())),
                chosen_options=frozenset(str(value) for value in chosen),
                correct_value=correct_value,
            )
        )
    return items


def _plain(number: str) -> str:
    """A frozen decimal string without trailing zeros: "128.0000" → "128"."""
    value = Decimal(number).normalize()
    return f"{value:f}"
