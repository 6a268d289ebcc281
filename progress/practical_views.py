"""The worker's side of practical tasks: the task box on the lesson page (a
``lesson_page_context`` hook), the upload form's POST and the photos of a
submission (for its worker and its graders only). Thin: parse, call one
service or selector, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from courses.models import LessonPage
from lms.exceptions import ApplicationError
from media_pipeline.selectors import asset_playback_get
from progress import selectors, services


def lesson_page_context(*, request, lesson, course, context) -> None:
    """The lesson's practical task, the user's submissions and the upload form."""
    if not lesson.practical_enabled:
        return
    access = context.get("lesson_access") or selectors.lesson_access_get(
        user=request.user, lesson=lesson
    )
    enrolment = access.enrolment if access.allowed else None
    view = selectors.practical_view_for(lesson=lesson, enrolment=enrolment)
    for submission in view.submissions:  # the worker plays back their own video
        submission.playback = asset_playback_get(asset=submission.video)
    context["practical_videos"] = any(s.playback for s in view.submissions)
    context["practical"] = view
    context["practical_submit_url"] = reverse("progress:practical-submit", args=[lesson.pk])


@login_required
@require_POST
def practical_submit(request, lesson_id: int):
    """The upload form: photos (``photos``, several) and/or a ``video``."""
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id)
    back = lesson.url + "#practical"
    try:
        services.practical_submission_create(
            user=request.user,
            lesson=lesson,
            photos=request.FILES.getlist("photos"),
            video=request.FILES.get("video"),
            note=request.POST.get("note", ""),
        )
    except ApplicationError as exc:
        return render(
            request,
            "progress/refused.html",
            {"message": exc.message, "back_url": back, "title": _("Not handed in")},
            status=exc.extra.get("status", 400),
        )
    messages.success(request, _("Your work is handed in. The instructor will grade it soon."))
    return redirect(back)


@login_required
@require_GET
def practical_photo(request, photo_id: int):
    """A submission's photo: streamed from local storage, or a redirect to a
    short-lived signed URL on S3."""
    photo = selectors.practical_photo_get_for(user=request.user, photo_id=photo_id)
    if photo is None:
        raise Http404
    key = photo.file.name
    try:
        local = default_storage.path(key)
    except NotImplementedError:
        local = None
    if local:
        response = FileResponse(default_storage.open(key, "rb"), content_type="image/jpeg")
    else:
        response = HttpResponseRedirect(default_storage.url(key))
    # Personal pictures: never kept by a shared cache.
    response["Cache-Control"] = "private, max-age=300"
    return response
