"""Grading of one answer, and the two views of a question an attempt freezes.

An attempt (``progress``) freezes, for each drawn question, two plain dicts:

- ``question_public_data``: what the player shows. Never the answers: no
  correct flags, no numeric answer, no explanation. Options come in the
  attempt's shuffled order and are named by their random ``uuid``.
- ``question_grading_data``: what ``grade`` needs, plus the explanation for
  the review. It stays on the server until the attempt is submitted.

``grade(spec, answer)`` is pure: a frozen spec and the answer as the worker
sent it (decoded JSON) in, a ``Grade`` out. Answer shapes per type:

- single choice: one option id (string);
- multiple choice: a list of distinct option ids; an empty list scores 0
  (it is an answer, not an error: "I choose none");
- true / false: a JSON boolean;
- numeric: a number or a decimal string ("128", "128.0", 128, 127.5).
  Compared in ``Decimal`` (a float is read through its shortest repr, so 0.3
  stays 0.3); correct when ``|answer − value| ≤ tolerance`` (inclusive). The
  unit is display only: the worker types the number, the unit stands next to
  the input, and "128A" is refused as not a number.

``None`` is "not answered" for every type: 0, not an error. Any other shape
raises ``AnswerShapeError``, a translated ``ApplicationError``.

Multiple-choice scoring is the question's ``scoring``: ``all_or_nothing``
(the default) gives 1 for exactly the set of correct options, else 0;
``partial`` gives 1/k for each of the k correct options chosen, and 0 as soon
as one wrong option is chosen. ``correct`` is true only for the exact set.
Scores are ``Decimal`` in [0, 1] with four places, rounded down so partial
credit never adds up to more than was earned.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from courses.models import MultipleChoiceScoring, Question, QuestionKind
from lms.exceptions import ApplicationError

SCORE_PLACES = Decimal("0.0001")
# Bounds for a typed number: more digits than this is not a measurement.
NUMERIC_MAX_CHARS = 40
NUMERIC_MAX_EXPONENT = 15

KIND_SINGLE = QuestionKind.SINGLE.value
KIND_MULTIPLE = QuestionKind.MULTIPLE.value
KIND_TRUE_FALSE = QuestionKind.TRUE_FALSE.value
KIND_NUMERIC = QuestionKind.NUMERIC.value
SCORING_PARTIAL = MultipleChoiceScoring.PARTIAL.value


class AnswerShapeError(ApplicationError, ValueError):
    """The answer does not have the shape its question type takes.
    ``extra["code"]`` names the reason for callers and tests."""

    def __init__(self, message, code: str):
        super().__init__(message, extra={"code": code})
        self.code = code


@dataclass(frozen=True)
class Grade:
    score: Decimal  # in [0, 1]
    correct: bool


ZERO = Grade(score=Decimal("0"), correct=False)
FULL = Grade(score=Decimal("1"), correct=True)


# --- Frozen views of a question ---------------------------------------------


def question_public_data(question: Question, option_order: Sequence[str] | None = None) -> dict:
    """The question as the player shows it, without anything that gives the
    answer away. ``option_order`` lists the option uuids (strings) in the
    attempt's shuffled order; None keeps the author's order."""
    data = {
        "uuid": str(question.uuid),
        "version": question.version,
        "kind": question.kind,
        "stem": question.stem,
        "image_id": question.image_id,
        "category": question.category,
        "difficulty": question.difficulty,
        "unit": question.unit if question.kind == KIND_NUMERIC else "",
        "options": [],
    }
    if question.kind in (KIND_SINGLE, KIND_MULTIPLE):
        options = {str(option.uuid): option for option in question.options.all()}
        if option_order is None:
            order = list(options)
        else:
            order = [str(option_id) for option_id in option_order]
            if sorted(order) != sorted(options):
                raise ValueError("option_order must list each of the question's options once.")
        data["options"] = [
            {
                "id": option_id,
                "text": options[option_id].text,
                "image_id": options[option_id].image_id,
            }
            for option_id in order
        ]
    return data


def question_grading_data(question: Question) -> dict:
    """What ``grade`` needs for ``question``, and the explanation for the
    review; JSON-serialisable (numbers as decimal strings)."""
    data = {
        "uuid": str(question.uuid),
        "version": question.version,
        "kind": question.kind,
        "explanation": question.explanation,
    }
    if question.kind in (KIND_SINGLE, KIND_MULTIPLE):
        options = list(question.options.all())
        data["options"] = [str(option.uuid) for option in options]
        data["correct"] = [str(option.uuid) for option in options if option.is_correct]
        data["scoring"] = question.scoring
    elif question.kind == KIND_TRUE_FALSE:
        data["answer"] = bool(question.statement_is_true)
    elif question.kind == KIND_NUMERIC:
        data["answer"] = str(question.answer_value)
        data["tolerance"] = str(question.tolerance)
        data["unit"] = question.unit
    return data


# --- Grading ----------------------------------------------------------------


def grade(spec: dict, answer: Any) -> Grade:
    """The score of ``answer`` to the question frozen as ``spec``."""
    kind = spec.get("kind")
    grader = _GRADERS.get(kind)
    if grader is None:
        raise ValueError(f"Unknown question kind in a grading spec: {kind!r}")
    if answer is None:
        return ZERO
    return grader(spec, answer)


def _option_id(spec: dict, value: Any) -> str:
    if not isinstance(value, str):
        raise AnswerShapeError(_("An option must be given by its id."), code="option_type")
    if value not in spec["options"]:
        raise AnswerShapeError(
            _("This option is not one of the question's options."), code="option_unknown"
        )
    return value


def _grade_single(spec: dict, answer: Any) -> Grade:
    if isinstance(answer, list | tuple):
        raise AnswerShapeError(
            _("A single-choice question takes one option, not a list."), code="single_list"
        )
    chosen = _option_id(spec, answer)
    return FULL if [chosen] == list(spec["correct"]) else ZERO


def _grade_multiple(spec: dict, answer: Any) -> Grade:
    if not isinstance(answer, list | tuple):
        raise AnswerShapeError(
            _("A multiple-choice question takes a list of options."), code="multiple_not_list"
        )
    chosen = [_option_id(spec, value) for value in answer]
    if len(set(chosen)) != len(chosen):
        raise AnswerShapeError(
            _("The same option is chosen more than once."), code="multiple_duplicate"
        )
    correct = set(spec["correct"])
    chosen_set = set(chosen)
    if chosen_set == correct:
        return FULL
    if spec.get("scoring") != SCORING_PARTIAL or chosen_set - correct or not chosen_set:
        return ZERO
    score = (Decimal(len(chosen_set)) / Decimal(len(correct))).quantize(
        SCORE_PLACES, rounding=ROUND_DOWN
    )
    return Grade(score=score, correct=False)


def _grade_true_false(spec: dict, answer: Any) -> Grade:
    if not isinstance(answer, bool):
        raise AnswerShapeError(
            _("A true/false question takes true or false."), code="true_false_type"
        )
    return FULL if answer is bool(spec["answer"]) else ZERO


def parse_number(value: Any) -> Decimal:
    """A typed number as a finite ``Decimal``; ``AnswerShapeError`` otherwise."""
    if isinstance(value, bool):
        raise AnswerShapeError(_("The answer must be a number."), code="numeric_type")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))  # the shortest repr: 0.3, not 0.299999…
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not text or len(text) > NUMERIC_MAX_CHARS:
            raise AnswerShapeError(_("The answer must be a number."), code="numeric_type")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise AnswerShapeError(_("The answer must be a number."), code="numeric_type") from None
    else:
        raise AnswerShapeError(_("The answer must be a number."), code="numeric_type")
    if not number.is_finite():
        raise AnswerShapeError(_("The answer must be a finite number."), code="numeric_not_finite")
    if number and abs(number.adjusted()) > NUMERIC_MAX_EXPONENT:
        raise AnswerShapeError(
            _("The answer is too large or too small a number."), code="numeric_range"
        )
    return number


def _grade_numeric(spec: dict, answer: Any) -> Grade:
    number = parse_number(answer)
    expected = Decimal(spec["answer"])
    tolerance = Decimal(spec["tolerance"])
    return FULL if abs(number - expected) <= tolerance else ZERO


_GRADERS = {
    KIND_SINGLE: _grade_single,
    KIND_MULTIPLE: _grade_multiple,
    KIND_TRUE_FALSE: _grade_true_false,
    KIND_NUMERIC: _grade_numeric,
}
