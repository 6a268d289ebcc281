"""JSON endpoints of the progress app (under /api/v1/progress/)."""

from django.urls import path

from . import api

urlpatterns = [
    path("lessons/<int:lesson_id>/sessions/", api.session_start, name="progress-session-start"),
    path("sessions/<str:session_id>/heartbeats/", api.heartbeat, name="progress-heartbeat"),
    path("sessions/<str:session_id>/presence/", api.presence, name="progress-presence"),
]
