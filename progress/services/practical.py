"""Practical task writes: a worker submits photos or a short video of their
own work for a lesson's task, an instructor of the course's provider grades
it against the rubric.

Files are checked completely before anything is written: photos are opened
with Pillow (``verify`` and a full decode), size- and pixel-limited, turned
upright and re-encoded as JPEG without any metadata (EXIF and GPS: the
worker's privacy); a video is probed with ffprobe and stored as the source of
a ``media_pipeline`` asset, which is processed like a lesson video. A refused
submission stores nothing, and files already stored are deleted when the
database part fails.

Both writes append a ledger fact (chain "progress") and its xAPI statement in
the same transaction; a grade then asks ``completion_evaluate``.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import secrets
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from lms.exceptions import ApplicationError
from lms.ledger import ledger_append
from media_pipeline import ffmpeg
from media_pipeline import services as media_services
from media_pipeline.exceptions import MediaError
from media_pipeline.uploads import VIDEO_EXTENSIONS
from progress.models import Enrolment, PracticalPhoto, PracticalSubmission
from progress.selectors.enrolments import lesson_access_get
from progress.selectors.practical import practical_may_grade
from progress.xapi import platform
from progress.xapi.services.outbox import page_activities, platform_statements_record

from .completion import completion_evaluate

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from courses.models import LessonPage
    from lms.models import User

__all__ = [
    "PHOTO_FORMATS",
    "practical_submission_create",
    "practical_submission_grade",
]

logger = logging.getLogger(__name__)

LEDGER_CHAIN = "progress"
# What phones' cameras and galleries give (HEIC is converted by the browser
# when the file input asks for images).
PHOTO_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "MPO": "JPEG"}
# Stored photos are scaled down to this longest side: enough to judge a weld
# bead, and a phone's 50 MP original is not needed.
PHOTO_MAX_SIDE = 2560
PHOTO_MAX_PIXELS = 60_000_000
PHOTO_QUALITY = 85


def _error(message: str, *, code: str, status: int = 400, **extra) -> ApplicationError:
    return ApplicationError(message, extra={"code": code, "status": status, **extra})


def _mb(size: int) -> str:
    return f"{size / 2**20:.0f}"


# --- checking the files -------------------------------------------------------------


@dataclass(frozen=True)
class _Photo:
    """A checked photo: the JPEG bytes to store and their facts."""

    data: bytes
    width: int
    height: int
    original_name: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _photo_clean(upload: UploadedFile) -> _Photo:
    """Check one uploaded photo and re-encode it without metadata."""
    name = os.path.basename(upload.name or "")[:255]
    limit = settings.PROGRESS_PRACTICAL_MAX_PHOTO_BYTES
    refused = _("“%(name)s” is not a photo we can read (JPEG, PNG or WebP), or it is damaged.")
    if not upload.size:
        raise _error(_("“%(name)s” is empty.") % {"name": name}, code="photo_empty")
    if upload.size > limit:
        raise _error(
            _("“%(name)s” is too large: a photo may have at most %(limit)s MB.")
            % {"name": name, "limit": _mb(limit)},
            code="photo_too_large",
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()  # structure and checksums, without decoding
        upload.seek(0)
        with Image.open(upload) as image:
            if image.format not in PHOTO_FORMATS:
                raise _error(refused % {"name": name}, code="photo_type")
            if image.width * image.height > PHOTO_MAX_PIXELS:
                raise _error(
                    _("“%(name)s” has too many pixels for a photo.") % {"name": name},
                    code="photo_too_large",
                )
            image.load()
            # Turn it upright by its EXIF orientation before the EXIF goes.
            upright = ImageOps.exif_transpose(image) or image
            picture = upright.convert("RGB")
    except ApplicationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _error(refused % {"name": name}, code="photo_type") from None
    picture.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
    out = io.BytesIO()
    # A fresh image saved with no ``exif``/``icc_profile`` arguments: nothing
    # of the original's metadata (camera, time, GPS) is written.
    picture.save(out, "JPEG", quality=PHOTO_QUALITY, optimize=True)
    return _Photo(
        data=out.getvalue(), width=picture.width, height=picture.height, original_name=name
    )


@dataclass(frozen=True)
class _Video:
    """A checked video: a copy without metadata in a temporary folder."""

    path: Path
    extension: str
    original_name: str
    duration: float


def _video_clean(upload: UploadedFile, folder: Path) -> _Video:
    """Check the uploaded video with ffprobe (a real, short video) and copy
    its streams into ``folder`` without the file's metadata (GPS position)."""
    name = os.path.basename(upload.name or "")[:255]
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    limit = settings.PROGRESS_PRACTICAL_MAX_VIDEO_BYTES
    if extension not in VIDEO_EXTENSIONS:
        raise _error(
            _("“%(name)s” is not a video file. Allowed types: %(types)s.")
            % {"name": name, "types": ", ".join(VIDEO_EXTENSIONS)},
            code="video_type",
        )
    if upload.size > limit:
        raise _error(
            _("The video is too large: at most %(limit)s MB.") % {"limit": _mb(limit)},
            code="video_too_large",
        )
    source = folder / f"upload.{extension}"
    with source.open("wb") as out:
        upload.seek(0)
        for chunk in upload.chunks():
            out.write(chunk)
    try:
        facts = ffmpeg.probe(source)
        longest = settings.PROGRESS_PRACTICAL_MAX_VIDEO_SECONDS
        if facts.duration > longest:
            raise _error(
                _("The video is too long: at most %(minutes)s minutes.")
                % {"minutes": f"{longest / 60:g}"},
                code="video_too_long",
            )
        clean = ffmpeg.strip_metadata(source, folder / f"video.{extension}")
    except MediaError as exc:
        raise _error(exc.message, code="video_invalid") from None
    finally:
        source.unlink()
    return _Video(path=clean, extension=extension, original_name=name, duration=facts.duration)


# --- submitting -----------------------------------------------------------------------


def _subject(user_id: int) -> str:
    return f"user:{user_id}"


def _enrolment_for(*, user: User, lesson: LessonPage) -> Enrolment:
    if not lesson.live or not lesson.practical_enabled:
        raise _error(_("This lesson has no practical task."), code="no_task", status=404)
    access = lesson_access_get(user=user, lesson=lesson)
    if access.enrolment is None:
        raise _error(
            _("Enrol in this course to hand in its practical tasks."),
            code="not_enrolled",
            status=403,
        )
    if not access.allowed:
        raise _error(access.reason, code="lesson_locked", status=403)
    return access.enrolment


def _refuse_if_closed(*, enrolment: Enrolment, lesson: LessonPage) -> None:
    submissions = PracticalSubmission.objects.filter(enrolment=enrolment, lesson=lesson)
    if submissions.filter(status=PracticalSubmission.Status.SUBMITTED).exists():
        raise _error(
            _("Your last submission is waiting for the instructor's grade."),
            code="waiting",
            status=409,
        )
    if submissions.filter(passed=True).exists():
        raise _error(_("You have already passed this task."), code="passed", status=409)
    if enrolment.status != Enrolment.Status.ACTIVE:
        raise _error(
            _("This course is completed: its tasks take no more submissions."),
            code="not_active",
            status=409,
        )


def _files_check(
    *,
    lesson: LessonPage,
    photos: Sequence[UploadedFile],
    video: UploadedFile | None,
    folder: Path,
) -> tuple[list[_Photo], _Video | None]:
    if not photos and video is None:
        raise _error(_("Add photos or a video of your work."), code="no_files")
    if photos and not lesson.practical_accepts_photos:
        raise _error(_("This task asks for a video, not photos."), code="photo_not_accepted")
    if video is not None and not lesson.practical_accepts_video:
        raise _error(_("This task asks for photos, not a video."), code="video_not_accepted")
    if len(photos) > lesson.practical_max_photos:
        raise _error(
            _("Upload at most %(count)s photos.") % {"count": lesson.practical_max_photos},
            code="too_many_photos",
        )
    checked = [_photo_clean(upload) for upload in photos]
    return checked, _video_clean(video, folder) if video is not None else None


def _store(key: str, content) -> str:
    saved = default_storage.save(key, content)
    if saved != key:  # keys are fresh; a rename means a collision we refuse to guess about
        default_storage.delete(saved)
        raise RuntimeError(f"storage renamed {key} to {saved}")
    return saved


def _delete_quietly(keys: list[str]) -> None:
    for key in keys:
        try:
            default_storage.delete(key)
        except Exception:  # noqa: BLE001 - cleanup must not hide the original error
            logger.warning("could not delete %s", key, exc_info=True)


def _video_store(*, submission: PracticalSubmission, video: _Video, stored: list[str]):
    """Store the video as the source of a new media asset and queue its
    processing (HLS, poster), as for a lesson video."""
    key = f"practical/{submission.pk}/video.{video.extension}"
    with video.path.open("rb") as handle:
        stored.append(_store(key, File(handle, name=video.path.name)))
    asset = media_services.asset_create(
        title=f"{submission.lesson.title} · {submission.user_id}", created_by=submission.user
    )
    return media_services.asset_source_attach(
        asset=asset,
        storage_key=key,
        original_name=video.original_name,
        size=video.path.stat().st_size,
    )


def _record(
    *, submission: PracticalSubmission, kind: str, actor_id: int, facts: dict, statement
) -> None:
    """The ledger fact ``kind`` (chain "progress") of ``submission`` and its
    xAPI statement, built by ``statement`` (a ``platform.practical_*``
    builder with its own arguments bound), in the caller's transaction."""
    ledger_append(
        chain=LEDGER_CHAIN,
        kind=kind,
        subject=_subject(submission.user_id),
        actor_id=actor_id,
        payload={
            "submission": str(submission.pk),
            "enrolment": str(submission.enrolment_id),
            "course": str(submission.enrolment.course_id),
            "lesson": str(submission.lesson_id),
            **facts,
        },
    )
    pages = page_activities(page_ids=[submission.lesson_id])[submission.lesson_id]
    task = platform.practical_activity(
        lesson_url=pages.activity["id"], title=submission.lesson.title
    )
    platform_statements_record(
        statements=[
            statement(
                user_id=submission.user_id,
                enrolment_id=submission.enrolment_id,
                task=task,
                lesson=pages.activity,
                course=pages.parent,
            )
        ]
    )


@transaction.atomic
def practical_submission_create(
    *,
    user: User,
    lesson: LessonPage,
    photos: Sequence[UploadedFile] = (),
    video: UploadedFile | None = None,
    note: str = "",
) -> PracticalSubmission:
    """Hand in photos and/or a video of the worker's work for ``lesson``'s task.

    Refused (``ApplicationError`` with ``status``) when the worker has no
    active enrolment or the lesson is locked, a submission is waiting for a
    grade, the task is passed already, or a file is of the wrong type,
    damaged or too large; then nothing is stored.
    """
    enrolment = _enrolment_for(user=user, lesson=lesson)
    task = lesson.practical_task_snapshot()
    if not task["criteria"]:
        raise _error(
            _("This task is not open for submissions yet (it has no rubric)."),
            code="no_rubric",
            status=409,
        )
    _refuse_if_closed(enrolment=enrolment, lesson=lesson)
    with tempfile.TemporaryDirectory(prefix="jx-practical-") as folder:
        checked_photos, checked_video = _files_check(
            lesson=lesson, photos=photos, video=video, folder=Path(folder)
        )
        return _submission_save(
            enrolment=enrolment,
            lesson=lesson,
            task=task,
            note=note,
            photos=checked_photos,
            video=checked_video,
        )


def _submission_save(
    *,
    enrolment: Enrolment,
    lesson: LessonPage,
    task: dict,
    note: str,
    photos: list[_Photo],
    video: _Video | None,
) -> PracticalSubmission:
    """Store the checked files and write the rows, the ledger fact and the
    statement; files already stored are deleted when a later step fails."""
    user = enrolment.user
    # One submission at a time per enrolment: the row lock orders concurrent ones.
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    _refuse_if_closed(enrolment=enrolment, lesson=lesson)
    submission = PracticalSubmission(
        enrolment=enrolment, user=user, lesson=lesson, task=task, note=note.strip()[:1000]
    )
    try:
        submission.full_clean(validate_constraints=False)
    except ValidationError as exc:
        raise _error(" ".join(exc.messages), code="invalid") from exc

    stored: list[str] = []
    try:
        with transaction.atomic():
            submission.save()
            rows = []
            for position, photo in enumerate(photos):
                key = f"practical/{submission.pk}/{position + 1}-{secrets.token_hex(6)}.jpg"
                stored.append(_store(key, ContentFile(photo.data)))
                rows.append(
                    PracticalPhoto(
                        submission=submission,
                        position=position,
                        file=key,
                        original_name=photo.original_name,
                        width=photo.width,
                        height=photo.height,
                        size=len(photo.data),
                    )
                )
            PracticalPhoto.objects.bulk_create(rows)
            if video is not None:
                submission.video = _video_store(submission=submission, video=video, stored=stored)
                submission.save(update_fields=["video"])
            _record(
                submission=submission,
                kind="progress.practical.submitted",
                actor_id=user.pk,
                facts={
                    "photos": [photo.sha256 for photo in photos],
                    "video": str(submission.video_id) if submission.video_id else None,
                },
                statement=partial(platform.practical_submitted, when=submission.submitted_at),
            )
    except IntegrityError:
        _delete_quietly(stored)
        raise _error(
            _("Your last submission is waiting for the instructor's grade."),
            code="waiting",
            status=409,
        ) from None
    except BaseException:
        _delete_quietly(stored)
        raise
    return submission


# --- grading ----------------------------------------------------------------------------


def _scores_check(task: dict, scores: Mapping[int, int]) -> list[dict]:
    """Every criterion of the task scored once, within 0..max_points."""
    criteria = task["criteria"]
    known = {c["id"] for c in criteria}
    unknown = set(scores) - known
    if unknown:
        raise _error(
            _("These criteria are not part of this task's rubric: %(ids)s.")
            % {"ids": ", ".join(str(i) for i in sorted(unknown, key=str))},
            code="unknown_criterion",
        )
    rows = []
    for criterion in criteria:
        points = scores.get(criterion["id"])
        if points is None:
            raise _error(
                _("Score “%(title)s”.") % {"title": criterion["title"]},
                code="missing_score",
                criterion=criterion["id"],
            )
        if isinstance(points, bool) or not isinstance(points, int):
            raise _error(
                _("The score of “%(title)s” must be a whole number.")
                % {"title": criterion["title"]},
                code="bad_score",
                criterion=criterion["id"],
            )
        if not 0 <= points <= criterion["max_points"]:
            raise _error(
                _("The score of “%(title)s” must be between 0 and %(max)s.")
                % {"title": criterion["title"], "max": criterion["max_points"]},
                code="bad_score",
                criterion=criterion["id"],
            )
        rows.append({"criterion": criterion["id"], "points": points})
    return rows


@transaction.atomic
def practical_submission_grade(
    *,
    submission: PracticalSubmission,
    actor: User,
    scores: Mapping[int, int],
    comment: str = "",
) -> PracticalSubmission:
    """Grade a waiting submission against the rubric it was submitted with.

    Only an instructor of the course's training provider grades (403); every
    criterion gets whole points within 0..max; a failed grade needs a comment
    that tells the worker what to improve. Passed when the total reaches the
    task's pass mark (percent of the rubric's points). Then the completion
    rule is evaluated."""
    submission = (
        PracticalSubmission.objects.select_for_update(of=("self",))
        .select_related("enrolment__course", "lesson")
        .get(pk=submission.pk)
    )
    course = submission.enrolment.course
    if not practical_may_grade(user=actor, course=course):
        raise _error(
            _("Only instructors of this course's training provider may grade its tasks."),
            code="forbidden",
            status=403,
        )
    if actor.pk == submission.user_id:
        raise _error(_("You cannot grade your own work."), code="forbidden", status=403)
    if submission.status != PracticalSubmission.Status.SUBMITTED:
        raise _error(_("This submission is already graded."), code="graded", status=409)
    rows = _scores_check(submission.task, scores)
    total = sum(row["points"] for row in rows)
    maximum = submission.max_total
    passed = maximum > 0 and total * 100 >= submission.task["pass_mark"] * maximum
    comment = comment.strip()
    if not passed and not comment:
        raise _error(
            _("Tell the worker what to improve: a failed grade needs a comment."),
            code="comment_required",
        )

    submission.status = PracticalSubmission.Status.GRADED
    submission.scores = rows
    submission.total = total
    submission.passed = passed
    submission.comment = comment
    submission.graded_by = actor
    submission.graded_at = timezone.now()
    try:
        submission.full_clean(validate_constraints=False)
    except ValidationError as exc:
        raise _error(" ".join(exc.messages), code="invalid") from exc
    submission.save()

    _record(
        submission=submission,
        kind="progress.practical.graded",
        actor_id=actor.pk,
        facts={
            "scores": rows,
            "total": total,
            "max_total": maximum,
            "pass_mark": submission.task["pass_mark"],
            "passed": passed,
        },
        statement=partial(
            platform.practical_graded,
            passed=passed,
            raw=total,
            maximum=maximum,
            instructor_id=actor.pk,
            when=submission.graded_at,
        ),
    )
    completion_evaluate(enrolment=submission.enrolment)
    return submission
