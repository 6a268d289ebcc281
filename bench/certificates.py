"""Certificate PDF generation and signed-credential timings, in process, no
database (the certificate is built in memory with realistic Chinese facts):

- the PDF (ReportLab, embedded CJK font subset, vector QR code): first
  render (the font is parsed once per process) and median of --runs, size;
- the Open Badges 3.0 credential: eddsa-jcs-2022 signing and verification
  (JCS canonicalisation, two SHA-256, one Ed25519 operation), median of --runs.

    .venv/bin/python bench/certificates.py [--runs 200]
"""

import argparse
import base64
import datetime as dt
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

from common import table

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ.setdefault("CREDENTIAL_SIGNING_KEY", base64.b64encode(os.urandom(32)).decode())
    import django

    django.setup()
    from progress import credentials
    from progress.certificate_pdf import certificate_pdf_render
    from progress.models import Certificate

    certificate = Certificate(
        code="7KQ2M9XW4HBT6NPRC3DZ",
        worker_name="王建国",
        id_number_masked="350102********2315",
        course_title="焊条电弧焊入门：平焊、立焊与安全操作（初级工）",
        trade="焊工",
        occupation_code="6-18-02-04",
        level="初级工",
        study_hours=Decimal("16.0"),
        final_score=Decimal("86.50"),
        course_revision_id=1234,
        issuer_name="福州闽江技工学校",
        issued_at=dt.datetime(2026, 12, 4, 8, 30, tzinfo=dt.UTC),
        ledger_entry_hash="9f" * 32,
        credential={},
    )
    url = "https://jiangxue.example.cn/verify/7KQ2M9XW4HBT6NPRC3DZ/"

    started = time.perf_counter()
    pdf = certificate_pdf_render(certificate=certificate, verify_url=url)
    first = time.perf_counter() - started
    samples = []
    for _ in range(args.runs):
        started = time.perf_counter()
        pdf = certificate_pdf_render(certificate=certificate, verify_url=url)
        samples.append(time.perf_counter() - started)

    key = credentials.signing_key()
    document = {
        "@context": credentials.CONTEXTS,
        "id": url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://jiangxue.example.cn/verify/issuers/7/", "type": ["Profile"],
                   "name": certificate.issuer_name},
        "validFrom": "2026-12-04T08:30:00.000000Z",
        "name": certificate.course_title,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {"id": "https://jiangxue.example.cn/courses/welder/arc/",
                            "type": ["Achievement"], "name": certificate.course_title,
                            "description": "焊条电弧焊的基本操作", "criteria": {"narrative": "x"}},
            "creditsEarned": 16.0,
        },
    }  # fmt: skip
    method = credentials.verification_method(
        base_url="https://jiangxue.example.cn/", public=key.public_key()
    )
    signing, verifying = [], []
    keys = [key.public_key()]
    for _ in range(args.runs):
        started = time.perf_counter()
        signed = credentials.credential_sign(
            document, key=key, verification_method=method, created=document["validFrom"]
        )
        signing.append(time.perf_counter() - started)
        started = time.perf_counter()
        credentials.credential_verify(signed, keys=keys)
        verifying.append(time.perf_counter() - started)

    def ms(values):
        return f"{statistics.median(values) * 1000:.2f}"

    print(
        table(
            ["what", "median ms", "p95 ms", "other"],
            [
                ["PDF, first in the process", f"{first * 1000:.1f}", "", "font parsed once"],
                ["PDF", ms(samples), f"{sorted(samples)[int(0.95 * len(samples))] * 1000:.2f}",
                 f"{len(pdf) / 1024:.1f} KiB"],
                ["credential sign", ms(signing), "", ""],
                ["credential verify", ms(verifying), "", ""],
            ],
        )
    )  # fmt: skip


if __name__ == "__main__":
    main()
