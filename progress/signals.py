"""Signals the progress app sends, always after the transaction commits, so
higher apps (vouchers) react only to facts that exist.

- ``enrolment_created(sender=Enrolment, enrolment=...)``
- ``enrolment_withdrawn(sender=Enrolment, enrolment=..., reason=...)``: a
  voucher paid for this enrolment may be refunded.
- ``enrolment_completed(sender=Enrolment, enrolment=...)``: the course's
  completion rule was met (final); a voucher paid for it may be settled.
"""

from django.dispatch import Signal

enrolment_created = Signal()
enrolment_withdrawn = Signal()
enrolment_completed = Signal()
