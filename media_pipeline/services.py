"""Every write of the media pipeline.

Processing is a run of one *job* (``VideoAsset.job``): attaching a source or
reprocessing bumps the job and enqueues it after commit. Each state change of
a run is an UPDATE filtered on its job number, so a run overtaken by a newer
one stops at its next step and never overwrites the newer state. Outputs go
to a fresh ``hls/<pk>/<version>/`` prefix and are published by one UPDATE of
``published_version``; until then nothing points at them.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from . import ffmpeg
from .exceptions import MediaError, TransientError
from .models import Caption, Rendition, VideoAsset

logger = logging.getLogger(__name__)

COPY_CHUNK = 8 * 1024 * 1024
# Content types of the outputs, stored with each object (S3 serves them back).
CONTENT_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".vtt": "text/vtt; charset=utf-8",
    ".jpg": "image/jpeg",
}
SPRITE_INTERVAL = 10
ACTIVE = (
    VideoAsset.Status.QUEUED,
    VideoAsset.Status.PROBING,
    VideoAsset.Status.TRANSCODING,
)


def _storage_errors() -> tuple[type[BaseException], ...]:
    """Exceptions of the storage backend that mean "try again later".

    Only the exception classes of botocore are named here (no client is
    made); talking to S3 stays in ``s3.py`` and django-storages.
    """
    errors: tuple[type[BaseException], ...] = (OSError,)
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover - boto is a dependency
        return errors
    return (*errors, BotoCoreError, ClientError)


class _Superseded(Exception):
    """A newer job took over the asset; this run stops quietly."""


# --------------------------------------------------------------------------
# Assets
# --------------------------------------------------------------------------


def asset_create(*, title: str, created_by=None) -> VideoAsset:
    """A new asset waiting for its source upload."""
    asset = VideoAsset(title=title, created_by=created_by, status=VideoAsset.Status.UPLOADING)
    asset.full_clean()
    asset.save()
    return asset


def _enqueue(asset_id: int, job: int) -> None:
    from . import tasks  # tasks import services; the task is looked up at call time

    transaction.on_commit(lambda: tasks.asset_process.delay(asset_id, job))


def _start_job(asset: VideoAsset, **fields) -> VideoAsset:
    VideoAsset.objects.filter(pk=asset.pk).update(
        job=F("job") + 1,
        status=VideoAsset.Status.QUEUED,
        progress=0,
        failure_reason="",
        updated_at=timezone.now(),
        **fields,
    )
    asset.refresh_from_db()
    _enqueue(asset.pk, asset.job)
    return asset


@transaction.atomic
def asset_source_attach(
    *, asset: VideoAsset, storage_key: str, original_name: str, size: int
) -> VideoAsset:
    """Record a completed upload as the asset's source and queue its processing."""
    asset.source, asset.source_name, asset.source_size = storage_key, original_name, size
    asset.full_clean(exclude=["status", "job", "progress"])
    limit = _max_upload_bytes()
    if size > limit:
        raise MediaError(
            _("The file is %(size)s GB, larger than the limit of %(limit)s GB.")
            % {"size": round(size / 2**30, 1), "limit": round(limit / 2**30, 1)}
        )
    return _start_job(asset, source=storage_key, source_name=original_name, source_size=size)


@transaction.atomic
def asset_reprocess(*, asset: VideoAsset) -> VideoAsset:
    """Run the pipeline again on the current source (new captions, new ladder)."""
    if not asset.source:
        raise MediaError(_("This video has no uploaded file yet."))
    return _start_job(asset)


def _max_upload_bytes() -> int:
    from django.conf import settings

    return getattr(settings, "MEDIA_PIPELINE_MAX_UPLOAD_BYTES", 8 * 2**30)


# --------------------------------------------------------------------------
# Captions
# --------------------------------------------------------------------------


@transaction.atomic
def caption_add(*, asset: VideoAsset, language: str, label: str, storage_key: str) -> Caption:
    """Attach (or replace) the caption track of a language and reprocess.

    The file is checked now, so a bad one is refused before anything changes.
    """
    with _local_copy(storage_key, suffix=Path(storage_key).suffix) as path:
        ffmpeg.captions_to_webvtt(path)
    caption, _created = Caption.objects.get_or_create(
        asset=asset, language=language, defaults={"label": label, "source": storage_key}
    )
    caption.label, caption.source = label, storage_key
    caption.full_clean()
    caption.save()
    if asset.source:
        asset_reprocess(asset=asset)
    return caption


# --------------------------------------------------------------------------
# Processing
# --------------------------------------------------------------------------


@contextlib.contextmanager
def _local_copy(key: str, *, suffix: str = "") -> Iterator[Path]:
    """A local path of a stored file: the file itself on local storage, a
    temporary copy (streamed in chunks, never in memory) otherwise."""
    try:
        local = default_storage.path(key)
    except NotImplementedError:
        local = None
    if local:
        yield Path(local)
        return
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        try:
            with default_storage.open(key, "rb") as src:
                shutil.copyfileobj(src, tmp, COPY_CHUNK)
        except FileNotFoundError:
            raise
        except _storage_errors() as exc:
            raise TransientError(str(exc)) from exc
        tmp.flush()
        yield Path(tmp.name)


def _set(asset_id: int, job: int, **fields) -> None:
    """Update the asset if ``job`` is still its current run, else stop the run."""
    updated = VideoAsset.objects.filter(pk=asset_id, job=job).update(
        updated_at=timezone.now(), **fields
    )
    if not updated:
        raise _Superseded


def _upload_tree(folder: Path, prefix: str) -> list[str]:
    keys = []
    try:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            key = prefix + path.relative_to(folder).as_posix()
            with path.open("rb") as f:
                content = File(f, name=path.name)
                content.content_type = CONTENT_TYPES.get(path.suffix)
                saved = default_storage.save(key, content)
            if saved != key:  # a fresh prefix has no collisions; refuse to guess
                raise TransientError(f"storage renamed {key} to {saved}")
            keys.append(key)
    except _storage_errors() as exc:
        raise TransientError(str(exc)) from exc
    return keys


def _delete_prefix(prefix: str) -> None:
    """Best-effort removal of everything under ``prefix``."""
    try:
        local = default_storage.path(prefix)
    except NotImplementedError:
        local = None
    if local:  # local disk: folders too, which the storage API cannot remove
        shutil.rmtree(local, ignore_errors=True)
        return
    try:
        dirs, files = default_storage.listdir(prefix)
        for name in files:
            default_storage.delete(prefix + name)
        for name in dirs:
            _delete_prefix(f"{prefix}{name}/")
    except FileNotFoundError:
        return
    except _storage_errors():
        logger.warning("could not delete %s", prefix, exc_info=True)


def _prune_versions(asset_id: int, keep: set[str]) -> None:
    """Delete ladders other than ``keep`` (the published one and the one
    before it, which players that started earlier may still be reading)."""
    root = f"hls/{asset_id}/"
    try:
        versions, _files = default_storage.listdir(root)
    except FileNotFoundError:
        return
    except _storage_errors():
        logger.warning("could not list %s", root, exc_info=True)
        return
    for version in versions:
        if version not in keep:
            _delete_prefix(f"{root}{version}/")


def asset_process(*, asset_id: int, job: int) -> VideoAsset | None:
    """Probe, transcode and publish the asset's source for run ``job``.

    Bad input ends the run as ``failed`` with the reason; the published ladder
    and the source are left alone. Storage trouble raises ``TransientError``
    for the task to retry. A run whose job is no longer current does nothing,
    and so does a rerun of a job that already finished.
    """
    asset = VideoAsset.objects.filter(pk=asset_id).first()
    if asset is None or asset.job != job or asset.status not in ACTIVE:
        return asset
    version = VideoAsset.new_version()
    prefix = f"hls/{asset_id}/{version}/"
    try:
        with tempfile.TemporaryDirectory(prefix="jx-transcode-") as tmp:
            rungs = _build(asset, job, Path(tmp) / "out")
            _set(asset_id, job, progress=99)
            _upload_tree(Path(tmp) / "out", prefix)
        return _publish(asset_id, job, version, rungs)
    except _Superseded:
        _delete_prefix(prefix)
        return VideoAsset.objects.filter(pk=asset_id).first()
    except MediaError as exc:
        _delete_prefix(prefix)
        asset_fail(asset_id=asset_id, job=job, reason=exc.message)
        return VideoAsset.objects.get(pk=asset_id)
    except BaseException:
        _delete_prefix(prefix)
        raise


def _build(asset: VideoAsset, job: int, out: Path) -> list[ffmpeg.Rung]:
    """Everything that happens on local disk: probe, ladder, poster, captions."""
    _set(asset.pk, job, status=VideoAsset.Status.PROBING, progress=0)
    try:
        exists = default_storage.exists(asset.source)
    except _storage_errors() as exc:
        raise TransientError(str(exc)) from exc
    try:
        if not exists:
            raise FileNotFoundError(asset.source)
        source = _local_copy(asset.source, suffix=Path(asset.source).suffix)
        with source as path:
            facts = ffmpeg.probe(path)
            _set(
                asset.pk,
                job,
                status=VideoAsset.Status.TRANSCODING,
                duration=facts.duration,
                width=facts.width,
                height=facts.height,
                rotation=facts.rotation,
                frame_rate=facts.fps,
                video_codec=facts.video_codec,
                audio_codec=facts.audio_codec,
                source_size=facts.size,
            )
            captions = _captions(asset)
            rungs = ffmpeg.ladder_for(facts.display_width, facts.display_height)
            out.mkdir(parents=True)
            sprite = ffmpeg.sprite_for(
                out / "thumbnails.jpg",
                duration=facts.duration,
                width=facts.display_width,
                height=facts.display_height,
                interval=SPRITE_INTERVAL,
            )

            def progress(percent: int) -> None:
                _set(asset.pk, job, progress=min(98, percent))

            master = ffmpeg.transcode_hls(
                path,
                out,
                rungs,
                duration=facts.duration,
                has_audio=facts.has_audio,
                fps=facts.fps,
                sprite=sprite,
                on_progress=progress,
                video_stream=str(facts.video_index),
                audio_stream=str(facts.audio_index) if facts.has_audio else "a",
            )
            ffmpeg.write_sprite_vtt(sprite, out / "thumbnails.vtt", facts.duration)
            ffmpeg.poster(path, out / "poster.jpg", at_seconds=min(3.0, facts.duration / 3))
    except FileNotFoundError as exc:
        raise MediaError(_("The uploaded file is missing. Please upload it again.")) from exc
    first_segment = out / rungs[0].name / "seg_00000.ts"
    ffmpeg.add_captions(
        master,
        captions,
        duration=facts.duration,
        mpegts_start=ffmpeg.first_timestamp(first_segment),
    )
    return rungs


def _captions(asset: VideoAsset) -> list[tuple[str, str, str]]:
    result = []
    for caption in asset.captions.order_by("language"):
        try:
            with _local_copy(caption.source, suffix=Path(caption.source).suffix) as path:
                text = ffmpeg.captions_to_webvtt(path)
        except FileNotFoundError as exc:
            raise MediaError(
                _("The caption file for %(language)s is missing. Please upload it again.")
                % {"language": caption.label}
            ) from exc
        result.append((caption.language, caption.label, text))
    return result


def _publish(asset_id: int, job: int, version: str, rungs: list[ffmpeg.Rung]) -> VideoAsset:
    prefix = f"hls/{asset_id}/{version}/"
    with transaction.atomic():
        asset = VideoAsset.objects.select_for_update().get(pk=asset_id)
        if asset.job != job:
            transaction.on_commit(lambda: _delete_prefix(prefix))
            return asset
        previous = asset.published_version
        Rendition.objects.filter(asset=asset).delete()
        renditions = [
            Rendition(
                asset=asset,
                version=version,
                name=r.name,
                width=r.width,
                height=r.height,
                bandwidth=r.bandwidth,
                playlist=f"{prefix}{r.name}/index.m3u8",
            )
            for r in rungs
        ]
        for rendition in renditions:
            rendition.full_clean(exclude=["asset"])
        Rendition.objects.bulk_create(renditions)
        for caption in asset.captions.all():
            caption.vtt = f"{prefix}captions/{caption.language}.vtt"
            caption.save(update_fields=["vtt"])
        asset.published_version = version
        asset.published_at = timezone.now()
        asset.status = VideoAsset.Status.READY
        asset.progress = 100
        asset.failure_reason = ""
        asset.full_clean()
        asset.save()
        keep = {version, previous}
        transaction.on_commit(lambda: _prune_versions(asset_id, keep))
    return asset


def asset_fail(*, asset_id: int, job: int, reason: str) -> None:
    """End run ``job`` as failed; the published ladder stays playable."""
    VideoAsset.objects.filter(pk=asset_id, job=job).update(
        status=VideoAsset.Status.FAILED,
        failure_reason=reason,
        progress=0,
        updated_at=timezone.now(),
    )
