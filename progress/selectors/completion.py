"""Reads of the completion rule: where an enrolment stands against its
course's rule, criterion by criterion, with the figures behind each.

Lesson coverage counts the course's live lessons that have a video: each
must have at least the rule's share of its video credited by the server
(``LessonProgress.covered_seconds``, the union of credited intervals).
Reading-only lessons are not part of it: nothing the server can credit
happens on them (opening a page proves nothing), so a course checks them
with a section quiz. A requirement on quizzes, the final exam or practical
tasks is met when the course has none.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import ROUND_DOWN, Decimal

from django.utils.translation import gettext as _

from courses.models import CoursePage
from courses.selectors import course_lesson_list
from progress.models import Enrolment, LessonProgress

from .enrolments import SECONDS_PER_STUDY_HOUR
from .practical import practical_outcomes_for
from .quizzes import quiz_outcomes_for

__all__ = [
    "CompletionCriterion",
    "CompletionRule",
    "CompletionStatus",
    "completion_rule_for",
    "completion_status_for",
    "study_hours_of",
]


@dataclass(frozen=True)
class CompletionRule:
    """A course's completion rule, as the course page holds it now."""

    coverage_percent: int
    requires_quizzes: bool
    requires_final_exam: bool
    requires_practical: bool
    min_study_hours: Decimal

    def as_json(self) -> dict:
        return {**asdict(self), "min_study_hours": str(self.min_study_hours)}


@dataclass(frozen=True)
class CompletionCriterion:
    """One line of the checklist: ``key`` for code, ``label`` and ``detail``
    (translated) for people, ``done``/``total`` the figures."""

    key: str
    label: str
    met: bool
    detail: str
    done: str
    total: str


@dataclass(frozen=True)
class CompletionStatus:
    enrolment: Enrolment
    rule: CompletionRule
    criteria: list[CompletionCriterion]
    study_hours: Decimal
    final_score: Decimal | None

    @property
    def met(self) -> bool:
        return all(criterion.met for criterion in self.criteria)

    @property
    def completed(self) -> bool:
        return self.enrolment.status == Enrolment.Status.COMPLETED

    def figures(self) -> dict:
        """The figures as stored with the completion (plain JSON)."""
        return {
            "criteria": {
                c.key: {"met": c.met, "done": c.done, "total": c.total} for c in self.criteria
            },
            "study_hours": str(self.study_hours),
            "final_score": None if self.final_score is None else str(self.final_score),
        }


def completion_rule_for(*, course: CoursePage) -> CompletionRule:
    return CompletionRule(
        coverage_percent=course.completion_coverage_percent,
        requires_quizzes=course.completion_requires_quizzes,
        requires_final_exam=course.completion_requires_final_exam,
        requires_practical=course.completion_requires_practical,
        min_study_hours=Decimal(course.completion_min_study_hours),
    )


def study_hours_of(seconds: float) -> Decimal:
    """Credited study hours (学时, 45 minutes), rounded down to a tenth: a
    worker is never shown more than they earned."""
    hours = Decimal(str(seconds)) / SECONDS_PER_STUDY_HOUR
    return hours.quantize(Decimal("0.1"), rounding=ROUND_DOWN)


def _coverage(*, enrolment: Enrolment, course: CoursePage, percent: int) -> tuple[int, int]:
    """(lessons covered, lessons with a video): two queries."""
    lessons = list(
        course_lesson_list(course=course).filter(video__isnull=False).values_list("pk", flat=True)
    )
    if not lessons:
        return 0, 0
    rows = LessonProgress.objects.filter(enrolment=enrolment, lesson_id__in=lessons).values_list(
        "covered_seconds", "duration"
    )
    covered = sum(1 for seconds, length in rows if length > 0 and 100 * seconds >= percent * length)
    return covered, len(lessons)


def _all_passed(key: str, label: str, passed: int, total: int) -> CompletionCriterion:
    return CompletionCriterion(
        key=key,
        label=label,
        met=passed >= total,
        detail=_("%(done)s of %(total)s passed") % {"done": passed, "total": total},
        done=str(passed),
        total=str(total),
    )


def completion_status_for(*, enrolment: Enrolment) -> CompletionStatus:
    """Each criterion of the course's current rule, met or not, with its
    figures. For a completed enrolment the rule may have changed since: the
    completion stands all the same (see ``CourseCompletion``)."""
    course = enrolment.course
    rule = completion_rule_for(course=course)
    criteria = []

    covered, lessons = _coverage(enrolment=enrolment, course=course, percent=rule.coverage_percent)
    criteria.append(
        CompletionCriterion(
            key="coverage",
            label=_("Watch at least %(percent)s%% of every video lesson")
            % {"percent": rule.coverage_percent},
            met=covered >= lessons,
            detail=_("%(done)s of %(total)s lessons") % {"done": covered, "total": lessons},
            done=str(covered),
            total=str(lessons),
        )
    )

    hours = study_hours_of(enrolment.study_seconds)
    if rule.min_study_hours > 0:
        criteria.append(
            CompletionCriterion(
                key="study_hours",
                label=_("Earn at least %(hours)s credited study hours")
                % {"hours": rule.min_study_hours},
                met=Decimal(str(enrolment.study_seconds)) / SECONDS_PER_STUDY_HOUR
                >= rule.min_study_hours,
                detail=_("%(done)s of %(total)s hours")
                % {"done": hours, "total": rule.min_study_hours},
                done=str(hours),
                total=str(rule.min_study_hours),
            )
        )

    quizzes = quiz_outcomes_for(enrolment=enrolment)
    if rule.requires_quizzes and quizzes.section_quizzes:
        criteria.append(
            _all_passed(
                "quizzes",
                _("Pass every section quiz"),
                quizzes.section_quizzes_passed,
                quizzes.section_quizzes,
            )
        )
    if rule.requires_final_exam and quizzes.final_exam:
        score = quizzes.final_score
        criteria.append(
            CompletionCriterion(
                key="final_exam",
                label=_("Pass the final exam"),
                met=quizzes.final_exam_passed,
                detail=(
                    _("Not taken yet") if score is None else _("Score %(score)s") % {"score": score}
                ),
                done="1" if quizzes.final_exam_passed else "0",
                total="1",
            )
        )

    practical = practical_outcomes_for(enrolment=enrolment)
    if rule.requires_practical and practical.tasks:
        criteria.append(
            _all_passed(
                "practical", _("Pass every practical task"), practical.tasks_passed, practical.tasks
            )
        )
    return CompletionStatus(
        enrolment=enrolment,
        rule=rule,
        criteria=criteria,
        study_hours=hours,
        final_score=quizzes.final_score if quizzes.final_exam else None,
    )
