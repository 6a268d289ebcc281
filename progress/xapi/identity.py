"""Canonical keys for agents and the walks over a statement that the store
and the query share. Pure functions."""

from __future__ import annotations

from collections.abc import Iterator

from .validation import IFI_KEYS


def agent_key(agent: dict) -> str | None:
    """The inverse functional identifier of an Agent or identified Group as
    one string (``mbox:mailto:a@b``, ``account:<homePage>|<name>``…); None
    for an anonymous Group."""
    for ifi in IFI_KEYS:
        if ifi in agent:
            value = agent[ifi]
            if ifi == "account":
                return f"account:{value['homePage']}|{value['name']}"
            if ifi == "mbox_sha1sum":
                return f"mbox_sha1sum:{value.lower()}"
            return f"{ifi}:{value}"
    return None


def _actor_keys(actor: dict) -> Iterator[str]:
    key = agent_key(actor)
    if key:
        yield key
    for member in actor.get("member", []):
        member_key = agent_key(member)
        if member_key:
            yield member_key


def statement_relations(statement: dict) -> set[tuple[str, str, bool]]:
    """Every (kind, key, direct) the statement mentions; see
    ``XAPIStatementRelation`` for what direct means."""
    rows: set[tuple[str, str, bool]] = set()

    def agents(actor: dict | None, direct: bool) -> None:
        if actor:
            rows.update(("agent", key, direct) for key in _actor_keys(actor))

    def context(ctx: dict | None) -> None:
        if not ctx:
            return
        agents(ctx.get("instructor"), False)
        agents(ctx.get("team"), False)
        for items in ctx.get("contextActivities", {}).values():
            rows.update(("activity", item["id"], False) for item in items)

    def obj(target: dict, direct: bool) -> None:
        kind = target.get("objectType", "Activity")
        if kind == "Activity":
            rows.add(("activity", target["id"], direct))
        elif kind in ("Agent", "Group"):
            agents(target, direct)
        elif kind == "SubStatement":
            agents(target["actor"], False)
            obj(target["object"], False)
            context(target.get("context"))

    agents(statement["actor"], True)
    obj(statement["object"], True)
    context(statement.get("context"))
    agents(statement.get("authority"), False)
    return rows


def statement_activities(statement: dict) -> Iterator[dict]:
    """Every Activity object of a statement: its object, its context
    Activities, and those of a SubStatement (the objects themselves, so a
    caller working on a copy may change them in place)."""

    def walk(part: dict) -> Iterator[dict]:
        target = part.get("object") or {}
        kind = target.get("objectType", "Activity")
        if kind == "Activity":
            yield target
        for items in (part.get("context") or {}).get("contextActivities", {}).values():
            yield from items
        if kind == "SubStatement":
            yield from walk(target)

    yield from walk(statement)
