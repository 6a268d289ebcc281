"""Grading of one answer (courses.grading.grade): every question type, the
partial-credit rule, numeric tolerance at its edges, and every malformed
answer refused with its reason."""

from decimal import Decimal

import pytest
from django.utils import translation

from courses.grading import AnswerShapeError, Grade, grade, parse_number
from lms.exceptions import ApplicationError

A, B, C, D = "opt-a", "opt-b", "opt-c", "opt-d"

SINGLE = {"kind": "single", "options": [A, B, C, D], "correct": [B], "scoring": "all_or_nothing"}
MULTIPLE = {"kind": "multiple", "options": [A, B, C, D], "correct": [A, B, C]}
MULTIPLE_PARTIAL = {**MULTIPLE, "scoring": "partial"}
TWO_CORRECT_PARTIAL = {**MULTIPLE_PARTIAL, "correct": [A, C]}
TRUE = {"kind": "true_false", "answer": True}
FALSE = {"kind": "true_false", "answer": False}
CURRENT = {"kind": "numeric", "answer": "128", "tolerance": "2", "unit": "A"}
EXACT = {"kind": "numeric", "answer": "0.3", "tolerance": "0", "unit": ""}
THIN = {"kind": "numeric", "answer": "1.2", "tolerance": "0.05", "unit": "mm"}

RIGHT = Grade(Decimal("1"), True)
WRONG = Grade(Decimal("0"), False)


@pytest.mark.parametrize(
    ("spec", "answer", "expected"),
    [
        # single choice
        (SINGLE, B, RIGHT),
        (SINGLE, A, WRONG),
        (SINGLE, None, WRONG),  # not answered
        # multiple choice, all or nothing (the default)
        (MULTIPLE, [A, B, C], RIGHT),
        (MULTIPLE, [C, A, B], RIGHT),  # order does not matter
        (MULTIPLE, [A, B], WRONG),
        (MULTIPLE, [A, B, C, D], WRONG),
        (MULTIPLE, [], WRONG),  # "none" is an answer: 0, not an error
        (MULTIPLE, None, WRONG),
        # multiple choice, partial: 1/k per correct option, 0 with any wrong one
        (MULTIPLE_PARTIAL, [A, B, C], RIGHT),
        (MULTIPLE_PARTIAL, [A], Grade(Decimal("0.3333"), False)),
        (MULTIPLE_PARTIAL, [A, C], Grade(Decimal("0.6666"), False)),  # rounded down
        (MULTIPLE_PARTIAL, [A, B, D], WRONG),
        (MULTIPLE_PARTIAL, [D], WRONG),
        (MULTIPLE_PARTIAL, [], WRONG),
        (TWO_CORRECT_PARTIAL, [C], Grade(Decimal("0.5"), False)),
        # true / false as JSON booleans
        (TRUE, True, RIGHT),
        (TRUE, False, WRONG),
        (FALSE, False, RIGHT),
        (FALSE, True, WRONG),
        (TRUE, None, WRONG),
        # numeric: 128 A ± 2 A, both edges inclusive
        (CURRENT, 128, RIGHT),
        (CURRENT, "128", RIGHT),
        (CURRENT, " 128.0 ", RIGHT),
        (CURRENT, 126, RIGHT),
        (CURRENT, 130, RIGHT),
        (CURRENT, "125.9999", WRONG),
        (CURRENT, 130.0001, WRONG),
        (CURRENT, Decimal("129.5"), RIGHT),
        (CURRENT, "1.28e2", RIGHT),
        (CURRENT, -128, WRONG),
        (CURRENT, None, WRONG),
        # floats compared as typed, not as binary fractions
        (EXACT, 0.1 + 0.2, WRONG),  # 0.30000000000000004 is not 0.3
        (EXACT, 0.3, RIGHT),
        (EXACT, "0.30", RIGHT),
        (THIN, 1.25, RIGHT),  # 1.2 + 0.05 exactly (a float 1.25 is exact too)
        (THIN, 1.15, RIGHT),  # 1.15 as a float is 1.149999…: read as 1.15
        (THIN, 1.2501, WRONG),
    ],
)
def test_grade(spec, answer, expected):
    """Given a frozen question and an answer, the grade is exactly as the
    documented rules say."""
    assert grade(spec, answer) == expected


@pytest.mark.parametrize(
    ("spec", "answer", "code"),
    [
        (SINGLE, [B], "single_list"),
        (SINGLE, 2, "option_type"),
        (SINGLE, "opt-z", "option_unknown"),
        (SINGLE, {"id": B}, "option_type"),
        (MULTIPLE, A, "multiple_not_list"),
        (MULTIPLE, {A: True}, "multiple_not_list"),
        (MULTIPLE, [A, A, B], "multiple_duplicate"),
        (MULTIPLE, [A, "opt-z"], "option_unknown"),
        (MULTIPLE, [A, 1], "option_type"),
        (TRUE, "true", "true_false_type"),
        (TRUE, 1, "true_false_type"),
        (TRUE, "对", "true_false_type"),
        (CURRENT, "128A", "numeric_type"),
        (CURRENT, "", "numeric_type"),
        (CURRENT, "一百二十八", "numeric_type"),
        (CURRENT, True, "numeric_type"),
        (CURRENT, [128], "numeric_type"),
        (CURRENT, "NaN", "numeric_not_finite"),
        (CURRENT, "Infinity", "numeric_not_finite"),
        (CURRENT, float("inf"), "numeric_not_finite"),
        (CURRENT, float("nan"), "numeric_not_finite"),
        (CURRENT, "1e400", "numeric_range"),
        (CURRENT, "1" * 41, "numeric_type"),
    ],
)
def test_malformed_answers_are_refused_with_their_reason(spec, answer, code):
    """Given an answer in the wrong shape, grading refuses it with a domain
    error (an ApplicationError and a ValueError) naming the reason."""
    with pytest.raises(AnswerShapeError) as caught:
        grade(spec, answer)
    assert caught.value.code == code
    assert caught.value.extra == {"code": code}
    assert isinstance(caught.value, ApplicationError)
    assert isinstance(caught.value, ValueError)


def test_refusals_read_clearly():
    """The refusal says what is wrong (English source; translated by gettext)."""
    with translation.override("en"), pytest.raises(AnswerShapeError) as caught:
        grade(MULTIPLE, [A, A])
    assert caught.value.message == "The same option is chosen more than once."


def test_an_unknown_question_kind_is_a_programming_error():
    """A spec that is not a question at all is not the worker's fault."""
    with pytest.raises(ValueError, match="Unknown question kind"):
        grade({"kind": "essay"}, "text")


def test_parse_number_reads_typed_numbers_exactly():
    assert parse_number("220") == Decimal("220")
    assert parse_number(0.1) == Decimal("0.1")
    assert parse_number("-0.5") == Decimal("-0.5")
    assert parse_number(0) == Decimal("0")
