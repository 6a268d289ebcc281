"""Course completion: the course's rule evaluated whenever one of its inputs
changes (credited study, a quiz or exam submitted, a practical task graded).
(Interface stub: the completion work fills it in.)"""

from __future__ import annotations

__all__ = ["completion_evaluate"]


def completion_evaluate(*, enrolment) -> bool:
    """Evaluate the course's completion rule for ``enrolment``; when it is
    met, record the completion (final) and issue the certificate. Returns
    whether the enrolment is completed. Safe to call any number of times and
    from inside the caller's transaction."""
    return False
