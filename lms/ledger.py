"""The shared append-only ledger: hash chains of facts, after Certificate
Transparency (RFC 6962/9162).

Each entry's hash covers its canonical JSON, which carries the previous
entry's hash, so changing, removing or reordering one entry breaks every hash
after it. Appends to a chain lock its ``LedgerHead`` row, which numbers and
links them one at a time inside the caller's transaction: the fact and its
ledger entry commit together or not at all.

Canonical JSON: keys sorted, no spaces, UTF-8, timestamps in UTC at the
database's microsecond precision, so a hash recomputed from the stored row
matches the one computed at append time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from .models import LedgerEntry, LedgerHead

GENESIS = "0" * 64


@dataclass(frozen=True)
class Fact:
    """What a caller appends: ``kind`` names the fact ("progress.enrolled"),
    ``subject`` whom it is about ("user:42", for drill-down), ``payload``
    the details (JSON-serialisable, no floats that cannot round-trip)."""

    kind: str
    payload: dict[str, Any]
    subject: str = ""
    actor_id: int | None = None


def _timestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_bytes(
    *,
    chain: str,
    position: int,
    kind: str,
    subject: str,
    actor_id: int | None,
    payload: dict,
    recorded_at: dt.datetime,
    prev_hash: str,
) -> bytes:
    """The exact bytes an entry's hash is computed over."""
    document = {
        "actor": actor_id,
        "chain": chain,
        "kind": kind,
        "payload": payload,
        "position": position,
        "prev": prev_hash,
        "recorded_at": _timestamp(recorded_at),
        "subject": subject,
    }
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def entry_canonical_bytes(entry: LedgerEntry) -> bytes:
    return canonical_bytes(
        chain=entry.chain,
        position=entry.position,
        kind=entry.kind,
        subject=entry.subject,
        actor_id=entry.actor_id,
        payload=entry.payload,
        recorded_at=entry.recorded_at,
        prev_hash=entry.prev_hash,
    )


def entry_hash(canonical: bytes) -> str:
    return hashlib.sha256(canonical).hexdigest()


def _now() -> dt.datetime:
    # Microsecond precision is what both PostgreSQL and SQLite keep.
    return dt.datetime.now(dt.UTC)


def _lock_head(chain: str) -> LedgerHead:
    LedgerHead.objects.get_or_create(chain=chain, defaults={"head_hash": GENESIS})
    return LedgerHead.objects.select_for_update().get(chain=chain)


def ledger_append_many(*, chain: str, facts: Sequence[Fact]) -> list[LedgerEntry]:
    """Append ``facts`` in order to ``chain``, inside the caller's transaction."""
    if not facts:
        return []
    with transaction.atomic():
        head = _lock_head(chain)
        entries = []
        prev, position = head.head_hash, head.size
        recorded_at = _now()
        for fact in facts:
            payload = json.loads(json.dumps(fact.payload, allow_nan=False))
            canonical = canonical_bytes(
                chain=chain,
                position=position,
                kind=fact.kind,
                subject=fact.subject,
                actor_id=fact.actor_id,
                payload=payload,
                recorded_at=recorded_at,
                prev_hash=prev,
            )
            digest = entry_hash(canonical)
            entries.append(
                LedgerEntry(
                    chain=chain,
                    position=position,
                    kind=fact.kind,
                    subject=fact.subject,
                    actor_id=fact.actor_id,
                    payload=payload,
                    recorded_at=recorded_at,
                    prev_hash=prev,
                    entry_hash=digest,
                )
            )
            prev, position = digest, position + 1
        LedgerEntry.objects.bulk_create(entries)
        LedgerHead.objects.filter(chain=chain).update(size=position, head_hash=prev)
    return entries


def ledger_append(
    *,
    chain: str,
    kind: str,
    payload: dict[str, Any],
    subject: str = "",
    actor_id: int | None = None,
) -> LedgerEntry:
    """Append one fact to ``chain`` inside the caller's transaction."""
    fact = Fact(kind=kind, payload=payload, subject=subject, actor_id=actor_id)
    return ledger_append_many(chain=chain, facts=[fact])[0]


@dataclass(frozen=True)
class Break:
    """The first place where a chain stops verifying."""

    position: int
    reason: str


def verify_entries(entries: Iterable[LedgerEntry], *, prev_hash: str = GENESIS,
                   start: int = 0) -> Break | None:  # fmt: skip
    """Walk entries in position order; ``None`` if every hash and link holds."""
    expected = start
    for entry in entries:
        if entry.position != expected:
            reason = "missing" if entry.position > expected else "reordered"
            return Break(position=expected, reason=reason)
        if entry.prev_hash != prev_hash:
            return Break(position=entry.position, reason="link")
        if entry_hash(entry_canonical_bytes(entry)) != entry.entry_hash:
            return Break(position=entry.position, reason="altered")
        prev_hash, expected = entry.entry_hash, expected + 1
    return None
