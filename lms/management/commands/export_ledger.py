"""``manage.py export_ledger --chain NAME [--output PATH]``: the chain as
JSON Lines (a header, one line per entry with every field its hash covers,
then the signed checkpoints), for ``verify_ledger --file`` on another machine."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lms import ledger
from lms.models import LedgerHead


class Command(BaseCommand):
    help = "Export a ledger chain as JSON Lines (verify it offline with verify_ledger --file)."

    def add_arguments(self, parser):
        parser.add_argument("--chain", required=True, help="the chain to export")
        parser.add_argument("--output", help="file to write (default: standard output)")

    def handle(self, *args, chain, output, **options):
        if not LedgerHead.objects.filter(chain=chain).exists():
            raise CommandError(_("There is no ledger chain %(chain)s.") % {"chain": chain})
        if not output:
            ledger.ledger_export(chain=chain, out=self.stdout)
            return
        with open(output, "w", encoding="utf-8", newline="\n") as out:
            count = ledger.ledger_export(chain=chain, out=out)
        self.stderr.write(
            _("%(count)d entries of %(chain)s written to %(path)s.")
            % {"count": count, "chain": chain, "path": output},
            style_func=lambda text: text,
        )
