"""Abandoned uploads are pruned on a schedule, on the default queue."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from lms.celery import app as celery_app
from media_pipeline import tasks
from media_pipeline.models import Upload
from media_pipeline.uploads import upload_start

pytestmark = pytest.mark.django_db


def test_prune_is_scheduled_and_routed_to_the_default_queue():
    """Beat runs the prune every six hours; it does not wait behind transcodes."""
    entry = settings.CELERY_BEAT_SCHEDULE["media-prune-abandoned-uploads"]
    assert entry == {"task": "media_pipeline.tasks.upload_abandoned_prune", "schedule": 21600}
    route = celery_app.amqp.router.route({}, "media_pipeline.tasks.upload_abandoned_prune")
    assert route["queue"].name == "default"


def test_prune_task_cancels_only_stale_uploads(local_media, instructor):
    """An upload untouched for three days is cancelled; a fresh one stays."""
    stale, fresh = (
        upload_start(user=instructor, filename=f"{name}.mp4", size=10 * 2**20, title=name)
        for name in ("stale", "fresh")
    )
    Upload.objects.filter(pk=stale.pk).update(updated_at=timezone.now() - timedelta(days=3))

    assert tasks.upload_abandoned_prune.delay().get() == 1

    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status != Upload.Status.ACTIVE
    assert fresh.status == Upload.Status.ACTIVE
