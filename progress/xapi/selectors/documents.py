"""Reads of the document resources (State, Activity Profile, Agent Profile),
the Activities and the Agents resources (xAPI 1.0.3 Communication 2.2–2.7),
and the parsing of their query parameters. Documents are read per client
system: a client sees only the documents it stored."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Max
from django.utils.translation import gettext as _

from ..identity import agent_key
from ..models import XAPIActivity, XAPIClient, XAPIDocument
from ..validation import (
    XAPIValidationError,
    agent_validate,
    iri_validate,
    timestamp_parse,
    uuid_validate,
)

__all__ = [
    "DocumentRequest",
    "activity_hash",
    "activity_object",
    "activity_request_parse",
    "agent_param_parse",
    "agents_request_parse",
    "document_get",
    "document_hashes",
    "document_ids",
    "document_request_parse",
]

Kind = XAPIDocument.Kind

# Per resource: the scope parameters, the name of the document id parameter,
# and whether a list (no document id) may be deleted at once.
_RESOURCES = {
    Kind.STATE: (("activityId", "agent"), "stateId", True),
    Kind.ACTIVITY_PROFILE: (("activityId",), "profileId", False),
    Kind.AGENT_PROFILE: (("agent",), "profileId", False),
}


@dataclass(frozen=True)
class DocumentRequest:
    """The parsed parameters of one request to a document resource.
    ``document_id`` is None for the list GET and the State's list DELETE."""

    kind: str
    activity_id: str = ""
    agent_key: str = ""
    registration: str = ""
    document_id: str | None = None
    since: datetime | None = None

    @property
    def scope_hash(self) -> str:
        return document_hashes(self)[0]

    @property
    def key_hash(self) -> str:
        return document_hashes(self)[1]


def document_hashes(request: DocumentRequest) -> tuple[str, str]:
    """``(scope_hash, key_hash)`` of a document request: SHA-256 of the
    compact JSON array ``[kind, activity_id, agent_key]`` and of
    ``[kind, activity_id, agent_key, registration, document_id]``.

    The one canonical form of both hashes. The State's registration is kept
    out of the scope hash on purpose: a list GET or DELETE without
    ``registration`` covers every registration of the activity and agent
    (Communication 2.3.s4, 2.3.s5), so the scope index serves both and the
    registration column narrows it."""

    def digest(parts: list) -> str:
        text = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    scope = [request.kind, request.activity_id, request.agent_key]
    return digest(scope), digest([*scope, request.registration, request.document_id or ""])


def activity_hash(activity_id: str) -> str:
    """``XAPIActivity.id_hash``: SHA-256 of the IRI."""
    return hashlib.sha256(activity_id.encode("utf-8")).hexdigest()


# --- parameters -----------------------------------------------------------------


def _single_values(params) -> dict[str, str]:
    """Query parameters as single strings; a repeated parameter is a 400."""
    values = {}
    for name in params:
        items = params.getlist(name) if hasattr(params, "getlist") else [params[name]]
        if len(items) != 1:
            raise XAPIValidationError(
                _("The parameter %(name)s must be given once.") % {"name": name}
            )
        values[name] = items[0]
    return values


def _unknown_check(values: dict, allowed: set[str]) -> None:
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise XAPIValidationError(
            _("Unknown parameter %(name)s for this resource.") % {"name": unknown[0]}
        )


def _required(values: dict, name: str) -> str:
    value = values.get(name)
    if not value:
        raise XAPIValidationError(_("The parameter %(name)s is required.") % {"name": name})
    return value


def agent_param_parse(value: str) -> dict:
    """The ``agent`` query parameter: JSON of an Agent (not a Group) with
    exactly one inverse functional identifier."""
    try:
        agent = json.loads(value)
    except ValueError:
        raise XAPIValidationError(_("The agent parameter is not valid JSON.")) from None
    return agent_validate(agent, "agent")


def document_request_parse(*, kind: str, method: str, params) -> DocumentRequest:
    """Validate the query parameters of a request to a document resource:
    the resource's required parameters, ``activityId`` an absolute IRI,
    ``agent`` an Agent, ``registration`` a UUID (State only), ``since`` a
    timestamp (GET only), the document id required for PUT and POST (and
    for DELETE on the profile resources). Any other parameter is a 400
    (Communication 3.2.s3.b7)."""
    scope_params, id_param, list_delete = _RESOURCES[kind]
    values = _single_values(params)
    allowed = {*scope_params, id_param}
    if kind == Kind.STATE:
        allowed.add("registration")
    if method in ("GET", "HEAD"):
        allowed.add("since")
    _unknown_check(values, allowed)
    fields: dict = {"kind": kind}
    if "activityId" in scope_params:
        fields["activity_id"] = iri_validate(_required(values, "activityId"), "activityId")
    if "agent" in scope_params:
        fields["agent_key"] = agent_key(agent_param_parse(_required(values, "agent")))
    if "registration" in values:
        fields["registration"] = uuid_validate(values["registration"], "registration")
    if "since" in values:
        fields["since"] = timestamp_parse(values["since"], "since")
    needs_id = method in ("PUT", "POST") or (method == "DELETE" and not list_delete)
    if needs_id or id_param in values:
        fields["document_id"] = _required(values, id_param)
    return DocumentRequest(**fields)


def activity_request_parse(*, params) -> str:
    """The ``activityId`` of a GET to the Activities resource."""
    values = _single_values(params)
    _unknown_check(values, {"activityId"})
    return iri_validate(_required(values, "activityId"), "activityId")


def agents_request_parse(*, params) -> dict:
    """The ``agent`` of a GET to the Agents resource."""
    values = _single_values(params)
    _unknown_check(values, {"agent"})
    return agent_param_parse(_required(values, "agent"))


# --- reads ----------------------------------------------------------------------


def document_get(*, client: XAPIClient, request: DocumentRequest) -> XAPIDocument | None:
    """The client's document the request names, or None."""
    return XAPIDocument.objects.filter(client=client, key_hash=request.key_hash).first()


def document_ids(
    *, client: XAPIClient, request: DocumentRequest
) -> tuple[list[str], datetime | None]:
    """The ids of the client's documents in the request's scope (the State's
    narrowed to ``registration`` when given), updated after ``since``
    (exclusive), oldest first; with the latest ``updated`` among them."""
    rows = XAPIDocument.objects.filter(client=client, scope_hash=request.scope_hash)
    if request.registration:
        rows = rows.filter(registration=request.registration)
    if request.since is not None:
        rows = rows.filter(updated__gt=request.since)
    ids = list(rows.order_by("updated", "id").values_list("document_id", flat=True))
    last = rows.aggregate(last=Max("updated"))["last"] if ids else None
    return ids, last


def activity_object(*, activity_id: str) -> dict:
    """The Activity object the Activities resource returns: the LRS's
    canonical definition when it has one, else the bare Activity
    (Communication 2.5.s2.b1)."""
    row = XAPIActivity.objects.filter(id_hash=activity_hash(activity_id)).first()
    activity = {"objectType": "Activity", "id": activity_id}
    if row is not None and row.definition:
        activity["definition"] = row.definition
    return activity
