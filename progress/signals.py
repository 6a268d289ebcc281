"""Signals the progress app sends, always after the transaction commits, so
higher apps (vouchers) react only to facts that exist.

- ``enrolment_created(sender=Enrolment, enrolment=...)``
- ``enrolment_withdrawn(sender=Enrolment, enrolment=..., reason=...)``: a
  voucher paid for this enrolment may be refunded.
"""

from django.dispatch import Signal

enrolment_created = Signal()
enrolment_withdrawn = Signal()
