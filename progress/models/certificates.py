"""Course completions and the certificates they issue.

A ``CourseCompletion`` is final: it keeps the rule it was judged by and the
course's live revision at that moment, so a later edit of the rule never
revokes it. The ``Certificate`` keeps a snapshot of the facts it states (the
PDF, the public verification page and the signed credential all show these,
never what the course or the worker's profile says today).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Certificate", "CourseCompletion"]


class CourseCompletion(models.Model):
    """The moment an enrolment met its course's completion rule."""

    enrolment = models.OneToOneField(
        "progress.Enrolment",
        on_delete=models.PROTECT,
        related_name="completion",
        verbose_name=_("enrolment"),
    )
    completed_at = models.DateTimeField(_("completed at"))
    # The rule and the figures that met it, as evaluated (see
    # progress.selectors.completion.CompletionStatus.snapshot).
    rule = models.JSONField(_("completion rule"))
    figures = models.JSONField(_("figures"))
    course_revision_id = models.BigIntegerField(_("course revision"), null=True, blank=True)
    ledger_entry_hash = models.CharField(_("ledger entry hash"), max_length=64)

    class Meta:
        verbose_name = _("course completion")
        verbose_name_plural = _("course completions")

    def __str__(self) -> str:
        return f"{self.enrolment_id} · {self.completed_at:%Y-%m-%d}"


class Certificate(models.Model):
    """A certificate of completion, verifiable by its code at ``/verify/<code>/``."""

    enrolment = models.OneToOneField(
        "progress.Enrolment",
        on_delete=models.PROTECT,
        related_name="certificate",
        verbose_name=_("enrolment"),
    )
    code = models.CharField(_("verification code"), max_length=32, unique=True)
    # Snapshot of the facts, as issued.
    worker_name = models.CharField(_("worker"), max_length=50)
    id_number_masked = models.CharField(_("ID number"), max_length=18)
    course_title = models.CharField(_("course"), max_length=255)
    trade = models.CharField(_("trade"), max_length=255, blank=True)
    occupation_code = models.CharField(_("occupation code"), max_length=20, blank=True)
    level = models.CharField(_("skill level"), max_length=100)
    study_hours = models.DecimalField(_("credited study hours"), max_digits=6, decimal_places=1)
    final_score = models.DecimalField(
        _("final exam score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    course_revision_id = models.BigIntegerField(_("course version"), null=True, blank=True)
    issuer_name = models.CharField(_("issuing organisation"), max_length=200)
    issued_at = models.DateTimeField(_("issued at"))
    ledger_entry_hash = models.CharField(_("completion ledger entry"), max_length=64)
    credential = models.JSONField(_("signed credential"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_reason = models.TextField(_("reason for revocation"), blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(revoked_at__isnull=True) | ~models.Q(revoked_reason=""),
                name="certificate_revocation_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.course_title}"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
