"""Where progress meets the lesson page and the video files (Wagtail hooks
registered in ``progress.wagtail_hooks``): who may play a lesson's video,
and what the player needs to report study time."""

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from lms.selectors import user_is_staff_role

from . import selectors

ACCESS_CACHE_SECONDS = 300


def lesson_page_context(*, request, lesson, course, context) -> None:
    """Hide the video from those who may not study the lesson; give the
    player of those who may the URL that starts a credited play session."""
    access = selectors.lesson_access_get(user=request.user, lesson=lesson)
    context["lesson_access"] = access
    if not access.allowed:
        context["playback"] = None
        return
    if context.get("playback") is not None:
        context["study"] = {
            "start_url": reverse("progress-session-start", args=[lesson.pk]),
            "heartbeat_seconds": settings.PROGRESS_HEARTBEAT_SECONDS,
            "credited": access.enrolment is not None,
        }


def video_file_access(*, request, asset_id: int) -> bool:
    """May this request fetch files of the video ``asset_id``? Staff may;
    a worker may while enrolled in a course with a live lesson showing it,
    and always for a video they handed in for a practical task.
    Asked for every segment, so the answer is cached for a few minutes."""
    user = request.user
    if not user.is_authenticated:
        return False
    key = f"progress:video-access:{user.pk}:{asset_id}"
    allowed = cache.get(key)
    if allowed is None:
        allowed = (
            user_is_staff_role(user=user)
            or selectors.video_enrolled_get(user=user, asset_id=asset_id)
            or selectors.practical_video_owned(user=user, asset_id=asset_id)
        )
        cache.set(key, allowed, ACCESS_CACHE_SECONDS)
    return allowed
