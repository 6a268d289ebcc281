"""Reads of practical tasks (photos or videos of the worker's own work,
graded by an instructor). (Interface stub: the practical-task work fills it in.)"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PracticalOutcomes", "practical_outcomes_for"]


@dataclass(frozen=True)
class PracticalOutcomes:
    """Practical tasks of the course's live lessons, and how many of them the
    worker passed (graded by an instructor)."""

    tasks: int = 0
    tasks_passed: int = 0


def practical_outcomes_for(*, enrolment) -> PracticalOutcomes:
    return PracticalOutcomes()
