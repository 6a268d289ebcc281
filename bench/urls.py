"""URLs for the heartbeat benchmark: the project's own, plus a floor view.

``/bench/floor/`` is what any JSON POST costs in this project: the same
middleware (sessions, CSRF, authentication, …) and the same decorators
(POST only, CSRF-exempt) as the heartbeat endpoint, then ``json.loads`` of
the body and an empty 204. Only the heartbeat bench's
gunicorn uses this module (``bench/settings_heartbeats.py``).
"""

import json

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from lms.urls import urlpatterns as project_urlpatterns


@csrf_exempt  # as the heartbeat endpoint (progress/api.py says why)
@require_POST
def floor(request):
    json.loads(request.body)
    return HttpResponse(status=204)


@csrf_exempt
@require_POST
def xapi_floor(request):
    """The floor of bench/xapi.py: like the LRS views, CSRF-exempt (Basic
    auth, no cookies); parses the batch and answers 204."""
    json.loads(request.body)
    return HttpResponse(status=204)


# Before the project's patterns: Wagtail's catch-all page route comes last there.
urlpatterns = [
    path("bench/floor/", floor, name="bench-floor"),
    path("bench/xapi-floor/", xapi_floor, name="bench-xapi-floor"),
    *project_urlpatterns,
]
