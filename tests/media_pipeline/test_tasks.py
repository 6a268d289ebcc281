"""media_pipeline.tasks: retry policy, idempotency and routing (eager Celery)."""

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.utils.translation import gettext as _

from lms.celery import app
from media_pipeline import services, tasks
from media_pipeline.models import Rendition, VideoAsset

from . import clips

pytestmark = pytest.mark.django_db


class FlakyStorage(FileSystemStorage):
    """Local storage whose writes under ``hls/`` fail the first ``failures``
    times, as an S3 endpoint that times out does."""

    failures = 0
    calls = 0

    def _save(self, name, content):
        if name.startswith("hls/"):
            FlakyStorage.calls += 1
            if FlakyStorage.calls <= FlakyStorage.failures:
                raise TimeoutError("storage timed out")
        return super()._save(name, content)


@pytest.fixture
def flaky(settings, local_media):
    # Eager tasks only retry when errors are not propagated to the caller
    # (a worker never propagates them).
    propagates = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}.FlakyStorage"},
    }
    FlakyStorage.calls = 0
    yield FlakyStorage
    FlakyStorage.failures = 0
    app.conf.task_eager_propagates = propagates


def _source() -> str:
    data = clips.cached("320x240.mp4", width=320, height=240).read_bytes()
    return default_storage.save("sources/a.mp4", ContentFile(data))


def _queued_asset(django_capture_on_commit_callbacks, key: str) -> VideoAsset:
    asset = services.asset_create(title="任务")
    with django_capture_on_commit_callbacks(execute=False):
        services.asset_source_attach(
            asset=asset, storage_key=key, original_name=Path(key).name, size=1
        )
    asset.refresh_from_db()
    return asset


def test_the_task_is_routed_to_the_transcode_queue_and_acknowledged_late():
    task = app.tasks["media_pipeline.tasks.asset_process"]

    assert app.amqp.router.route({}, task.name)["queue"].name == "transcode"
    assert (task.acks_late, task.reject_on_worker_lost, task.max_retries) == (True, True, 5)


def test_a_transient_storage_error_is_retried_and_the_job_completes(
    flaky, django_capture_on_commit_callbacks
):
    flaky.failures = 2
    asset = _queued_asset(django_capture_on_commit_callbacks, _source())

    tasks.asset_process.delay(asset.pk, asset.job)

    asset.refresh_from_db()
    assert asset.status == "ready"
    assert flaky.calls > 2
    assert list(asset.renditions.values_list("version", "name")) == [
        (asset.published_version, "240p")
    ]
    # The attempts that failed left nothing behind: only the published ladder.
    assert default_storage.listdir(f"hls/{asset.pk}/")[0] == [asset.published_version]


def test_when_retries_run_out_the_asset_fails_and_keeps_its_video(
    flaky, django_capture_on_commit_callbacks
):
    flaky.failures = 10**6
    asset = _queued_asset(django_capture_on_commit_callbacks, _source())
    VideoAsset.objects.filter(pk=asset.pk).update(published_version="v0")

    result = tasks.asset_process.delay(asset.pk, asset.job)

    assert result.state == "FAILURE"
    assert flaky.calls == 6  # the first attempt and five retries

    asset.refresh_from_db()
    assert asset.status == "failed"
    assert asset.failure_reason == _(
        "Processing failed because of a temporary problem. Please try again."
    )
    assert asset.published_version == "v0"
    assert not Rendition.objects.exists()
    assert default_storage.exists(asset.source)


def test_the_same_job_delivered_twice_publishes_once(
    local_media, django_capture_on_commit_callbacks
):
    asset = _queued_asset(django_capture_on_commit_callbacks, _source())

    tasks.asset_process.delay(asset.pk, asset.job)
    asset.refresh_from_db()
    published = asset.published_version
    tasks.asset_process.delay(asset.pk, asset.job)

    asset.refresh_from_db()
    assert (asset.status, asset.published_version) == ("ready", published)
    assert Rendition.objects.filter(asset=asset).count() == 1
