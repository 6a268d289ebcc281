"""Check-in reads: daily streaks, and the classroom QR token.

The classroom token is ``<session id>.<window>.<mac>``: ``window`` is the
Unix time divided by ``PROGRESS_CHECKIN_ROTATE_SECONDS`` (10 s by default),
``mac`` a truncated HMAC-SHA256 of ``<session id>.<window>`` keyed with the
session's own secret and the site's ``SECRET_KEY``. A token is accepted in
its own window and the next one only, so it expires 10–20 s after it was
shown: a photo of the screen sent to a friend at home is useless.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from lms.exceptions import ApplicationError
from lms.models import Membership, User
from lms.selectors import user_is_platform_admin, user_roles
from progress.models import ClassCheckIn, ClassSession, DailyCheckIn, Enrolment

__all__ = [
    "CHECKIN_OPENS_BEFORE",
    "CHECKIN_TIMEZONE",
    "TICKET_MAX_AGE",
    "checkin_local_date",
    "checkin_streak_get",
    "checkin_today_get",
    "class_checkin_count",
    "class_checkin_ticket_get",
    "class_checkin_verify",
    "class_session_may_manage",
    "class_session_token_get",
    "class_sessions_managed_by",
    "rotate_seconds",
    "ticket_scanned_at",
]

CHECKIN_TIMEZONE = ZoneInfo("Asia/Shanghai")
# Workers may check in from half an hour before a class until it ends.
CHECKIN_OPENS_BEFORE = dt.timedelta(minutes=30)
# Seconds a worker has between opening the scanned link and pressing "check
# in" (the token was checked when the page opened).
TICKET_MAX_AGE = 120
_TICKET_SALT = "progress.class-checkin"
_MAC_LENGTH = 20
_TOKEN = re.compile(r"^(\d{1,18})\.(\d{1,18})\.([0-9a-f]{" + str(_MAC_LENGTH) + "})$")


def _error(message: str, *, code: str, status: int = 400) -> ApplicationError:
    return ApplicationError(message, extra={"code": code, "status": status})


# --- Daily check-in --------------------------------------------------------------


def checkin_local_date(*, now: dt.datetime | None = None) -> dt.date:
    """The check-in day of ``now`` (default: the present), in China time."""
    return (now or timezone.now()).astimezone(CHECKIN_TIMEZONE).date()


def checkin_today_get(*, user: User, now: dt.datetime | None = None) -> DailyCheckIn | None:
    return DailyCheckIn.objects.filter(user=user, date=checkin_local_date(now=now)).first()


def checkin_streak_get(*, user: User, now: dt.datetime | None = None) -> int:
    """Consecutive check-in days ending today, or yesterday when the worker
    has not checked in yet today (the streak is not broken until the day
    ends); 0 otherwise."""
    today = checkin_local_date(now=now)
    dates = (
        DailyCheckIn.objects.filter(user=user, date__lte=today)
        .order_by("-date")
        .values_list("date", flat=True)
    )
    streak = 0
    expected = None
    for day in dates.iterator(chunk_size=400):
        if expected is None:
            if day < today - dt.timedelta(days=1):
                return 0
            expected = day
        if day != expected:
            break
        streak += 1
        expected = day - dt.timedelta(days=1)
    return streak


# --- Classroom check-in --------------------------------------------------------


def rotate_seconds() -> int:
    return max(1, int(getattr(settings, "PROGRESS_CHECKIN_ROTATE_SECONDS", 10)))


def _window(moment: dt.datetime) -> int:
    return int(moment.timestamp()) // rotate_seconds()


def _mac(*, session_id: int, secret: str, window: int) -> str:
    key = f"{secret}:{settings.SECRET_KEY}".encode()
    message = f"{session_id}.{window}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:_MAC_LENGTH]


def class_session_token_get(*, session: ClassSession, now: dt.datetime | None = None) -> str:
    """The token the instructor's screen shows now (as a QR code)."""
    window = _window(now or timezone.now())
    mac = _mac(session_id=session.pk, secret=session.secret, window=window)
    return f"{session.pk}.{window}.{mac}"


def class_session_may_manage(*, user, session: ClassSession) -> bool:
    """Instructors of the session's course and platform admins show the code
    and see who checked in."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user_is_platform_admin(user=user):
        return True
    return session.course.instructors.filter(pk=user.pk).exists()


def class_sessions_managed_by(*, user) -> QuerySet[ClassSession]:
    """Class sessions ``user`` may run, latest first."""
    sessions = ClassSession.objects.select_related("course", "training_base").order_by("-starts_at")
    if not getattr(user, "is_authenticated", False):
        return sessions.none()
    if user_is_platform_admin(user=user):
        return sessions
    if Membership.Role.INSTRUCTOR not in user_roles(user=user):
        return sessions.none()
    return sessions.filter(course__instructors=user)


def class_checkin_count(*, session: ClassSession) -> int:
    return ClassCheckIn.objects.filter(session=session).count()


def _token_window(*, session: ClassSession, token: str, scanned_at: dt.datetime) -> int:
    """The window of a token that is genuine, for ``session`` and fresh at
    ``scanned_at``; otherwise the reason why not."""
    match = _TOKEN.match((token or "").strip())
    if match is None:
        raise _error(
            _("This is not a check-in code. Scan the code on the classroom screen."),
            code="token_malformed",
        )
    session_id, window, mac = int(match[1]), int(match[2]), match[3]
    if session_id != session.pk:
        other = ClassSession.objects.filter(pk=session_id).only("pk", "secret").first()
        if other is not None and hmac.compare_digest(
            mac, _mac(session_id=other.pk, secret=other.secret, window=window)
        ):
            raise _error(
                _("This code belongs to another class. Scan the code on your classroom's screen."),
                code="token_other_session",
            )
        raise _error(
            _("This check-in code is not valid. Scan the code on the classroom screen."),
            code="token_invalid",
        )
    expected = _mac(session_id=session.pk, secret=session.secret, window=window)
    current = _window(scanned_at)
    if not hmac.compare_digest(mac, expected) or window > current:
        raise _error(
            _("This check-in code is not valid. Scan the code on the classroom screen."),
            code="token_invalid",
        )
    if window < current - 1:
        raise _error(
            _("This code has expired: scan the code on the screen again."),
            code="token_expired",
            status=410,
        )
    return window


def class_checkin_verify(
    *,
    user: User,
    session: ClassSession,
    token: str,
    now: dt.datetime | None = None,
    scanned_at: dt.datetime | None = None,
) -> int:
    """Every check a classroom check-in must pass, without writing anything:
    the token (genuine, this session's, fresh when it was scanned), the class
    open for check-in, the worker enrolled and not yet checked in. Returns
    the token's window; raises ``ApplicationError`` (``extra["code"]``,
    ``extra["status"]``) with the reason otherwise."""
    now = now or timezone.now()
    window = _token_window(session=session, token=token, scanned_at=scanned_at or now)
    if not (session.starts_at - CHECKIN_OPENS_BEFORE <= now <= session.ends_at):
        raise _error(
            _("Check-in for this class opens 30 minutes before it starts and closes when it ends."),
            code="session_closed",
            status=403,
        )
    enrolled = (
        Enrolment.objects.filter(user=user, course_id=session.course_id)
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .exists()
    )
    if not enrolled:
        raise _error(
            _("You are not enrolled in this class's course."), code="not_enrolled", status=403
        )
    if ClassCheckIn.objects.filter(session=session, user=user).exists():
        raise _error(
            _("You have already checked in to this class."), code="already_checked_in", status=409
        )
    return window


def class_checkin_ticket_get(
    *, user: User, session: ClassSession, token: str, now: dt.datetime | None = None
) -> str:
    """Check a scanned token and sign a ticket that lets this worker confirm
    the check-in within ``TICKET_MAX_AGE`` seconds, although the token itself
    expires sooner. Raises like ``class_checkin_verify``."""
    now = now or timezone.now()
    class_checkin_verify(user=user, session=session, token=token, now=now)
    return signing.dumps(
        {"s": session.pk, "u": user.pk, "t": token, "at": now.timestamp()}, salt=_TICKET_SALT
    )


def ticket_scanned_at(*, ticket: str, user: User, session: ClassSession, token: str):
    """When the ticket's token was scanned, if the ticket is genuine, recent
    and for this worker, session and token; else None."""
    try:
        data = signing.loads(ticket, salt=_TICKET_SALT, max_age=TICKET_MAX_AGE)
    except signing.BadSignature:
        return None
    if data.get("s") != session.pk or data.get("u") != user.pk or data.get("t") != token:
        return None
    return dt.datetime.fromtimestamp(float(data["at"]), tz=dt.UTC)
