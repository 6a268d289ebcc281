"""Certificates: issued once per completion, revoked by a platform admin with
a reason.

A certificate keeps a snapshot of what it states (worker, masked ID, course,
trade, level, credited hours, final score, course version, issuer, date and
the hash of the completion's ledger entry) and its signed Open Badges 3.0
credential (``progress.credentials``). The verification code is 20
characters from a 32-letter alphabet without 0/O/1/I (100 random bits), so
codes cannot be guessed or enumerated.
"""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models.pages import SKILL_LEVEL_NAMES_ZH
from courses.selectors import course_trade_get
from lms.exceptions import ApplicationError
from lms.ledger import ledger_append
from lms.models import WorkerProfile
from lms.selectors import user_is_platform_admin
from progress import credentials
from progress.models import Certificate, CourseCompletion
from progress.selectors.completion import study_hours_of
from progress.xapi import platform
from progress.xapi.services.outbox import page_activity

if TYPE_CHECKING:
    from lms.models import User

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "certificate_credential_build",
    "certificate_issue",
    "certificate_revoke",
]

LEDGER_CHAIN = "progress"
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 20
REASON_MAX = 500


def _code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def _issuer_key(certificate: Certificate) -> str:
    provider_id = certificate.enrolment.course.provider_id
    return str(provider_id) if provider_id else "platform"


def certificate_credential_build(*, certificate: Certificate) -> dict:
    """The certificate as a signed ``OpenBadgeCredential``. The worker is
    identified by name only: never by the ID number, not even hashed (an ID
    number has too little entropy for a hash to hide it)."""
    course = certificate.enrolment.course
    course_id = page_activity(course)["id"]
    issuer_id = platform.site_url(reverse("verify:issuer", args=[_issuer_key(certificate)]))
    achievement = {
        "id": course_id,
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": certificate.course_title,
        "description": course.summary or certificate.course_title,
        "criteria": {"narrative": _rule_narrative(certificate)},
        "fieldOfStudy": certificate.trade,
        "tag": [certificate.level],
        "creator": {"id": issuer_id, "type": ["Profile"], "name": certificate.issuer_name},
    }
    subject = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityType": "name",
                "hashed": False,
                "identityHash": certificate.worker_name,
            }
        ],
        "achievement": achievement,
        "creditsEarned": float(certificate.study_hours),
    }
    if certificate.final_score is not None:
        result_id = course_id + "#final-exam"
        achievement["resultDescription"] = [
            {
                "id": result_id,
                "type": ["ResultDescription"],
                "name": "Final exam",
                "resultType": "Percent",
            }
        ]
        subject["result"] = [
            {
                "type": ["Result"],
                "resultDescription": result_id,
                "value": str(certificate.final_score),
            }
        ]
    issued = platform.timestamp(certificate.issued_at)
    document = {
        "@context": credentials.CONTEXTS,
        "id": platform.site_url(reverse("verify:detail", args=[certificate.code])),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer_id, "type": ["Profile"], "name": certificate.issuer_name},
        "validFrom": issued,
        "name": certificate.course_title,
        "credentialSubject": subject,
    }
    key = credentials.signing_key()
    return credentials.credential_sign(
        document,
        key=key,
        verification_method=credentials.verification_method(
            base_url=platform.site_url("/"), public=key.public_key()
        ),
        created=issued,
    )


def _rule_narrative(certificate: Certificate) -> str:
    """The completion rule the worker met, in words (English: the credential
    is for machines and foreign readers; the PDF speaks Chinese)."""
    try:
        rule = certificate.enrolment.completion.rule
    except CourseCompletion.DoesNotExist:
        rule = {}
    parts = [
        f"Credited coverage of at least {rule.get('coverage_percent', 0)}% "
        "of every video lesson (server-side play tracking)"
    ]
    if Decimal(rule.get("min_study_hours", "0")) > 0:
        parts.append(f"at least {rule['min_study_hours']} credited study hours of 45 minutes")
    if rule.get("requires_quizzes"):
        parts.append("every section quiz passed")
    if rule.get("requires_final_exam"):
        parts.append("the final exam passed")
    if rule.get("requires_practical"):
        parts.append("every practical task passed")
    return "; ".join(parts) + "."


@transaction.atomic
def certificate_issue(
    *, completion: CourseCompletion, final_score: Decimal | None = None
) -> Certificate:
    """Issue the certificate of a completion (once: a second call returns the
    first certificate)."""
    existing = Certificate.objects.filter(enrolment_id=completion.enrolment_id).first()
    if existing is not None:
        return existing
    enrolment = completion.enrolment
    course = enrolment.course
    user = enrolment.user
    profile = WorkerProfile.objects.filter(user=user).first()
    trade = course_trade_get(course=course)
    certificate = Certificate(
        enrolment=enrolment,
        code=_code(),
        worker_name=(profile.legal_name if profile else user.get_full_name() or user.username)[:50],
        id_number_masked=profile.id_number_masked if profile else "",
        course_title=course.title,
        trade=trade.title if trade else "",
        occupation_code=trade.occupation_code if trade else "",
        level=SKILL_LEVEL_NAMES_ZH.get(course.level, str(course.level)),
        study_hours=study_hours_of(enrolment.study_seconds),
        final_score=final_score,
        course_revision_id=completion.course_revision_id,
        issuer_name=course.provider.name if course.provider_id else platform.PLATFORM,
        issued_at=completion.completed_at,
        ledger_entry_hash=completion.ledger_entry_hash,
        credential={},
    )
    certificate.credential = certificate_credential_build(certificate=certificate)
    certificate.full_clean()
    try:
        with transaction.atomic():
            certificate.save()
    except IntegrityError:
        # One chance in 2**100 of a code clash; a concurrent issue for the
        # same enrolment is the likelier cause, and its certificate stands.
        return Certificate.objects.get(enrolment_id=completion.enrolment_id)
    ledger_append(
        chain=LEDGER_CHAIN,
        kind="progress.certificate_issued",
        subject=f"user:{enrolment.user_id}",
        actor_id=enrolment.user_id,
        payload={
            "enrolment": str(enrolment.pk),
            "certificate": certificate.code,
            "completion_entry": completion.ledger_entry_hash,
        },
    )
    return certificate


@transaction.atomic
def certificate_revoke(*, certificate: Certificate, actor: User, reason: str) -> Certificate:
    """Revoke a certificate (platform admins only) with a reason, which the
    public verification page shows. A revoked certificate stays revoked."""
    if not user_is_platform_admin(user=actor):
        raise ApplicationError(
            _("Only platform admins may revoke certificates."),
            extra={"code": "forbidden", "status": 403},
        )
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("Give the reason for revoking this certificate."),
            extra={"code": "reason_required", "status": 400},
        )
    if len(reason) > REASON_MAX:
        raise ApplicationError(
            _("The reason is too long: at most %(max)s characters.") % {"max": REASON_MAX},
            extra={"code": "reason_too_long", "status": 400},
        )
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at is not None:
        raise ApplicationError(
            _("This certificate is already revoked."),
            extra={"code": "already_revoked", "status": 409},
        )
    certificate.revoked_at = timezone.now()
    certificate.revoked_reason = reason
    certificate.revoked_by = actor
    certificate.full_clean()
    certificate.save(update_fields=["revoked_at", "revoked_reason", "revoked_by"])
    ledger_append(
        chain=LEDGER_CHAIN,
        kind="progress.certificate_revoked",
        subject=f"user:{certificate.enrolment.user_id}",
        actor_id=actor.pk,
        payload={
            "enrolment": str(certificate.enrolment_id),
            "certificate": certificate.code,
            "reason": reason,
        },
    )
    return certificate
