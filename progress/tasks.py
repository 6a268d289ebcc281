"""Celery tasks of the progress app: ids in, re-fetch, one service call."""

from celery import Task, shared_task
from django.utils.translation import gettext as _


class _AssignmentTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # A crash must not leave the job "running" for ever on the admin page.
        from progress.services import assignment_job_fail

        job_id = args[0] if args else kwargs.get("job_id")
        assignment_job_fail(
            job_id=job_id,
            reason=_(
                "The job stopped because of an unexpected error. Please upload the file again."
            ),
        )


@shared_task(base=_AssignmentTask, acks_late=True)
def assignment_job_run(job_id: int) -> None:
    """Run a bulk assignment (rerunning a job that a dead worker left running
    is safe: rows already assigned are reported as already enrolled)."""
    from progress.services import assignment_job_run as run

    run(job_id=job_id)


@shared_task(acks_late=True, ignore_result=True)
def heartbeats_flush() -> int:
    """Fold buffered heartbeats into PostgreSQL (beat: every few seconds).

    One flusher at a time (a Redis lock): crediting across a worker's tabs
    needs the batches in order. A flusher killed halfway leaves its batch
    pending in the stream, and the next one claims it.
    """
    from progress.heartbeats import flush_lock
    from progress.services import heartbeats_flush as flush

    lock = flush_lock()
    if not lock.acquire(blocking=False):
        return 0
    try:
        return flush()
    finally:
        lock.release()


@shared_task(acks_late=True, ignore_result=True)
def play_sessions_summarise() -> int:
    """Write the ledger summaries of play sessions that went quiet."""
    from progress.services import play_sessions_summarise as summarise

    return summarise()


@shared_task(acks_late=True, ignore_result=True)
def xapi_forwards_deliver() -> int:
    """Send due outbox statements to the external LRS (beat: every 30 s; a
    no-op without ``XAPI_FORWARD_URL``). Rows are claimed with SKIP LOCKED,
    so overlapping runs never send a statement twice."""
    from progress.xapi.services import forwards_deliver

    return forwards_deliver().delivered


@shared_task(acks_late=True, ignore_result=True)
def completions_evaluate_course(course_id: int) -> int:
    """Evaluate the completion rule of a course's studying enrolments after
    the course or one of its lessons was published or unpublished."""
    from progress.services import completions_evaluate_course as evaluate

    return evaluate(course_id=course_id)
