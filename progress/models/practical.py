"""Practical task submissions: the photos or short video a worker uploads of
their own work for a lesson's practical task (``courses.models.practical``),
and the instructor's grade against the task's rubric.

A submission keeps a frozen copy of the task (``task``: instructions, pass
mark and criteria as they were when it was submitted), so editing the rubric
later never changes what it is graded against. One submission per enrolment
and lesson may wait for a grade at a time; after a failed grade the worker
submits again (a new row), and the history stays.

Photos are stored re-encoded as JPEG with no metadata (EXIF, GPS), through
the default storage; a video is a ``media_pipeline.VideoAsset`` processed
like a lesson video.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = ["PracticalPhoto", "PracticalSubmission"]


class PracticalSubmission(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("waiting for a grade")
        GRADED = "graded", _("graded")

    # A UUID: it names the submission in URLs and storage keys.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    enrolment = models.ForeignKey(
        "progress.Enrolment",
        on_delete=models.PROTECT,
        related_name="practical_submissions",
        verbose_name=_("enrolment"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("worker"),
    )
    lesson = models.ForeignKey(
        "courses.LessonPage",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lesson"),
    )
    task = models.JSONField(_("task as submitted"))
    note = models.TextField(_("worker's note"), blank=True, max_length=1000)
    video = models.ForeignKey(
        "media_pipeline.VideoAsset",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("video"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    # [{"criterion": <id in task["criteria"]>, "points": n}], in the task's order.
    scores = models.JSONField(_("points per criterion"), default=list, blank=True)
    total = models.PositiveIntegerField(_("total points"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    comment = models.TextField(_("instructor's comment"), blank=True, max_length=4000)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("graded by"),
    )
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("practical task submission")
        verbose_name_plural = _("practical task submissions")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "lesson"],
                condition=Q(status="submitted"),
                name="practicalsubmission_one_open",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        status="submitted",
                        graded_at__isnull=True,
                        passed__isnull=True,
                        total__isnull=True,
                    )
                    | Q(
                        status="graded",
                        graded_at__isnull=False,
                        passed__isnull=False,
                        total__isnull=False,
                    )
                ),
                name="practicalsubmission_graded_has_grade",
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.lesson_id} · {self.get_status_display()}"

    @property
    def max_total(self) -> int:
        return int(self.task.get("max_total", 0))

    @property
    def criteria(self) -> list[dict]:
        return list(self.task.get("criteria", []))

    def scored_criteria(self) -> list[dict]:
        """The task's criteria with the points given for each (None before grading)."""
        points = {row["criterion"]: row["points"] for row in self.scores}
        return [{**c, "points": points.get(c["id"])} for c in self.criteria]


class PracticalPhoto(models.Model):
    """One photo of a submission: a JPEG re-encoded from the upload, with no
    EXIF or GPS metadata, under ``practical/<submission>/``."""

    submission = models.ForeignKey(
        PracticalSubmission,
        on_delete=models.PROTECT,
        related_name="photos",
        verbose_name=_("submission"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    file = models.FileField(_("file"), max_length=300)
    original_name = models.CharField(_("original file name"), max_length=255, blank=True)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    size = models.PositiveIntegerField(_("size in bytes"))

    class Meta:
        verbose_name = _("practical task photo")
        verbose_name_plural = _("practical task photos")
        ordering = ["submission", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "position"], name="practicalphoto_unique_position"
            )
        ]

    def __str__(self) -> str:
        return self.file.name
