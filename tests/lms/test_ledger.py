"""The append-only ledger (lms.ledger) on the real PostgreSQL: hash chains,
the triggers, verify_ledger and export_ledger, signed checkpoints and proofs."""

import base64
import datetime as dt
import io
import json
import threading
from contextlib import contextmanager

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, connections, transaction
from django.utils import translation

from lms import ledger, merkle
from lms.exceptions import ApplicationError
from lms.models import LedgerCheckpoint, LedgerEntry, LedgerHead
from lms.tasks import ledger_checkpoint

CHAIN = "test"
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def b64_public(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


@pytest.fixture(autouse=True)
def signing_key(settings, tmp_path):
    settings.LEDGER_SIGNING_KEY = base64.b64encode(bytes(range(32))).decode()
    settings.LEDGER_PUBLIC_KEYS = []
    settings.LEDGER_DEV_KEY_PATH = tmp_path / "ledger-signing-key.pem"
    return KEY


def append(count: int, chain: str = CHAIN, start: int = 0) -> list[LedgerEntry]:
    facts = [
        ledger.Fact(
            kind="test.fact",
            payload={"n": start + i, "name": "焊工 “quoted”", "nested": {"b": [1, 2.5], "a": None}},
            subject=f"user:{start + i}",
            actor_id=7 if i % 2 else None,
        )
        for i in range(count)
    ]
    return ledger.ledger_append_many(chain=chain, facts=facts)


def verify(*args) -> tuple[bool, str]:
    """Run verify_ledger in English; (succeeded, output)."""
    out = io.StringIO()
    with translation.override("en"):
        try:
            call_command("verify_ledger", *args, stdout=out, stderr=io.StringIO())
        except CommandError as exc:
            assert exc.returncode == 1
            assert str(exc) == "Ledger verification failed."
            return False, out.getvalue()
    return True, out.getvalue()


@contextmanager
def tampering(table: str = "lms_ledgerentry"):
    """What someone with the table owner's rights can do: switch the guards off."""
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        yield cursor
        cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


# --- Appending ------------------------------------------------------------------


@pytest.mark.django_db
def test_append_numbers_and_links_entries():
    """Entries get positions 0, 1, 2…, each links to the one before, the head
    follows, and each hash recomputes from the row as stored."""
    first = ledger.ledger_append(chain=CHAIN, kind="a.b", payload={"x": 1}, subject="user:1")
    rest = append(2)
    entries = list(LedgerEntry.objects.filter(chain=CHAIN).order_by("position"))
    assert [e.position for e in entries] == [0, 1, 2]
    assert entries[0].prev_hash == ledger.GENESIS
    assert entries[1].prev_hash == first.entry_hash
    assert entries[2].prev_hash == rest[0].entry_hash
    for entry in entries:
        assert ledger.entry_hash(ledger.entry_canonical_bytes(entry)) == entry.entry_hash
    head = LedgerHead.objects.get(chain=CHAIN)
    assert (head.size, head.head_hash) == (3, rest[1].entry_hash)
    assert ledger.verify_entries(entries) is None


@pytest.mark.django_db
def test_chains_are_independent():
    append(2, chain="one")
    entry = ledger.ledger_append(chain="two", kind="a.b", payload={})
    assert (entry.position, entry.prev_hash) == (0, ledger.GENESIS)


def test_canonical_bytes_are_sorted_compact_json():
    """The fast canonical form is byte for byte json.dumps with sorted keys."""
    recorded = dt.datetime(2026, 11, 22, 2, 30, 0, 5, tzinfo=dt.UTC)
    for actor, payload, subject in [
        (None, {}, ""),
        (42, {"b": 1, "a": [True, None, 1.25, 'x"y\\z'], "中": {"é": "\u2028"}}, "user:9"),
        (2**40, {"z": {"y": {"x": -1}}}, "组织:3"),
    ]:
        expected = json.dumps(
            {
                "actor": actor,
                "chain": "c",
                "kind": "k",
                "payload": payload,
                "position": 12,
                "prev": "ab" * 32,
                "recorded_at": "2026-11-22T02:30:00.000005Z",
                "subject": subject,
            },
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
        ).encode()
        assert (
            ledger.canonical_bytes(
                chain="c",
                position=12,
                kind="k",
                subject=subject,
                actor_id=actor,
                payload=payload,
                recorded_at=recorded,
                prev_hash="ab" * 32,
            )
            == expected
        )


@pytest.mark.django_db
def test_a_fork_cannot_commit():
    """A second entry after the same predecessor is refused by the database."""
    entries = append(2)
    with pytest.raises(IntegrityError, match="ledger_no_fork"), transaction.atomic():
        LedgerEntry.objects.create(
            chain=CHAIN,
            position=2,
            kind="forged",
            payload={},
            recorded_at=dt.datetime.now(dt.UTC),
            prev_hash=entries[0].entry_hash,
            entry_hash="f" * 64,
        )
    assert LedgerEntry.objects.filter(chain=CHAIN).count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_make_one_chain():
    """Two threads appending at once, each append its own transaction, leave
    one chain of every entry, numbered and linked without a gap or fork."""
    ledger.ledger_append(chain=CHAIN, kind="start", payload={})
    barrier = threading.Barrier(2)
    errors = []

    def worker(name: str) -> None:
        try:
            barrier.wait()
            for i in range(25):
                with transaction.atomic():
                    ledger.ledger_append(chain=CHAIN, kind="t", payload={"w": name, "i": i})
        except Exception as exc:  # noqa: BLE001 - reported to the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(name,)) for name in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert LedgerHead.objects.get(chain=CHAIN).size == 51
    assert list(
        LedgerEntry.objects.filter(chain=CHAIN)
        .order_by("position")
        .values_list("position", flat=True)
    ) == list(range(51))
    report = ledger.ledger_verify(chain=CHAIN)
    assert (report.ok, report.entries) == (True, 51)


# --- The guards -----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("table", ["lms_ledgerentry", "lms_ledgercheckpoint"])
@pytest.mark.parametrize(
    "statement",
    ["UPDATE {table} SET chain = 'other'", "DELETE FROM {table}", "TRUNCATE {table}"],
)
def test_triggers_refuse_changes(table, statement):
    """UPDATE, DELETE and TRUNCATE of ledger rows fail; the rows stay."""
    append(3)
    ledger.ledger_checkpoint_create(chain=CHAIN)
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement.format(table=table))
    assert LedgerEntry.objects.filter(chain=CHAIN).count() == 3
    assert LedgerCheckpoint.objects.filter(chain=CHAIN).count() == 1


# --- verify_ledger --------------------------------------------------------------


@pytest.mark.django_db
def test_verify_ledger_passes_an_intact_chain():
    append(10)
    ok, output = verify("--chain", CHAIN)
    assert ok
    assert f"Chain {CHAIN}: OK: 10 entries" in output


@pytest.mark.django_db
def test_verify_ledger_detects_an_edited_row():
    append(10)
    assert verify()[0]
    with tampering() as cursor:
        cursor.execute(
            "UPDATE lms_ledgerentry SET payload = '{\"n\": 999}' WHERE chain = %s AND position = 4",
            [CHAIN],
        )
    ok, output = verify("--chain", CHAIN)
    assert not ok
    assert "BROKEN at position 4 (test.fact)" in output
    assert "[altered]" in output
    assert "4 entries verified before the break." in output


@pytest.mark.django_db
def test_verify_ledger_detects_a_deleted_row():
    append(10)
    with tampering() as cursor:
        cursor.execute("DELETE FROM lms_ledgerentry WHERE chain = %s AND position = 5", [CHAIN])
    ok, output = verify("--chain", CHAIN)
    assert not ok
    assert "BROKEN at position 5:" in output
    assert "[missing]" in output


@pytest.mark.django_db
def test_verify_ledger_detects_a_deleted_last_row():
    """The head still counts the removed last entry."""
    append(10)
    with tampering() as cursor:
        cursor.execute("DELETE FROM lms_ledgerentry WHERE chain = %s AND position = 9", [CHAIN])
    ok, output = verify("--chain", CHAIN)
    assert not ok
    assert "BROKEN at position 9:" in output
    assert "[missing]" in output


@pytest.mark.django_db
def test_verify_ledger_detects_reordered_rows():
    append(10)
    with tampering() as cursor:
        for old, new in [(3, -1), (4, 3), (-1, 4)]:
            cursor.execute(
                "UPDATE lms_ledgerentry SET position = %s WHERE chain = %s AND position = %s",
                [new, CHAIN, old],
            )
    ok, output = verify("--chain", CHAIN)
    assert not ok
    assert "BROKEN at position 3 (test.fact)" in output
    assert "[reordered]" in output


@pytest.mark.django_db
def test_verify_ledger_detects_a_replaced_link():
    append(6)
    with tampering() as cursor:
        cursor.execute(
            "UPDATE lms_ledgerentry SET prev_hash = %s WHERE chain = %s AND position = 2",
            ["e" * 64, CHAIN],
        )
    ok, output = verify("--chain", CHAIN)
    assert not ok
    assert "BROKEN at position 2 (test.fact)" in output
    assert "[link]" in output


@pytest.mark.django_db
def test_verify_ledger_checks_a_slice():
    """A slice verifies only its own entries, from its first entry's link."""
    append(10)
    with tampering() as cursor:
        cursor.execute(
            "UPDATE lms_ledgerentry SET kind = 'forged' WHERE chain = %s AND position = 7",
            [CHAIN],
        )
    ok, output = verify("--chain", CHAIN, "--from", "0", "--to", "5")
    assert ok
    assert "OK: 6 entries" in output
    ok, output = verify("--chain", CHAIN, "--from", "6", "--to", "9")
    assert not ok
    assert "BROKEN at position 7 (forged)" in output


@pytest.mark.django_db
def test_verify_ledger_refuses_unknown_chains_and_bad_slices():
    append(2)
    with translation.override("en"):
        with pytest.raises(CommandError, match="There is no ledger chain nope"):
            call_command("verify_ledger", "--chain", "nope", stdout=io.StringIO())
        with pytest.raises(CommandError, match="needs --chain"):
            call_command("verify_ledger", "--from", "1", stdout=io.StringIO())
        with pytest.raises(CommandError, match="0 <= from <= to"):
            call_command("verify_ledger", "--chain", CHAIN, "--from", "3", "--to", "1")
        with pytest.raises(CommandError, match="has 2 entries: the slice starts after them"):
            call_command("verify_ledger", "--chain", CHAIN, "--from", "5", "--to", "9")


@pytest.mark.django_db
def test_verify_ledger_notices_a_removed_head():
    """Entries whose chain head was deleted (it is not append-only) fail."""
    append(3)
    LedgerHead.objects.filter(chain=CHAIN).delete()
    ok, output = verify()
    assert not ok
    assert "BROKEN at position 0: the chain head is missing [head]." in output


# --- Export and offline verification --------------------------------------------


def export(tmp_path) -> tuple:
    path = tmp_path / "ledger.jsonl"
    with translation.override("en"):
        call_command("export_ledger", "--chain", CHAIN, "--output", str(path), stderr=io.StringIO())
    return path, path.read_text(encoding="utf-8").splitlines(keepends=True)


@pytest.mark.django_db
def test_export_then_offline_verify_round_trip(tmp_path):
    append(8)
    ledger.ledger_checkpoint_create(chain=CHAIN)
    path, lines = export(tmp_path)
    assert len(lines) == 1 + 8 + 1
    assert json.loads(lines[1])["position"] == 0
    ok, output = verify("--file", str(path), "--public-key", b64_public(KEY))
    assert ok
    assert "OK: 8 entries, 1 checkpoint roots and 1 signatures verified." in output


@pytest.mark.django_db
def test_offline_verify_needs_the_right_public_key(tmp_path):
    append(3)
    ledger.ledger_checkpoint_create(chain=CHAIN)
    path, _lines = export(tmp_path)
    other = Ed25519PrivateKey.from_private_bytes(b"\x01" * 32)
    ok, output = verify("--file", str(path), "--public-key", b64_public(other))
    assert not ok
    assert "[signature]" in output


@pytest.mark.django_db
def test_offline_verify_detects_an_edited_line(tmp_path):
    append(8)
    path, lines = export(tmp_path)
    entry = json.loads(lines[1 + 6])
    entry["payload"]["n"] = 600
    lines[1 + 6] = json.dumps(entry, ensure_ascii=False) + "\n"
    path.write_text("".join(lines), encoding="utf-8")
    ok, output = verify("--file", str(path))
    assert not ok
    assert "BROKEN at position 6 (test.fact)" in output
    assert "[altered]" in output


@pytest.mark.django_db
def test_offline_verify_detects_swapped_and_removed_lines(tmp_path):
    append(8)
    path, lines = export(tmp_path)
    swapped = [*lines[:3], lines[4], lines[3], *lines[5:]]  # entries 2 and 3
    path.write_text("".join(swapped), encoding="utf-8")
    ok, output = verify("--file", str(path))
    assert (ok, "BROKEN at position 2:" in output, "[reordered]" in output) == (False, True, True)
    path.write_text("".join([*lines[:3], *lines[4:]]), encoding="utf-8")
    ok, output = verify("--file", str(path))
    assert (ok, "BROKEN at position 2:" in output, "[missing]" in output) == (False, True, True)


@pytest.mark.django_db
def test_offline_verify_detects_a_cut_tail_by_its_checkpoint(tmp_path):
    """Removing the last entries and fixing up the header still leaves the
    signed checkpoint wanting them."""
    append(6)
    ledger.ledger_checkpoint_create(chain=CHAIN)
    path, lines = export(tmp_path)
    header = json.loads(lines[0])
    header.update(size=4, head_hash=json.loads(lines[4])["hash"])
    path.write_text(json.dumps(header) + "\n" + "".join(lines[1:5] + lines[7:]), encoding="utf-8")
    ok, output = verify("--file", str(path), "--public-key", b64_public(KEY))
    assert not ok
    assert "BROKEN at position 4:" in output
    assert "a checkpoint vouches for 6 entries" in output


# --- Checkpoints and proofs -----------------------------------------------------


@pytest.mark.django_db
def test_checkpoint_signs_the_merkle_root():
    """The checkpoint holds the RFC 6962 root of the entries and a signature
    that verifies with the key; nothing new is signed twice."""
    entries = append(5)
    checkpoint = ledger.ledger_checkpoint_create(chain=CHAIN)
    leaves = [ledger.entry_leaf_hash(e) for e in LedgerEntry.objects.order_by("position")]
    assert checkpoint.tree_size == 5
    assert checkpoint.root_hash == merkle.merkle_root(leaves).hex()
    assert leaves[0] == merkle.leaf_hash(ledger.entry_canonical_bytes(entries[0]))
    assert ledger.ledger_checkpoint_signature_valid(checkpoint)
    message = ledger.checkpoint_message(
        chain=CHAIN,
        tree_size=5,
        root_hash=checkpoint.root_hash,
        signed_at=checkpoint.signed_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    )
    KEY.public_key().verify(base64.b64decode(checkpoint.signature), message)
    assert ledger.ledger_checkpoint_create(chain=CHAIN) is None
    assert LedgerCheckpoint.objects.count() == 1
    stored = LedgerCheckpoint.objects.get()
    assert ledger.ledger_checkpoint_signature_valid(stored)
    stored.root_hash = "0" * 64
    assert not ledger.ledger_checkpoint_signature_valid(stored)
    other = Ed25519PrivateKey.from_private_bytes(b"\x02" * 32)
    assert not ledger.ledger_checkpoint_signature_valid(
        LedgerCheckpoint.objects.get(), public_keys=[other.public_key()]
    )


@pytest.mark.django_db
def test_older_checkpoints_verify_with_retired_public_keys(settings):
    append(2)
    ledger.ledger_checkpoint_create(chain=CHAIN)
    settings.LEDGER_SIGNING_KEY = base64.b64encode(b"\x03" * 32).decode()
    assert not ledger.ledger_checkpoint_signature_valid(LedgerCheckpoint.objects.get())
    settings.LEDGER_PUBLIC_KEYS = [b64_public(KEY)]
    assert ledger.ledger_checkpoint_signature_valid(LedgerCheckpoint.objects.get())


@pytest.mark.django_db
def test_inclusion_and_consistency_proofs_verify_against_checkpoints():
    append(5)
    old = ledger.ledger_checkpoint_create(chain=CHAIN)
    append(8, start=5)
    new = ledger.ledger_checkpoint_create(chain=CHAIN)
    entry = LedgerEntry.objects.get(chain=CHAIN, position=2)
    other = LedgerEntry.objects.get(chain=CHAIN, position=3)
    root = bytes.fromhex(new.root_hash)
    proof = [
        bytes.fromhex(p)
        for p in ledger.ledger_inclusion_proof(chain=CHAIN, position=2, tree_size=13)
    ]
    assert len(proof) == 4
    assert merkle.verify_inclusion(ledger.entry_leaf_hash(entry), 2, 13, proof, root)
    assert not merkle.verify_inclusion(ledger.entry_leaf_hash(other), 2, 13, proof, root)
    old_root = bytes.fromhex(old.root_hash)
    proof = [
        bytes.fromhex(p)
        for p in ledger.ledger_inclusion_proof(chain=CHAIN, position=2, tree_size=5)
    ]
    assert merkle.verify_inclusion(ledger.entry_leaf_hash(entry), 2, 5, proof, old_root)
    consistency = [
        bytes.fromhex(p)
        for p in ledger.ledger_consistency_proof(chain=CHAIN, old_size=5, new_size=13)
    ]
    assert merkle.verify_consistency(5, 13, old_root, root, consistency)
    assert not merkle.verify_consistency(5, 13, root, old_root, consistency)
    with pytest.raises(ApplicationError):
        ledger.ledger_inclusion_proof(chain=CHAIN, position=2, tree_size=14)


@pytest.mark.django_db
def test_verify_ledger_checks_checkpoints():
    """Checkpoint roots and signatures are verified, and a chain rewritten so
    that every hash and link holds again still fails on the signed root."""
    append(6)
    ledger.ledger_checkpoint_create(chain=CHAIN)
    append(2, start=6)
    ledger.ledger_checkpoint_create(chain=CHAIN)
    ok, output = verify("--chain", CHAIN)
    assert ok
    assert "OK: 8 entries, 2 checkpoint roots and 2 signatures verified." in output
    # Rewrite the last entry with a recomputed hash, and the head with it.
    last = LedgerEntry.objects.get(chain=CHAIN, position=7)
    last.payload = {"n": 700}
    forged = ledger.entry_hash(ledger.entry_canonical_bytes(last))
    with tampering() as cursor:
        cursor.execute(
            "UPDATE lms_ledgerentry SET payload = %s, entry_hash = %s "
            "WHERE chain = %s AND position = 7",
            [json.dumps(last.payload), forged, CHAIN],
        )
    LedgerHead.objects.filter(chain=CHAIN).update(head_hash=forged)
    ok, output = verify("--chain", CHAIN)
    assert not ok
    assert "BROKEN at position 7 (test.fact)" in output
    assert "[checkpoint]" in output


@pytest.mark.django_db
def test_verify_ledger_detects_a_forged_checkpoint():
    append(3)
    ledger.ledger_checkpoint_create(chain=CHAIN)
    with tampering("lms_ledgercheckpoint") as cursor:
        cursor.execute("UPDATE lms_ledgercheckpoint SET root_hash = %s", ["1" * 64])
    ok, output = verify("--chain", CHAIN)
    assert not ok
    assert "[signature]" in output


@pytest.mark.django_db
def test_a_broken_chain_is_not_signed():
    append(4)
    with tampering() as cursor:
        cursor.execute("DELETE FROM lms_ledgerentry WHERE chain = %s AND position = 1", [CHAIN])
    with pytest.raises(ApplicationError):
        ledger.ledger_checkpoint_create(chain=CHAIN)
    assert not LedgerCheckpoint.objects.exists()


@pytest.mark.django_db
def test_beat_task_checkpoints_every_chain_that_grew():
    append(3, chain="one")
    append(2, chain="two")
    ledger_checkpoint.delay()
    assert sorted(LedgerCheckpoint.objects.values_list("chain", "tree_size")) == [
        ("one", 3),
        ("two", 2),
    ]
    append(1, chain="two", start=2)
    ledger_checkpoint.delay()
    assert LedgerCheckpoint.objects.filter(chain="one").count() == 1
    assert LedgerCheckpoint.objects.filter(chain="two").latest("tree_size").tree_size == 3


# --- Keys -----------------------------------------------------------------------


def test_development_key_is_generated_once(settings):
    settings.DEBUG = True
    settings.LEDGER_SIGNING_KEY = ""
    first = ledger.signing_key()
    assert settings.LEDGER_DEV_KEY_PATH.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert b64_public(ledger.signing_key()) == b64_public(first)


def test_a_missing_key_is_refused_without_debug(settings):
    settings.DEBUG = False
    settings.LEDGER_SIGNING_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="LEDGER_SIGNING_KEY"):
        ledger.signing_key()
    assert not settings.LEDGER_DEV_KEY_PATH.exists()


def test_a_pem_signing_key_is_accepted(settings):
    settings.LEDGER_SIGNING_KEY = KEY.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    assert b64_public(ledger.signing_key()) == b64_public(KEY)
