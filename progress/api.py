"""The lesson player's endpoints: start a play session, heartbeats, presence.

Plain Django views rather than DRF: a heartbeat arrives every few seconds
from every learner, and DRF's request wrapping and authentication would load
the user row from the database on each one. Starting a session needs the
signed-in worker (cookie session) and checks access; it hands the player a
signed play token, and heartbeats and presence answers are identified by
that token alone (``X-Study-Token``; checking it is an HMAC, no I/O), and
the only I/O of a heartbeat is one Redis script.

CSRF: session start rides on the cookie session and is CSRF-checked.
Heartbeats and presence answers are exempt: the cookie is worthless to them
(without the play token they are refused, 401), a cross-site page cannot
read the token out of the worker's page, and a custom header cannot be sent
cross-origin without a CORS preflight, which this site never grants.
"""

import json
import uuid

from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from courses.models import LessonPage
from lms.exceptions import ApplicationError
from media_pipeline.selectors import asset_playback_get

from . import selectors, services

# ``request.headers`` would build a dict of every header on each heartbeat.
TOKEN_HEADER = "HTTP_X_STUDY_TOKEN"


def _error(message, status: int) -> JsonResponse:
    return JsonResponse({"detail": str(message)}, status=status)


def _body(request):
    try:
        return json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return None


def _session_id(value: str):
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@require_POST
def session_start(request, lesson_id: int):
    if not request.user.is_authenticated:
        return _error(_("Please log in to study."), 401)
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id)
    access = selectors.lesson_access_get(user=request.user, lesson=lesson)
    if not access.allowed:
        return _error(access.reason, 403)
    playback = asset_playback_get(asset=lesson.video) if lesson.video_id else None
    if playback is None:
        return _error(_("This lesson has no playable video yet."), 409)
    if access.enrolment is None:
        # Staff previewing a lesson: the video plays, nothing is credited.
        return JsonResponse({"session": None, "resume_at": 0})
    try:
        start = services.play_session_start(
            user=request.user,
            lesson=lesson,
            enrolment=access.enrolment,
            duration=lesson.video.duration or 0,
        )
    except ApplicationError as error:
        return _error(error.message, 409)
    return JsonResponse(
        {
            "session": str(start.session.pk),
            "token": start.token,
            "resume_at": start.resume_at,
            "prompt": start.prompt_id or None,
        },
        status=201,
    )


@csrf_exempt
@require_POST
def heartbeat(request, session_id: str):
    session = _session_id(session_id)
    if session is None:
        return _error(_("This viewing session has ended. Please reload the page to go on."), 404)
    try:
        user_id = services.play_token_user(token=request.META.get(TOKEN_HEADER), session_id=session)
        outcome = services.heartbeat_record(
            user_id=user_id, session_id=session, data=_body(request)
        )
    except services.HeartbeatError as error:
        return _error(error.message, error.status)
    if outcome.prompt_id:
        return JsonResponse({"prompt": outcome.prompt_id})
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def presence(request, session_id: str):
    session = _session_id(session_id)
    body = _body(request)
    if session is None or not isinstance(body, dict):
        return _error(_("Which question is this an answer to?"), 400)
    try:
        user_id = services.play_token_user(token=request.META.get(TOKEN_HEADER), session_id=session)
        services.presence_answer(
            user_id=user_id,
            session_id=session,
            prompt_id=body.get("prompt"),
            answer=body.get("answer", ""),
        )
    except services.HeartbeatError as error:
        return _error(error.message, error.status)
    return HttpResponse(status=204)
