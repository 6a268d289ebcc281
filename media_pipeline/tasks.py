"""Celery tasks of the media pipeline (queue "transcode", see settings).

Thin: ids in, one service call, the retry policy. Acknowledged late and
rejected when the worker dies, so a transcode killed halfway is redelivered
and run again into a fresh version (the job number makes reruns idempotent).
"""

from celery import Task, shared_task
from django.utils.translation import gettext as _

from . import services
from .exceptions import TransientError


class _ProcessTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Retries exhausted (or an unexpected bug): never leave the asset
        # "processing" forever; the published ladder stays as it was.
        asset_id, job = (list(args) + [kwargs.get("asset_id"), kwargs.get("job")])[:2]
        services.asset_fail(
            asset_id=asset_id,
            job=job,
            reason=_("Processing failed because of a temporary problem. Please try again."),
        )


@shared_task(
    bind=True,
    base=_ProcessTask,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(TransientError,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def asset_process(self, asset_id: int, job: int) -> None:
    services.asset_process(asset_id=asset_id, job=job)


@shared_task(acks_late=True)
def upload_abandoned_prune() -> int:
    """Cancel uploads left unfinished for two days (scheduled by beat)."""
    from .uploads import upload_abandoned_prune as prune

    return prune()
