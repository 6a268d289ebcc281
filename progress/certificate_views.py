"""Certificate pages: the public verification form and page (no login), the
published credential keys and issuer profiles, and the worker's downloads
of their own certificate (PDF and signed JSON).

The verification page answers only for a full, exact code (100 random
bits): an unknown or altered code is a 404 that says so and shows the form
again, and nothing about workers can be listed or guessed from it.
"""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from progress import credentials, selectors
from progress.certificate_pdf import certificate_pdf_render
from progress.xapi import platform


def _verify_url(code: str) -> str:
    return platform.site_url(reverse("verify:detail", args=[code]))


@require_GET
def verify_form(request):
    """``/verify/``: type a code; ``?code=`` goes to its page."""
    typed = request.GET.get("code", "")
    if typed:
        code = selectors.certificate_code_normalise(typed)
        if code is not None:
            return redirect("verify:detail", code=code)
        return _not_found(request, typed)
    return render(request, "progress/verify.html", {"certificate": None})


def _not_found(request, typed: str):
    return render(
        request,
        "progress/verify.html",
        {"certificate": None, "not_found": True, "typed": typed[:40]},
        status=404,
    )


@require_GET
@cache_control(no_cache=True)
def verify_detail(request, code: str):
    """``/verify/<code>/``: the certificate's facts from the database, the
    hash of the completion's ledger entry and whether it was revoked."""
    certificate = selectors.certificate_get_by_code(code=code)
    if certificate is None:
        return _not_found(request, code)
    return render(
        request,
        "progress/verify.html",
        {"certificate": certificate, "verify_url": _verify_url(certificate.code)},
    )


@require_GET
def credential_keys(request):
    """``/verify/keys.json``: the public keys that sign credentials."""
    document = credentials.keys_document(
        base_url=platform.site_url("/"), keys=credentials.verification_keys()
    )
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False})


@require_GET
def issuer_profile(request, key: str):
    """``/verify/issuers/<provider id>/``: an Open Badges issuer Profile."""
    name = selectors.certificate_issuer_name(key=key, platform_name=platform.PLATFORM)
    if name is None:
        raise Http404
    profile = {
        "@context": credentials.CONTEXTS,
        "id": platform.site_url(reverse("verify:issuer", args=[key])),
        "type": ["Profile"],
        "name": name,
        "url": platform.site_url("/"),
    }
    return JsonResponse(profile, json_dumps_params={"ensure_ascii": False})


def _own(request, code: str):
    certificate = selectors.certificate_get_for_owner(user=request.user, code=code)
    if certificate is None:
        raise Http404
    return certificate


@login_required
@require_GET
def certificate_pdf(request, code: str):
    """The worker's own certificate as a PDF (anyone else's: 404)."""
    certificate = _own(request, code)
    pdf = certificate_pdf_render(certificate=certificate, verify_url=_verify_url(certificate.code))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.code}.pdf"'
    return response


@login_required
@require_GET
def certificate_credential(request, code: str):
    """The worker's own signed credential (Open Badges 3.0 JSON)."""
    certificate = _own(request, code)
    body = json.dumps(certificate.credential, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.code}.json"'
    return response
