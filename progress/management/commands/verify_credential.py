"""``manage.py verify_credential``: check the ``eddsa-jcs-2022`` proof of a
certificate's signed credential (Open Badges 3.0 JSON), offline. Exits with
status 1 and the reason when it does not verify.

    manage.py verify_credential certificate.json                 # this platform's keys
    manage.py verify_credential certificate.json --public-key KEY  # base64, PEM or a file
    manage.py verify_credential certificate.json --keys keys.json  # a saved /verify/keys.json
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lms.ledger import load_public_key
from progress import credentials


def _public_key(value: str):
    path = Path(value)
    text = path.read_text() if path.is_file() else value
    try:
        return load_public_key(text)
    except ValueError as exc:
        raise CommandError(f"The public key is unusable: {exc}") from exc


def _json(path: str, what: str):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise CommandError(f"Cannot read the {what} {path}: {exc.strerror}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CommandError(f"The {what} {path} is not JSON: {exc}") from exc


class Command(BaseCommand):
    help = "Verify a certificate's signed credential (JSON) offline."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the credential, as downloaded")
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--public-key",
            action="append",
            help="an Ed25519 public key (base64 of 32 bytes, PEM, or a file); repeatable",
        )
        group.add_argument("--keys", help="a saved copy of /verify/keys.json")

    def handle(self, *args, **options):
        credential = _json(options["file"], "credential")
        if options["public_key"]:
            keys, keys_file = [_public_key(value) for value in options["public_key"]], None
        elif options["keys"]:
            keys, keys_file = None, _json(options["keys"], "keys file")
        else:
            keys, keys_file = credentials.verification_keys(), None
        try:
            proof = credentials.credential_verify(credential, keys=keys, keys_file=keys_file)
        except credentials.CredentialInvalid as exc:
            raise CommandError(f"The credential does not verify: {exc}") from exc
        subject = credential.get("credentialSubject", {})
        achievement = subject.get("achievement", {}) if isinstance(subject, dict) else {}
        self.stdout.write(
            self.style.SUCCESS(
                f"The credential verifies: “{achievement.get('name', '')}”, issued by "
                f"{credential.get('issuer', {}).get('name', '')} on {credential.get('validFrom')}, "
                f"signed by {proof['verificationMethod']}."
            )
        )
