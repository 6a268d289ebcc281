"""The heartbeat buffer: a Redis stream between the web processes and the
flusher.

The web process checks a heartbeat and appends it to the stream in one Lua
script (session owner, sequence order, range against the video's duration,
presence prompt schedule, resume position), stamped with Redis's clock so
every web process credits on the same clock. Once the script returns, the
heartbeat is acknowledged: it is in Redis, not in a Python process, so a
crash of the web process after the acknowledgement loses nothing. The
flusher reads the stream in a consumer group and acknowledges entries only
after their effects committed in PostgreSQL; entries a dead flusher left
pending are claimed again (``XAUTOCLAIM``). Folding is idempotent (sequence
numbers), so a batch folded twice credits once.

Without ``PROGRESS_REDIS_URL`` (the embedded default) the same code runs on
``fakeredis``, an in-process Redis with Lua, instead of a second
implementation of the buffer.
"""

from __future__ import annotations

import functools
import random
import uuid
from dataclasses import dataclass

import redis
from django.conf import settings

from .crediting import Beat, PromptAnswered, PromptAsked

STREAM = "jx:hb:stream"
GROUP = "flushers"
SESSION_TTL = 24 * 3600
CLAIM_IDLE_MS = 60_000

# KEYS: session, user, stream
# ARGV: user id, session id, seq, position, rate, playing, visible, event,
#       seek_from ("" if none), new prompt id, prompt delay (s)
_BEAT = """
local owner = redis.call('HGET', KEYS[1], 'user')
if not owner then return {'unknown', ''} end
if owner ~= ARGV[1] then return {'forbidden', ''} end
local duration = tonumber(redis.call('HGET', KEYS[1], 'duration'))
local position = tonumber(ARGV[4])
if position > duration + 1 or (ARGV[9] ~= '' and tonumber(ARGV[9]) > duration + 1) then
  return {'range', tostring(duration)}
end
local seq = tonumber(ARGV[3])
local last = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
local pending = redis.call('HGET', KEYS[2], 'pid') or ''
if seq == last then return {'duplicate', pending} end
if seq < last then return {'backwards', tostring(last)} end
local t = redis.call('TIME')
local now = t[1] .. string.format('%06d', tonumber(t[2]))
local now_s = tonumber(t[1])
redis.call('HSET', KEYS[1], 'seq', seq, 'pos', ARGV[4])
redis.call('EXPIRE', KEYS[1], SESSION_TTL)
redis.call('XADD', KEYS[3], '*', 'k', 'b', 's', ARGV[2], 'n', ARGV[3], 't', now,
  'p', ARGV[4], 'r', ARGV[5], 'y', ARGV[6], 'v', ARGV[7], 'e', ARGV[8], 'f', ARGV[9])
-- Presence prompts are scheduled per worker, not per tab: reloading the page
-- or opening another tab does not dodge one.
if pending ~= '' then
  if redis.call('HGET', KEYS[2], 'psid') ~= ARGV[2] then
    pending = ARGV[10]
    redis.call('HSET', KEYS[2], 'pid', pending, 'psid', ARGV[2])
    redis.call('XADD', KEYS[3], '*', 'k', 'q', 's', ARGV[2], 't', now, 'q', pending)
  end
elseif ARGV[6] == '1' then
  local due = tonumber(redis.call('HGET', KEYS[2], 'next') or '0')
  if due == 0 then
    redis.call('HSET', KEYS[2], 'next', now_s + tonumber(ARGV[11]))
  elseif now_s >= due then
    pending = ARGV[10]
    redis.call('HSET', KEYS[2], 'pid', pending, 'psid', ARGV[2])
    redis.call('XADD', KEYS[3], '*', 'k', 'q', 's', ARGV[2], 't', now, 'q', pending)
  end
end
redis.call('EXPIRE', KEYS[2], SESSION_TTL)
return {'ok', pending}
""".replace("SESSION_TTL", str(SESSION_TTL))

# KEYS: user, stream; ARGV: session id, prompt id, next delay (s), answer
_ANSWER = """
local pending = redis.call('HGET', KEYS[1], 'pid')
if pending ~= ARGV[2] then
  if redis.call('HGET', KEYS[1], 'last') == ARGV[2] then return 'duplicate' end
  return 'stale'
end
local t = redis.call('TIME')
local now = t[1] .. string.format('%06d', tonumber(t[2]))
redis.call('HDEL', KEYS[1], 'pid', 'psid')
redis.call('HSET', KEYS[1], 'last', ARGV[2], 'next', tonumber(t[1]) + tonumber(ARGV[3]))
redis.call('XADD', KEYS[2], '*', 'k', 'a', 's', ARGV[1], 't', now, 'q', ARGV[2], 'x', ARGV[4])
return 'ok'
"""


@functools.cache
def _fake_server():
    import fakeredis

    return fakeredis.FakeServer()


def client() -> redis.Redis:
    return _client(settings.PROGRESS_REDIS_URL)


@functools.cache
def _client(url: str) -> redis.Redis:
    if not url:
        import fakeredis

        return fakeredis.FakeRedis(server=_fake_server())
    return redis.Redis.from_url(url, health_check_interval=30)


def _script(source: str):
    # EVALSHA with a fallback to EVAL: the script is sent once per connection pool.
    return _scripts(client(), source)


@functools.cache
def _scripts(conn: redis.Redis, source: str):
    return conn.register_script(source)


def _session_key(session_id) -> str:
    return f"jx:hb:s:{session_id}"


def _user_key(user_id) -> str:
    return f"jx:hb:u:{user_id}"


def _prompt_delay() -> int:
    return random.randint(  # noqa: S311 - unpredictable enough for a nudge, not a secret
        settings.PROGRESS_PROMPT_MIN_SECONDS, settings.PROGRESS_PROMPT_MAX_SECONDS
    )


def session_open(
    *, session_id, user_id: int, lesson_id: int, duration: float, position: float = 0.0
) -> None:
    """Make a play session known to the buffer (it then accepts heartbeats).
    ``position`` is where it resumes, until its first heartbeat says more."""
    key = _session_key(session_id)
    pipe = client().pipeline()
    pipe.hset(
        key,
        mapping={
            "user": user_id,
            "lesson": lesson_id,
            "duration": duration,
            "seq": 0,
            "pos": repr(position),
        },
    )
    pipe.expire(key, SESSION_TTL)
    pipe.execute()


@dataclass(frozen=True)
class Outcome:
    status: str  # ok, duplicate, backwards, range, unknown, forbidden
    prompt_id: str = ""


def beat_push(
    *,
    session_id,
    user_id: int,
    seq: int,
    position: float,
    rate: float,
    playing: bool,
    visible: bool,
    event: str,
    seek_from: float | None,
) -> Outcome:
    status, extra = _script(_BEAT)(
        keys=[_session_key(session_id), _user_key(user_id), STREAM],
        args=[
            user_id,
            str(session_id),
            seq,
            repr(position),
            repr(rate),
            "1" if playing else "0",
            "1" if visible else "0",
            event,
            "" if seek_from is None else repr(seek_from),
            uuid.uuid4().hex,
            _prompt_delay(),
        ],
    )
    status, extra = status.decode(), extra.decode()
    return Outcome(status=status, prompt_id=extra if status in ("ok", "duplicate") else "")


def answer_push(*, session_id, user_id: int, prompt_id: str, answer: str = "") -> str:
    """'ok', 'duplicate' (already answered) or 'stale' (no such prompt)."""
    return _script(_ANSWER)(
        keys=[_user_key(user_id), STREAM],
        args=[str(session_id), prompt_id, _prompt_delay(), answer],
    ).decode()


def pending_prompt_get(*, user_id: int) -> str:
    return (client().hget(_user_key(user_id), "pid") or b"").decode()


def session_position_get(*, session_id) -> float | None:
    """Where the player of this session last was, if the buffer still knows."""
    value = client().hget(_session_key(session_id), "pos")
    return float(value) if value is not None else None


# --- the flusher's side -----------------------------------------------------------


def flush_lock():
    """One flusher at a time; a flusher that died frees it after two minutes."""
    return client().lock("jx:hb:flush-lock", timeout=120)


def _ensure_group(conn: redis.Redis) -> None:
    try:
        conn.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
    except redis.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


def _parse(fields: dict[bytes, bytes]) -> tuple[str, object]:
    f = {k.decode(): v.decode() for k, v in fields.items()}
    at = int(f["t"]) / 1_000_000
    if f["k"] == "b":
        return f["s"], Beat(
            seq=int(f["n"]),
            at=at,
            position=float(f["p"]),
            rate=float(f["r"]),
            playing=f["y"] == "1",
            visible=f["v"] == "1",
            event=f["e"],
            seek_from=float(f["f"]) if f["f"] else None,
        )
    if f["k"] == "q":
        return f["s"], PromptAsked(at=at, prompt_id=f["q"])
    return f["s"], PromptAnswered(at=at, prompt_id=f["q"])


@dataclass
class Batch:
    ids: list[bytes]
    events: list[tuple[str, object]]  # (session id, event) in stream order


def batch_read(*, consumer: str, count: int = 2000, claim_idle_ms: int = CLAIM_IDLE_MS) -> Batch:
    """Entries to fold: first those a dead flusher left pending for
    ``claim_idle_ms``, then this consumer's own unacknowledged ones, then new ones."""
    conn = client()
    _ensure_group(conn)
    claimed = conn.xautoclaim(STREAM, GROUP, consumer, claim_idle_ms, "0-0", count=count)
    entries = [item for item in claimed[1] if item[1]]
    # Then this consumer's own unacknowledged entries (it failed halfway last
    # time; they come back with id 0), and only then new ones.
    for stream_id in ("0", ">"):
        if entries:
            break
        reply = conn.xreadgroup(GROUP, consumer, {STREAM: stream_id}, count=count)
        for _name, items in reply or []:
            entries += [item for item in items if item[1]]
    entries.sort(key=lambda item: tuple(int(p) for p in item[0].split(b"-")))
    return Batch(ids=[i for i, _ in entries], events=[_parse(fields) for _, fields in entries])


def batch_done(batch: Batch) -> None:
    """Acknowledge and drop a batch whose effects have committed."""
    if not batch.ids:
        return
    pipe = client().pipeline()
    pipe.xack(STREAM, GROUP, *batch.ids)
    pipe.xdel(STREAM, *batch.ids)
    pipe.execute()
