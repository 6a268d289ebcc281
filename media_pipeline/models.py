"""Video assets and what the pipeline makes of them.

Why not ``wagtailmedia``: its uploads go through a Django form on the app
server and it stores one file per item; our sources are several GB, uploaded
straight to storage (S3 multipart or chunked to disk), and each asset becomes
an HLS ladder with posters, a thumbnail sprite and captions. The asset is a
Wagtail snippet, so the admin, choosers and revisions of the lesson that
references it still come from Wagtail.

Publication is atomic: the pipeline writes a new ladder under a fresh
``hls/<asset>/<version>/`` prefix that nothing points at, and publishing is one
UPDATE of ``published_version``. A failed job never touches the published
ladder, so a lesson keeps its last working video.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class VideoAsset(models.Model):
    class Status(models.TextChoices):
        UPLOADING = "uploading", _("Uploading")
        QUEUED = "queued", _("Queued")
        PROBING = "probing", _("Checking the file")
        TRANSCODING = "transcoding", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    title = models.CharField(_("title"), max_length=255)
    # Storage key of the current source (relative to the default storage).
    # Set once the upload is complete; never deleted when processing fails.
    source = models.CharField(_("source file"), max_length=500, blank=True)
    source_name = models.CharField(_("original file name"), max_length=255, blank=True)
    source_size = models.BigIntegerField(_("source size in bytes"), null=True, blank=True)

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.UPLOADING
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    failure_reason = models.TextField(_("why processing failed"), blank=True)
    # Bumped for every processing run; a task that carries an older job
    # number is stale and does nothing (idempotent reruns, no duplicates).
    job = models.PositiveIntegerField(default=0)

    # Probe facts of the source.
    duration = models.FloatField(_("duration (s)"), null=True, blank=True)
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    rotation = models.SmallIntegerField(_("rotation"), default=0)
    frame_rate = models.FloatField(_("frame rate"), null=True, blank=True)
    video_codec = models.CharField(_("video codec"), max_length=40, blank=True)
    audio_codec = models.CharField(_("audio codec"), max_length=40, blank=True)

    # The published ladder: ``hls/<pk>/<published_version>/master.m3u8`` and
    # its siblings (poster.jpg, thumbnails.vtt, thumbnails.jpg, renditions,
    # captions). Empty until the first successful run.
    published_version = models.CharField(max_length=40, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("video")
        verbose_name_plural = _("videos")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="videoasset_progress_max_100"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def published_prefix(self) -> str:
        """Storage prefix of the published ladder, or "" when none is."""
        if not self.published_version:
            return ""
        return f"hls/{self.pk}/{self.published_version}/"

    @property
    def is_playable(self) -> bool:
        return bool(self.published_version)

    @staticmethod
    def new_version() -> str:
        return uuid.uuid4().hex


class Rendition(models.Model):
    """One rung of a published ladder."""

    asset = models.ForeignKey(VideoAsset, on_delete=models.CASCADE, related_name="renditions")
    version = models.CharField(max_length=40)
    name = models.CharField(max_length=20)  # "720p"
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    bandwidth = models.PositiveIntegerField(help_text="bits per second, as in the master playlist")
    playlist = models.CharField(max_length=500)  # storage key of the media playlist

    class Meta:
        ordering = ["height"]
        constraints = [
            models.UniqueConstraint(
                fields=["asset", "version", "name"], name="rendition_unique_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.asset} {self.name}"


class Caption(models.Model):
    """A caption track: the uploaded SRT/VTT and its WebVTT conversion."""

    asset = models.ForeignKey(VideoAsset, on_delete=models.CASCADE, related_name="captions")
    language = models.CharField(_("language"), max_length=20, default="zh-Hans")
    label = models.CharField(_("label"), max_length=50, default="中文")
    source = models.CharField(max_length=500)  # storage key of the uploaded file
    vtt = models.CharField(max_length=500, blank=True)  # storage key of the WebVTT

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["asset", "language"], name="caption_unique_language")
        ]

    def __str__(self) -> str:
        return f"{self.asset} {self.language}"


class Upload(models.Model):
    """One upload of a source file for an asset, in S3 (presigned multipart,
    straight from the browser) or local (chunked to a temporary file) mode.

    The primary key is a random UUID: it names the upload in URLs and its
    temporary file, so it is not guessable. ``multipart_id`` is S3's own
    UploadId (empty in local mode).
    """

    class Mode(models.TextChoices):
        S3 = "s3", "S3"
        LOCAL = "local", _("Local")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Uploading")
        COMPLETE = "complete", _("Complete")
        ABORTED = "aborted", _("Cancelled")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    asset = models.ForeignKey(
        VideoAsset, on_delete=models.CASCADE, related_name="uploads", verbose_name=_("video")
    )
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices)
    key = models.CharField(_("storage key"), max_length=500)
    multipart_id = models.CharField(max_length=1024, blank=True)
    filename = models.CharField(_("original file name"), max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.BigIntegerField(_("size in bytes"))
    part_size = models.PositiveIntegerField(_("part size in bytes"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(size__gt=0), name="upload_size_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def part_count(self) -> int:
        return -(-self.size // self.part_size)
