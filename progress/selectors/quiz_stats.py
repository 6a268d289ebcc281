"""Question statistics of a bank for its instructors: how often each
question was drawn and answered correctly, how often each option was
chosen, and its discrimination index (the share correct among the top 27 %
of attempts by percent minus the share among the bottom 27 %).

Closed attempts only (submitted or expired). Three queries whatever the
number of questions and attempts: the bank's questions with their options,
the attempt questions drawn from the bank, and those attempts' percents."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from courses.models import Question, QuestionBank
from courses.selectors import question_list
from progress.models import AttemptQuestion, QuizAttempt

__all__ = ["DISCRIMINATION_SHARE", "OptionStats", "QuestionStats", "question_stats_for"]

DISCRIMINATION_SHARE = Decimal("0.27")
_CLOSED = (QuizAttempt.Status.SUBMITTED, QuizAttempt.Status.EXPIRED)


@dataclass(frozen=True)
class OptionStats:
    text: str
    is_correct: bool
    chosen: int
    percent: int  # of the times the question was drawn


@dataclass
class QuestionStats:
    question: Question
    drawn: int = 0
    correct: int = 0
    discrimination: Decimal | None = None  # -1 … 1; None without attempts in both groups
    options: list[OptionStats] = field(default_factory=list)

    @property
    def percent_correct(self) -> int | None:
        return round(100 * self.correct / self.drawn) if self.drawn else None


def _share_correct(rows: list[tuple[str, bool]], attempts: set) -> Decimal | None:
    """Share of ``rows`` (attempt id, correct) in ``attempts`` that are correct."""
    answered = [correct for attempt_id, correct in rows if attempt_id in attempts]
    if not answered:
        return None
    return Decimal(sum(answered)) / len(answered)


def question_stats_for(*, bank: QuestionBank) -> list[QuestionStats]:
    """Per question of ``bank``, in the bank's order (see the module doc)."""
    questions = list(question_list(bank=bank))
    rows = list(
        AttemptQuestion.objects.filter(
            question__bank=bank, attempt__status__in=_CLOSED
        ).values_list("question_id", "attempt_id", "correct", "answer")
    )
    attempt_ids = {attempt_id for _question, attempt_id, _correct, _answer in rows}
    percents = dict(QuizAttempt.objects.filter(pk__in=attempt_ids).values_list("pk", "percent"))
    ranked = sorted(attempt_ids, key=lambda pk: (percents.get(pk) or Decimal("0"), str(pk)))
    group = int(len(ranked) * DISCRIMINATION_SHARE) or (1 if len(ranked) >= 2 else 0)
    lower, upper = set(ranked[:group]), set(ranked[len(ranked) - group :]) if group else set()

    by_question: dict[int, list[tuple[str, bool]]] = defaultdict(list)
    chosen: dict[int, Counter] = defaultdict(Counter)
    for question_id, attempt_id, correct, answer in rows:
        by_question[question_id].append((attempt_id, bool(correct)))
        values = answer if isinstance(answer, list) else [answer] if isinstance(answer, str) else []
        chosen[question_id].update(str(value) for value in values)

    stats = []
    for question in questions:
        answered = by_question.get(question.pk, [])
        item = QuestionStats(
            question=question,
            drawn=len(answered),
            correct=sum(correct for _attempt, correct in answered),
        )
        high = _share_correct(answered, upper)
        low = _share_correct(answered, lower)
        if high is not None and low is not None:
            item.discrimination = (high - low).quantize(Decimal("0.01"))
        counts = chosen.get(question.pk, Counter())
        item.options = [
            OptionStats(
                text=option.text,
                is_correct=option.is_correct,
                chosen=counts[str(option.uuid)],
                percent=round(100 * counts[str(option.uuid)] / item.drawn) if item.drawn else 0,
            )
            for option in question.options.all()
        ]
        stats.append(item)
    return stats
