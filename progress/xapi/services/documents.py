"""Writes of the document resources (State, Activity Profile, Agent Profile;
xAPI 1.0.3 Communication 2.2–2.7 and the concurrency rules of 3.1), and the
LRS's canonical Activity definitions that the Activities resource serves.

Each write runs in one transaction with the document's row locked, so the
ETag preconditions are checked against what is really there and two
concurrent PUTs of a new document never leave two rows (the unique
``(client, key_hash)`` constraint decides, and the loser is treated as a
write to the existing document)."""

from __future__ import annotations

import copy
import hashlib
import json

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.exceptions import ApplicationError

from ..identity import statement_activities
from ..models import XAPIActivity, XAPIClient, XAPIDocument
from ..selectors.documents import DocumentRequest, activity_hash
from ..validation import XAPIValidationError

__all__ = [
    "XAPIDocumentConflict",
    "XAPIPreconditionFailed",
    "activity_definitions_merge",
    "definition_merge",
    "document_delete",
    "document_etag",
    "document_post",
    "document_put",
    "documents_delete",
]

JSON_TYPE = "application/json"
DEFAULT_CONTENT_TYPE = "application/octet-stream"
# A lost race for a new document is retried against the row that won it; a
# row deleted again in between sends us round once more.
_ATTEMPTS = 3


class XAPIPreconditionFailed(ApplicationError):
    """An If-Match or If-None-Match precondition does not hold (→ 412)."""


class XAPIDocumentConflict(ApplicationError):
    """A PUT without If-Match or If-None-Match would overwrite an existing
    document, or lost a race it cannot settle (→ 409)."""


def document_etag(content: bytes) -> str:
    """The ETag of a document: the lower-case hex SHA-1 of its content
    (Communication 3.1.s4.b2), unquoted."""
    return hashlib.sha1(content, usedforsecurity=False).hexdigest()


def _media_type(content_type: str) -> str:
    return content_type.split(";", 1)[0].strip().lower()


def _etag_matches(header: str, etag: str) -> bool:
    """Whether an If-Match / If-None-Match value (``*`` or a list of entity
    tags, RFC 2616 §14.24) names ``etag``."""
    if header.strip() == "*":
        return True
    for tag in header.split(","):
        tag = tag.strip()
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag.strip('"').lower() == etag:
            return True
    return False


def _preconditions_check(
    current: XAPIDocument | None, *, if_match: str | None, if_none_match: str | None
) -> None:
    if if_match is not None and (current is None or not _etag_matches(if_match, current.etag)):
        raise XAPIPreconditionFailed(
            _(
                "The document was changed since you read it, or does not exist "
                "(If-Match does not match its ETag)."
            )
        )
    if (
        if_none_match is not None
        and current is not None
        and _etag_matches(if_none_match, current.etag)
    ):
        raise XAPIPreconditionFailed(
            _("The document already exists (If-None-Match matches its ETag).")
        )


def _json_load(content: bytes):
    try:
        return json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise XAPIValidationError(
            _("The document is sent as application/json but is not valid JSON.")
        ) from None


def _content_check(content: bytes, content_type: str) -> None:
    """A document may be any bytes, but one that says it is JSON must be."""
    if _media_type(content_type) == JSON_TYPE:
        _json_load(content)


def _locked(client: XAPIClient, request: DocumentRequest) -> XAPIDocument | None:
    return (
        XAPIDocument.objects.select_for_update()
        .filter(client=client, key_hash=request.key_hash)
        .first()
    )


def _write_check(client: XAPIClient) -> None:
    if not client.can_write:
        raise ApplicationError(_("This client may not store documents."))


def _clean(document: XAPIDocument) -> None:
    """``full_clean`` of the row, its errors as a 400 (an id or content type
    longer than its column, say). The unique key is left to the database,
    which settles concurrent inserts (``_save``)."""
    try:
        document.full_clean(exclude=["client"], validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        reasons = [
            f"{name}: {message}"
            for name, messages in error.message_dict.items()
            for message in messages
        ]
        raise XAPIValidationError("; ".join(reasons)) from None


def _save(
    client: XAPIClient,
    request: DocumentRequest,
    current: XAPIDocument | None,
    *,
    content: bytes,
    content_type: str,
) -> XAPIDocument | None:
    """Overwrite ``current``, or insert the document; None when a concurrent
    request inserted it first (the caller locks that row and decides again)."""
    now = timezone.now()
    if current is not None:
        current.content = content
        current.content_type = content_type
        current.etag = document_etag(content)
        current.updated = now
        _clean(current)
        current.save(update_fields=["content", "content_type", "etag", "updated"])
        return current
    scope_hash, key_hash = request.scope_hash, request.key_hash
    document = XAPIDocument(
        client=client,
        kind=request.kind,
        activity_id=request.activity_id,
        agent_key=request.agent_key,
        registration=request.registration,
        document_id=request.document_id,
        scope_hash=scope_hash,
        key_hash=key_hash,
        content=content,
        content_type=content_type,
        etag=document_etag(content),
        updated=now,
    )
    _clean(document)
    try:
        with transaction.atomic():
            document.save(force_insert=True)
    except IntegrityError:
        return None
    return document


def _lost_race() -> XAPIDocumentConflict:
    return XAPIDocumentConflict(
        _("The document was changed by another request at the same time; send it again.")
    )


def document_put(
    *,
    client: XAPIClient,
    request: DocumentRequest,
    content: bytes,
    content_type: str,
    if_match: str | None = None,
    if_none_match: str | None = None,
) -> XAPIDocument:
    """Store or replace one document (PUT). The profile resources require
    If-Match or If-None-Match (Communication 3.1.s3.b1): without either, a
    document that exists is a 409 Conflict (3.1.s4.b13) and a new one a 400.
    The State resource allows PUT without them (3.1.s3). A failed
    precondition is ``XAPIPreconditionFailed``; nothing is written then."""
    _write_check(client)
    content_type = content_type or DEFAULT_CONTENT_TYPE
    _content_check(content, content_type)
    headerless = if_match is None and if_none_match is None
    with transaction.atomic():
        for _attempt in range(_ATTEMPTS):
            current = _locked(client, request)
            if headerless and request.kind != XAPIDocument.Kind.STATE:
                if current is not None:
                    raise XAPIDocumentConflict(
                        _(
                            "The document already exists. Fetch it, then send the PUT "
                            "again with If-Match set to its current ETag."
                        )
                    )
                raise XAPIValidationError(
                    _(
                        "A PUT to this resource must send If-Match (the ETag of the "
                        "document you replace) or If-None-Match: * (for a new one)."
                    )
                )
            _preconditions_check(current, if_match=if_match, if_none_match=if_none_match)
            saved = _save(client, request, current, content=content, content_type=content_type)
            if saved is not None:
                return saved
    raise _lost_race()


def document_post(
    *,
    client: XAPIClient,
    request: DocumentRequest,
    content: bytes,
    content_type: str,
    if_match: str | None = None,
    if_none_match: str | None = None,
) -> XAPIDocument:
    """Store a new document, or merge a JSON object into an existing one
    (POST, Communication 2.2.s7): the posted object's top-level properties
    replace the stored ones. Merging needs both documents to be
    application/json objects, else 400 and nothing changes (2.2.s8.b1)."""
    _write_check(client)
    content_type = content_type or DEFAULT_CONTENT_TYPE
    _content_check(content, content_type)
    with transaction.atomic():
        for _attempt in range(_ATTEMPTS):
            current = _locked(client, request)
            _preconditions_check(current, if_match=if_match, if_none_match=if_none_match)
            if current is None:
                saved = _save(client, request, None, content=content, content_type=content_type)
                if saved is not None:
                    return saved
                continue
            merged = _merged(current, content=content, content_type=content_type)
            return _save(
                client,
                request,
                current,
                content=json.dumps(merged, ensure_ascii=False).encode("utf-8"),
                content_type=current.content_type,
            )
    raise _lost_race()


def _merged(current: XAPIDocument, *, content: bytes, content_type: str) -> dict:
    if _media_type(content_type) != JSON_TYPE or _media_type(current.content_type) != JSON_TYPE:
        raise XAPIValidationError(
            _(
                "A POST merges JSON documents: both the stored document and the one "
                "sent must be application/json."
            )
        )
    posted = _json_load(content)
    try:
        stored = json.loads(bytes(current.content).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        stored = None
    if not isinstance(posted, dict) or not isinstance(stored, dict):
        raise XAPIValidationError(
            _(
                "A POST merges JSON objects: both the stored document and the one "
                "sent must be JSON objects."
            )
        )
    return {**stored, **posted}


def document_delete(
    *,
    client: XAPIClient,
    request: DocumentRequest,
    if_match: str | None = None,
    if_none_match: str | None = None,
) -> None:
    """Delete one document; deleting one that does not exist is a no-op.
    A failed precondition is ``XAPIPreconditionFailed`` and deletes nothing."""
    _write_check(client)
    with transaction.atomic():
        current = _locked(client, request)
        _preconditions_check(current, if_match=if_match, if_none_match=if_none_match)
        if current is not None:
            current.delete()


def documents_delete(*, client: XAPIClient, request: DocumentRequest) -> int:
    """Delete every State document of an activity and agent, or of one
    registration of them when ``registration`` is given (Communication
    2.3.s5); return how many."""
    _write_check(client)
    rows = XAPIDocument.objects.filter(client=client, scope_hash=request.scope_hash)
    if request.registration:
        rows = rows.filter(registration=request.registration)
    deleted, _by_model = rows.delete()
    return deleted


# --- canonical Activity definitions -----------------------------------------------

# Definition properties that are language maps or extension maps: merged key
# by key. Every other property (type, moreInfo, interactionType,
# correctResponsesPattern, the interaction component lists) is replaced.
_MAPS = ("name", "description", "extensions")


def definition_merge(stored: dict, incoming: dict) -> dict:
    """The canonical definition after ``incoming`` is received: language maps
    and extensions merged by key (the newer text of one language wins), every
    other property replaced by the newer one."""
    merged = copy.deepcopy(stored)
    for key, value in incoming.items():
        if key in _MAPS and isinstance(merged.get(key), dict) and isinstance(value, dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def activity_definitions_merge(*, statements: list[dict]) -> None:
    """Fold the Activity definitions of newly stored statements into the
    LRS's canonical definitions (``XAPIActivity``), which the Activities
    resource serves. The spec lets the LRS decide whom to trust with a
    definition (Data 2.4.4.1.s4); every client allowed to store statements
    is trusted here.

    Only definitions that change something are written, and those rows are
    locked in ``id_hash`` order, so statements repeating a known definition
    cost one read and concurrent batches cannot deadlock. Call it inside
    the transaction that stores the statements."""
    incoming: dict[str, dict] = {}
    for statement in statements:
        for activity in statement_activities(statement):
            definition = activity.get("definition")
            if definition:
                incoming[activity["id"]] = definition_merge(
                    incoming.get(activity["id"], {}), definition
                )
    if not incoming:
        return
    hashes = {activity_hash(activity_id): activity_id for activity_id in incoming}
    known = dict(
        XAPIActivity.objects.filter(id_hash__in=list(hashes)).values_list("id_hash", "definition")
    )
    changed = sorted(
        h
        for h, activity_id in hashes.items()
        if h not in known or definition_merge(known[h], incoming[activity_id]) != known[h]
    )
    if not changed:
        return
    XAPIActivity.objects.bulk_create(
        [
            XAPIActivity(activity_id=hashes[h], id_hash=h, definition={})
            for h in changed
            if h not in known
        ],
        ignore_conflicts=True,
    )
    now = timezone.now()
    rows = list(
        XAPIActivity.objects.select_for_update().filter(id_hash__in=changed).order_by("id_hash")
    )
    for row in rows:
        row.definition = definition_merge(row.definition, incoming[hashes[row.id_hash]])
        row.updated = now
    XAPIActivity.objects.bulk_update(rows, ["definition", "updated"])
