"""Statement attachments on the wire (xAPI 1.0.3 Communication 1.5.2):
reading a multipart/mixed request body and writing a multipart/mixed
response. Pure: bytes in, values out; no database, no settings.

Parsing uses the standard library's MIME parser (``email.parser.BytesParser``
with the HTTP policy) rather than hand-rolled splitting: it follows RFC 2046
for boundaries, preambles, epilogues and either line ending, and keeps each
part's octets exactly as sent. Building is plain concatenation, since the
LRS chooses a boundary that appears in no part.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from .validation import XAPIValidationError, json_load, media_type

HASH_HEADER = "X-Experience-API-Hash"
# The SHA-2 functions by the length of their hex digest. 64 hex digits are
# SHA-256 or SHA-512/256, 56 are SHA-224 or SHA-512/224: the spec asks for
# "a SHA-2 hash" (Data 2.4.11) and recommends 256/384/512, so every member of
# the family whose length fits is tried.
_SHA2_BY_LENGTH = {
    56: ("sha224", "sha512_224"),
    64: ("sha256", "sha512_256"),
    96: ("sha384",),
    128: ("sha512",),
}


class XAPIRequestTooLarge(Exception):
    """A request body is larger than the LRS accepts (→ 413)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Part:
    """One attachment part of a multipart/mixed statement request."""

    sha2: str  # the X-Experience-API-Hash header, lower case
    content_type: str  # the part's Content-Type header ("" when absent)
    content_length: int | None  # the part's Content-Length header, when sent
    data: bytes


@dataclass(frozen=True)
class Multipart:
    """A parsed statement request: the JSON of the first part and the
    attachment parts by hash (one copy per hash)."""

    document: Any
    parts: dict[str, Part]


def sha2_matches(data: bytes, declared: str) -> bool:
    """Whether ``declared`` (hex) is a SHA-2 digest of ``data``."""
    declared = declared.strip().lower()
    for name in _SHA2_BY_LENGTH.get(len(declared), ()):
        if name in hashlib.algorithms_available and hashlib.new(name, data).hexdigest() == declared:
            return True
    return False


def multipart_parse(body: bytes, content_type: str) -> Multipart:
    """Read a multipart/mixed statement request (Communication 1.5.2.s2.b2):
    the first part is ``application/json`` with the statements; every
    other part carries ``X-Experience-API-Hash`` and
    ``Content-Transfer-Encoding: binary`` and its data must hash to the
    declared value. Raises ``XAPIValidationError`` with the reason."""
    if "boundary=" not in content_type.replace(" ", "").lower():
        raise XAPIValidationError(_("A multipart/mixed request needs a boundary parameter."))
    # The request's Content-Type becomes the message header the parser reads.
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1", "replace")
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    if not message.get_boundary():
        raise XAPIValidationError(_("A multipart/mixed request needs a boundary parameter."))
    parts = message.get_payload() if message.is_multipart() else None
    if not parts:
        raise XAPIValidationError(
            _("The multipart/mixed body has no part delimited by the declared boundary.")
        )
    first, rest = parts[0], parts[1:]
    if first.get("Content-Type") is None or media_type(first["Content-Type"]) != (
        "application/json"
    ):
        raise XAPIValidationError(
            _("The first part of a multipart/mixed request must be application/json.")
        )
    document = json_load(_octets(first), invalid=_("The first part is not valid JSON."))
    found: dict[str, Part] = {}
    for number, part in enumerate(rest, start=2):
        found_part = _attachment_part(part, number)
        found.setdefault(found_part.sha2, found_part)
    return Multipart(document=document, parts=found)


def _octets(part) -> bytes:
    """The raw data of a leaf part. A part declared multipart/* or message/*
    is parsed by the MIME parser as a nested message and no longer holds its
    octets as sent, so it cannot carry attachment data."""
    if part.is_multipart() or part.get_content_maintype() == "message":
        raise XAPIValidationError(
            _("A part of type %(type)s cannot carry attachment data; send it as a leaf type.")
            % {"type": part.get_content_type()}
        )
    data = part.get_payload(decode=True)
    return data if data is not None else b""


def _attachment_part(part, number: int) -> Part:
    sha2 = (part.get(HASH_HEADER) or "").strip().lower()
    if not sha2:
        raise XAPIValidationError(
            _("Part %(number)s has no X-Experience-API-Hash header.") % {"number": number}
        )
    encoding = (part.get("Content-Transfer-Encoding") or "").strip().lower()
    if encoding != "binary":
        raise XAPIValidationError(
            _("Part %(number)s must have the header Content-Transfer-Encoding: binary.")
            % {"number": number}
        )
    data = _octets(part)
    if not sha2_matches(data, sha2):
        raise XAPIValidationError(
            _("The data of part %(number)s does not have the SHA-2 hash %(sha2)s it declares.")
            % {"number": number, "sha2": sha2}
        )
    length = part.get("Content-Length")
    try:
        content_length = int(length) if length is not None else None
    except ValueError:
        raise XAPIValidationError(
            _("Part %(number)s has an invalid Content-Length header.") % {"number": number}
        ) from None
    return Part(
        sha2=sha2,
        content_type=str(part.get("Content-Type") or ""),
        content_length=content_length,
        data=data,
    )


def multipart_build(payload: Any, attachments: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """A multipart/mixed response (Communication 1.5.2.s2.b2): the JSON
    first, then one part per ``(sha2, content_type, data)``. Returns the
    body and its Content-Type. The boundary is an unquoted token so that
    every client's parser reads it the same."""
    document = json.dumps(payload, cls=DjangoJSONEncoder).encode("utf-8")
    boundary = secrets.token_hex(16)
    while any(boundary.encode() in data for data in [document, *(a[2] for a in attachments)]):
        boundary = secrets.token_hex(16)
    delimiter = f"--{boundary}\r\n".encode()
    chunks = [delimiter, b"Content-Type: application/json\r\n\r\n", document, b"\r\n"]
    for sha2, content_type, data in attachments:
        chunks += [
            delimiter,
            f"Content-Type: {content_type}\r\n".encode("latin-1", "replace"),
            b"Content-Transfer-Encoding: binary\r\n",
            f"{HASH_HEADER}: {sha2}\r\n\r\n".encode(),
            data,
            b"\r\n",
        ]
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/mixed; boundary={boundary}"
