"""Reads of quizzes and exams: attempts, what counts, what the worker may do
next. (Interface stub: the quiz work fills it in.)"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

__all__ = ["QuizOutcomes", "quiz_outcomes_for"]


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


def quiz_outcomes_for(*, enrolment) -> QuizOutcomes:
    return QuizOutcomes()
