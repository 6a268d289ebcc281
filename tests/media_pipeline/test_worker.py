"""A real Celery worker process on the real Redis broker (not eager): the
transcode queue finishes a job even when its worker is killed mid-transcode."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.db import connection

from lms.celery import app as celery_app
from media_pipeline.models import VideoAsset
from media_pipeline.services import asset_create, asset_source_attach
from tests.media_pipeline import clips

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def _start_worker(visibility_timeout: int) -> subprocess.Popen:
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=(
            f"postgres://{connection.settings_dict['USER']}@{connection.settings_dict['HOST']}:"
            f"{connection.settings_dict['PORT']}/{connection.settings_dict['NAME']}"
        ),
        CELERY_TASK_ALWAYS_EAGER="false",
        CELERY_VISIBILITY_TIMEOUT=str(visibility_timeout),
    )
    return subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "lms", "worker", "-Q", "transcode",
            "--pool", "solo", "--concurrency", "1", "--without-heartbeat",
            "--without-gossip", "--without-mingle", "--loglevel", "WARNING",
        ],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _purge_queues() -> None:
    with celery_app.connection_for_write() as conn:
        for queue in ("default", "transcode"):
            conn.default_channel.queue_purge(queue)


@pytest.fixture
def broker_mode():
    """Send tasks to Redis instead of running them in-process (the worker
    subprocess shares this process's settings: database, Redis, MEDIA_ROOT)."""
    celery_app.conf.task_always_eager = False
    _purge_queues()
    yield
    _purge_queues()
    celery_app.conf.task_always_eager = True


def _attach_clip(tmp_path: Path, seconds: int, size: str) -> VideoAsset:
    width, height = (int(n) for n in size.split("x"))
    clip = clips.video(tmp_path / "weld.mp4", width=width, height=height, seconds=seconds)
    asset = asset_create(title="焊接演示")
    with clip.open("rb") as source:
        key = default_storage.save(f"videos/source/{asset.pk}/weld.mp4", source)
    asset_source_attach(
        asset=asset, storage_key=key, original_name="weld.mp4", size=clip.stat().st_size
    )
    return asset


def test_worker_process_transcodes_from_the_redis_queue(broker_mode, tmp_path):
    """Given a worker consuming the transcode queue, an attached source is
    probed, transcoded and published by that worker process."""
    worker = _start_worker(visibility_timeout=3600)
    try:
        asset = _attach_clip(tmp_path, seconds=3, size="640x360")
        _wait(
            lambda: VideoAsset.objects.get(pk=asset.pk).status in ("ready", "failed"),
            120,
            "the worker to finish",
        )
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)
    asset.refresh_from_db()
    assert asset.status == "ready", asset.failure_reason
    assert asset.progress == 100
    assert default_storage.exists(asset.published_prefix + "master.m3u8")


def test_killed_worker_task_is_redelivered_and_finished(broker_mode, tmp_path):
    """Given a worker killed (SIGKILL) in the middle of a transcode, the task
    is not acknowledged; after the visibility timeout a new worker receives it
    again and publishes the ladder."""
    first = _start_worker(visibility_timeout=8)
    asset = _attach_clip(tmp_path, seconds=30, size="1280x720")
    try:
        _wait(
            lambda: (
                (a := VideoAsset.objects.get(pk=asset.pk)).status == "transcoding"
                and a.progress >= 5
            ),
            120,
            "the transcode to get going",
        )
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(30)
    asset.refresh_from_db()
    assert asset.status == "transcoding"
    assert asset.published_version == ""

    second = _start_worker(visibility_timeout=8)
    try:
        _wait(
            lambda: VideoAsset.objects.get(pk=asset.pk).status in ("ready", "failed"),
            240,
            "the redelivered job to finish",
        )
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(30)
    asset.refresh_from_db()
    assert asset.status == "ready", asset.failure_reason
    assert asset.renditions.filter(version=asset.published_version).count() == 3
