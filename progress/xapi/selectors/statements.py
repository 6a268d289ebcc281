"""Reads of the Learning Record Store: single statements and the filtered,
keyset-paged statement query of GET /xapi/statements (xAPI 1.0.3,
Communication 2.1.3), already scoped to the calling client."""

from __future__ import annotations

import copy
import json
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime

from django.core import signing
from django.db import connection
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from lms.models import Membership

from ..identity import agent_key, statement_activities
from ..models import XAPIActivity, XAPIClient, XAPIStatement, XAPIStatementRelation
from ..validation import (
    XAPIValidationError,
    actor_validate,
    iri_validate,
    timestamp_parse,
    uuid_validate,
)
from .documents import activity_hash

MAX_LIMIT = 500
QUERY_PARAMS = {
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "format",
    "attachments",
    "ascending",
}
FORMATS = ("exact", "ids", "canonical")
_MORE_SALT = "progress.xapi.more"


@dataclass(frozen=True)
class StatementQuery:
    """The parsed filters of one statement query (JSON-serialisable, so it
    travels inside the ``more`` token)."""

    agent: str | None = None
    verb: str | None = None
    activity: str | None = None
    registration: str | None = None
    related_activities: bool = False
    related_agents: bool = False
    since: str | None = None
    until: str | None = None
    limit: int = 0
    format: str = "exact"
    ascending: bool = False
    attachments: bool = False


def _boolean_param(params: dict, name: str) -> bool:
    value = params.get(name, "false")
    if value not in ("true", "false"):
        raise XAPIValidationError(_("%(name)s must be true or false.") % {"name": name})
    return value == "true"


def statement_query_parse(*, params: dict[str, str]) -> StatementQuery:
    """Parse and validate the query parameters of a statement query; any
    parameter the spec does not allow is a 400."""
    unknown = sorted(set(params) - QUERY_PARAMS)
    if unknown:
        raise XAPIValidationError(_("Unknown parameter %(name)s.") % {"name": unknown[0]})
    agent = None
    if "agent" in params:
        try:
            agent_object = json.loads(params["agent"])
        except ValueError:
            raise XAPIValidationError(_("agent must be a JSON Agent or Group.")) from None
        actor_validate(agent_object, "agent")
        agent = agent_key(agent_object)
        if agent is None:
            raise XAPIValidationError(_("agent must be an Agent or an identified Group."))
    if "verb" in params:
        iri_validate(params["verb"], "verb")
    if "activity" in params:
        iri_validate(params["activity"], "activity")
    registration = (
        uuid_validate(params["registration"], "registration") if "registration" in params else None
    )
    for name in ("since", "until"):
        if name in params:
            timestamp_parse(params[name], name)
    try:
        limit = int(params.get("limit", "0"))
    except ValueError:
        raise XAPIValidationError(_("limit must be a non-negative integer.")) from None
    if limit < 0:
        raise XAPIValidationError(_("limit must be a non-negative integer."))
    statement_format = params.get("format", "exact")
    if statement_format not in FORMATS:
        raise XAPIValidationError(_("format must be ids, exact or canonical."))
    return StatementQuery(
        agent=agent,
        verb=params.get("verb"),
        activity=params.get("activity"),
        registration=registration,
        related_activities=_boolean_param(params, "related_activities"),
        related_agents=_boolean_param(params, "related_agents"),
        since=params.get("since"),
        until=params.get("until"),
        limit=limit,
        format=statement_format,
        ascending=_boolean_param(params, "ascending"),
        attachments=_boolean_param(params, "attachments"),
    )


def statements_visible_to(*, client: XAPIClient) -> QuerySet[XAPIStatement]:
    """Statements ``client`` may read: all with ``can_read_all``; otherwise
    those it stored itself plus, for an organisation-scoped client, those whose
    actor is a worker with a worker membership in that organisation's subtree.
    (``lms.selectors.workers_visible_to`` takes a signed-in person; a client
    system is not one, so the subtree rule is applied here directly.)"""
    statements = XAPIStatement.objects.all()
    if client.can_read_all:
        return statements
    visible = Q(client=client)
    if client.organisation_id is not None:
        in_subtree = Membership.objects.filter(
            user=OuterRef("actor_user"),
            role=Membership.Role.WORKER,
            organisation__path__startswith=client.organisation.path,
        )
        visible |= Q(Exists(in_subtree))
    return statements.filter(visible)


def statement_get(*, client: XAPIClient, statement_id: str, voided: bool) -> XAPIStatement | None:
    """One statement by id, or None. ``voided=False`` (statementId) finds only
    a statement that is not voided; ``voided=True`` (voidedStatementId) only
    one that is (Communication 2.1.3.s2.b1)."""
    return (
        statements_visible_to(client=client)
        .filter(statement_id=statement_id, voided=voided)
        .first()
    )


def _conditions(query: StatementQuery, *, stored: Q | None = None) -> Q | None:
    """The non-time filters as one condition, or None when there are none.

    ``stored`` (conditions on ``stored`` only) is repeated inside the agent
    and activity lookups: a relation row carries its statement's ``stored``,
    so the relation index reads only the rows of the wanted time range
    instead of every statement the agent or activity was ever in."""
    conditions = Q()
    if query.verb:
        conditions &= Q(verb_id=query.verb)
    if query.registration:
        conditions &= Q(registration=query.registration)
    for kind, key, related in (
        ("agent", query.agent, query.related_agents),
        ("activity", query.activity, query.related_activities),
    ):
        if key:
            relations = XAPIStatementRelation.objects.filter(
                statement=OuterRef("pk"), kind=kind, key=key
            )
            if not related:
                relations = relations.filter(direct=True)
            if stored is not None:
                relations = relations.filter(stored)
            conditions &= Q(Exists(relations))
    return conditions or None


def _targeting(conditions: Q) -> RawSQL:
    """The ids of statements that target, by a StatementRef object, a
    statement meeting ``conditions`` — directly or through a chain of such
    statements (Communication 2.1.3.s3). The walk starts from the (few)
    targeting statements, through the partial index on the reference, rather
    than from every statement that matches."""
    seed = XAPIStatement.objects.filter(object_statement_id__isnull=False).filter(
        Exists(
            XAPIStatement.objects.filter(conditions, statement_id=OuterRef("object_statement_id"))
        )
    )
    seed_sql, params = seed.values("pk", "statement_id").query.sql_with_params()
    table = connection.ops.quote_name(XAPIStatement._meta.db_table)
    sql = (
        f"WITH RECURSIVE hit(id, statement_id) AS ({seed_sql}"
        f" UNION SELECT t.id, t.statement_id FROM {table} t"
        " JOIN hit ON t.object_statement_id = hit.statement_id"
        ") SELECT id FROM hit"
    )
    return RawSQL(sql, params)


def _leads_to(conditions: Q) -> Exists:
    """Whether the (outer) statement targets, by a StatementRef object, a
    statement meeting ``conditions``, directly or through a chain of
    StatementRefs. The chain is walked down from each candidate, so this
    costs a few index probes per candidate rather than a pass over every
    StatementRef in the store (what ``_targeting`` does)."""
    table = connection.ops.quote_name(XAPIStatement._meta.db_table)
    column = connection.ops.quote_name("statement_id")
    # The outer query's own table: Django aliases the subquery's copy (U0…),
    # so the unaliased name can only mean the outer statement; the bare
    # column on the left is the subquery's. "= ANY(ARRAY(…))" keeps the plan
    # a probe of the statement_id index per link, never a scan.
    outer = f"{table}.{connection.ops.quote_name('object_statement_id')}"
    in_chain = RawSQL(
        f"{column} = ANY(ARRAY(WITH RECURSIVE chain(statement_id, target) AS ("
        f"SELECT c.statement_id, c.object_statement_id FROM {table} c"
        f" WHERE c.statement_id = {outer}"
        f" UNION SELECT c.statement_id, c.object_statement_id FROM {table} c"
        " JOIN chain ON c.statement_id = chain.target"
        ") SELECT statement_id FROM chain))",
        [],
        output_field=BooleanField(),
    )
    return Exists(XAPIStatement.objects.filter(in_chain).filter(conditions))


def more_token(*, query: StatementQuery, after: tuple[datetime, int]) -> str:
    """A signed cursor: the query's filters and the (stored, id) of the last
    statement already returned."""
    return signing.dumps(
        {"q": asdict(query), "after": [after[0].isoformat(), after[1]]},
        salt=_MORE_SALT,
        compress=True,
    )


def more_token_read(*, token: str) -> tuple[StatementQuery, tuple[datetime, int]]:
    try:
        payload = signing.loads(token, salt=_MORE_SALT)
    except signing.BadSignature:
        raise XAPIValidationError(_("The more link is not valid.")) from None
    return StatementQuery(**payload["q"]), (
        datetime.fromisoformat(payload["after"][0]),
        payload["after"][1],
    )


def statements_query(
    *,
    client: XAPIClient,
    query: StatementQuery,
    after: tuple[datetime, int] | None = None,
    max_limit: int = MAX_LIMIT,
) -> tuple[list[XAPIStatement], str | None]:
    """One page of statements meeting ``query``, visible to ``client``,
    voided ones left out, ordered by (stored, id) — newest first unless
    ascending — and the ``more`` token for the next page (None when this page
    is the last). Paging is by keyset on (stored, id), never OFFSET, so
    statements stored between pages neither repeat nor shift others."""
    rows = statements_visible_to(client=client).filter(voided=False)
    # The range of stored wanted: since, until and the plain bound of the cursor.
    stored = Q()
    if query.since:
        stored &= Q(stored__gt=timestamp_parse(query.since))
    if query.until:
        stored &= Q(stored__lte=timestamp_parse(query.until))
    if after is not None:
        after_stored, pk = after
        # The plain bound on stored lets the (…, stored, id) indexes serve
        # the range; the OR only breaks ties within one instant.
        if query.ascending:
            stored &= Q(stored__gte=after_stored)
            rows = rows.filter(Q(stored__gt=after_stored) | Q(pk__gt=pk))
        else:
            stored &= Q(stored__lte=after_stored)
            rows = rows.filter(Q(stored__lt=after_stored) | Q(pk__lt=pk))
    rows = rows.filter(stored)
    order = ("stored", "pk") if query.ascending else ("-stored", "-pk")
    limit = min(query.limit or max_limit, max_limit)
    conditions = _conditions(query)
    if conditions is None:
        page = list(rows.order_by(*order)[: limit + 1])
    else:
        # Two index-friendly queries instead of one with an OR: the statements
        # meeting the filters, and those targeting one of them by StatementRef.
        # Only the first may bound the relation lookups by time: since and
        # until apply to the targeting statement, never to the one it
        # targets (Communication 2.1.3.s3).
        direct = list(rows.filter(_conditions(query, stored=stored)).order_by(*order)[: limit + 1])
        if len(direct) > limit:
            # The page ends at or before the last of these, so only the
            # StatementRefs stored up to it can enter it: walk down from
            # those few instead of up from every StatementRef.
            edge = direct[-1].stored
            reach = Q(stored__gte=edge) if not query.ascending else Q(stored__lte=edge)
            targeting = rows.filter(reach, object_statement_id__isnull=False).filter(
                _leads_to(conditions)
            )
        else:
            targeting = rows.filter(pk__in=_targeting(conditions))
        found = {row.pk: row for row in direct}
        found.update({row.pk: row for row in targeting.order_by(*order)[: limit + 1]})
        page = sorted(
            found.values(), key=lambda row: (row.stored, row.pk), reverse=not query.ascending
        )
        page = page[: limit + 1]
    if len(page) <= limit:
        return page, None
    page = page[:limit]
    return page, more_token(query=query, after=(page[-1].stored, page[-1].pk))


# --- formats (Communication 2.1.3 "format") ---------------------------------


def _ids_actor(actor: dict) -> dict:
    out = {"objectType": actor.get("objectType", "Agent")}
    key = agent_key(actor)
    if key is not None:
        out.update(
            {
                name: actor[name]
                for name in ("mbox", "mbox_sha1sum", "openid", "account")
                if name in actor
            }
        )
    else:
        out["member"] = [_ids_actor(member) for member in actor.get("member", [])]
    return out


def _ids_object(target: dict) -> dict:
    kind = target.get("objectType", "Activity")
    if kind == "Activity":
        return {"objectType": "Activity", "id": target["id"]}
    if kind in ("Agent", "Group"):
        return _ids_actor(target)
    if kind == "SubStatement":
        return _ids_statement(target)
    return target


def _ids_statement(statement: dict) -> dict:
    out = dict(statement)
    out["actor"] = _ids_actor(statement["actor"])
    out["verb"] = {"id": statement["verb"]["id"]}
    out["object"] = _ids_object(statement["object"])
    if "authority" in statement:
        out["authority"] = _ids_actor(statement["authority"])
    if "context" in statement:
        ctx = dict(statement["context"])
        for name in ("instructor", "team"):
            if name in ctx:
                ctx[name] = _ids_actor(ctx[name])
        if "contextActivities" in ctx:
            ctx["contextActivities"] = {
                name: [_ids_object(item) for item in items]
                for name, items in ctx["contextActivities"].items()
            }
        out["context"] = ctx
    return out


_LANGUAGE_MAPS = {"display", "name", "description"}


def _best_language(language_map: dict, languages: list[str]) -> dict:
    if not language_map:
        return language_map
    lowered = {tag.lower(): tag for tag in language_map}
    for wanted in languages:
        wanted = wanted.lower()
        if wanted in lowered:
            tag = lowered[wanted]
            return {tag: language_map[tag]}
        for low, tag in lowered.items():
            if low.split("-")[0] == wanted.split("-")[0]:
                return {tag: language_map[tag]}
    for fallback in ("und", "en-us", "en"):
        if fallback in lowered:
            tag = lowered[fallback]
            return {tag: language_map[tag]}
    tag = next(iter(language_map))
    return {tag: language_map[tag]}


def _canonical(value, languages: list[str], key: str | None = None):
    if isinstance(value, dict):
        if key in _LANGUAGE_MAPS and all(isinstance(v, str) for v in value.values()):
            return _best_language(value, languages)
        if key == "extensions":
            return value
        return {name: _canonical(item, languages, name) for name, item in value.items()}
    if isinstance(value, list):
        return [_canonical(item, languages, None) for item in value]
    return value


def accept_languages(header: str) -> list[str]:
    """The language ranges of an Accept-Language header, best first; a range
    with q=0 is "not acceptable" (RFC 9110 §12.4.2) and left out."""
    ranked = []
    for position, part in enumerate(header.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip()
        if not tag or tag == "*":
            continue
        quality = 1.0
        for piece in pieces[1:]:
            if piece.strip().startswith("q="):
                try:
                    quality = float(piece.strip()[2:])
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, position, tag))
    return [tag for _q, _p, tag in sorted(ranked)]


def _canonical_definitions(statements: list[dict]) -> dict[str, dict]:
    """The LRS's canonical definitions (``XAPIActivity``) of every Activity
    the statements mention, by IRI, in one query."""
    hashes = {
        activity_hash(activity["id"]): activity["id"]
        for statement in statements
        for activity in statement_activities(statement)
    }
    if not hashes:
        return {}
    rows = XAPIActivity.objects.filter(id_hash__in=list(hashes)).values_list(
        "id_hash", "definition"
    )
    return {hashes[id_hash]: definition for id_hash, definition in rows if definition}


def _with_canonical_definitions(statement: dict, definitions: dict[str, dict]) -> dict:
    """A copy of the statement whose Activities carry the LRS's canonical
    definition where it has one (else the definition they were sent with)."""
    statement = copy.deepcopy(statement)
    for activity in statement_activities(statement):
        if activity["id"] in definitions:
            activity["definition"] = copy.deepcopy(definitions[activity["id"]])
    return statement


def statements_formatted(
    *, statements: list[dict], statement_format: str, languages: list[str]
) -> list[dict]:
    """Stored statements as the requested format returns them
    (Communication 2.1.3 "format"): ``exact`` as stored; ``ids`` with agents,
    activities and verbs reduced to their identifiers; ``canonical`` with
    every Activity's definition replaced by the LRS's canonical one
    (``XAPIActivity``, merged from the statements it stored) and every
    language map reduced to the one language that best fits the request's
    Accept-Language, Agents and Groups left as in ``exact``."""
    if statement_format == "ids":
        return [_ids_statement(statement) for statement in statements]
    if statement_format == "canonical":
        definitions = _canonical_definitions(statements)
        return [
            _canonical(_with_canonical_definitions(statement, definitions), languages)
            for statement in statements
        ]
    return statements


def statement_id_parse(value: str) -> str:
    """A statementId/voidedStatementId parameter as a canonical UUID."""
    return str(uuid.UUID(uuid_validate(value, "statementId")))
