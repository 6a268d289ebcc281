"""The shared append-only ledger: hash chains of facts, after Certificate
Transparency (RFC 6962/9162).

Each entry's hash covers its canonical JSON, which carries the previous
entry's hash, so changing, removing or reordering one entry breaks every hash
after it. Appends to a chain lock its ``LedgerHead`` row, which numbers and
links them one at a time inside the caller's transaction: the fact and its
ledger entry commit together or not at all. On PostgreSQL, triggers refuse
UPDATE, DELETE and TRUNCATE of entries and checkpoints (migration 0003).

Canonical JSON: keys sorted, no spaces, UTF-8, timestamps in UTC at the
database's microsecond precision, so a hash recomputed from the stored row
matches the one computed at append time.

Checkpoints (the Celery beat task ``ledger_checkpoint``) sign (chain, tree
size, Merkle root, time) with an Ed25519 key kept outside the database
(``LEDGER_SIGNING_KEY``); ``lms.merkle`` builds the trees and proofs.
``manage.py verify_ledger`` walks a chain, a slice or an exported file.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from . import merkle
from .exceptions import ApplicationError
from .models import LedgerCheckpoint, LedgerEntry, LedgerHead

GENESIS = "0" * 64
FILE_FORMAT = "jiangxue-ledger/1"
_FETCH = 5000  # rows per round trip when streaming a chain

_sha256 = hashlib.sha256
_encode = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
).encode
_string = json.encoder.encode_basestring  # what _encode does to a str (C when available)


def _payload_encoder() -> Callable[[Any], str]:
    """``_encode`` with CPython's C encoder built once instead of per call
    (3x faster on a small payload). No circular-reference check: payloads
    come from JSON."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return _encode

    def default(value):
        raise TypeError(f"{type(value).__name__} is not JSON serialisable")

    encoder = make(None, default, _string, None, ":", ",", True, False, False)
    join = "".join
    return lambda value: join(encoder(value, 0))


_payload = _payload_encoder()
_scan = json.scanner.make_scanner(json.JSONDecoder())  # C when available


def _loads(text: str) -> Any:
    """json.loads without its whitespace checks: PostgreSQL writes jsonb with none around."""
    return _scan(text, 0)[0]


@dataclass(frozen=True)
class Fact:
    """What a caller appends: ``kind`` names the fact ("progress.enrolled"),
    ``subject`` whom it is about ("user:42", for drill-down), ``payload``
    the details (JSON-serialisable, no floats that cannot round-trip)."""

    kind: str
    payload: dict[str, Any]
    subject: str = ""
    actor_id: int | None = None


# --- Canonical form -------------------------------------------------------------


def _timestamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _number(value: Any) -> str:
    return str(value) if type(value) is int else _encode(value)


def _canonical(
    chain: str,
    position: int,
    kind: str,
    subject: str,
    actor_id: int | None,
    payload: Any,
    recorded_at: str,
    prev_hash: str,
) -> bytes:
    # Byte for byte json.dumps({...}, sort_keys=True, separators=(",", ":"),
    # ensure_ascii=False) of the document in ``canonical_bytes``, written out
    # key by key because verification runs it a million times
    # (tests/lms/test_ledger.py compares the two).
    return (
        f'{{"actor":{"null" if actor_id is None else _number(actor_id)},'
        f'"chain":{_string(chain)},"kind":{_string(kind)},"payload":{_payload(payload)},'
        f'"position":{_number(position)},"prev":{_string(prev_hash)},'
        f'"recorded_at":{_string(recorded_at)},"subject":{_string(subject)}}}'
    ).encode()


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
    """The exact bytes an entry's hash is computed over: the JSON document
    {actor, chain, kind, payload, position, prev, recorded_at, subject}."""
    return _canonical(
        chain, position, kind, subject, actor_id, payload, _timestamp(recorded_at), prev_hash
    )


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
    return _sha256(canonical).hexdigest()


def entry_leaf_hash(entry: LedgerEntry) -> bytes:
    """The entry's leaf in the chain's Merkle tree (RFC 6962: over its canonical bytes)."""
    return merkle.leaf_hash(entry_canonical_bytes(entry))


def _now() -> dt.datetime:
    # Microsecond precision is what both PostgreSQL and SQLite keep.
    return dt.datetime.now(dt.UTC)


# --- Appending ------------------------------------------------------------------


def _lock_head(chain: str) -> LedgerHead:
    try:
        return LedgerHead.objects.select_for_update().get(chain=chain)
    except LedgerHead.DoesNotExist:
        LedgerHead.objects.get_or_create(chain=chain, defaults={"head_hash": GENESIS})
        return LedgerHead.objects.select_for_update().get(chain=chain)


def ledger_append_many(*, chain: str, facts: Sequence[Fact]) -> list[LedgerEntry]:
    """Append ``facts`` in order to ``chain``, inside the caller's transaction."""
    if not facts:
        return []
    # No savepoint of our own: a failed append fails the caller's transaction,
    # as any failed write does, and saves two round trips per append.
    with transaction.atomic(savepoint=False):
        head = _lock_head(chain)
        entries = []
        prev, position = head.head_hash, head.size
        recorded_at = _now()
        stamp = _timestamp(recorded_at)
        for fact in facts:
            payload = json.loads(json.dumps(fact.payload, allow_nan=False))
            canonical = _canonical(
                chain, position, fact.kind, fact.subject, fact.actor_id, payload, stamp, prev
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


# --- Reading rows fast ----------------------------------------------------------

# A row: (position, kind, subject, actor_id, payload, recorded_at text,
# prev_hash, entry_hash); the first seven are ``_canonical``'s arguments after
# the chain.
Row = tuple[int, str, str, int | None, Any, str, str, str]

_PG_ROWS = """
SELECT position, kind, subject, actor_id, payload,
       to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
       prev_hash, entry_hash
FROM {table} WHERE chain = %s AND position >= %s AND position < %s ORDER BY position
"""


def _entry_rows(chain: str, start: int, stop: int) -> Iterator[Row]:
    """Entries ``start`` to ``stop - 1`` of ``chain`` in position order,
    streamed through a server-side cursor: no model instances, the timestamp
    formatted by PostgreSQL."""
    if connection.vendor != "postgresql":
        rows = (
            LedgerEntry.objects.filter(chain=chain, position__gte=start, position__lt=stop)
            .order_by("position")
            .values_list(
                "position",
                "kind",
                "subject",
                "actor_id",
                "payload",
                "recorded_at",
                "prev_hash",
                "entry_hash",
            )
        )
        for p, k, s, a, payload, at, prev, digest in rows.iterator(chunk_size=_FETCH):
            yield p, k, s, a, payload, _timestamp(at), prev, digest
        return
    loads = _loads
    sql = _PG_ROWS.format(table=connection.ops.quote_name(LedgerEntry._meta.db_table))
    # Inside a transaction the cursor streams; outside one (WITH HOLD) the
    # server would first materialise the whole result.
    with transaction.atomic(), connection.chunked_cursor() as cursor:
        cursor.execute(sql, [chain, start, stop])
        for batch in _prefetched(cursor.cursor.fetchmany):
            for p, k, s, a, payload, at, prev, digest in batch:
                yield p, k, s, a, loads(payload), at, prev, digest


def _prefetched(fetchmany: Callable[[int], list]) -> Iterator[list]:
    """Batches of rows, the next one fetched by a thread while this one is
    hashed: PostgreSQL reads and formats rows on one core while Python hashes
    on the other (psycopg releases the GIL while it waits; its connection is
    thread-safe, and the cursor is only used by one thread at a time)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(fetchmany, _FETCH)
        while batch := pending.result():
            pending = pool.submit(fetchmany, _FETCH)
            yield batch


def _leaf_hashes(chain: str, size: int) -> Iterator[bytes]:
    leaf = merkle.leaf_hash
    for row in _entry_rows(chain, 0, size):
        yield leaf(_canonical(chain, *row[:7]))


# --- Verification ---------------------------------------------------------------

# Break reasons; verify_ledger explains each.
MISSING = "missing"  # a position has no entry, or the chain is shorter than signed
REORDERED = "reordered"  # an intact entry sits at another entry's place
ALTERED = "altered"  # the entry's content does not hash to its stored hash
LINK = "link"  # the entry does not follow the entry before it
HEAD = "head"  # the last entry is not the one the chain head names
CHECKPOINT = "checkpoint"  # entries do not give a signed checkpoint's root
SIGNATURE = "signature"  # a checkpoint's signature does not verify


@dataclass(frozen=True)
class Break:
    """The first place where a chain stops verifying."""

    position: int
    reason: str
    kind: str = ""
    detail: str = ""


@dataclass
class ChainReport:
    """What a verification walked and the first break, if any."""

    chain: str
    start: int = 0
    entries: int = 0  # entries whose hash and link were checked
    checkpoints: int = 0  # checkpoint roots recomputed
    signatures: int = 0  # checkpoint signatures verified
    signatures_skipped: int = 0  # no public key to check them with
    failure: Break | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None


@dataclass(frozen=True)
class _Checkpoint:
    tree_size: int
    root_hash: str
    signed_at: str
    signature: str
    key_id: str


def _walk(
    chain: str,
    rows: Iterable[Row],
    *,
    start: int,
    stop: int,
    first: int,
    checkpoints: Sequence[_Checkpoint] = (),
    has_hash: Callable[[str], bool] = lambda digest: False,
    has_position: Callable[[int], bool] = lambda position: False,
    report: ChainReport,
    accumulator: merkle.MerkleAccumulator | None = None,
) -> str:
    """Walk rows from position ``first``; check hashes and links from
    ``start`` to ``stop - 1`` and the roots of ``checkpoints`` (sorted by size).
    Records the first break in ``report``; returns the last verified hash.

    ``has_hash`` and ``has_position`` look further than the walk (the database
    or a second pass over the file), only once a break is found, to tell a
    reordered entry from a missing or altered one."""
    sha, string, encode, number = _sha256, _string, _payload, _number
    chain_json = _string(chain)
    if accumulator is None and checkpoints:
        accumulator = merkle.MerkleAccumulator()
    due = iter(checkpoints)
    checkpoint = next(due, None)
    expected, prev, seen = first, None, None
    for position, kind, subject, actor, payload, recorded, prev_stored, stored in rows:
        if position != expected:
            found = position < expected or has_position(expected)
            report.failure = Break(expected, REORDERED if found else MISSING)
            return prev or GENESIS
        # _canonical, inlined: this line runs a million times per million entries.
        canonical = (
            f'{{"actor":{"null" if actor is None else number(actor)},"chain":{chain_json},'
            f'"kind":{string(kind)},"payload":{encode(payload)},"position":{position},'
            f'"prev":{string(prev_stored)},"recorded_at":{string(recorded)},'
            f'"subject":{string(subject)}}}'
        ).encode()
        if position >= start:
            if prev is None:  # the first entry checked
                # A slice starts from the stored link of its first entry,
                # unless the walk has just read the entry before it.
                prev = GENESIS if position == 0 else seen or prev_stored
            if prev_stored != prev:
                reason = REORDERED if has_hash(prev_stored) else LINK
                report.failure = Break(position, reason, kind)
                return prev or GENESIS
            if sha(canonical).hexdigest() != stored:
                report.failure = Break(position, ALTERED, kind)
                return prev or GENESIS
            prev = stored
            report.entries += 1
        seen = stored
        expected += 1
        if accumulator is not None:
            accumulator.append(sha(b"\x00" + canonical).digest())  # merkle.leaf_hash
            while checkpoint is not None and checkpoint.tree_size == expected:
                if accumulator.root().hex() != checkpoint.root_hash:
                    report.failure = Break(expected - 1, CHECKPOINT, kind, str(expected))
                    return prev or GENESIS
                report.checkpoints += 1
                checkpoint = next(due, None)
        if expected >= stop:
            break
    if expected < stop:
        report.failure = Break(expected, MISSING)
    elif checkpoint is not None:
        report.failure = Break(expected, MISSING, "", str(checkpoint.tree_size))
    return prev or GENESIS


def ledger_chains() -> list[str]:
    """Every chain with a head, an entry or a checkpoint, by name."""
    chains = set(LedgerHead.objects.values_list("chain", flat=True))
    chains.update(LedgerCheckpoint.objects.values_list("chain", flat=True).distinct())
    chains.update(LedgerEntry.objects.values_list("chain", flat=True).distinct())
    return sorted(chains)


def _vouched(report: ChainReport, size: int, stop: int) -> None:
    """A missing entry beyond the head (or the file's header) is one that a
    checkpoint vouches for: say so."""
    failure = report.failure
    if failure and failure.reason == MISSING and failure.position >= size:
        report.failure = Break(failure.position, MISSING, "", str(stop))


def _verify_signatures(
    chain: str,
    checkpoints: Iterable[_Checkpoint],
    keys: dict[str, Ed25519PublicKey] | None,
    report: ChainReport,
) -> None:
    for checkpoint in checkpoints:
        if keys is None:
            report.signatures_skipped += 1
            continue
        if not _signature_valid(chain, checkpoint, keys):
            report.failure = Break(
                checkpoint.tree_size - 1, SIGNATURE, "", str(checkpoint.tree_size)
            )
            return
        report.signatures += 1


def ledger_verify(
    *,
    chain: str,
    start: int = 0,
    stop: int | None = None,
    public_keys: Sequence[Ed25519PublicKey] = (),
) -> ChainReport:
    """Verify entries ``start`` to ``stop - 1`` of ``chain`` (all by default):
    hashes and links, the roots and signatures of the checkpoints inside that
    range, and that nothing the head or a checkpoint vouches for is missing.

    A slice starts from the stored link of its first entry; checkpoints inside
    it make the walk hash every entry from position 0 (for the Merkle root)."""
    report = ChainReport(chain=chain, start=start)
    # Checkpoints before the head: the head only grows, so none may be beyond it.
    stored = list(
        LedgerCheckpoint.objects.filter(chain=chain)
        .order_by("tree_size")
        .values_list("tree_size", "root_hash", "signed_at", "signature", "key_id")
    )
    head = LedgerHead.objects.filter(chain=chain).first()
    if head is None:
        # Appends always write the head: entries or checkpoints without one
        # mean it was removed.
        report.failure = Break(0, HEAD, "", "missing")
        return report
    size, head_hash = head.size, head.head_hash
    # Everything the head or a checkpoint vouches for must be there.
    end = max([size, *(row[0] for row in stored)])
    whole = stop is None
    stop = end if stop is None else min(stop, end)
    if start and start >= stop:
        raise ApplicationError(
            _("Chain %(chain)s has %(size)d entries: the slice starts after them.")
            % {"chain": chain, "size": end}
        )
    checkpoints = [
        _Checkpoint(n, root, _timestamp(at), signature, key_id)
        for n, root, at, signature, key_id in stored
        if start < n <= stop
    ]
    if checkpoints:
        _verify_signatures(chain, checkpoints, _verification_keys(public_keys), report)
    if report.failure:
        return report
    first = 0 if checkpoints else start
    last = _walk(
        chain,
        _entry_rows(chain, first, stop),
        start=start,
        stop=stop,
        first=first,
        checkpoints=checkpoints,
        has_hash=lambda digest: LedgerEntry.objects.filter(chain=chain, entry_hash=digest).exists(),
        has_position=lambda p: LedgerEntry.objects.filter(chain=chain, position=p).exists(),
        report=report,
    )
    _vouched(report, size, stop)
    if report.ok and whole and size < stop:
        report.failure = Break(size, HEAD)  # the entries outlast the head
    elif report.ok and whole and size and last != head_hash:
        report.failure = Break(size - 1, HEAD)
    return report


# --- Export and offline verification --------------------------------------------


def ledger_export(*, chain: str, out: IO[str]) -> int:
    """Write ``chain`` as JSON Lines to ``out``: a header, every entry with
    the fields its hash covers, then the checkpoints. Returns the entry count."""
    checkpoints = list(LedgerCheckpoint.objects.filter(chain=chain).order_by("tree_size"))
    head = LedgerHead.objects.filter(chain=chain).first()
    size, head_hash = (head.size, head.head_hash) if head else (0, GENESIS)
    header = {"type": "ledger", "format": FILE_FORMAT, "chain": chain}
    out.write(_encode({**header, "size": size, "head_hash": head_hash}) + "\n")
    count = 0
    for position, kind, subject, actor, payload, recorded, prev, digest in _entry_rows(
        chain, 0, size
    ):
        line = {
            "type": "entry",
            "position": position,
            "kind": kind,
            "subject": subject,
            "actor": actor,
            "payload": payload,
            "recorded_at": recorded,
            "prev": prev,
            "hash": digest,
        }
        out.write(_encode(line) + "\n")
        count += 1
    for checkpoint in checkpoints:
        line = {
            "type": "checkpoint",
            "tree_size": checkpoint.tree_size,
            "root": checkpoint.root_hash,
            "signed_at": _timestamp(checkpoint.signed_at),
            "signature": checkpoint.signature,
            "key_id": checkpoint.key_id,
        }
        out.write(_encode(line) + "\n")
    return count


def _file_lines(path: Path, kind: str) -> Iterator[tuple[int, dict]]:
    # The pattern only skips other lines cheaply; the top-level "type" decides.
    marker = re.compile(rf'"type"\s*:\s*"{kind}"').search
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not marker(line):
                continue
            try:
                document = json.loads(line)
            except ValueError as exc:
                raise ApplicationError(
                    _("Line %(line)d of the file is not JSON.") % {"line": number}
                ) from exc
            if isinstance(document, dict) and document.get("type") == kind:
                yield number, document


def _file_rows(path: Path) -> Iterator[Row]:
    for number, line in _file_lines(path, "entry"):
        try:
            row = (
                line["position"],
                line["kind"],
                line["subject"],
                line["actor"],
                line["payload"],
                line["recorded_at"],
                line["prev"],
                line["hash"],
            )
        except KeyError as exc:
            raise ApplicationError(
                _("Line %(line)d of the file lacks the field %(field)s.")
                % {"line": number, "field": exc.args[0]}
            ) from exc
        position, kind, subject, actor, _ignored, recorded, prev, digest = row
        if (
            type(position) is not int
            or not (actor is None or type(actor) is int)
            or not all(type(v) is str for v in (kind, subject, recorded, prev, digest))
        ):
            raise ApplicationError(
                _("Line %(line)d of the file has a field of the wrong type.") % {"line": number}
            )
        yield row


def ledger_verify_file(
    *, path: str | os.PathLike, public_keys: Sequence[Ed25519PublicKey] = ()
) -> ChainReport:
    """Verify a file written by ``ledger_export`` without the database.

    Signatures are checked with ``public_keys`` or, without them, with the
    keys this installation is configured with; never with a key found in the
    file, which whoever altered the file could have replaced."""
    path = Path(path)
    headers = [line for _number, line in _file_lines(path, "ledger")]
    if len(headers) != 1 or headers[0].get("format") != FILE_FORMAT:
        raise ApplicationError(_("The file is not a ledger export."))
    header = headers[0]
    chain, size = header.get("chain"), header.get("size")
    if not isinstance(chain, str) or type(size) is not int:
        raise ApplicationError(_("The file is not a ledger export."))
    report = ChainReport(chain=chain)
    try:
        checkpoints = [
            _Checkpoint(
                line["tree_size"],
                line["root"],
                line["signed_at"],
                line["signature"],
                line["key_id"],
            )
            for _number, line in _file_lines(path, "checkpoint")
        ]
    except KeyError as exc:
        raise ApplicationError(
            _("A checkpoint in the file lacks the field %(field)s.") % {"field": exc.args[0]}
        ) from exc
    checkpoints.sort(key=lambda c: c.tree_size)
    keys = _verification_keys(public_keys, create=False)
    _verify_signatures(chain, checkpoints, keys, report)
    if report.failure:
        return report
    stop = max([size, *(c.tree_size for c in checkpoints)])

    def has_hash(digest: str) -> bool:
        return any(row[7] == digest for row in _file_rows(path))

    def has_position(position: int) -> bool:
        return any(row[0] == position for row in _file_rows(path))

    last = _walk(
        chain,
        _file_rows(path),
        start=0,
        stop=stop,
        first=0,
        checkpoints=checkpoints,
        has_hash=has_hash,
        has_position=has_position,
        report=report,
    )
    _vouched(report, size, stop)
    if report.ok and size and stop == size and last != header.get("head_hash"):
        report.failure = Break(size - 1, HEAD)
    return report


def verify_entries(
    entries: Iterable[LedgerEntry], *, prev_hash: str = GENESIS, start: int = 0
) -> Break | None:
    """Walk entries in position order; ``None`` if every hash and link holds."""
    expected = start
    for entry in entries:
        if entry.position != expected:
            reason = MISSING if entry.position > expected else REORDERED
            return Break(position=expected, reason=reason)
        if entry.prev_hash != prev_hash:
            return Break(position=entry.position, reason=LINK, kind=entry.kind)
        if entry_hash(entry_canonical_bytes(entry)) != entry.entry_hash:
            return Break(position=entry.position, reason=ALTERED, kind=entry.kind)
        prev_hash, expected = entry.entry_hash, expected + 1
    return None


# --- Signing keys ---------------------------------------------------------------


def _key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return _sha256(raw).hexdigest()[:16]


def load_private_key(value: str) -> Ed25519PrivateKey:
    """An Ed25519 private key from a PEM or the base64 of its 32 raw bytes."""
    value = value.strip()
    if value.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(value.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ImproperlyConfigured("LEDGER_SIGNING_KEY is not an Ed25519 key.")
        return key
    try:
        raw = base64.b64decode(value, validate=True)
    except binascii.Error as exc:
        raise ImproperlyConfigured("LEDGER_SIGNING_KEY is neither PEM nor base64.") from exc
    if len(raw) != 32:
        raise ImproperlyConfigured("LEDGER_SIGNING_KEY must hold 32 raw bytes.")
    return Ed25519PrivateKey.from_private_bytes(raw)


def load_public_key(value: str) -> Ed25519PublicKey:
    """An Ed25519 public key from a PEM or the base64 of its 32 raw bytes."""
    value = value.strip()
    if value.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(value.encode())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return key
    raw = base64.b64decode(value, validate=True)
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key has 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


def _development_key(path: Path) -> Ed25519PrivateKey:
    try:
        return load_private_key(path.read_text())
    except FileNotFoundError:
        pass
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process generated it first
        return load_private_key(path.read_text())
    with os.fdopen(descriptor, "wb") as file:
        file.write(pem)
    return key


def signing_key(*, create: bool = True) -> Ed25519PrivateKey | None:
    """The key that signs checkpoints: ``LEDGER_SIGNING_KEY``, or with DEBUG
    on and no key set a development key kept in ``LEDGER_DEV_KEY_PATH``."""
    if settings.LEDGER_SIGNING_KEY:
        return load_private_key(settings.LEDGER_SIGNING_KEY)
    if not settings.DEBUG:
        raise ImproperlyConfigured("LEDGER_SIGNING_KEY must be set when DEBUG is off.")
    path = Path(settings.LEDGER_DEV_KEY_PATH)
    if not create and not path.exists():
        return None
    return _development_key(path)


def _verification_keys(
    extra: Sequence[Ed25519PublicKey] = (), *, create: bool = True
) -> dict[str, Ed25519PublicKey] | None:
    """Public keys by key id: ``extra``, or else the signing key's and
    ``LEDGER_PUBLIC_KEYS``; ``None`` if there is none at all."""
    keys = list(extra)
    if not keys:
        keys = [load_public_key(value) for value in settings.LEDGER_PUBLIC_KEYS]
        if settings.LEDGER_SIGNING_KEY or settings.DEBUG:
            private = signing_key(create=create)
            if private is not None:
                keys.append(private.public_key())
    return {_key_id(key): key for key in keys} or None


def checkpoint_message(*, chain: str, tree_size: int, root_hash: str, signed_at: str) -> bytes:
    """The canonical bytes a checkpoint's signature covers."""
    document = {"chain": chain, "root": root_hash, "signed_at": signed_at, "tree_size": tree_size}
    return _encode(document).encode()


def _signature_valid(
    chain: str, checkpoint: _Checkpoint, keys: dict[str, Ed25519PublicKey]
) -> bool:
    key = keys.get(checkpoint.key_id)
    if key is None:
        return False
    message = checkpoint_message(
        chain=chain,
        tree_size=checkpoint.tree_size,
        root_hash=checkpoint.root_hash,
        signed_at=checkpoint.signed_at,
    )
    try:
        key.verify(base64.b64decode(checkpoint.signature, validate=True), message)
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def ledger_checkpoint_signature_valid(
    checkpoint: LedgerCheckpoint, *, public_keys: Sequence[Ed25519PublicKey] = ()
) -> bool:
    """Whether ``checkpoint`` carries a valid signature by a known key."""
    keys = _verification_keys(public_keys) or {}
    row = _Checkpoint(
        checkpoint.tree_size,
        checkpoint.root_hash,
        _timestamp(checkpoint.signed_at),
        checkpoint.signature,
        checkpoint.key_id,
    )
    return _signature_valid(checkpoint.chain, row, keys)


# --- Checkpoints and proofs -----------------------------------------------------


def ledger_checkpoint_create(*, chain: str) -> LedgerCheckpoint | None:
    """Sign the Merkle root over the chain's current entries; ``None`` when
    the chain has not grown since its last checkpoint.

    Verifies the entries it hashes (and that they extend the last signed
    tree) and refuses to sign a broken chain."""
    key = signing_key()
    head = LedgerHead.objects.filter(chain=chain).first()
    last = LedgerCheckpoint.objects.filter(chain=chain).order_by("-tree_size").first()
    if head is None or head.size == 0 or (last and last.tree_size >= head.size):
        return None
    size = head.size
    previous = []
    if last is not None:
        previous = [_Checkpoint(last.tree_size, last.root_hash, "", "", "")]
    report = ChainReport(chain=chain)
    accumulator = merkle.MerkleAccumulator()
    last_hash = _walk(
        chain,
        _entry_rows(chain, 0, size),
        start=0,
        stop=size,
        first=0,
        checkpoints=previous,
        report=report,
        accumulator=accumulator,
    )
    if report.failure or last_hash != head.head_hash:
        failure = report.failure or Break(size - 1, HEAD)
        raise ApplicationError(
            _("Ledger chain %(chain)s is broken at entry %(position)d (%(reason)s); not signed.")
            % {"chain": chain, "position": failure.position, "reason": failure.reason}
        )
    signed_at = _now()
    root = accumulator.root().hex()
    message = checkpoint_message(
        chain=chain, tree_size=size, root_hash=root, signed_at=_timestamp(signed_at)
    )
    checkpoint = LedgerCheckpoint(
        chain=chain,
        tree_size=size,
        root_hash=root,
        signed_at=signed_at,
        signature=base64.b64encode(key.sign(message)).decode(),
        key_id=_key_id(key.public_key()),
    )
    checkpoint.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            checkpoint.save()
    except IntegrityError:
        return None  # another worker signed the same size first
    return checkpoint


def _head_size(chain: str) -> int:
    head = LedgerHead.objects.filter(chain=chain).first()
    return head.size if head else 0


def ledger_inclusion_proof(*, chain: str, position: int, tree_size: int) -> list[str]:
    """The audit path (hex, RFC 9162 §2.1.3) of entry ``position`` in the tree
    of the first ``tree_size`` entries of ``chain``."""
    if not 0 <= position < tree_size <= _head_size(chain):
        raise ApplicationError(_("No such entry or tree size in this chain."))
    ranges = merkle.inclusion_ranges(position, tree_size)
    roots = merkle.range_roots(_leaf_hashes(chain, tree_size), ranges)
    return [roots[r].hex() for r in ranges]


def ledger_consistency_proof(*, chain: str, old_size: int, new_size: int) -> list[str]:
    """The proof (hex, RFC 9162 §2.1.4) that the tree of the first
    ``old_size`` entries of ``chain`` is a prefix of the tree of ``new_size``."""
    if not 0 <= old_size <= new_size <= _head_size(chain):
        raise ApplicationError(_("No such tree sizes in this chain."))
    ranges = merkle.consistency_ranges(old_size, new_size)
    roots = merkle.range_roots(_leaf_hashes(chain, new_size), ranges)
    return [roots[r].hex() for r in ranges]
