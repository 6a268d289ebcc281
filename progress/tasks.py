"""Celery tasks of the progress app: ids in, re-fetch, one service call."""

from celery import shared_task


@shared_task(acks_late=True)
def assignment_job_run(job_id: int) -> None:
    """Run a bulk assignment (rerunning a job that a dead worker left running
    is safe: rows already assigned are reported as already enrolled)."""
    from progress.services import assignment_job_run as run

    run(job_id=job_id)
