"""Quiz and exam attempts: one row per attempt, one per question it drew.

An attempt freezes, when it starts, a copy of each drawn question in two
views (``courses.grading``): the public one the player shows (options in the
attempt's own shuffled order, no answers) and the grading spec, which stays
on the server until the attempt is submitted. Grading reads only the frozen
spec, so editing the bank later changes no attempt.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

__all__ = ["AttemptQuestion", "QuizAttempt"]


class QuizAttempt(models.Model):
    """One worker's attempt at a quiz (a lesson's section quiz, or the
    course's final exam when ``lesson`` is null)."""

    class Status(models.TextChoices):
        OPEN = "open", _("in progress")
        SUBMITTED = "submitted", _("submitted")
        EXPIRED = "expired", _("time ran out")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    enrolment = models.ForeignKey(
        "progress.Enrolment",
        on_delete=models.PROTECT,
        related_name="quiz_attempts",
        verbose_name=_("enrolment"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="quiz_attempts",
        verbose_name=_("worker"),
    )
    quiz = models.ForeignKey(
        "courses.Quiz", on_delete=models.PROTECT, related_name="+", verbose_name=_("quiz")
    )
    lesson = models.ForeignKey(
        "courses.LessonPage",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lesson"),
    )
    number = models.PositiveIntegerField(_("attempt number"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    started_at = models.DateTimeField(_("started at"))
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The quiz's pass mark when the attempt started: a later edit of the quiz
    # does not turn a pass into a fail.
    pass_mark_percent = models.PositiveSmallIntegerField(_("pass mark (%)"))
    score = models.DecimalField(_("score"), max_digits=8, decimal_places=4, null=True, blank=True)
    max_score = models.DecimalField(_("maximum score"), max_digits=8, decimal_places=4)
    percent = models.DecimalField(
        _("percent"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    passed = models.BooleanField(_("passed"), null=True, blank=True)

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "quiz"],
                condition=Q(status="open"),
                name="quizattempt_one_open_per_quiz",
            ),
            models.UniqueConstraint(
                fields=["enrolment", "quiz", "number"], name="quizattempt_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | Q(percent__gte=0, percent__lte=100),
                name="quizattempt_percent_0_to_100",
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(submitted_at__isnull=False, score__isnull=False),
                name="quizattempt_closed_has_result",
            ),
        ]
        indexes = [models.Index(fields=["quiz", "status"], name="quizattempt_quiz_status")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.quiz_id} #{self.number} · {self.get_status_display()}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class AttemptQuestion(models.Model):
    """A question drawn for an attempt, frozen at the start, and the answer
    given to it with its grade once the attempt is submitted."""

    attempt = models.ForeignKey(
        QuizAttempt, on_delete=models.CASCADE, related_name="questions", verbose_name=_("attempt")
    )
    position = models.PositiveSmallIntegerField(_("position"))
    # SET_NULL: a question deleted from its bank keeps its frozen copies here.
    question = models.ForeignKey(
        "courses.Question",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("question"),
    )
    public_data = models.JSONField(_("question as shown"))
    grading_data = models.JSONField(_("grading spec"))
    answer = models.JSONField(_("answer"), null=True, blank=True)
    points = models.DecimalField(_("points"), max_digits=5, decimal_places=4, null=True, blank=True)
    correct = models.BooleanField(_("correct"), null=True, blank=True)

    class Meta:
        verbose_name = _("attempt question")
        verbose_name_plural = _("attempt questions")
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "position"], name="attemptquestion_position_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id} · {self.position}"
