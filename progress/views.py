"""Pages under /learning/: my learning, enrolment and withdrawal, the daily
check-in, and the classroom check-in (the instructor's QR screen and the
worker's scan). Views parse, call one service or selector, and render;
a refusal is a page with the reason and its HTTP status."""

from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from courses.models import CoursePage
from lms.exceptions import ApplicationError
from lms.middleware import staff_page
from progress import selectors, services
from progress.forms import WithdrawForm
from progress.models import ClassSession, Enrolment


def _refused(request, exc: ApplicationError, *, back_url: str = "", title: str = ""):
    return render(
        request,
        "progress/refused.html",
        {"message": exc.message, "back_url": back_url, "title": title or _("Not possible")},
        status=exc.extra.get("status", 400),
    )


@login_required
def my_learning(request):
    """The worker's courses with progress and where to resume, and the daily
    check-in."""
    user = request.user
    context = {
        "items": selectors.my_learning_list(user=user),
        "streak": selectors.checkin_streak_get(user=user),
        "checked_in_today": selectors.checkin_today_get(user=user) is not None,
    }
    return render(request, "progress/my_learning.html", context)


@login_required
@require_POST
def daily_checkin(request):
    result = services.daily_checkin_create(user=request.user)
    if result.created:
        messages.success(
            request,
            ngettext(
                "Checked in for today. You have studied %(days)s day in a row.",
                "Checked in for today. You have studied %(days)s days in a row.",
                result.streak,
            )
            % {"days": result.streak},
        )
    else:
        messages.info(request, _("You have already checked in today."))
    return redirect("progress:my-learning")


@login_required
@require_http_methods(["GET", "POST"])
def enrol(request, course_id: int):
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    if request.method == "GET":
        return redirect(course.url)
    try:
        services.enrolment_create(user=request.user, course=course, actor=request.user)
    except ApplicationError as exc:
        return _refused(request, exc, back_url=course.url, title=_("You cannot enrol yet"))
    messages.success(request, _("You are enrolled in “%(title)s”.") % {"title": course.title})
    return redirect(course.url)


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request, enrolment_id):
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("course"), pk=enrolment_id, user=request.user
    )
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.enrolment_withdraw(
                enrolment=enrolment, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            return _refused(request, exc, back_url=reverse("progress:my-learning"))
        messages.success(
            request,
            _("You have withdrawn from “%(title)s”.") % {"title": enrolment.course.title},
        )
        return redirect("progress:my-learning")
    if enrolment.status != Enrolment.Status.ACTIVE:
        refusal = ApplicationError(
            _("This enrolment is not active."), extra={"code": "not_active", "status": 409}
        )
        return _refused(request, refusal, back_url=reverse("progress:my-learning"))
    return render(request, "progress/withdraw.html", {"enrolment": enrolment, "form": form})


# --- Classroom check-in ----------------------------------------------------------


def _managed_session(request, session_id: int) -> ClassSession:
    session = get_object_or_404(ClassSession.objects.select_related("course"), pk=session_id)
    if not selectors.class_session_may_manage(user=request.user, session=session):
        raise PermissionDenied
    return session


def _token_payload(request, session: ClassSession) -> dict:
    token = selectors.class_session_token_get(session=session)
    url = request.build_absolute_uri(
        reverse("progress:class-checkin", args=[session.pk]) + "?" + urlencode({"t": token})
    )
    svg = segno.make(url, error="m").svg_inline(
        scale=6, border=2, dark="#111", light="#fff", omitsize=True
    )
    return {
        "token": token,
        "url": url,
        "svg": svg,
        "rotate_seconds": selectors.rotate_seconds(),
        "checked_in": selectors.class_checkin_count(session=session),
    }


@staff_page
@login_required
@require_GET
def classroom_screen(request, session_id: int):
    """The instructor's screen: a QR code that changes every few seconds."""
    session = _managed_session(request, session_id)
    context = {"session": session, **_token_payload(request, session)}
    return render(request, "progress/classroom_screen.html", context)


@staff_page
@login_required
@require_GET
@never_cache
def classroom_token(request, session_id: int):
    """The screen's current QR code (JSON), fetched every few seconds."""
    session = _managed_session(request, session_id)
    return JsonResponse(_token_payload(request, session))


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def class_checkin(request, session_id: int):
    """The scanned link: GET checks the code and asks to confirm, POST checks
    in. A refused code gets a page with the reason and the matching status."""
    session = get_object_or_404(ClassSession.objects.select_related("course"), pk=session_id)
    title = _("Check-in refused")
    if request.method == "GET":
        token = request.GET.get("t", "")
        try:
            ticket = selectors.class_checkin_ticket_get(
                user=request.user, session=session, token=token
            )
        except ApplicationError as exc:
            return _refused(request, exc, title=title)
        context = {"session": session, "token": token, "ticket": ticket}
        return render(request, "progress/class_checkin.html", context)
    try:
        checkin = services.class_checkin_create(
            user=request.user,
            session=session,
            token=request.POST.get("t", ""),
            ticket=request.POST.get("ticket", ""),
        )
    except ApplicationError as exc:
        return _refused(request, exc, title=title)
    context = {"session": session, "checkin": checkin, "now": timezone.now()}
    return render(request, "progress/class_checkin_done.html", context)
