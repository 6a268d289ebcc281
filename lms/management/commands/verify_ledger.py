"""``manage.py verify_ledger``: recompute a ledger's hashes, links, Merkle
roots and checkpoint signatures, from the database or from an
``export_ledger`` file, and report the first altered, missing or reordered
entry. Exits with status 1 when anything does not verify.

    manage.py verify_ledger                      # every chain
    manage.py verify_ledger --chain progress --from 1000 --to 1999
    manage.py verify_ledger --file progress.jsonl --public-key ledger.pub
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lms import ledger
from lms.exceptions import ApplicationError


def _reason(failure: ledger.Break) -> str:
    size = {"size": failure.detail}
    messages = {
        ledger.MISSING: _("the entry is missing"),
        ledger.REORDERED: _("an entry is out of its place (reordered)"),
        ledger.ALTERED: _("the entry was altered: its content no longer gives its hash"),
        ledger.LINK: _(
            "the entry does not link to the entry before it (that one was replaced or removed)"
        ),
        ledger.HEAD: _("the last entry is not the one the chain head records"),
        ledger.CHECKPOINT: _(
            "the entries up to here do not give the root signed for %(size)s entries"
        )
        % size,
        ledger.SIGNATURE: _("the signature of the checkpoint of %(size)s entries does not verify")
        % size,
    }
    message = messages.get(failure.reason, failure.reason)
    if failure.reason == ledger.MISSING and failure.detail:
        message = _("the entry is missing: a checkpoint vouches for %(size)s entries") % size
    if failure.reason == ledger.HEAD and failure.detail == "missing":
        message = _("the chain head is missing")
    return message


def _public_key(value: str):
    path = Path(value)
    text = path.read_text() if path.is_file() else value
    try:
        return ledger.load_public_key(text)
    except ValueError as exc:
        raise CommandError(_("Not an Ed25519 public key: %(value)s") % {"value": value}) from exc


class Command(BaseCommand):
    help = "Verify ledger chains (hashes, links, checkpoints); exit status 1 at the first break."

    def add_arguments(self, parser):
        parser.add_argument("--chain", help="the chain to verify (default: every chain)")
        parser.add_argument(
            "--from", dest="start", type=int, default=0, help="first position of a slice"
        )
        parser.add_argument(
            "--to", dest="end", type=int, default=None, help="last position of a slice (included)"
        )
        parser.add_argument(
            "--file", help="verify a file written by export_ledger, without the database"
        )
        parser.add_argument(
            "--public-key",
            action="append",
            default=[],
            help="Ed25519 public key for checkpoint signatures: a PEM file, a PEM, or the "
            "base64 of its 32 raw bytes (repeatable; default: the configured keys)",
        )

    def handle(self, *args, chain, start, end, file, public_key, **options):
        keys = [_public_key(value) for value in public_key]
        if start < 0 or (end is not None and end < start):
            raise CommandError(_("--from and --to must give a slice: 0 <= from <= to."))
        began = time.monotonic()
        try:
            if file:
                if chain or start or end is not None:
                    raise CommandError(
                        _("--file verifies a whole export: no --chain, --from, --to.")
                    )
                reports = [ledger.ledger_verify_file(path=file, public_keys=keys)]
            else:
                reports = self._verify_database(chain, start, end, keys)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        except OSError as exc:  # an unreadable --file
            raise CommandError(str(exc)) from exc
        seconds = time.monotonic() - began
        for report in reports:
            self._write(report, seconds if len(reports) == 1 else None)
        if not all(report.ok for report in reports):
            raise CommandError(_("Ledger verification failed."))

    def _verify_database(self, chain, start, end, keys):
        chains = ledger.ledger_chains()
        if chain:
            if chain not in chains:
                raise CommandError(_("There is no ledger chain %(chain)s.") % {"chain": chain})
            chains = [chain]
        elif start or end is not None:
            raise CommandError(_("A slice (--from, --to) needs --chain."))
        if not chains:
            self.stdout.write(_("There are no ledger chains."))
        stop = None if end is None else end + 1
        return [
            ledger.ledger_verify(chain=name, start=start, stop=stop, public_keys=keys)
            for name in chains
        ]

    def _write(self, report: ledger.ChainReport, seconds: float | None) -> None:
        values = {
            "chain": report.chain,
            "entries": report.entries,
            "checkpoints": report.checkpoints,
            "signatures": report.signatures,
        }
        if report.failure is None:
            line = (
                _(
                    "Chain %(chain)s: OK: %(entries)d entries, %(checkpoints)d checkpoint roots "
                    "and %(signatures)d signatures verified."
                )
                % values
            )
            if seconds and report.entries:
                rate = {"seconds": seconds, "rate": report.entries / seconds}
                line += " " + _("(%(seconds).1f s, %(rate).0f entries/s)") % rate
            self.stdout.write(self.style.SUCCESS(line))
        else:
            failure = report.failure
            kind = f" ({failure.kind})" if failure.kind else ""
            self.stdout.write(
                self.style.ERROR(
                    _(
                        "Chain %(chain)s: BROKEN at position %(position)d%(kind)s: "
                        "%(reason)s [%(code)s]."
                    )
                    % {
                        "chain": report.chain,
                        "position": failure.position,
                        "kind": kind,
                        "reason": _reason(failure),
                        "code": failure.reason,
                    }
                )
            )
            self.stdout.write(_("%(entries)d entries verified before the break.") % values)
        if report.signatures_skipped:
            self.stdout.write(
                self.style.WARNING(
                    _("%(count)d checkpoint signatures not checked: no public key (--public-key).")
                    % {"count": report.signatures_skipped}
                )
            )
