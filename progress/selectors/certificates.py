"""Reads of certificates: by verification code (public), the worker's own,
and the admin listing."""

from __future__ import annotations

import re

from django.db.models import QuerySet

from lms.models import Organisation
from progress.models import Certificate

__all__ = [
    "certificate_code_normalise",
    "certificate_for_enrolment",
    "certificate_issuer_name",
    "certificate_get_by_code",
    "certificate_get_for_owner",
    "certificate_list",
]

# The alphabet of progress.services.certificates (no 0, 1, I, O).
_CODE = re.compile(r"[2-9A-HJ-NP-Z]{20}")


def certificate_code_normalise(code: str) -> str | None:
    """A typed code as stored: upper case, without spaces or dashes; None if
    it cannot be a code (then there is nothing to look up)."""
    code = re.sub(r"[\s-]", "", str(code or "")).upper()
    return code if _CODE.fullmatch(code) else None


def certificate_get_by_code(*, code: str) -> Certificate | None:
    """The certificate with this code, or None (also for anything that is
    not a code: no query is made for it)."""
    normalised = certificate_code_normalise(code)
    if normalised is None:
        return None
    return (
        Certificate.objects.select_related("enrolment__course", "revoked_by")
        .filter(code=normalised)
        .first()
    )


def certificate_get_for_owner(*, user, code: str) -> Certificate | None:
    """The certificate with this code if it is ``user``'s own, else None."""
    certificate = certificate_get_by_code(code=code)
    if certificate is None or not getattr(user, "is_authenticated", False):
        return None
    return certificate if certificate.enrolment.user_id == user.pk else None


def certificate_for_enrolment(*, enrolment) -> Certificate | None:
    return Certificate.objects.filter(enrolment=enrolment).first()


def certificate_list() -> QuerySet[Certificate]:
    """Every certificate, newest first (the admin listing)."""
    return Certificate.objects.select_related("enrolment", "revoked_by").order_by("-issued_at")


def certificate_issuer_name(*, key: str, platform_name: str) -> str | None:
    """The name of an issuer profile's organisation: ``key`` is a training
    provider's id, or "platform" for certificates of courses without one."""
    if key == "platform":
        return platform_name
    if not key.isdigit():
        return None
    return Organisation.objects.filter(pk=int(key)).values_list("name", flat=True).first()
