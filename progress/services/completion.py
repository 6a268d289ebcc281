"""Course completion: the course's rule evaluated whenever one of its inputs
changes (credited study, a quiz or exam submitted, a practical task graded).

Completion is final. The enrolment becomes COMPLETED with a
``CourseCompletion`` that keeps the rule it met and the course's live
revision; a later edit of the rule never revokes it. In the same
transaction: the ledger fact ``progress.completed`` (chain "progress"), the
xAPI ``completed`` statement (and ``passed`` with the final exam's score when
the course has one) and the certificate. The ``enrolment_completed`` signal
goes out after commit.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from lms.ledger import ledger_append
from progress import signals
from progress.models import CourseCompletion, Enrolment
from progress.selectors.completion import CompletionStatus, completion_status_for
from progress.xapi import platform
from progress.xapi.services.outbox import page_activity, platform_statements_record

from .certificates import certificate_issue

__all__ = ["completion_evaluate", "completions_evaluate_course"]

LEDGER_CHAIN = "progress"


def _statements_record(*, enrolment: Enrolment, status: CompletionStatus) -> None:
    course = page_activity(enrolment.course)
    statements = [
        platform.course_completed(
            user_id=enrolment.user_id,
            enrolment_id=enrolment.pk,
            course=course,
            seconds=enrolment.study_seconds,
            when=enrolment.completed_at,
        )
    ]
    if status.final_score is not None:
        statements.append(
            platform.course_passed(
                user_id=enrolment.user_id,
                enrolment_id=enrolment.pk,
                course=course,
                score=float(status.final_score),
                when=enrolment.completed_at,
            )
        )
    platform_statements_record(statements=statements)


def completion_evaluate(*, enrolment) -> bool:
    """Evaluate the course's completion rule for ``enrolment``; when it is
    met, record the completion (final) and issue the certificate. Returns
    whether the enrolment is completed. Safe to call any number of times and
    from inside the caller's transaction."""
    if enrolment.status == Enrolment.Status.COMPLETED:
        return True
    if enrolment.status == Enrolment.Status.WITHDRAWN:
        return False
    # A first look without a lock: most calls end here.
    if not completion_status_for(enrolment=enrolment).met:
        return False
    with transaction.atomic():
        locked = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("course")
            .get(pk=enrolment.pk)
        )
        if locked.status != Enrolment.Status.ACTIVE:
            return locked.status == Enrolment.Status.COMPLETED
        status = completion_status_for(enrolment=locked)
        if not status.met:
            return False
        _complete(enrolment=locked, status=status)
    enrolment.status, enrolment.completed_at = locked.status, locked.completed_at
    return True


def _complete(*, enrolment: Enrolment, status: CompletionStatus) -> None:
    course = enrolment.course
    enrolment.status = Enrolment.Status.COMPLETED
    enrolment.completed_at = timezone.now()
    enrolment.full_clean(validate_unique=False, validate_constraints=False)
    enrolment.save(update_fields=["status", "completed_at"])
    rule, figures = status.rule.as_json(), status.figures()
    entry = ledger_append(
        chain=LEDGER_CHAIN,
        kind="progress.completed",
        subject=f"user:{enrolment.user_id}",
        actor_id=enrolment.user_id,
        payload={
            "enrolment": str(enrolment.pk),
            "course": str(course.pk),
            "course_revision": course.live_revision_id,
            "rule": rule,
            "figures": figures,
        },
    )
    completion = CourseCompletion(
        enrolment=enrolment,
        completed_at=enrolment.completed_at,
        rule=rule,
        figures=figures,
        course_revision_id=course.live_revision_id,
        ledger_entry_hash=entry.entry_hash,
    )
    completion.full_clean()
    completion.save()
    _statements_record(enrolment=enrolment, status=status)
    certificate_issue(completion=completion, final_score=status.final_score)
    transaction.on_commit(
        lambda: signals.enrolment_completed.send(sender=Enrolment, enrolment=enrolment)
    )


def completions_evaluate_course(*, course_id: int) -> int:
    """Evaluate every studying enrolment of a course whose rule or lessons
    were just published: an easier rule (or a lesson taken offline) can
    complete enrolments that no new study would otherwise bring to the
    evaluation. Returns how many completed now. Each enrolment is its own
    transaction; a completed one is never touched."""
    completed = 0
    enrolments = (
        Enrolment.objects.filter(course_id=course_id, status=Enrolment.Status.ACTIVE)
        .select_related("course")
        .order_by("pk")
    )
    for enrolment in enrolments.iterator(chunk_size=500):
        completed += completion_evaluate(enrolment=enrolment)
    return completed
