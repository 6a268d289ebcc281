"""Pages of the progress app (under /learning/)."""

from django.urls import path

from progress import practical_views, quiz_views, views

app_name = "progress"

urlpatterns = [
    path("", views.my_learning, name="my-learning"),
    path("checkin/daily/", views.daily_checkin, name="daily-checkin"),
    path("enrol/<int:course_id>/", views.enrol, name="enrol"),
    path("withdraw/<uuid:enrolment_id>/", views.withdraw, name="withdraw"),
    path("classroom/<int:session_id>/screen/", views.classroom_screen, name="classroom-screen"),
    path("classroom/<int:session_id>/token/", views.classroom_token, name="classroom-token"),
    path("checkin/<int:session_id>/", views.class_checkin, name="class-checkin"),
    path("quiz/lesson/<int:lesson_id>/", quiz_views.quiz_lesson, name="quiz-lesson"),
    path("quiz/course/<int:course_id>/", quiz_views.quiz_course, name="quiz-course"),
    path("quiz/attempt/<uuid:attempt_id>/", quiz_views.quiz_attempt, name="quiz-attempt"),
    path(
        "quiz/attempt/<uuid:attempt_id>/result/",
        quiz_views.quiz_result,
        name="quiz-result",
    ),
    path(
        "practical/<int:lesson_id>/submit/",
        practical_views.practical_submit,
        name="practical-submit",
    ),
    path(
        "practical/photo/<int:photo_id>/",
        practical_views.practical_photo,
        name="practical-photo",
    ),
]
