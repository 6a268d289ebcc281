"""Upload services: a source file reaches storage without passing through the
app server's memory.

S3 mode: the browser uploads straight to the bucket with presigned multipart
URLs; the server only starts, signs, lists (for resume) and completes.
Local mode: the browser PUTs chunks with ``Content-Range``; each is streamed
from the request onto a temporary file under ``MEDIA_ROOT/uploads-tmp/`` and
the finished file is moved (``os.replace``) to its final key.

Either way the finished source is handed to
``media_pipeline.services.asset_source_attach``, which queues processing. An
upload that replaces the source of an existing asset leaves the asset alone
until it completes, so a lesson keeps its working video meanwhile.
"""

import contextlib
import fcntl
import os
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from lms import selectors as lms_selectors
from lms.exceptions import ApplicationError
from lms.models import Membership, User
from media_pipeline import s3
from media_pipeline import services as pipeline_services
from media_pipeline.models import Upload, VideoAsset

MiB = 1024 * 1024
S3_MIN_PART_SIZE = 5 * MiB
S3_MAX_PARTS = 10_000
DEFAULT_MAX_UPLOAD_BYTES = 8 * 1024 * MiB
DEFAULT_S3_PART_SIZE = 16 * MiB
DEFAULT_LOCAL_CHUNK_SIZE = 8 * MiB
# The largest piece of a request body held in memory at once.
READ_BLOCK = 1 * MiB
PRESIGNED_PART_EXPIRES = 3600

VIDEO_EXTENSIONS = ("mp4", "mov", "m4v", "mkv", "webm", "avi", "3gp")
# Browsers send no type, or a generic one, for several video containers.
GENERIC_CONTENT_TYPES = ("", "application/octet-stream", "binary/octet-stream")
UPLOADER_ROLES = {Membership.Role.INSTRUCTOR, Membership.Role.PLATFORM_ADMIN}


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class UploadConflict(ApplicationError):
    """A local chunk does not start where the file ends: the client resumes
    from ``extra["offset"]``."""


@dataclass(frozen=True)
class UploadState:
    """What a client needs to resume: bytes or parts already stored."""

    upload: Upload
    offset: int  # local mode: bytes on disk
    parts: list[dict]  # S3 mode: [{"part_number", "etag", "size"}]


def _max_upload_bytes() -> int:
    return getattr(settings, "MEDIA_PIPELINE_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES)


def _s3_part_size(size: int) -> int:
    part_size = max(
        getattr(settings, "MEDIA_PIPELINE_UPLOAD_PART_SIZE", DEFAULT_S3_PART_SIZE),
        S3_MIN_PART_SIZE,
    )
    # Keep within S3's 10 000 parts, in whole MiB.
    if -(-size // part_size) > S3_MAX_PARTS:
        part_size = -(-size // S3_MAX_PARTS)
        part_size = -(-part_size // MiB) * MiB
    return part_size


def _local_chunk_size() -> int:
    return getattr(settings, "MEDIA_PIPELINE_UPLOAD_CHUNK_SIZE", DEFAULT_LOCAL_CHUNK_SIZE)


def upload_user_may_upload(*, user: User) -> bool:
    """Staff with an instructor or platform-admin role (or superusers) upload videos."""
    if not user.is_authenticated or not lms_selectors.user_is_staff_role(user=user):
        return False
    return user.is_superuser or bool(UPLOADER_ROLES & lms_selectors.user_roles(user=user))


def _require_uploader(user: User) -> None:
    if not upload_user_may_upload(user=user):
        raise PermissionDenied(_("Only instructors and platform admins may upload videos."))


def _safe_filename(filename: str) -> tuple[str, str]:
    """(safe file name, lower-case extension) of what the browser sent."""
    name = os.path.basename(filename.replace("\\", "/")).strip()
    stem, dot, extension = name.rpartition(".")
    extension = extension.lower() if dot else ""
    try:
        stem = get_valid_filename(stem)[:100]
    except Exception:  # noqa: BLE001 - SuspiciousFileOperation for names like ".."
        stem = ""
    return f"{stem or 'video'}.{extension}", extension


def _validate(*, filename: str, size: int, content_type: str) -> str:
    """Checks a new upload; returns the safe file name."""
    if size <= 0:
        raise ApplicationError(_("The file is empty."), {"field": "size"})
    limit = _max_upload_bytes()
    if size > limit:
        raise ApplicationError(
            _("The file is too large: the limit is %(limit)s GB.")
            % {"limit": f"{limit / 1024**3:.4g}"},
            {"field": "size"},
        )
    safe_name, extension = _safe_filename(filename)
    content_type = (content_type or "").split(";")[0].strip().lower()
    if extension not in VIDEO_EXTENSIONS or not (
        content_type in GENERIC_CONTENT_TYPES or content_type.startswith("video/")
    ):
        raise ApplicationError(
            _("This is not a video file. Allowed types: %(types)s.")
            % {"types": ", ".join(VIDEO_EXTENSIONS)},
            {"field": "filename"},
        )
    return safe_name


def _temp_path(upload: Upload) -> Path:
    return Path(settings.MEDIA_ROOT) / "uploads-tmp" / str(upload.pk)


def _local_offset(upload: Upload) -> int:
    try:
        return _temp_path(upload).stat().st_size
    except FileNotFoundError:
        return 0


def upload_start(
    *,
    user: User,
    filename: str,
    size: int,
    content_type: str = "",
    title: str = "",
    asset: VideoAsset | None = None,
) -> Upload:
    """Start uploading a source: for a new asset titled ``title``, or to replace
    the source of ``asset`` (which only changes once the upload completes)."""
    _require_uploader(user)
    safe_name = _validate(filename=filename, size=size, content_type=content_type)
    if asset is None:
        title = (title or "").strip()
        if not title:
            raise ApplicationError(_("Give the video a title."), {"field": "title"})
    elif not (user.is_superuser or asset.created_by_id == user.pk) and (
        Membership.Role.PLATFORM_ADMIN not in lms_selectors.user_roles(user=user)
    ):
        raise PermissionDenied(_("You may only replace videos you uploaded."))

    use_s3 = s3.enabled()
    with transaction.atomic():
        if asset is None:
            asset = pipeline_services.asset_create(title=title[:255], created_by=user)
        key = f"videos/source/{asset.pk}/{uuid.uuid4().hex}/{safe_name}"
        upload = Upload(
            asset=asset,
            mode=Upload.Mode.S3 if use_s3 else Upload.Mode.LOCAL,
            key=key,
            filename=os.path.basename(filename)[:255],
            content_type=content_type[:100],
            size=size,
            part_size=_s3_part_size(size) if use_s3 else _local_chunk_size(),
            created_by=user,
        )
        if use_s3:
            upload.multipart_id = s3.multipart_create(key, upload.content_type)
        try:
            upload.full_clean()
            upload.save()
        except Exception:
            if use_s3:
                s3.multipart_abort(key, upload.multipart_id)
            raise
    return upload


def upload_get(*, user: User, upload_id) -> Upload:
    """The user's own upload ``upload_id``; raises Upload.DoesNotExist otherwise."""
    _require_uploader(user)
    return Upload.objects.select_related("asset").get(pk=upload_id, created_by=user)


def upload_state(*, upload: Upload) -> UploadState:
    """Where the upload stands, for a client resuming after a dropped connection."""
    parts: list[dict] = []
    offset = 0
    if upload.status == Upload.Status.ACTIVE:
        if upload.mode == Upload.Mode.S3:
            parts = s3.multipart_list_parts(upload.key, upload.multipart_id)
        else:
            offset = _local_offset(upload)
    elif upload.status == Upload.Status.COMPLETE:
        offset = upload.size
    return UploadState(upload=upload, offset=offset, parts=parts)


def _require_active(upload: Upload, mode: str) -> None:
    if upload.mode != mode:
        raise ApplicationError(_("This upload does not take that request."))
    if upload.status != Upload.Status.ACTIVE:
        raise ApplicationError(_("This upload is already finished or cancelled."))


def _touch(upload: Upload) -> None:
    """Mark the upload as still in progress (see ``upload_abandoned_prune``)."""
    Upload.objects.filter(pk=upload.pk).update(updated_at=timezone.now())


def upload_part_sign(*, upload: Upload, part_number: int) -> str:
    """A presigned URL for part ``part_number`` (S3 mode)."""
    _require_active(upload, Upload.Mode.S3)
    if not 1 <= part_number <= upload.part_count:
        raise ApplicationError(
            _("Part number must be between 1 and %(count)s.") % {"count": upload.part_count}
        )
    expires = getattr(settings, "MEDIA_PIPELINE_UPLOAD_URL_EXPIRES", PRESIGNED_PART_EXPIRES)
    _touch(upload)
    return s3.multipart_sign_part(upload.key, upload.multipart_id, part_number, expires)


def _asset_upload_failed(upload: Upload, reason: str) -> None:
    """A new asset whose first upload failed says why, instead of "uploading"
    forever; an asset with a working source is left alone."""
    VideoAsset.objects.filter(
        pk=upload.asset_id, source="", status=VideoAsset.Status.UPLOADING
    ).update(status=VideoAsset.Status.FAILED, failure_reason=reason)


def _attach(upload: Upload) -> None:
    upload.status = Upload.Status.COMPLETE
    upload.save(update_fields=["status", "updated_at"])
    pipeline_services.asset_source_attach(
        asset=upload.asset,
        storage_key=upload.key,
        original_name=upload.filename,
        size=upload.size,
    )


def upload_complete(*, upload: Upload, parts: list[dict] | None = None) -> Upload:
    """Finish an S3 upload: every part must be stored (and match the ETags the
    browser saw, when it sends them); the joined object must have the declared
    size. Then the source is attached and processing queued."""
    _require_active(upload, Upload.Mode.S3)
    stored = {p["part_number"]: p for p in s3.multipart_list_parts(upload.key, upload.multipart_id)}
    expected = range(1, upload.part_count + 1)
    missing = [n for n in expected if n not in stored]
    if missing:
        raise ApplicationError(
            _("Some parts have not been uploaded yet."), {"missing_parts": missing[:100]}
        )
    # A part of the wrong size (a cut-off body) is sent again, not joined.
    last_size = upload.size - (upload.part_count - 1) * upload.part_size
    wrong = [
        n
        for n in expected
        if stored[n]["size"] != (last_size if n == upload.part_count else upload.part_size)
    ]
    if wrong:
        raise ApplicationError(
            _("Some parts are incomplete. Upload them again."), {"missing_parts": wrong[:100]}
        )
    for part in parts or []:
        number = int(part.get("part_number", 0))
        if number not in stored or stored[number]["etag"].strip('"') != str(
            part.get("etag", "")
        ).strip('"'):
            raise ApplicationError(
                _("Part %(number)s does not match what was stored.") % {"number": number},
                {"missing_parts": [number]},
            )
    s3.multipart_complete(upload.key, upload.multipart_id, [stored[n] for n in expected])
    stored_size = s3.object_size(upload.key)
    with transaction.atomic():
        upload = Upload.objects.select_for_update().select_related("asset").get(pk=upload.pk)
        _require_active(upload, Upload.Mode.S3)
        if stored_size != upload.size:
            reason = _("The uploaded file is %(actual)s bytes, not the %(declared)s declared.") % {
                "actual": stored_size,
                "declared": upload.size,
            }
            upload.status = Upload.Status.FAILED
            upload.save(update_fields=["status", "updated_at"])
            _asset_upload_failed(upload, reason)
            transaction.on_commit(lambda: s3.object_delete(upload.key))
        else:
            _attach(upload)
    if upload.status == Upload.Status.FAILED:
        raise ApplicationError(reason)
    return upload


@contextlib.contextmanager
def _locked(path: Path):
    """An exclusive, non-blocking lock on the temporary file: two requests
    never append to one upload at once."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "ab") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UploadConflict(
                _("Another request is writing this upload. Try again."),
                {"offset": path.stat().st_size},
            ) from None
        try:
            handle.seek(0, os.SEEK_END)
            yield handle
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def upload_chunk_write(
    *, upload: Upload, stream: Readable, start: int, length: int, total: int
) -> int:
    """Append ``length`` bytes read from ``stream`` at ``start`` (local mode),
    never holding more than READ_BLOCK in memory. Returns the new offset; the
    last chunk moves the file to its final key and attaches it.

    A chunk that does not start at the current end of the file raises
    ``UploadConflict`` carrying the offset to resume from. A connection that
    drops mid-chunk keeps what arrived; the client resumes from there.
    """
    _require_active(upload, Upload.Mode.LOCAL)
    if total != upload.size:
        raise ApplicationError(_("The file size does not match the upload."))
    if length <= 0 or start < 0 or start + length > upload.size:
        raise ApplicationError(_("The chunk lies outside the file."))
    path = _temp_path(upload)
    with _locked(path) as handle:
        offset = handle.tell()
        if start != offset:
            raise UploadConflict(
                _("The chunk does not start where the upload stands."), {"offset": offset}
            )
        remaining = length
        while remaining:
            block = stream.read(min(READ_BLOCK, remaining))
            if not block:
                break
            handle.write(block)
            remaining -= len(block)
        handle.flush()
        offset = handle.tell()
        _touch(upload)
        if remaining:
            raise ApplicationError(
                _("The chunk was cut short. Resume the upload."), {"offset": offset}
            )
        if offset < upload.size:
            return offset
        os.fsync(handle.fileno())
        with transaction.atomic():
            upload = Upload.objects.select_for_update().select_related("asset").get(pk=upload.pk)
            _require_active(upload, Upload.Mode.LOCAL)
            _attach(upload)
            # Last, so a failed move rolls the attachment back.
            final = Path(default_storage.path(upload.key))
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, final)
    return offset


def upload_abort(*, upload: Upload) -> Upload:
    """Cancel an unfinished upload and free what it stored."""
    _require_active(upload, upload.mode)
    with transaction.atomic():
        upload = Upload.objects.select_for_update().get(pk=upload.pk)
        _require_active(upload, upload.mode)
        upload.status = Upload.Status.ABORTED
        upload.save(update_fields=["status", "updated_at"])
        _asset_upload_failed(upload, _("The upload was cancelled."))
    if upload.mode == Upload.Mode.S3:
        s3.multipart_abort(upload.key, upload.multipart_id)
    else:
        _temp_path(upload).unlink(missing_ok=True)
    return upload


def upload_abandoned_prune(*, older_than: timedelta = timedelta(days=2)) -> int:
    """Cancel uploads left unfinished for ``older_than`` (their temporary file
    or S3 parts would otherwise stay forever); returns how many. For a
    periodic task."""
    stale = Upload.objects.filter(
        status=Upload.Status.ACTIVE, updated_at__lt=timezone.now() - older_than
    )
    count = 0
    for upload in stale.select_related("asset").order_by("pk"):
        try:
            upload_abort(upload=upload)
        except ApplicationError:
            continue  # finished meanwhile
        count += 1
    return count
