"""JSON endpoints of the progress app (under /api/v1/progress/)."""

from django.urls import path

from . import api, quiz_api

urlpatterns = [
    path("lessons/<int:lesson_id>/sessions/", api.session_start, name="progress-session-start"),
    path("sessions/<str:session_id>/heartbeats/", api.heartbeat, name="progress-heartbeat"),
    path("sessions/<str:session_id>/presence/", api.presence, name="progress-presence"),
    path(
        "lessons/<int:lesson_id>/quiz/attempts/",
        quiz_api.LessonQuizAttemptsView.as_view(),
        name="progress-quiz-start",
    ),
    path(
        "courses/<int:course_id>/exam/attempts/",
        quiz_api.CourseExamAttemptsView.as_view(),
        name="progress-exam-start",
    ),
    path(
        "quiz-attempts/<uuid:attempt_id>/",
        quiz_api.AttemptView.as_view(),
        name="progress-quiz-attempt",
    ),
    path(
        "quiz-attempts/<uuid:attempt_id>/submit/",
        quiz_api.AttemptSubmitView.as_view(),
        name="progress-quiz-submit",
    ),
]
