"""Study time: play sessions, heartbeats, presence prompts, and the flusher
that turns buffered heartbeats into credited intervals and lesson progress.

The write path of a heartbeat is ``heartbeat_record``: checks that need no
database (types, ranges), then one Redis script (``progress.heartbeats``).
Everything that touches PostgreSQL happens in ``heartbeats_flush``, in
batches, on the Celery beat schedule (or at once in the embedded default).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import os
import socket
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms.exceptions import ApplicationError
from lms.ledger import Fact, ledger_append_many

from .. import heartbeats as buffer
from ..crediting import Beat, Credit, PromptAnswered, PromptAsked, State, exclusive, fold, union
from ..models import CreditedInterval, Enrolment, LessonProgress, PlaySession, PresencePrompt
from ..selectors.enrolments import SECONDS_PER_STUDY_HOUR
from ..xapi.services.outbox import study_facts_record
from .completion import completion_evaluate

__all__ = [
    "HeartbeatError",
    "PlayStart",
    "heartbeat_record",
    "heartbeats_fold",
    "heartbeats_flush",
    "play_session_start",
    "play_token_make",
    "play_token_user",
    "play_sessions_summarise",
    "presence_answer",
]

logger = logging.getLogger(__name__)

LEDGER_CHAIN = "progress"
EVENTS = {"tick", "play", "pause", "seek", "ratechange", "ended", "hide", "show"}
MIN_RATE, MAX_RATE = 0.25, 4.0
MAX_SEQ = 2**31 - 1


class HeartbeatError(ApplicationError):
    """A heartbeat refused; ``status`` is the HTTP status it deserves."""

    def __init__(self, message, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class PlayStart:
    session: PlaySession
    token: str
    resume_at: float
    prompt_id: str


_TOKEN_SALT = "progress.play-session"


def play_token_make(*, session_id, user_id: int) -> str:
    """The player's credential for one play session: HMAC-signed (session,
    user), sent in a header with every heartbeat. Checking it needs no I/O,
    unlike the cookie session, so a heartbeat costs one Redis script and
    nothing else. It is only ever given to the signed-in worker's own page."""
    return signing.Signer(salt=_TOKEN_SALT).sign(f"{session_id}:{user_id}")


def play_token_user(*, token: str | None, session_id) -> int:
    """The user id a play token was made for; refuses a missing or forged
    token (401) and a token of another session (403)."""
    if not token:
        raise HeartbeatError(_("Please log in to study."), status=401)
    try:
        value = signing.Signer(salt=_TOKEN_SALT).unsign(token)
    except signing.BadSignature as error:
        raise HeartbeatError(
            _("This viewing session belongs to another user."), status=403
        ) from error
    token_session, _sep, user_id = value.partition(":")
    if token_session != str(session_id) or not user_id.isdigit():
        raise HeartbeatError(_("This viewing session belongs to another user."), status=403)
    return int(user_id)


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def _when(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


# --- the web side -------------------------------------------------------------------


def play_session_start(*, user, lesson, enrolment: Enrolment, duration: float) -> PlayStart:
    """Open a play session for ``lesson`` (the caller checked access) and
    say where to resume: where the worker's last session of it stopped."""
    if not duration or duration <= 0:
        raise ApplicationError(_("This lesson has no playable video yet."))
    previous = PlaySession.objects.filter(user=user, lesson=lesson).order_by("-started_at").first()
    resume_at = None
    if previous is not None:
        resume_at = buffer.session_position_get(session_id=previous.pk)
    if resume_at is None:
        progress = LessonProgress.objects.filter(enrolment=enrolment, lesson=lesson).first()
        resume_at = progress.last_position if progress else 0.0
    if resume_at >= duration - 2:
        resume_at = 0.0  # watched to the end: start again
    session = PlaySession.objects.create(
        user=user, enrolment=enrolment, lesson=lesson, duration=duration
    )
    buffer.session_open(
        session_id=session.pk,
        user_id=user.pk,
        lesson_id=lesson.pk,
        duration=duration,
        position=resume_at,
    )
    return PlayStart(
        session=session,
        token=play_token_make(session_id=session.pk, user_id=user.pk),
        resume_at=resume_at,
        prompt_id=buffer.pending_prompt_get(user_id=user.pk),
    )


# Lazy: translated only when a heartbeat is refused, not on every heartbeat.
POSITION_OUT_OF_RANGE = gettext_lazy("The position must be between 0 and the length of the video.")
RATE_OUT_OF_RANGE = gettext_lazy("The playback rate must be between 0.25 and 4.")


def _number(data: dict, name: str, *, low: float, high: float, message: str) -> float:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise HeartbeatError(_("The heartbeat field “%(name)s” must be a number.") % {"name": name})
    if not low <= value <= high:
        raise HeartbeatError(str(message))
    return float(value)


def _flag(data: dict, name: str) -> bool:
    value = data.get(name)
    if not isinstance(value, bool):
        raise HeartbeatError(
            _("The heartbeat field “%(name)s” must be true or false.") % {"name": name}
        )
    return value


def heartbeat_record(*, user_id: int, session_id, data: dict) -> buffer.Outcome:
    """Check one heartbeat and put it in the buffer; nothing is credited here.

    Raises ``HeartbeatError`` (with its HTTP status) for anything refused; a
    duplicate is accepted and changes nothing.
    """
    if not isinstance(data, dict):
        raise HeartbeatError(_("The heartbeat must be a JSON object."))
    seq = data.get("seq")
    if isinstance(seq, bool) or not isinstance(seq, int) or not 1 <= seq <= MAX_SEQ:
        raise HeartbeatError(_("The sequence number must be a positive whole number."))
    position = _number(
        data,
        "position",
        low=0,
        high=24 * 3600,
        message=POSITION_OUT_OF_RANGE,
    )
    rate = _number(
        data,
        "rate",
        low=MIN_RATE,
        high=MAX_RATE,
        message=RATE_OUT_OF_RANGE,
    )
    event = data.get("event", "tick")
    if event not in EVENTS:
        raise HeartbeatError(_("Unknown player event."))
    seek_from = None
    if event == "seek":
        seek_from = _number(
            data,
            "from",
            low=0,
            high=24 * 3600,
            message=POSITION_OUT_OF_RANGE,
        )
    outcome = buffer.beat_push(
        session_id=session_id,
        user_id=user_id,
        seq=seq,
        position=position,
        rate=rate,
        playing=_flag(data, "playing"),
        visible=_flag(data, "visible"),
        event=event,
        seek_from=seek_from,
    )
    if outcome.status == "unknown":
        raise HeartbeatError(
            _("This viewing session has ended. Please reload the page to go on."), status=410
        )
    if outcome.status == "forbidden":
        raise HeartbeatError(_("This viewing session belongs to another user."), status=403)
    if outcome.status == "range":
        raise HeartbeatError(_("The position must be between 0 and the length of the video."))
    if outcome.status == "backwards":
        raise HeartbeatError(
            _("The sequence number went backwards; this heartbeat was already superseded."),
            status=409,
        )
    if settings.PROGRESS_FLUSH_INLINE:
        heartbeats_flush()
    return outcome


def presence_answer(*, user_id: int, session_id, prompt_id: str, answer: str = "") -> None:
    """The worker confirmed presence; crediting resumes from now."""
    if not isinstance(prompt_id, str) or not prompt_id or len(prompt_id) > 64:
        raise HeartbeatError(_("Which question is this an answer to?"))
    status = buffer.answer_push(
        session_id=session_id, user_id=user_id, prompt_id=prompt_id, answer=str(answer)[:200]
    )
    if status == "stale":
        raise HeartbeatError(_("This question is no longer open."), status=409)
    if settings.PROGRESS_FLUSH_INLINE:
        heartbeats_flush()


# --- the flusher --------------------------------------------------------------------


def heartbeats_flush(*, consumer: str | None = None, max_batches: int = 50) -> int:
    """Fold buffered heartbeats into PostgreSQL; returns how many were folded.

    Each batch commits, then is acknowledged in Redis: a crash in between
    folds the batch again, which changes nothing (sequence numbers).
    """
    consumer = consumer or f"{socket.gethostname()}-{os.getpid()}"
    folded = 0
    for _round in range(max_batches):
        batch = buffer.batch_read(consumer=consumer)
        if not batch.ids:
            break
        heartbeats_fold(events=batch.events)
        buffer.batch_done(batch)
        folded += len(batch.ids)
    return folded


def _taken(user_ids, since: float) -> dict[int, list[tuple[float, float]]]:
    """Wall-clock spans already credited to these workers (any session: a
    session's own earlier spans end before its next credit starts)."""
    taken: dict[int, list[tuple[float, float]]] = defaultdict(list)
    rows = CreditedInterval.objects.filter(
        user_id__in=user_ids, wall_end__gt=_when(since)
    ).values_list("user_id", "wall_start", "wall_end")
    for user_id, start, end in rows:
        taken[user_id].append((start.timestamp(), end.timestamp()))
    return taken


@dataclass
class _Writes:
    """What one batch changes, written set-wise at the end: a handful of
    statements per batch, however many sessions it touches."""

    new_intervals: list[CreditedInterval]
    changed_intervals: dict[int, CreditedInterval]
    progress: set[tuple]
    study_gain: dict
    # (enrolment, lesson) -> (covered seconds before, after, duration) where
    # coverage grew: what the completion check looks at.
    coverage: dict

    @classmethod
    def empty(cls) -> _Writes:
        return cls(
            new_intervals=[], changed_intervals={}, progress=set(), study_gain={}, coverage={}
        )


@transaction.atomic
def heartbeats_fold(*, events: list[tuple[str, object]]) -> None:
    """Credit one batch of buffered events (``(session id, event)`` in stream
    order) in one transaction. Folding a batch again changes nothing."""
    by_session: dict[str, list] = defaultdict(list)
    for session_id, event in events:
        by_session[session_id].append(event)
    sessions = {
        str(s.pk): s
        for s in PlaySession.objects.select_for_update(of=("self",))
        .filter(pk__in=list(by_session))
        # A lesson is done at the coverage its course's completion rule asks
        # for, so "done" on the course page and the rule never disagree.
        .annotate(done_percent=F("enrolment__course__completion_coverage_percent"))
        .order_by("pk")
    }
    for missing in set(by_session) - set(sessions):
        logger.warning("heartbeats for unknown play session %s dropped", missing)
    if not sessions:
        return
    since = min(
        [e.at for evs in by_session.values() for e in evs]
        + [State.from_json(s.state).at or math.inf for s in sessions.values()]
    )
    taken = _taken({s.user_id for s in sessions.values()}, since)
    progress = _progress_rows(sessions.values())
    last_intervals = _last_intervals(sessions)
    writes = _Writes.empty()
    facts: list[Fact] = []
    for session_id, session_events in by_session.items():  # first-come order (dicts keep it)
        session = sessions.get(session_id)
        if session is None:
            continue
        state, credits = fold(
            State.from_json(session.state),
            session_events,
            duration=session.duration,
            hidden_grace=settings.PROGRESS_HIDDEN_GRACE_SECONDS,
        )
        mine: list[Credit] = []
        for credit in credits:
            mine += exclusive(credit, taken[session.user_id])
        taken[session.user_id] += [(c.wall_start, c.wall_end) for c in mine]
        last_intervals[session_id] = _store_intervals(
            session, mine, last_intervals.get(session_id), writes
        )
        facts += _store_prompts(session, session_events)
        session.state = {
            **state.to_json(),
            "summarised_interval": session.state.get("summarised_interval", 0),
        }
        session.heartbeats += sum(1 for e in session_events if isinstance(e, Beat))
        session.credited_seconds += sum(c.seconds for c in mine)
        session.last_heartbeat_at = _when(state.at) if state.at else None
        key = (session.enrolment_id, session.lesson_id)
        covered_before = writes.coverage.get(key, (progress[key].covered_seconds,))[0]
        gained = _update_progress(progress[key], session, state, mine)
        if progress[key].covered_seconds > covered_before:
            writes.coverage[key] = (
                covered_before,
                progress[key].covered_seconds,
                progress[key].duration,
            )
        writes.progress.add(key)
        if gained > 0:
            writes.study_gain[session.enrolment_id] = (
                writes.study_gain.get(session.enrolment_id, 0.0) + gained
            )
    _write(writes, sessions.values(), progress)
    _completions_check(writes)
    if facts:
        ledger_append_many(chain=LEDGER_CHAIN, facts=facts)
        study_facts_record(facts=facts, sessions=sessions)


def _update_rows(model, rows: list, fields: list[str]) -> None:
    """Save ``fields`` of ``rows`` in one ``UPDATE … FROM (VALUES …)`` per
    thousand rows on PostgreSQL.

    Hand-written because Django's ``bulk_update`` builds a ``CASE WHEN`` per
    row and field: with it the flusher folded ~350 heartbeats/s
    (bench/heartbeats.py), with this ~1,500. Elsewhere (SQLite, the embedded
    default) ``bulk_update`` is fine.
    """
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_update(rows, fields, batch_size=500)
        return
    meta = model._meta
    columns = [meta.pk] + [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    names = ", ".join(quote(c.column) for c in columns)
    assignments = ", ".join(
        f"{quote(c.column)} = v.{quote(c.column)}::{c.db_type(connection)}" for c in columns[1:]
    )
    pk = quote(meta.pk.column)
    row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 1000):
            chunk = rows[start : start + 1000]
            params = [
                c.get_db_prep_save(getattr(row, c.attname), connection)
                for row in chunk
                for c in columns
            ]
            cursor.execute(
                f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "  # noqa: S608 - names are ours
                f"FROM (VALUES {', '.join([row_sql] * len(chunk))}) AS v({names}) "
                f"WHERE t.{pk} = v.{pk}::{meta.pk.db_type(connection)}",
                params,
            )


def _write(writes: _Writes, sessions, progress: dict[tuple, LessonProgress]) -> None:
    CreditedInterval.objects.bulk_create(writes.new_intervals, batch_size=1000)
    _update_rows(
        CreditedInterval,
        list(writes.changed_intervals.values()),
        ["media_end", "seconds", "wall_end"],
    )
    _update_rows(
        PlaySession,
        list(sessions),
        ["state", "heartbeats", "credited_seconds", "last_heartbeat_at"],
    )
    now = timezone.now()
    rows = [progress[key] for key in writes.progress]
    for row in rows:
        row.updated_at = now  # bulk_update does not run auto_now
    _update_rows(
        LessonProgress,
        rows,
        [
            "duration",
            "last_position",
            "covered",
            "covered_seconds",
            "study_seconds",
            "completed_at",
            "updated_at",
        ],
    )
    if writes.study_gain:
        # Locked in primary-key order, then set: one read and one write for
        # every enrolment of the batch.
        enrolments = list(
            Enrolment.objects.select_for_update()
            .filter(pk__in=list(writes.study_gain))
            .order_by("pk")
            .only("pk", "study_seconds")
        )
        for enrolment in enrolments:
            enrolment.study_seconds += writes.study_gain[enrolment.pk]
        _update_rows(Enrolment, enrolments, ["study_seconds"])


def _completions_check(writes: _Writes) -> None:
    """Evaluate the completion rule of the batch's enrolments in which a
    lesson's coverage or the study hours crossed the course's threshold: one
    query for the batch, and the full evaluation only on a crossing (rare)."""
    touched = {enrolment for enrolment, _lesson in writes.coverage} | set(writes.study_gain)
    if not touched:
        return
    rows = Enrolment.objects.filter(pk__in=touched, status=Enrolment.Status.ACTIVE).values_list(
        "pk",
        "study_seconds",
        "course__completion_coverage_percent",
        "course__completion_min_study_hours",
    )
    crossed = []
    for enrolment_id, seconds, percent, min_hours in rows:
        lessons = (
            value
            for (enrolment, _lesson), value in writes.coverage.items()
            if enrolment == enrolment_id
        )
        if any(100 * before < percent * length <= 100 * after for before, after, length in lessons):
            crossed.append(enrolment_id)
            continue
        if min_hours:
            needed = float(min_hours) * SECONDS_PER_STUDY_HOUR
            if seconds - writes.study_gain.get(enrolment_id, 0.0) < needed <= seconds:
                crossed.append(enrolment_id)
    for enrolment in (
        Enrolment.objects.filter(pk__in=crossed).select_related("course").order_by("pk")
    ):
        completion_evaluate(enrolment=enrolment)


def _last_intervals(sessions) -> dict[str, CreditedInterval]:
    """The latest credited interval of each session (the one playback may
    extend)."""
    rows = CreditedInterval.objects.filter(session_id__in=list(sessions))

    if connection.features.can_distinct_on_fields:
        rows = rows.order_by("session_id", "-wall_end").distinct("session_id")
        return {str(i.session_id): i for i in rows}
    last: dict[str, CreditedInterval] = {}
    for interval in rows.order_by("wall_end"):
        last[str(interval.session_id)] = interval
    return last


def _progress_rows(sessions) -> dict[tuple, LessonProgress]:
    durations = {(s.enrolment_id, s.lesson_id): s.duration for s in sessions}

    def locked() -> dict[tuple, LessonProgress]:
        candidates = (
            LessonProgress.objects.select_for_update()
            .filter(
                enrolment_id__in={e for e, _lesson in durations},
                lesson_id__in={lesson for _e, lesson in durations},
            )
            .order_by("pk")
        )
        return {
            (p.enrolment_id, p.lesson_id): p
            for p in candidates
            if (p.enrolment_id, p.lesson_id) in durations
        }

    rows = locked()
    missing = [key for key in durations if key not in rows]
    if missing:
        LessonProgress.objects.bulk_create(
            [
                LessonProgress(enrolment_id=e, lesson_id=lesson, duration=durations[(e, lesson)])
                for e, lesson in missing
            ],
            ignore_conflicts=True,
        )
        rows = locked()
    return rows


def _store_intervals(session, credits: list[Credit], last, writes: _Writes):
    """Extend the session's last interval while playback continues it (but
    never one already summarised in the ledger)."""
    summarised = session.state.get("summarised_interval", 0)
    for credit in credits:
        if (
            last is not None
            and abs(last.media_end - credit.media_start) < 0.05
            and (last.pk is None or last.pk > summarised)
            and -1e-6 <= credit.wall_start - last.wall_end.timestamp() < 2.0
        ):
            last.media_end = credit.media_end
            last.seconds += credit.seconds
            last.wall_end = _when(credit.wall_end)
            if last.pk is not None:
                writes.changed_intervals[last.pk] = last
            continue
        last = CreditedInterval(
            session=session,
            user_id=session.user_id,
            lesson_id=session.lesson_id,
            media_start=credit.media_start,
            media_end=credit.media_end,
            wall_start=_when(credit.wall_start),
            wall_end=_when(credit.wall_end),
            seconds=credit.seconds,
        )
        writes.new_intervals.append(last)
    return last


def _store_prompts(session, events) -> list[Fact]:
    facts = []
    subject = f"user:{session.user_id}"
    for event in events:
        if isinstance(event, PromptAsked):
            _prompt, created = PresencePrompt.objects.get_or_create(
                pk=event.prompt_id, defaults={"session": session, "issued_at": _when(event.at)}
            )
            if created:
                facts.append(
                    Fact(
                        kind="progress.presence.asked",
                        subject=subject,
                        actor_id=session.user_id,
                        payload={
                            "prompt": event.prompt_id,
                            "session": str(session.pk),
                            "lesson": session.lesson_id,
                            "asked_at_us": round(event.at * 1_000_000),
                        },
                    )
                )
        elif isinstance(event, PromptAnswered):
            answered = PresencePrompt.objects.filter(
                pk=event.prompt_id, answered_at__isnull=True
            ).update(answered_at=_when(event.at))
            if answered:
                facts.append(
                    Fact(
                        kind="progress.presence.answered",
                        subject=subject,
                        actor_id=session.user_id,
                        payload={
                            "prompt": event.prompt_id,
                            "session": str(session.pk),
                            "answered_at_us": round(event.at * 1_000_000),
                        },
                    )
                )
    return facts


def _update_progress(row: LessonProgress, session, state: State, credits: list[Credit]) -> float:
    """Apply a session's new credits to its lesson progress (saved set-wise
    by the caller); returns the study seconds the enrolment gained."""
    row.duration = session.duration
    row.last_position = state.position
    study = sum(c.seconds for c in credits)
    if credits:
        row.covered = union(
            [tuple(pair) for pair in row.covered] + [(c.media_start, c.media_end) for c in credits]
        )
        row.covered_seconds = min(row.duration, sum(e - s for s, e in row.covered))
        # Study time of a lesson counts up to the length of its video: looping
        # a lesson does not earn hours.
        before = row.study_seconds
        row.study_seconds = min(row.duration, before + study)
        gained = row.study_seconds - before
        if row.completed_at is None and 100 * row.covered_seconds >= (
            session.done_percent * row.duration
        ):
            row.completed_at = timezone.now()
        return gained
    return 0.0


def play_sessions_summarise(*, idle_seconds: int | None = None) -> int:
    """Write one ledger entry per play session that went quiet, with the
    intervals credited since its last summary. Returns how many."""
    idle = idle_seconds if idle_seconds is not None else settings.PROGRESS_SESSION_IDLE_SECONDS
    cutoff = timezone.now() - dt.timedelta(seconds=idle)
    written = 0
    candidates = PlaySession.objects.filter(last_heartbeat_at__lt=cutoff).filter(
        Q(summarised_at__isnull=True) | Q(summarised_at__lt=F("last_heartbeat_at"))
    )
    for session_id in candidates.values_list("pk", flat=True)[:500]:
        with transaction.atomic():
            session = PlaySession.objects.select_for_update().get(pk=session_id)
            done_upto = session.state.get("summarised_interval", 0)
            intervals = list(
                session.intervals.filter(pk__gt=done_upto).order_by("pk")
            )  # fmt: skip
            now = timezone.now()
            if intervals:
                entries = ledger_append_many(
                    chain=LEDGER_CHAIN,
                    facts=[
                        Fact(
                            kind="progress.study.credited",
                            subject=f"user:{session.user_id}",
                            actor_id=session.user_id,
                            payload={
                                "session": str(session.pk),
                                "enrolment": str(session.enrolment_id),
                                "lesson": session.lesson_id,
                                "heartbeats": session.heartbeats,
                                # [media from, media to] in ms, [wall from, to] in µs
                                "intervals": [
                                    [
                                        _ms(i.media_start),
                                        _ms(i.media_end),
                                        round(i.wall_start.timestamp() * 1_000_000),
                                        round(i.wall_end.timestamp() * 1_000_000),
                                    ]
                                    for i in intervals
                                ],
                                "credited_ms": sum(_ms(i.seconds) for i in intervals),
                            },
                        )
                    ],
                )
                study_facts_record(facts=entries, sessions={str(session.pk): session})
                written += 1
                session.state = {**session.state, "summarised_interval": intervals[-1].pk}
            session.summarised_at = now
            session.save(update_fields=["state", "summarised_at"])
    return written
