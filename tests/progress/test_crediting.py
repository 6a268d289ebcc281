"""The crediting rules, table-driven, and their invariants on generated
heartbeat streams (hypothesis)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from progress.crediting import (
    Beat,
    Credit,
    PromptAnswered,
    PromptAsked,
    State,
    exclusive,
    fold,
    length,
    union,
)

DURATION = 600.0


def credited(events, duration=DURATION, state=None):
    _state, credits = fold(state or State(), events, duration=duration)
    return credits


def total(credits):
    return round(sum(c.seconds for c in credits), 6)


def covered(credits):
    return round(length(union((c.media_start, c.media_end) for c in credits)), 6)


def beats(*rows, **common):
    """Heartbeats from (seq, at, position) rows, playing at 1× unless told."""
    return [Beat(seq=i, at=at, position=pos, **common) for i, at, pos in rows]


CASES = [
    # name, events, credited seconds, covered media seconds
    ("plays straight through", beats((1, 0, 0), (2, 5, 5), (3, 10, 10)), 10, 10),
    ("nothing before the first heartbeat", beats((1, 100, 50)), 0, 0),
    (
        "paused: nothing while paused",
        [
            Beat(1, 0, 0),
            Beat(2, 5, 5, playing=False, event="pause"),
            Beat(3, 65, 5, playing=False),
            Beat(4, 70, 5, event="play"),
            Beat(5, 75, 10),
        ],
        10,
        10,
    ),
    (
        "seeking ahead credits nothing",
        [Beat(1, 0, 0), Beat(2, 5, 300), Beat(3, 10, 305)],
        5,
        5,
    ),
    (
        "a seek event credits up to where the jump started",
        [
            Beat(1, 0, 0),
            Beat(2, 3, 300, event="seek", seek_from=3),
            Beat(3, 8, 305),
        ],
        8,
        8,
    ),
    (
        "going back credits the replay as study, not as new coverage",
        [
            Beat(1, 0, 0),
            Beat(2, 10, 10),
            Beat(3, 11, 0, event="seek", seek_from=11),
            Beat(4, 21, 10),
        ],  # fmt: skip
        21,
        11,
    ),
    ("2× counts the wall-clock time", beats((1, 0, 0), (2, 5, 10), rate=2.0), 5, 10),
    ("above 2× credits nothing", beats((1, 0, 0), (2, 5, 12.5), rate=2.5), 0, 0),
    ("half speed counts the wall-clock time", beats((1, 0, 0), (2, 10, 5), rate=0.5), 10, 5),
    (
        "position running faster than the clock credits nothing",
        beats((1, 0, 0), (2, 5, 9)),
        0,
        0,
    ),
    (
        "a long gap credits what was played, never more than the clock",
        beats((1, 0, 0), (2, 300, 5)),
        5,
        5,
    ),
    ("duplicate sequence numbers change nothing", beats((1, 0, 0), (2, 5, 5), (2, 5, 5)), 5, 5),
    (
        "a replayed old heartbeat changes nothing",
        [Beat(1, 0, 0), Beat(2, 5, 5), Beat(3, 10, 10), Beat(2, 12, 5), Beat(4, 15, 15)],
        15,
        15,
    ),
    (
        "a hidden tab stops crediting after the grace period",
        [
            Beat(1, 0, 0),
            Beat(2, 10, 10, visible=False, event="hide"),
            Beat(3, 70, 70, visible=False),
        ],
        25,
        25,
    ),
    (
        "visible again: crediting resumes",
        [
            Beat(1, 0, 0, visible=False),
            Beat(2, 60, 60, visible=False),
            Beat(3, 61, 61, event="show"),
            Beat(4, 71, 71),
        ],
        25,
        25,
    ),
    ("never past the end of the video", beats((1, 0, 590), (2, 10, 600), (3, 20, 600)), 10, 10),
    (
        "an unanswered prompt stops crediting",
        [Beat(1, 0, 0), Beat(2, 5, 5), PromptAsked(7, "p1"), Beat(3, 10, 10), Beat(4, 100, 100)],
        7,
        7,
    ),
    (
        "an answered prompt lets crediting resume from the answer",
        [
            Beat(1, 0, 0),
            PromptAsked(5, "p1"),
            Beat(2, 5, 5, playing=False, event="pause"),
            PromptAnswered(30, "p1"),
            Beat(3, 31, 5, event="play"),
            Beat(4, 41, 15),
        ],
        15,
        15,
    ),
    (
        "an answer to another prompt does not unlock",
        [Beat(1, 0, 0), PromptAsked(1, "p1"), PromptAnswered(2, "p0"), Beat(2, 10, 10)],
        1,
        1,
    ),
]


@pytest.mark.parametrize(
    ("events", "seconds", "media"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_crediting_rule(events, seconds, media):
    credits = credited(events)
    assert total(credits) == pytest.approx(seconds, abs=1e-6)
    assert covered(credits) == pytest.approx(media, abs=1e-6)


def test_folding_in_batches_gives_the_same_credit_as_all_at_once():
    events = beats(*[(i + 1, i * 5, i * 5) for i in range(20)])
    whole = credited(events)
    state, first = fold(State(), events[:7], duration=DURATION)
    state = State.from_json(state.to_json())  # stored between flushes
    _state, rest = fold(state, events[7:], duration=DURATION)
    assert total(first + rest) == total(whole) == 95


def test_two_tabs_at_once_credit_one():
    tab_a = Credit(media_start=0, media_end=10, wall_start=100, wall_end=110)
    tab_b = Credit(media_start=50, media_end=60, wall_start=105, wall_end=115)
    parts = exclusive(tab_b, [(tab_a.wall_start, tab_a.wall_end)])
    assert [(p.wall_start, p.wall_end, p.media_start, p.media_end) for p in parts] == [
        (110, 115, 55, 60)
    ]


def test_union_and_length():
    assert union([(5, 10), (0, 3), (2, 6), (20, 20)]) == [[0, 10]]
    assert length([[0, 10], [15, 16]]) == 11


# --- invariants on random heartbeat streams ------------------------------------

beat_rows = st.lists(
    st.tuples(
        st.integers(min_value=-2, max_value=6),  # sequence step (≤ 0: duplicate/replay)
        st.floats(min_value=0, max_value=30),  # seconds since the previous heartbeat
        st.floats(min_value=-20, max_value=60),  # position change
        st.sampled_from([0.5, 1.0, 1.25, 1.5, 2.0, 2.5, 4.0]),
        st.booleans(),  # playing
        st.booleans(),  # visible
        st.sampled_from(["tick", "seek", "pause", "play"]),
    ),
    max_size=60,
)


def _stream(rows, duration):
    events, seq, at, position = [], 0, 1000.0, 0.0
    for step, gap, move, rate, playing, visible, kind in rows:
        seq, at = seq + step, at + gap
        start = position
        position = min(duration, max(0.0, position + move))
        events.append(
            Beat(
                seq=seq,
                at=at,
                position=position,
                rate=rate,
                playing=playing,
                visible=visible,
                event=kind,
                seek_from=start if kind == "seek" else None,
            )
        )
    return events


@settings(max_examples=300, deadline=None)
@given(rows=beat_rows, duration=st.floats(min_value=1, max_value=900))
def test_invariants_of_any_heartbeat_stream(rows, duration):
    events = _stream(rows, duration)
    credits = credited(events, duration=duration)
    wall = (events[-1].at - events[0].at) if events else 0.0
    # Credited study time never exceeds the wall-clock time the stream spans,
    assert total(credits) <= wall + 1e-6
    # credited pieces never overlap in wall-clock time,
    spans = sorted((c.wall_start, c.wall_end) for c in credits)
    assert all(a[1] <= b[0] + 1e-9 for a, b in zip(spans, spans[1:], strict=False))
    # coverage stays inside the video,
    assert covered(credits) <= duration + 1e-6
    assert all(0 <= c.media_start <= c.media_end <= duration for c in credits)
    # and no piece is faster than 2×.
    assert all(c.media_end - c.media_start <= 2 * c.seconds + 1e-6 for c in credits)


@settings(max_examples=200, deadline=None)
@given(rows=beat_rows, replays=st.lists(st.integers(min_value=0, max_value=59), max_size=20))
def test_replaying_heartbeats_changes_nothing(rows, replays):
    events = _stream(rows, DURATION)
    if not events:
        return
    replayed = list(events)
    for index in replays:
        original = events[index % len(events)]
        later = replayed[-1].at
        # The same packet received again later (a retry or an attacker's replay).
        replayed.append(Beat(**{**original.__dict__, "at": max(later, original.at)}))
    once = credited(events)
    again = credited(replayed)
    assert total(again) == pytest.approx(total(once))
    assert covered(again) == pytest.approx(covered(once))
