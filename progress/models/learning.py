"""Learning records: enrolments, play sessions and the study time the server
credits from their heartbeats, lesson progress, presence prompts.

Credited time is the server's own fact: it is derived from heartbeats that
the web process buffered in Redis and the flusher folded into
``CreditedInterval`` rows (see ``progress.crediting`` and
``progress.heartbeats``); nothing a browser says is stored as "watched"
without passing the crediting rules.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Enrolment(models.Model):
    """A worker's place on a course. The id is a UUID because xAPI uses it
    as the statement context's ``registration``."""

    class Source(models.TextChoices):
        SELF = "self", _("enrolled themselves")
        ASSIGNED = "assigned", _("assigned by an organisation")
        VOUCHER = "voucher", _("paid with a voucher")

    class Status(models.TextChoices):
        ACTIVE = "active", _("studying")
        COMPLETED = "completed", _("completed")
        WITHDRAWN = "withdrawn", _("withdrawn")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("worker"),
    )
    course = models.ForeignKey(
        "courses.CoursePage",
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("course"),
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    assigned_by = models.ForeignKey(
        "lms.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_enrolments",
        verbose_name=_("assigned by"),
    )
    enrolled_at = models.DateTimeField(_("enrolled at"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    # Sum of the lessons' credited study seconds, kept by the flusher with F().
    study_seconds = models.FloatField(_("credited study seconds"), default=0)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course"],
                condition=~Q(status="withdrawn"),
                name="enrolment_one_open_per_course",
            ),
            models.CheckConstraint(condition=Q(study_seconds__gte=0), name="enrolment_study_gte_0"),
        ]
        indexes = [models.Index(fields=["course", "status"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.course_id} · {self.get_status_display()}"


class LessonProgress(models.Model):
    """What the server credited for one lesson of one enrolment.

    ``covered`` is the union of the credited media intervals, a sorted list
    of disjoint ``[start, end]`` pairs in seconds; ``covered_seconds`` its
    length. Re-watching a part adds study time but no coverage.
    """

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.PROTECT, related_name="lessons", verbose_name=_("enrolment")
    )
    lesson = models.ForeignKey(
        "courses.LessonPage",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lesson"),
    )
    duration = models.FloatField(_("video duration (s)"), default=0)
    covered = models.JSONField(_("covered intervals"), default=list)
    covered_seconds = models.FloatField(_("covered seconds"), default=0)
    study_seconds = models.FloatField(_("credited study seconds"), default=0)
    last_position = models.FloatField(_("last position (s)"), default=0)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "lesson"], name="lessonprogress_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} · {self.lesson_id} · {self.covered_seconds:.0f}s"


class PlaySession(models.Model):
    """One playing of one lesson's video in one browser tab.

    The ``last_*`` fields are the crediting state after the last heartbeat
    the flusher folded in; ``summarised_at`` is set when the session's
    summary went to the ledger.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="play_sessions",
        verbose_name=_("worker"),
    )
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="play_sessions")
    lesson = models.ForeignKey("courses.LessonPage", on_delete=models.PROTECT, related_name="+")
    duration = models.FloatField(_("video duration (s)"))
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    state = models.JSONField(_("crediting state"), default=dict)
    heartbeats = models.PositiveIntegerField(_("heartbeats"), default=0)
    credited_seconds = models.FloatField(_("credited study seconds"), default=0)
    last_heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    summarised_at = models.DateTimeField(_("summarised at"), null=True, blank=True)

    class Meta:
        verbose_name = _("play session")
        verbose_name_plural = _("play sessions")
        indexes = [
            models.Index(fields=["user", "lesson", "-started_at"]),
            models.Index(
                fields=["last_heartbeat_at"],
                condition=Q(summarised_at__isnull=True),
                name="playsession_open",
            ),
        ]

    def __str__(self) -> str:
        return str(self.id)


class CreditedInterval(models.Model):
    """A stretch of media the server saw played, with the wall-clock span it
    credits. Consecutive heartbeats that continue one another extend the same
    row, so a lesson watched straight through is one row, not hundreds."""

    session = models.ForeignKey(PlaySession, on_delete=models.PROTECT, related_name="intervals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lesson = models.ForeignKey("courses.LessonPage", on_delete=models.PROTECT, related_name="+")
    media_start = models.FloatField(_("from (s)"))
    media_end = models.FloatField(_("to (s)"))
    wall_start = models.DateTimeField(_("wall-clock start"))
    wall_end = models.DateTimeField(_("wall-clock end"))
    seconds = models.FloatField(_("credited study seconds"))

    class Meta:
        verbose_name = _("credited interval")
        verbose_name_plural = _("credited intervals")
        constraints = [
            models.CheckConstraint(
                condition=Q(media_end__gte=models.F("media_start")), name="interval_media_order"
            ),
            models.CheckConstraint(
                condition=Q(wall_end__gte=models.F("wall_start")), name="interval_wall_order"
            ),
            models.CheckConstraint(condition=Q(seconds__gte=0), name="interval_seconds_gte_0"),
        ]
        indexes = [models.Index(fields=["user", "wall_end"])]

    def __str__(self) -> str:
        return f"{self.lesson_id} {self.media_start:.1f}–{self.media_end:.1f}s"


class PresencePrompt(models.Model):
    """An anti-idle (防挂机) check the server asked during a play session.
    Crediting stops from ``issued_at`` until ``answered_at``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(PlaySession, on_delete=models.PROTECT, related_name="prompts")
    issued_at = models.DateTimeField(_("asked at"))
    question = models.JSONField(_("question"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer = models.CharField(_("answer"), max_length=200, blank=True)
    correct = models.BooleanField(_("answered correctly"), null=True)

    class Meta:
        verbose_name = _("presence prompt")
        verbose_name_plural = _("presence prompts")

    def __str__(self) -> str:
        return f"{self.session_id} @ {self.issued_at:%H:%M:%S}"


# --- Check-ins and bulk assignment --------------------------------------------


def _class_session_secret() -> str:
    return secrets.token_hex(32)


class DailyCheckIn(models.Model):
    """A worker's daily study check-in (打卡), one per local (Asia/Shanghai) day."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="daily_checkins",
        verbose_name=_("worker"),
    )
    date = models.DateField(_("date"))
    checked_in_at = models.DateTimeField(_("checked in at"))

    class Meta:
        verbose_name = _("daily check-in")
        verbose_name_plural = _("daily check-ins")
        constraints = [
            models.UniqueConstraint(fields=["user", "date"], name="dailycheckin_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.date}"


class ClassSession(models.Model):
    """An offline class at a training base. Workers check in by scanning the
    QR code on the instructor's screen; its token rotates every few seconds
    (see ``progress.services.checkins``), signed with ``secret``."""

    course = models.ForeignKey(
        "courses.CoursePage",
        on_delete=models.PROTECT,
        related_name="class_sessions",
        verbose_name=_("course"),
    )
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    training_base = models.ForeignKey(
        "lms.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="class_sessions",
        verbose_name=_("training base"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    secret = models.CharField(
        _("token secret"), max_length=64, default=_class_session_secret, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("class session")
        verbose_name_plural = _("class sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="classsession_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ClassCheckIn(models.Model):
    """A worker's presence at a class session, from a scanned QR token."""

    session = models.ForeignKey(
        ClassSession,
        on_delete=models.PROTECT,
        related_name="checkins",
        verbose_name=_("class session"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="class_checkins",
        verbose_name=_("worker"),
    )
    checked_in_at = models.DateTimeField(_("checked in at"))
    # The token window that was scanned, for the audit trail.
    window = models.BigIntegerField(_("token window"))

    class Meta:
        verbose_name = _("class check-in")
        verbose_name_plural = _("class check-ins")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="classcheckin_once"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id} · {self.user_id}"


class AssignmentJob(models.Model):
    """A bulk assignment of workers to courses from an uploaded CSV or XLSX,
    run in the background; ``report`` is the row-by-row result as CSV."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    organisation = models.ForeignKey(
        "lms.Organisation",
        on_delete=models.PROTECT,
        related_name="assignment_jobs",
        verbose_name=_("organisation"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    file = models.FileField(_("file"), upload_to="assignments/")
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    total = models.PositiveIntegerField(_("rows"), default=0)
    ok = models.PositiveIntegerField(_("rows assigned"), default=0)
    failed = models.PositiveIntegerField(_("rows refused"), default=0)
    error = models.TextField(_("why the job failed"), blank=True)
    report = models.FileField(_("report"), upload_to="assignments/reports/", blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment job")
        verbose_name_plural = _("assignment jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name or self.file.name} · {self.get_status_display()}"

    @property
    def processed(self) -> int:
        return self.ok + self.failed

    @property
    def percent(self) -> int:
        return int(100 * self.processed / self.total) if self.total else 0
