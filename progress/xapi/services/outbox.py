"""The platform's own statements: written beside the ledger fact they record,
in its transaction, and queued for the external LRS (the outbox).

The statement rows are the same as those a client stores
(``statements._row``), with no client and ``actor_user`` set to the worker
the statement is about. When ``XAPI_FORWARD_URL`` is set, each statement also
gets an ``XAPIForward`` row that ``forwarding.forwards_deliver`` sends later:
a fact that rolls back leaves neither, and a receiver that is down loses
nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page

from .. import platform
from ..identity import statement_relations
from ..models import XAPIForward, XAPIStatement, XAPIStatementRelation
from ..validation import statement_validate
from .statements import _row, iso

__all__ = [
    "PageActivity",
    "class_checkin_statement_record",
    "daily_checkin_statement_record",
    "enrolment_statement_record",
    "page_activities",
    "page_activity",
    "platform_statements_record",
    "study_facts_record",
]


def _subject_user(statement: dict) -> int | None:
    """The worker a platform statement is about: its actor, or (when the
    platform is the actor) its object."""
    for agent in (statement["actor"], statement["object"]):
        account = agent.get("account") or {}
        name = account.get("name", "")
        if account.get("homePage") == platform.homepage() and name.isdigit():
            return int(name)
    return None


def platform_statements_record(*, statements: list[dict]) -> list[XAPIStatement]:
    """Validate and store statements the platform itself makes, set-wise (one
    insert per table), and queue them for forwarding when a receiver is
    configured. Runs in the caller's transaction: call it where the ledger
    fact is appended."""
    if not statements:
        return []
    stored = timezone.now()
    stored_text = iso(stored)
    authority = platform.platform_agent()
    rows = []
    for statement in statements:
        statement = statement_validate(statement)
        statement.setdefault("id", str(uuid.uuid4()))
        statement.setdefault("timestamp", stored_text)
        statement["stored"] = stored_text
        statement["authority"] = authority
        statement["version"] = "1.0.3"
        row = _row(statement, client=None, stored=stored, users={})
        row.actor_user_id = _subject_user(statement)
        rows.append(row)
    # No savepoint: the caller's transaction is the one that counts.
    with transaction.atomic(savepoint=False):
        XAPIStatement.objects.bulk_create(rows)
        XAPIStatementRelation.objects.bulk_create(
            XAPIStatementRelation(statement=row, kind=kind, key=key, direct=direct, stored=stored)
            for row in rows
            for kind, key, direct in statement_relations(row.data)
        )
        if settings.XAPI_FORWARD_URL:
            XAPIForward.objects.bulk_create(
                XAPIForward(statement=row, next_attempt_at=stored) for row in rows
            )
    return rows


@dataclass(frozen=True)
class PageActivity:
    """A page as an Activity, with its parent page's Activity (a lesson's
    course) for ``contextActivities``."""

    activity: dict
    parent: dict | None


def page_activity(page: Page) -> dict:
    """A course or lesson page as an Activity: its absolute URL, its title and
    the ADL activity type. No query (the site's root paths are cached)."""
    from courses.models import CoursePage, LessonPage

    types = {
        ContentType.objects.get_for_model(CoursePage).pk: platform.COURSE,
        ContentType.objects.get_for_model(LessonPage).pk: platform.LESSON,
    }
    return platform.activity(
        url=page.get_url() or page.url_path,
        name=page.title,
        activity_type=types.get(page.content_type_id),
    )


def page_activities(*, page_ids: Iterable[int]) -> dict[int, PageActivity]:
    """Each page (course, lesson) as an Activity with its parent's (a
    lesson's course): two queries, whatever the number of pages."""
    columns = ("pk", "title", "url_path", "path", "depth", "content_type_id")
    pages = list(Page.objects.filter(pk__in=set(page_ids)).only(*columns))
    parent_paths = {page.path[: -Page.steplen] for page in pages if page.depth > 1}
    known = {page.path: page for page in pages}
    parents = Page.objects.filter(path__in=parent_paths - set(known)).only(*columns)
    known.update((page.path, page) for page in parents)
    activities = {path: page_activity(page) for path, page in known.items()}
    return {
        page.pk: PageActivity(
            activity=activities[page.path],
            parent=activities.get(page.path[: -Page.steplen]) if page.depth > 1 else None,
        )
        for page in pages
    }


def _when_us(microseconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(microseconds / 1_000_000, tz=dt.UTC)


def study_facts_record(*, facts: list, sessions: dict) -> list[XAPIStatement]:
    """The statements of a batch of study facts (``lms.ledger.Fact`` of kinds
    ``progress.presence.asked``/``answered`` and ``progress.study.credited``)
    whose play sessions are in ``sessions`` (by str(pk)): a fixed number of
    queries per batch, whatever its size."""
    if not facts:
        return []
    pages = page_activities(page_ids={sessions[f.payload["session"]].lesson_id for f in facts})
    statements = []
    for fact in facts:
        session = sessions[fact.payload["session"]]
        lesson = pages[session.lesson_id]
        common = {
            "user_id": session.user_id,
            "enrolment_id": session.enrolment_id,
            "lesson": lesson.activity,
            "course": lesson.parent,
        }
        payload = fact.payload
        if fact.kind == "progress.presence.asked":
            statement = platform.presence_asked(
                **common, prompt_id=payload["prompt"], when=_when_us(payload["asked_at_us"])
            )
        elif fact.kind == "progress.presence.answered":
            statement = platform.presence_answered(
                **common, prompt_id=payload["prompt"], when=_when_us(payload["answered_at_us"])
            )
        elif fact.kind == "progress.study.credited":
            statement = platform.study_credited(
                **common,
                seconds=payload["credited_ms"] / 1000,
                when=_when_us(max(interval[3] for interval in payload["intervals"])),
            )
        else:
            continue
        statements.append(statement)
    return platform_statements_record(statements=statements)


def enrolment_statement_record(*, enrolment, withdrawn: bool = False) -> list[XAPIStatement]:
    """The statement of ``progress.enrolled`` (or ``progress.withdrawn``)."""
    course = page_activity(enrolment.course)
    build = platform.withdrawn if withdrawn else platform.enrolled
    statement = build(
        user_id=enrolment.user_id,
        enrolment_id=enrolment.pk,
        course=course,
        when=enrolment.withdrawn_at if withdrawn else enrolment.enrolled_at,
    )
    return platform_statements_record(statements=[statement])


def daily_checkin_statement_record(*, checkin) -> list[XAPIStatement]:
    """The statement of ``progress.checkin.daily``."""
    statement = platform.daily_checkin(
        user_id=checkin.user_id, url=reverse("progress:daily-checkin"), when=checkin.checked_in_at
    )
    return platform_statements_record(statements=[statement])


def class_checkin_statement_record(*, checkin, enrolment_id=None) -> list[XAPIStatement]:
    """The statement of ``progress.checkin.class``: the class session as a
    meeting under its course, in the worker's enrolment when there is one."""
    session = checkin.session
    course = page_activity(session.course)
    meeting = platform.activity(
        url=reverse("progress:class-checkin", args=[session.pk]),
        name=session.title,
        activity_type=platform.MEETING,
    )
    statement = platform.class_checkin(
        user_id=checkin.user_id,
        session=meeting,
        course=course,
        enrolment_id=enrolment_id,
        when=checkin.checked_in_at,
    )
    return platform_statements_record(statements=[statement])
