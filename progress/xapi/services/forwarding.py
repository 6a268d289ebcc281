"""Delivery of the outbox (``XAPIForward``) to the external LRS at
``XAPI_FORWARD_URL``, with retries and a dead-letter list.

Rows are claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` and leased (their
next attempt moved past the request's timeout) in a short transaction, so
two workers never send one statement at once and no transaction stays open
during an HTTP request; a worker killed mid-request leaves rows that are due
again when the lease ends.

What the receiver's answer means (xAPI 1.0.3 Communication):

* POST of a batch, ``200``: every statement stored (or already stored with
  the same content, which an LRS accepts without change, 2.1.1.s2.b2).
* ``409`` or ``400`` on a batch: the LRS rejected the whole batch (3.2: "MUST
  reject a batch of statements if any Statement within that batch is
  rejected"), so each statement is sent again alone with PUT.
* PUT of one statement, ``204``: stored. ``409``: the receiver already has a
  statement with this id. The platform's statements never change and their
  ids are random UUIDs, so it holds this one (2.1.1.s2.b2 lets an LRS answer
  409 even when the statements match): delivered, with a note.
* PUT ``400``: the receiver refuses this statement as it is; sending it again
  will not help, so it is a dead letter at once.
* Anything else (no connection, timeout, 401/403, 429, 5xx): retried later,
  with exponential backoff and jitter, until ``XAPI_FORWARD_MAX_ATTEMPTS``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
from collections import defaultdict
from dataclasses import dataclass

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from ..models import XAPIForward

__all__ = [
    "DeliveryReport",
    "forward_retry_delay",
    "forwards_deliver",
    "forwards_retry_dead",
]

logger = logging.getLogger(__name__)

VERSION = "1.0.3"
_DUE = Q(delivered_at__isnull=True, dead=False)


@dataclass(frozen=True)
class DeliveryReport:
    """What one run of ``forwards_deliver`` did, in statements."""

    delivered: int = 0
    failed: int = 0
    dead: int = 0


def forward_retry_delay(attempts: int) -> float:
    """Seconds before the next attempt after ``attempts`` failed ones:
    exponential (``XAPI_FORWARD_BACKOFF_SECONDS`` doubled each time, at most
    ``XAPI_FORWARD_BACKOFF_MAX_SECONDS``), with "equal jitter" (between half
    and all of it) so that retries of many rows do not arrive together."""
    base = settings.XAPI_FORWARD_BACKOFF_SECONDS * 2 ** max(0, attempts - 1)
    ceiling = min(settings.XAPI_FORWARD_BACKOFF_MAX_SECONDS, base)
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - not security


def _statements_url() -> str:
    return settings.XAPI_FORWARD_URL.rstrip("/") + "/statements"


def _session() -> requests.Session:
    session = requests.Session()
    if settings.XAPI_FORWARD_USERNAME or settings.XAPI_FORWARD_PASSWORD:
        session.auth = (settings.XAPI_FORWARD_USERNAME, settings.XAPI_FORWARD_PASSWORD)
    session.headers.update(
        {"X-Experience-API-Version": VERSION, "Content-Type": "application/json"}
    )
    return session


def _claim(limit: int) -> list[int]:
    """Lock due rows (skipping rows another worker holds) and lease them."""
    now = timezone.now()
    lease = dt.timedelta(seconds=2 * settings.XAPI_FORWARD_TIMEOUT + 60)
    with transaction.atomic():
        ids = list(
            XAPIForward.objects.select_for_update(skip_locked=True)
            .filter(_DUE, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")
            .values_list("pk", flat=True)[:limit]
        )
        XAPIForward.objects.filter(pk__in=ids).update(next_attempt_at=now + lease)
    return ids


def _reason(response: requests.Response) -> str:
    return f"HTTP {response.status_code}: {response.text[:500]}"


def _send(session: requests.Session, rows: list[XAPIForward]) -> dict[int, tuple[str, str]]:
    """Send one batch; the outcome of each row: ("delivered" | "failed" |
    "dead", note)."""
    timeout = settings.XAPI_FORWARD_TIMEOUT
    url = _statements_url()
    try:
        response = session.post(
            url, data=json.dumps([row.statement.data for row in rows]), timeout=timeout
        )
    except requests.RequestException as error:
        return {row.pk: ("failed", f"{type(error).__name__}: {error}"[:1000]) for row in rows}
    if response.status_code in (200, 204):  # 200 with the ids; some LRSs answer 204
        return {row.pk: ("delivered", "") for row in rows}
    if response.status_code not in (400, 409):
        return {row.pk: ("failed", _reason(response)) for row in rows}
    # The batch was refused as a whole: find out which statements the
    # receiver has or refuses, one at a time.
    outcomes = {}
    for row in rows:
        try:
            single = session.put(
                url,
                params={"statementId": str(row.statement.statement_id)},
                data=json.dumps(row.statement.data),
                timeout=timeout,
            )
        except requests.RequestException as error:
            outcomes[row.pk] = ("failed", f"{type(error).__name__}: {error}"[:1000])
            continue
        if single.status_code == 204:
            outcomes[row.pk] = ("delivered", "")
        elif single.status_code == 409:
            outcomes[row.pk] = ("delivered", "The receiver already had this statement (409).")
        elif single.status_code == 400:
            outcomes[row.pk] = ("dead", _reason(single))
        else:
            outcomes[row.pk] = ("failed", _reason(single))
    return outcomes


def _settle(rows: list[XAPIForward], outcomes: dict[int, tuple[str, str]]) -> DeliveryReport:
    """Write the outcomes: one UPDATE per kind of outcome (failures grouped
    by attempt count, which sets their delay)."""
    now = timezone.now()
    max_attempts = settings.XAPI_FORWARD_MAX_ATTEMPTS
    by_pk = {row.pk: row for row in rows}
    delivered: dict[str, list[int]] = defaultdict(list)
    dead: dict[str, list[int]] = defaultdict(list)
    failed: dict[tuple[int, str], list[int]] = defaultdict(list)
    for pk, (outcome, note) in outcomes.items():
        if outcome == "delivered":
            delivered[note].append(pk)
        elif outcome == "dead" or by_pk[pk].attempts + 1 >= max_attempts:
            dead[note].append(pk)
        else:
            failed[(by_pk[pk].attempts + 1, note)].append(pk)
    with transaction.atomic():
        for note, pks in delivered.items():
            XAPIForward.objects.filter(_DUE, pk__in=pks).update(
                delivered_at=now, attempts=F("attempts") + 1, last_error=note
            )
        for note, pks in dead.items():
            XAPIForward.objects.filter(_DUE, pk__in=pks).update(
                dead=True, attempts=F("attempts") + 1, last_error=note
            )
        for (attempts, note), pks in failed.items():
            XAPIForward.objects.filter(_DUE, pk__in=pks).update(
                attempts=attempts,
                last_error=note,
                next_attempt_at=now + dt.timedelta(seconds=forward_retry_delay(attempts)),
            )
    report = DeliveryReport(
        delivered=sum(len(p) for p in delivered.values()),
        failed=sum(len(p) for p in failed.values()),
        dead=sum(len(p) for p in dead.values()),
    )
    errors = [note for outcome, note in outcomes.values() if outcome != "delivered"]
    if errors:
        logger.warning(
            "xAPI forwarding: %s delivered, %s to retry, %s dead letters; last error: %s",
            report.delivered,
            report.failed,
            report.dead,
            errors[-1],
        )
    return report


def forwards_deliver(*, limit: int = 500) -> DeliveryReport:
    """Send due outbox rows (at most ``limit``) to the external LRS in
    batches of ``XAPI_FORWARD_BATCH_SIZE``; mark each delivered, scheduled
    for a retry, or dead. Does nothing when ``XAPI_FORWARD_URL`` is unset."""
    if not settings.XAPI_FORWARD_URL:
        return DeliveryReport()
    ids = _claim(limit)
    if not ids:
        return DeliveryReport()
    rows = list(
        XAPIForward.objects.filter(pk__in=ids)
        .select_related("statement")
        .only("pk", "attempts", "statement__statement_id", "statement__data")
        .order_by("statement__stored", "statement_id")
    )
    totals = DeliveryReport()
    size = max(1, settings.XAPI_FORWARD_BATCH_SIZE)
    with _session() as session:
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            report = _settle(batch, _send(session, batch))
            totals = DeliveryReport(
                delivered=totals.delivered + report.delivered,
                failed=totals.failed + report.failed,
                dead=totals.dead + report.dead,
            )
    return totals


@transaction.atomic
def forwards_retry_dead(*, ids: list[int] | None = None) -> int:
    """Give dead letters (those in ``ids``, or all) a fresh set of attempts,
    due now; returns how many. An admin does this once the receiver or the
    statement's problem is fixed."""
    rows = XAPIForward.objects.filter(dead=True, delivered_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.update(dead=False, attempts=0, next_attempt_at=timezone.now())
