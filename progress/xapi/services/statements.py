"""Writes of the Learning Record Store: storing statements (single or batch),
with the id-conflict, voiding, ``stored``/``timestamp``/``authority`` and
``version`` rules of xAPI 1.0.3.

Statements stored here are records only: nothing in this module touches
credited time, lesson progress or completion.
"""

from __future__ import annotations

import copy
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.exceptions import ApplicationError

from ..identity import agent_key, statement_relations
from ..models import XAPIAttachment, XAPIClient, XAPIStatement, XAPIStatementRelation
from ..validation import (
    SIGNATURE_USAGE,
    VOIDED_VERB,
    XAPIValidationError,
    attachment_parts_validate,
    jws_statement,
    statement_attachments,
    statement_validate,
    timestamp_parse,
)
from .documents import activity_definitions_merge


class XAPIConflict(ApplicationError):
    """A statement id is already stored with different content (→ 409)."""


@dataclass(frozen=True)
class StoredBatch:
    """The ids of a stored batch, in order, and how many were new (the others
    were already stored with the same content)."""

    ids: list[str]
    new: int


def iso(moment: datetime) -> str:
    """An instant as the LRS writes it: UTC, microseconds, ``Z``."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


# --- clients ----------------------------------------------------------------


def xapi_client_create(
    *,
    name: str,
    organisation=None,
    can_write: bool = True,
    can_read_all: bool = False,
) -> tuple[XAPIClient, str]:
    """Register a client system; return it with its generated secret, which
    is shown once and kept only as a hash."""
    secret = secrets.token_urlsafe(32)
    client = XAPIClient(
        name=name,
        key=secrets.token_hex(16),
        organisation=organisation,
        can_write=can_write,
        can_read_all=can_read_all,
    )
    client.set_secret(secret)
    client.full_clean()
    client.save()
    return client, secret


# --- statement comparison (Data 2.3.1, "Statement Comparison Requirements") ---


def _comparable(value, *, key: str | None = None):
    """What is significant when two statements with one id are compared:
    not id, authority, stored, version or attachments; not Activity
    definitions; timestamps as instants; UUIDs without case; Group members in
    any order. Extension values are compared as sent."""
    if key == "extensions":
        return value
    if isinstance(value, dict):
        is_activity = "id" in value and value.get("objectType", "Activity") == "Activity"
        out = {}
        for name, item in value.items():
            if key is None and name in ("id", "authority", "stored", "version", "attachments"):
                continue
            if name == "definition" and is_activity:
                continue
            if name == "timestamp" and isinstance(item, str):
                out[name] = timestamp_parse(item).timestamp()
                continue
            out[name] = _comparable(item, key=name)
        if isinstance(out.get("member"), list):
            out["member"] = sorted(out["member"], key=repr)
        return out
    if isinstance(value, list):
        return [_comparable(item, key=key) for item in value]
    if key in ("registration", "id") and isinstance(value, str) and len(value) == 36:
        return value.lower()
    return value


def statements_equivalent(a: dict, b: dict) -> bool:
    """Whether two statements are the same statement for the purposes of an
    id conflict (``a`` stored, ``b`` received)."""
    a, b = _comparable(a), _comparable(b)
    if "timestamp" not in a or "timestamp" not in b:
        # The LRS filled in the timestamp of the one stored without it.
        a.pop("timestamp", None)
        b.pop("timestamp", None)
    return a == b


# --- attachments and signatures (Communication 1.5.2, Data 2.6) ----------------


def _signatures_check(statements: list[dict], parts: dict) -> None:
    """Each signature attachment's JWS must carry, as its payload, a statement
    logically equivalent to the one received (Data 2.6.s5.b3): compared by the
    statement comparison rules, and by id when both have one."""
    for statement in statements:
        for attachment in statement.get("attachments") or []:
            if attachment["usageType"] != SIGNATURE_USAGE:
                continue
            signed = jws_statement(parts[attachment["sha2"].lower()].data)
            try:
                signed = statement_validate(signed)
            except XAPIValidationError as error:
                raise XAPIValidationError(
                    _("The JWS payload is not a valid statement: %(reason)s")
                    % {"reason": error.message}
                ) from None
            same_id = "id" not in signed or "id" not in statement or signed["id"] == statement["id"]
            if not same_id or not statements_equivalent(signed, statement):
                raise XAPIValidationError(
                    _("The signed statement in the JWS payload differs from the statement sent.")
                )


def _attachments_store(statements: list[dict], parts: dict) -> None:
    """Keep the data of the parts these statements reference, once per hash:
    a hash already stored is the same data."""
    wanted = {
        str(attachment["sha2"]).lower(): attachment["contentType"]
        for statement in statements
        for attachment in statement_attachments(statement)
    }
    rows = [
        XAPIAttachment(
            sha2=sha2,
            content_type=part.content_type or wanted[sha2],
            length=len(part.data),
            content=part.data,
        )
        for sha2, part in parts.items()
        if sha2 in wanted
    ]
    if rows:
        XAPIAttachment.objects.bulk_create(rows, ignore_conflicts=True)


# --- storing ------------------------------------------------------------------


def _actor_users(actors: list[dict]) -> dict[str, int]:
    """The platform users the actors identify, by agent key, in at most two
    queries for a whole batch: by mbox (the user's e-mail, any case) or by an
    account on the platform's homePage (setting ``XAPI_ACCOUNT_HOMEPAGE``,
    name = user id). Groups identify no one."""
    User = get_user_model()
    agents = [a for a in actors if a.get("objectType") != "Group"]
    found: dict[str, int] = {}
    emails = {a["mbox"][len("mailto:") :].lower(): agent_key(a) for a in agents if "mbox" in a}
    if emails:
        rows = (
            User.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=list(emails))
            .values_list("email_lower", "pk")
        )
        found.update({emails[email]: pk for email, pk in rows})
    homepage = getattr(settings, "XAPI_ACCOUNT_HOMEPAGE", None)
    accounts = {
        int(a["account"]["name"]): agent_key(a)
        for a in agents
        if homepage
        and "account" in a
        and a["account"]["homePage"] == homepage
        and a["account"]["name"].isdigit()
    }
    if accounts:
        for pk in User.objects.filter(pk__in=list(accounts)).values_list("pk", flat=True):
            found[accounts[pk]] = pk
    return found


def _row(
    statement: dict, *, client: XAPIClient, stored: datetime, users: dict[str, int]
) -> XAPIStatement:
    target = statement["object"]
    kind = target.get("objectType", "Activity")
    timestamp = timestamp_parse(statement["timestamp"])
    registration = statement.get("context", {}).get("registration")
    return XAPIStatement(
        statement_id=uuid.UUID(statement["id"]),
        data=statement,
        stored=stored,
        timestamp=timestamp,
        verb_id=statement["verb"]["id"],
        actor_key=agent_key(statement["actor"]) or "",
        object_activity_id=target["id"] if kind == "Activity" else "",
        object_agent_key=(agent_key(target) or "") if kind in ("Agent", "Group") else "",
        object_statement_id=uuid.UUID(target["id"]) if kind == "StatementRef" else None,
        registration=uuid.UUID(registration) if registration else None,
        is_voiding=statement["verb"]["id"] == VOIDED_VERB,
        client=client,
        actor_user_id=users.get(agent_key(statement["actor"]) or ""),
    )


def statements_store(
    *, statements: list, client: XAPIClient, authority: dict, parts: dict | None = None
) -> StoredBatch:
    """Validate and store a batch atomically; return the ids in order and
    how many were new.

    ``parts`` is the attachment data a multipart/mixed request carried, by
    lower-case SHA-2 (``attachments.Part``): every attachment without a
    fileUrl needs its part, every part an attachment, and signatures must
    match their statement (``_signatures_check``); the data is stored in the
    statements' transaction, once per hash.

    An id already stored with an equivalent statement is a no-op; with a
    different one the whole batch fails with ``XAPIConflict``. Two statements
    with one id in the batch, or any invalid statement, fail it with
    ``XAPIValidationError``. ``stored`` and ``authority`` are the LRS's;
    ``timestamp`` defaults to ``stored``; ``version`` to 1.0.0. A voiding
    statement voids its target unless the target is itself a voiding
    statement (then it is stored and has no effect, Data 2.3.2)."""
    if not client.can_write:
        raise ApplicationError(_("This client may not store statements."))
    if not isinstance(statements, list) or not statements:
        raise XAPIValidationError(_("Expected a statement or a non-empty array of statements."))
    statements = [statement_validate(copy.deepcopy(s)) for s in statements]
    parts = parts or {}
    attachment_parts_validate(statements, parts)
    _signatures_check(statements, parts)
    ids = []
    for statement in statements:
        statement.setdefault("id", str(uuid.uuid4()))
        ids.append(statement["id"])
    if len(set(ids)) != len(ids):
        raise XAPIValidationError(_("Two statements in the batch have the same id."))
    try:
        return _store(statements, ids, client=client, authority=authority, parts=parts)
    except IntegrityError:
        # A concurrent request stored one of these ids between our check and
        # our insert: run the comparison again against what it stored.
        return _store(statements, ids, client=client, authority=authority, parts=parts)


@transaction.atomic
def _store(
    statements: list[dict], ids: list[str], *, client: XAPIClient, authority: dict, parts: dict
) -> StoredBatch:
    existing = {
        str(row.statement_id): row.data
        for row in XAPIStatement.objects.filter(statement_id__in=ids).only("statement_id", "data")
    }
    for statement in statements:
        stored_before = existing.get(statement["id"])
        if stored_before is not None and not statements_equivalent(stored_before, statement):
            raise XAPIConflict(
                _("A different statement with id %(id)s is already stored.")
                % {"id": statement["id"]}
            )
    new = [s for s in statements if s["id"] not in existing]
    if not new:
        return StoredBatch(ids=ids, new=0)
    stored = timezone.now()
    stored_text = iso(stored)
    users = _actor_users([statement["actor"] for statement in new])
    rows = []
    for statement in new:
        statement["stored"] = stored_text
        statement["authority"] = authority
        statement.setdefault("timestamp", stored_text)
        statement.setdefault("version", "1.0.0")
        rows.append(_row(statement, client=client, stored=stored, users=users))
    XAPIStatement.objects.bulk_create(rows)
    activity_definitions_merge(statements=new)
    _attachments_store(new, parts)
    XAPIStatementRelation.objects.bulk_create(
        XAPIStatementRelation(statement=row, kind=kind, key=key, direct=direct, stored=stored)
        for row in rows
        for kind, key, direct in statement_relations(row.data)
    )
    targets = [row.object_statement_id for row in rows if row.is_voiding]
    if targets:
        # A voiding statement cannot void another voiding statement.
        XAPIStatement.objects.filter(statement_id__in=targets, is_voiding=False).update(voided=True)
    # A statement whose voiding statement arrived first is voided on arrival.
    plain = [row.statement_id for row in rows if not row.is_voiding]
    voided_before = XAPIStatement.objects.filter(
        is_voiding=True, object_statement_id__in=plain
    ).values_list("object_statement_id", flat=True)
    XAPIStatement.objects.filter(statement_id__in=list(voided_before)).update(voided=True)
    return StoredBatch(ids=ids, new=len(rows))
