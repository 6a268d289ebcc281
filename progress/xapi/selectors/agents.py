"""The Person object of the Agents resource (xAPI 1.0.3 Communication 2.4):
what the LRS knows of the person behind an Agent, combined from the
statements the calling client may read.

The platform keeps no directory of personas, but it does know when two
identifiers are one worker: a client's statement whose actor is a worker's
e-mail (``mbox``) and the platform's own statements about that worker
(an ``account`` on ``XAPI_ACCOUNT_HOMEPAGE``) carry the same
``actor_user``. The Person lists the names and identifiers the Agent has in
the newest such statements. Only statements the client may read
(``statements_visible_to``) are consulted, so the Person never tells a
client more than its own query of the Statement resource could."""

from __future__ import annotations

from django.conf import settings

from ..identity import agent_key
from ..models import XAPIClient, XAPIStatementRelation
from ..validation import IFI_KEYS
from .statements import statements_visible_to

__all__ = ["PERSON_STATEMENTS", "agent_person"]

# How many of the newest statements naming the Agent (and then naming the
# worker it identifies) are read for names and identifiers: enough for every
# persona a person plausibly has, and a bounded cost per request.
PERSON_STATEMENTS = 100


def _agents_in(statement: dict) -> list[dict]:
    """The actor and the Agent or Group object of a statement, with their
    Group members: the places a plain ``agent`` filter matches."""
    found = []
    for part in (statement.get("actor"), statement.get("object")):
        if isinstance(part, dict) and part.get("objectType", "Agent") in ("Agent", "Group"):
            found.append(part)
            found.extend(member for member in part.get("member", []) if isinstance(member, dict))
    return found


def agent_person(*, client: XAPIClient, agent: dict) -> dict:
    """The Person object for ``agent``: objectType "Person" and, as arrays,
    every name and inverse functional identifier known for it, the requested
    ones first (Communication 2.4.s3, 2.4.s5). With nothing more known, the
    Person holds only what the request gave (2.4.s3.b3)."""
    key = agent_key(agent)
    visible = statements_visible_to(client=client)
    newest_naming = (
        XAPIStatementRelation.objects.filter(kind="agent", key=key, direct=True)
        .order_by("-stored")
        .values("statement_id")[:PERSON_STATEMENTS]
    )
    personas = [agent]
    users = set()
    for data, user_id in visible.filter(pk__in=newest_naming).values_list("data", "actor_user"):
        personas += [found for found in _agents_in(data) if agent_key(found) == key]
        if user_id is not None and agent_key(data["actor"]) == key:
            users.add(user_id)
    homepage = getattr(settings, "XAPI_ACCOUNT_HOMEPAGE", None)
    if users:
        # The other identifiers of the worker the Agent identifies: the
        # actors of the newest statements about that worker.
        rows = (
            visible.filter(actor_user__in=users)
            .order_by("-stored", "-id")
            .values_list("data__actor", flat=True)[:PERSON_STATEMENTS]
        )
        personas += list(rows)
        if homepage:
            personas += [
                {"account": {"homePage": homepage, "name": str(user_id)}}
                for user_id in sorted(users)
            ]
    return _person(personas)


def _person(personas: list[dict]) -> dict:
    """One Person from several Agents: each name and identifier once, in the
    order first seen."""
    person: dict = {"objectType": "Person"}
    for key in ("name", *IFI_KEYS):
        values = []
        for persona in personas:
            value = persona.get(key)
            if isinstance(value, str | dict) and value not in values:
                values.append(value)
        if values:
            person[key] = values
    return person
