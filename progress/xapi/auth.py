"""HTTP Basic authentication of client systems (``XAPIClient``).

The LRS has no cookie or session authentication: every request carries the
client's ``key:secret``. What a client may read is decided by
``selectors.statements_visible_to``; what it may write by ``can_write``.
"""

from __future__ import annotations

import base64
import binascii

from .models import XAPIClient

REALM = "xapi"


def client_from_request(request) -> XAPIClient | None:
    """The active client whose Basic credentials the request carries, else
    None."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _sep, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    key, sep, secret = decoded.partition(":")
    if not sep:
        return None
    client = XAPIClient.objects.filter(key=key, active=True).select_related("organisation").first()
    if client is None or not client.check_secret(secret):
        return None
    return client


def client_authority(*, client: XAPIClient, homepage: str) -> dict:
    """The ``authority`` the LRS writes on statements this client stores: an
    Agent identified by an account on the LRS."""
    return {
        "objectType": "Agent",
        "name": client.name,
        "account": {"homePage": homepage, "name": client.key},
    }
