"""Celery tasks of the core (default queue).

Thin: one service call per chain. Checkpoints are idempotent (a chain that did
not grow gets none, and two workers signing the same size leave one row), so
a redelivered or overlapping run is harmless.
"""

import logging

from celery import shared_task

from . import ledger
from .exceptions import ApplicationError
from .models import LedgerHead

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def ledger_checkpoint() -> None:
    """Sign a checkpoint of every ledger chain that grew since its last one."""
    for chain in LedgerHead.objects.order_by("chain").values_list("chain", flat=True):
        try:
            checkpoint = ledger.ledger_checkpoint_create(chain=chain)
        except ApplicationError as exc:
            # A broken chain is not signed; the others still are.
            logger.error("ledger %s: %s", chain, exc.message)
            continue
        if checkpoint is not None:
            logger.info("ledger %s: checkpoint of %d entries", chain, checkpoint.tree_size)
