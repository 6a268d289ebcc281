"""Check-in writes: the daily study check-in and the classroom check-in by
rotating QR token (see ``progress.selectors.checkins`` for the token).

A refused check-in writes nothing; an accepted one is a row and a ledger
entry in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.exceptions import ApplicationError
from lms.ledger import ledger_append
from lms.models import User
from lms.selectors import user_is_platform_admin
from progress.models import ClassCheckIn, ClassSession, DailyCheckIn
from progress.selectors.checkins import (
    checkin_local_date,
    checkin_streak_get,
    class_checkin_verify,
    ticket_scanned_at,
)
from progress.selectors.enrolments import enrolment_get_open
from progress.xapi.services.outbox import (
    class_checkin_statement_record,
    daily_checkin_statement_record,
)

if TYPE_CHECKING:
    from courses.models import CoursePage
    from lms.models import Organisation

__all__ = [
    "DailyCheckInResult",
    "class_checkin_create",
    "class_session_create",
    "daily_checkin_create",
]

LEDGER_CHAIN = "progress"


@dataclass(frozen=True)
class DailyCheckInResult:
    checkin: DailyCheckIn
    created: bool
    streak: int


@transaction.atomic
def daily_checkin_create(*, user: User, now: dt.datetime | None = None) -> DailyCheckInResult:
    """Check the worker in for today (China time). Idempotent: a second
    check-in the same day returns the first. Returns the streak too."""
    now = now or timezone.now()
    day = checkin_local_date(now=now)
    checkin = DailyCheckIn.objects.filter(user=user, date=day).first()
    created = False
    if checkin is None:
        checkin = DailyCheckIn(user=user, date=day, checked_in_at=now)
        try:
            with transaction.atomic():
                checkin.save()
            created = True
        except IntegrityError:
            # A double tap raced us to the insert.
            checkin = DailyCheckIn.objects.get(user=user, date=day)
        if created:
            ledger_append(
                chain=LEDGER_CHAIN,
                kind="progress.checkin.daily",
                subject=f"user:{user.pk}",
                actor_id=user.pk,
                payload={"date": day.isoformat()},
            )
            daily_checkin_statement_record(checkin=checkin)
    return DailyCheckInResult(
        checkin=checkin, created=created, streak=checkin_streak_get(user=user, now=now)
    )


@transaction.atomic
def class_session_create(
    *,
    actor: User,
    course: CoursePage,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    location: str = "",
    training_base: Organisation | None = None,
) -> ClassSession:
    """Schedule an offline class of ``course`` (its instructors and platform
    admins may). The token secret is generated here, never typed."""
    if (
        not user_is_platform_admin(user=actor)
        and not course.instructors.filter(pk=actor.pk).exists()
    ):
        raise ApplicationError(
            _("Only the course's instructors can schedule its classes."),
            extra={"code": "forbidden", "status": 403},
        )
    session = ClassSession(
        course=course,
        title=title.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        location=location.strip(),
        training_base=training_base,
        created_by=actor,
    )
    if starts_at and ends_at and ends_at <= starts_at:
        raise ApplicationError(
            _("The class must end after it starts."), extra={"code": "invalid", "status": 400}
        )
    try:
        session.full_clean()
    except ValidationError as exc:
        raise ApplicationError(
            " ".join(exc.messages), extra={"code": "invalid", "status": 400}
        ) from exc
    session.save()
    return session


@transaction.atomic
def class_checkin_create(
    *,
    user: User,
    session: ClassSession,
    token: str,
    ticket: str = "",
    now: dt.datetime | None = None,
) -> ClassCheckIn:
    """Check ``user`` in to ``session`` with a token scanned from the screen.

    ``ticket`` (from ``class_checkin_ticket_get`` when the scanned link was
    opened) lets the token's freshness be judged at scan time, so a worker
    who takes a minute to press the button is not refused. Refusals raise
    ``ApplicationError`` with ``extra["code"]`` and ``extra["status"]`` and
    write nothing."""
    now = now or timezone.now()
    scanned_at = None
    if ticket:
        scanned_at = ticket_scanned_at(ticket=ticket, user=user, session=session, token=token)
        if scanned_at is None:
            raise ApplicationError(
                _("This code has expired: scan the code on the screen again."),
                extra={"code": "token_expired", "status": 410},
            )
    window = class_checkin_verify(
        user=user, session=session, token=token, now=now, scanned_at=scanned_at
    )
    checkin = ClassCheckIn(session=session, user=user, checked_in_at=now, window=window)
    try:
        with transaction.atomic():
            checkin.save()
    except IntegrityError:
        raise ApplicationError(
            _("You have already checked in to this class."),
            extra={"code": "already_checked_in", "status": 409},
        ) from None
    ledger_append(
        chain=LEDGER_CHAIN,
        kind="progress.checkin.class",
        subject=f"user:{user.pk}",
        actor_id=user.pk,
        payload={
            "session": str(session.pk),
            "course": str(session.course_id),
            "window": window,
            "checked_in_at": now.astimezone(dt.UTC).isoformat(),
        },
    )
    enrolment = enrolment_get_open(user=user, course=session.course)
    class_checkin_statement_record(checkin=checkin, enrolment_id=enrolment and enrolment.pk)
    return checkin
