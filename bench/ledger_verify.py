"""Ledger verification speed on a chain of 1,000,000 entries.

Fills the chain "bench" in the benchmark database (entries generated in
Python with their real hashes and COPYed in, not appended one by one; kept
between runs when it is already complete), then times, median of --runs:

- ``manage.py verify_ledger --chain bench``: the chain walk (every hash and link);
- the Merkle root: over leaf hashes already in memory (level by level and
  streaming), and a checkpoint (walk, tree and signature from the database);
- ``verify_ledger`` again with the checkpoint (walk, tree and signature check);
- ``ledger_append`` of one entry against a plain ORM insert of a similar row,
  each in its own transaction (median of --appends).

    .venv/bin/python bench/ledger_verify.py [--entries 1000000] [--runs 3] [--appends 300]
"""

import argparse
import base64
import datetime as dt
import io
import os
import statistics
import time

from common import setup_django, table

CHAIN = "bench"


def fill(entries: int) -> float:
    """Write ``entries`` valid entries to the chain; returns seconds taken."""
    from django.db import connection, transaction

    from lms import ledger
    from lms.models import LedgerHead

    head = LedgerHead.objects.filter(chain=CHAIN).first()
    if head and head.size == entries:
        return 0.0
    started = time.perf_counter()
    base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    prev = ledger.GENESIS
    with transaction.atomic(), connection.cursor() as cursor:
        # A scratch database: empty the ledger through the maintenance escape
        # hatch (migration lms 0003), as the test flush does.
        cursor.execute("SET LOCAL jiangxue.ledger_maintenance = 'on'")
        cursor.execute("TRUNCATE lms_ledgerentry, lms_ledgercheckpoint, lms_ledgerhead")
        columns = (
            "chain, position, kind, subject, actor_id, payload, recorded_at, prev_hash, entry_hash"
        )
        with cursor.cursor.copy(f"COPY lms_ledgerentry ({columns}) FROM STDIN") as copy:
            for position in range(entries):
                recorded = base + dt.timedelta(microseconds=position * 1_000_003)
                kind = "progress.credited" if position % 4 else "progress.enrolled"
                subject = f"user:{position % 50_000}"
                actor = position % 50_000
                payload = {"lesson": position % 700, "seconds": 30, "session": position // 20}
                canonical = ledger.canonical_bytes(
                    chain=CHAIN,
                    position=position,
                    kind=kind,
                    subject=subject,
                    actor_id=actor,
                    payload=payload,
                    recorded_at=recorded,
                    prev_hash=prev,
                )
                digest = ledger.entry_hash(canonical)
                copy.write_row(
                    (
                        CHAIN,
                        position,
                        kind,
                        subject,
                        actor,
                        ledger._encode(payload),
                        recorded,
                        prev,
                        digest,
                    )
                )
                prev = digest
        LedgerHead.objects.create(chain=CHAIN, size=entries, head_hash=prev)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE lms_ledgerentry")
    return time.perf_counter() - started


CPU = {}  # label -> median CPU seconds of this process


def timed(function, runs: int, label: str = "") -> float:
    """Median wall seconds; the median CPU seconds of this process go to CPU."""
    samples, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        samples.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    CPU[label] = statistics.median(cpu)
    return statistics.median(samples)


def row(label: str, seconds: float, n: int) -> list:
    cpu = CPU[label]
    return [label, f"{seconds:.2f}", f"{n / seconds:,.0f}", f"{cpu:.2f}", f"{n / cpu:,.0f}"]


def verify_command() -> None:
    from django.core.management import call_command

    out = io.StringIO()
    call_command("verify_ledger", "--chain", CHAIN, stdout=out)
    assert "OK" in out.getvalue(), out.getvalue()


def append_ratio(count: int) -> tuple[float, float]:
    """Median seconds of ledger_append and of a plain ORM insert of the same
    kind of row, its hash computed beforehand (untimed), so the baseline
    chain "plain" verifies too."""
    from django.db import transaction

    from lms import ledger
    from lms.models import LedgerEntry, LedgerHead

    head, _created = LedgerHead.objects.get_or_create(
        chain="plain", defaults={"head_hash": ledger.GENESIS}
    )
    prev, position = head.head_hash, head.size
    appends, inserts = [], []
    for i in range(count):
        payload = {"lesson": i % 700, "seconds": 30, "session": i}
        started = time.perf_counter()
        with transaction.atomic():
            ledger.ledger_append(
                chain="append",
                kind="progress.credited",
                subject="user:1",
                actor_id=1,
                payload=payload,
            )
        appends.append(time.perf_counter() - started)
        recorded = dt.datetime.now(dt.UTC)
        fields = {
            "chain": "plain",
            "position": position,
            "kind": "progress.credited",
            "subject": "user:1",
            "actor_id": 1,
            "payload": payload,
            "recorded_at": recorded,
            "prev_hash": prev,
        }
        digest = ledger.entry_hash(ledger.canonical_bytes(**fields))
        started = time.perf_counter()
        with transaction.atomic():
            LedgerEntry.objects.create(**fields, entry_hash=digest)
        inserts.append(time.perf_counter() - started)
        prev, position = digest, position + 1
    LedgerHead.objects.filter(chain="plain").update(size=position, head_hash=prev)
    return statistics.median(appends), statistics.median(inserts)


def merkle_rows(n: int, runs: int) -> list[list]:
    """The Merkle root over leaf hashes already in memory, both ways."""
    from lms import ledger, merkle

    rows = []
    leaves = list(ledger._leaf_hashes(CHAIN, n))
    label = "Merkle root, leaf hashes in memory"
    rows.append(row(label, timed(lambda: merkle.merkle_root(leaves), runs, label), n))

    def stream():
        accumulator = merkle.MerkleAccumulator()
        accumulator.extend(leaves)
        return accumulator.root()

    label = "Merkle root, streaming accumulator"
    rows.append(row(label, timed(stream, runs, label), n))
    assert stream() == merkle.merkle_root(leaves)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--appends", type=int, default=300)
    args = parser.parse_args()
    # Production settings (DEBUG off) need a signing key: a fixed bench-only one.
    os.environ.setdefault("LEDGER_SIGNING_KEY", base64.b64encode(b"bench-ledger-key" * 2).decode())
    setup_django()
    from lms import ledger
    from lms.models import LedgerCheckpoint

    n = args.entries
    load = os.getloadavg()[0]
    filled = fill(n)
    if filled:
        print(f"filled {n:,} entries in {filled:.1f} s")
    rows = []

    label = "verify_ledger, chain walk"
    rows.append(row(label, timed(verify_command, args.runs, label), n))

    rows += merkle_rows(n, args.runs)

    def checkpoint():
        from django.db import connection, transaction

        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL jiangxue.ledger_maintenance = 'on'")
            cursor.execute("TRUNCATE lms_ledgercheckpoint")
        assert ledger.ledger_checkpoint_create(chain=CHAIN).tree_size == n

    label = "checkpoint: walk, Merkle root, signature"
    rows.append(row(label, timed(checkpoint, args.runs, label), n))
    assert LedgerCheckpoint.objects.filter(chain=CHAIN).count() == 1
    label = "verify_ledger with a checkpoint (walk + root)"
    rows.append(row(label, timed(verify_command, args.runs, label), n))
    headers = ["median of " + str(args.runs), "wall s", "entries/s", "CPU s", "entries/CPU s"]
    print(f"load average (1 min): {load:.1f} at the start, {os.getloadavg()[0]:.1f} now")
    print(table(headers, rows))

    append, insert = append_ratio(args.appends)
    print()
    print(
        table(
            ["one row, own transaction", "median ms"],
            [
                ["ledger_append", f"{append * 1000:.2f}"],
                ["plain ORM insert (LedgerEntry.objects.create)", f"{insert * 1000:.2f}"],
                ["ratio", f"{append / insert:.2f}×"],
            ],
        )
    )


if __name__ == "__main__":
    main()
