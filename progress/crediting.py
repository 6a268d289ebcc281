"""The crediting rules: a play session's heartbeats in, credited intervals out.

Pure functions over plain data (no models, no Redis), so the rules are
tested directly, table-driven and with generated streams (hypothesis).

Times are the *server's* receive times: a browser's clock and its claims
about elapsed time are not trusted. Between two consecutive heartbeats
``a`` → ``b`` of one session, the server credits the media stretch from
``a.position`` only if

- ``a`` says the video was playing, at a rate of at most ``MAX_RATE``;
- the position moved forward by no more than the wall-clock time allows at
  that rate (plus a little slack for network jitter): a jump is a seek, and
  seeking ahead credits nothing;
- the tab was visible, or hidden for less than the grace period;
- no presence prompt (防挂机) was waiting for an answer.

The credited study time of a stretch is its media length divided by the
rate, so it never exceeds the wall-clock time between the two heartbeats.
A sequence number at or below the last one folded is a duplicate or a
replay and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace

MAX_RATE = 2.0
# Slack for jitter between the player's timer and the server's receive times:
# the position may run ahead of wall-clock × rate by this factor plus seconds.
SLACK_FACTOR = 1.10
SLACK_SECONDS = 1.5


@dataclass(frozen=True)
class Beat:
    """One heartbeat as the server received it. For ``event == "seek"``,
    ``seek_from`` is where the player was before the jump and ``position``
    where it landed."""

    seq: int
    at: float
    position: float
    rate: float = 1.0
    playing: bool = True
    visible: bool = True
    event: str = "tick"
    seek_from: float | None = None


@dataclass(frozen=True)
class PromptAsked:
    at: float
    prompt_id: str


@dataclass(frozen=True)
class PromptAnswered:
    at: float
    prompt_id: str


Event = Beat | PromptAsked | PromptAnswered


@dataclass(frozen=True)
class Credit:
    """A credited stretch: media ``[media_start, media_end]`` played during
    wall-clock ``[wall_start, wall_end]``, worth ``seconds`` of study."""

    media_start: float
    media_end: float
    wall_start: float
    wall_end: float

    @property
    def seconds(self) -> float:
        return self.wall_end - self.wall_start


@dataclass(frozen=True)
class State:
    """What crediting remembers of a session between heartbeats."""

    seq: int = 0
    at: float | None = None
    position: float = 0.0
    rate: float = 1.0
    playing: bool = False
    visible: bool = True
    hidden_since: float | None = None
    prompt_id: str | None = None
    prompt_since: float | None = None
    answered: tuple[str, ...] = field(default_factory=tuple)

    def to_json(self) -> dict:
        data = asdict(self)
        data["answered"] = list(self.answered)
        return data

    @classmethod
    def from_json(cls, data: dict | None) -> State:
        if not data:
            return cls()
        data = dict(data)
        data["answered"] = tuple(data.get("answered") or ())
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def _credit(state: State, beat: Beat, *, duration: float, hidden_grace: float) -> Credit | None:
    if not state.playing or state.at is None or state.rate > MAX_RATE or state.rate <= 0:
        return None
    end = beat.at
    if not state.visible and state.hidden_since is not None:
        end = min(end, state.hidden_since + hidden_grace)
    if state.prompt_since is not None:
        end = min(end, state.prompt_since)
    wall = end - state.at
    if wall <= 0:
        return None
    reached = beat.position
    if beat.event == "seek" and beat.seek_from is not None:
        reached = beat.seek_from
    moved = reached - state.position
    if moved <= 0 or moved > (beat.at - state.at) * state.rate * SLACK_FACTOR + SLACK_SECONDS:
        return None  # paused, went back, or jumped ahead: nothing seen played
    start = max(0.0, state.position)
    stop = min(duration, state.position + min(moved, wall * state.rate))
    if stop <= start:
        return None
    return Credit(
        media_start=start,
        media_end=stop,
        wall_start=state.at,
        wall_end=state.at + (stop - start) / state.rate,
    )


def fold(
    state: State, events: Iterable[Event], *, duration: float, hidden_grace: float = 15.0
) -> tuple[State, list[Credit]]:
    """Apply ``events`` (in the order the server received them) to ``state``."""
    credits: list[Credit] = []
    for event in events:
        if isinstance(event, PromptAsked):
            if state.prompt_id is None and event.prompt_id not in state.answered:
                state = replace(state, prompt_id=event.prompt_id, prompt_since=event.at)
            continue
        if isinstance(event, PromptAnswered):
            if state.prompt_id == event.prompt_id:
                # Crediting resumes from the answer, not from the question.
                state = replace(
                    state,
                    prompt_id=None,
                    prompt_since=None,
                    answered=(*state.answered[-9:], event.prompt_id),
                    at=max(state.at or event.at, event.at),
                )
            continue
        beat = event
        if beat.seq <= state.seq:
            continue  # duplicate or replay
        if state.at is not None and beat.at < state.at:
            continue  # cannot happen with one clock; never credit backwards time
        credit = _credit(state, beat, duration=duration, hidden_grace=hidden_grace)
        if credit is not None:
            credits.append(credit)
        hidden_since = None if beat.visible else (
            state.hidden_since if not state.visible and state.hidden_since is not None
            else beat.at
        )  # fmt: skip
        state = replace(
            state,
            seq=beat.seq,
            at=beat.at,
            position=beat.position,
            rate=beat.rate,
            playing=beat.playing,
            visible=beat.visible,
            hidden_since=hidden_since,
        )
    return state, credits


# --- interval arithmetic ------------------------------------------------------


def union(intervals: Iterable[tuple[float, float]]) -> list[list[float]]:
    """Sorted, disjoint union of ``[start, end]`` intervals."""
    merged: list[list[float]] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def length(intervals: Iterable[tuple[float, float] | list[float]]) -> float:
    return sum(end - start for start, end in intervals)


def subtract(
    interval: tuple[float, float], taken: Iterable[tuple[float, float]]
) -> list[tuple[float, float]]:
    """The parts of ``interval`` not covered by ``taken``."""
    pieces = [interval]
    for t_start, t_end in taken:
        next_pieces = []
        for start, end in pieces:
            if t_end <= start or t_start >= end:
                next_pieces.append((start, end))
                continue
            if start < t_start:
                next_pieces.append((start, t_start))
            if t_end < end:
                next_pieces.append((t_end, end))
        pieces = next_pieces
    return pieces


def exclusive(credit: Credit, taken: Iterable[tuple[float, float]]) -> list[Credit]:
    """``credit`` without the wall-clock time already credited to another tab
    of the same worker: two tabs playing at once credit one."""
    rate = (credit.media_end - credit.media_start) / credit.seconds if credit.seconds else 1.0
    parts = []
    for w_start, w_end in subtract((credit.wall_start, credit.wall_end), taken):
        m_start = credit.media_start + (w_start - credit.wall_start) * rate
        parts.append(
            Credit(
                media_start=m_start,
                media_end=m_start + (w_end - w_start) * rate,
                wall_start=w_start,
                wall_end=w_end,
            )
        )
    return parts
