"""JSON API of quizzes and exams (under /api/v1/progress/): start or resume
an attempt, read it (the frozen public questions only: never a correct flag,
an answer value, a tolerance or an explanation before submission), submit.

A refusal answers with ``detail`` (translated), ``code`` and the status the
service gives (400, 403, 404, 409, 429)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from courses.models import CoursePage, LessonPage, Quiz
from courses.selectors import lesson_course_get
from lms.exceptions import ApplicationError
from progress import selectors, services
from progress.models import QuizAttempt

TAGS = ["quizzes"]


class OptionSerializer(serializers.Serializer):
    id = serializers.CharField(help_text="Random id of the option; send it back as the answer.")
    text = serializers.CharField()
    image_id = serializers.IntegerField(allow_null=True)


class PublicQuestionSerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text="Answer key (or `uuid`).")
    uuid = serializers.CharField()
    version = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["single", "multiple", "true_false", "numeric"])
    stem = serializers.CharField()
    image_id = serializers.IntegerField(allow_null=True)
    category = serializers.CharField()
    difficulty = serializers.IntegerField()
    unit = serializers.CharField(help_text="Numeric questions: shown next to the input.")
    options = OptionSerializer(many=True, help_text="In this attempt's shuffled order.")


class ResultSerializer(serializers.Serializer):
    score = serializers.DecimalField(max_digits=8, decimal_places=4)
    max_score = serializers.DecimalField(max_digits=8, decimal_places=4)
    percent = serializers.DecimalField(max_digits=5, decimal_places=2)
    passed = serializers.BooleanField()
    pass_mark_percent = serializers.IntegerField()


class ReviewItemSerializer(serializers.Serializer):
    position = serializers.IntegerField()
    answer = serializers.JSONField(allow_null=True)
    points = serializers.DecimalField(max_digits=5, decimal_places=4)
    correct = serializers.BooleanField()
    correct_options = serializers.ListField(child=serializers.CharField())
    correct_value = serializers.JSONField(allow_null=True)
    explanation = serializers.CharField()


class AttemptSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    quiz = inline_serializer(
        "AttemptQuiz",
        {
            "id": serializers.IntegerField(),
            "title": serializers.CharField(),
            "kind": serializers.CharField(),
        },
    )
    number = serializers.IntegerField()
    status = serializers.ChoiceField(choices=QuizAttempt.Status.choices)
    started_at = serializers.DateTimeField()
    deadline = serializers.DateTimeField(allow_null=True)
    seconds_left = serializers.IntegerField(allow_null=True)
    questions = PublicQuestionSerializer(many=True)
    result = ResultSerializer(required=False, help_text="Once the attempt is closed.")
    review = ReviewItemSerializer(
        many=True, required=False, help_text="Once submitted, when the quiz shows reviews."
    )


class SubmitSerializer(serializers.Serializer):
    answers = serializers.DictField(
        child=serializers.JSONField(allow_null=True),
        help_text=(
            "Keyed by position or question uuid: an option id (single), a list of option "
            "ids (multiple), true/false, or a number or decimal string (numeric)."
        ),
    )


def _refusal(exc: ApplicationError) -> Response:
    extra = {key: value for key, value in exc.extra.items() if key != "status"}
    response = Response({"detail": str(exc.message), **extra}, status=exc.extra.get("status", 400))
    if "retry_after" in extra:
        response["Retry-After"] = str(extra["retry_after"])
    return response


def attempt_body(*, attempt: QuizAttempt, user) -> dict:
    """The attempt as the API shows it: the frozen public questions, and the
    result and review only once it is closed."""
    now = timezone.now()
    body = {
        "id": str(attempt.pk),
        "quiz": {"id": attempt.quiz_id, "title": attempt.quiz.title, "kind": attempt.quiz.kind},
        "number": attempt.number,
        "status": attempt.status,
        "started_at": attempt.started_at.isoformat(),
        "deadline": attempt.deadline.isoformat() if attempt.deadline else None,
        "seconds_left": (
            max(0, int((attempt.deadline - now).total_seconds()))
            if attempt.deadline and attempt.is_open
            else None
        ),
        "questions": selectors.attempt_public_questions(attempt=attempt),
    }
    if not attempt.is_open:
        body["result"] = {
            "score": str(attempt.score),
            "max_score": str(attempt.max_score),
            "percent": str(attempt.percent),
            "passed": bool(attempt.passed),
            "pass_mark_percent": attempt.pass_mark_percent,
        }
        review = selectors.attempt_review_get(attempt=attempt, user=user)
        if review is not None:
            body["review"] = [
                {
                    "position": item.position,
                    "answer": item.answer,
                    "points": str(item.points),
                    "correct": item.correct,
                    "correct_options": sorted(item.correct_options),
                    "correct_value": item.correct_value,
                    "explanation": item.explanation,
                }
                for item in review
            ]
    return body


def _start(request, *, quiz: Quiz, course: CoursePage, lesson: LessonPage | None) -> Response:
    try:
        attempt = services.quiz_attempt_start(
            user=request.user, quiz=quiz, course=course, lesson=lesson
        )
    except ApplicationError as exc:
        return _refusal(exc)
    return Response(
        attempt_body(attempt=attempt, user=request.user), status=status.HTTP_201_CREATED
    )


_START_DOC = {
    "request": None,
    "responses": {201: AttemptSerializer},
    "tags": TAGS,
}


class LessonQuizAttemptsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Start a section quiz",
        description=(
            "Start an attempt at the lesson's section quiz, or get the open one back. "
            "403 lesson locked or not enrolled, 409 no attempts left, 429 wait "
            "(`retry_after` seconds)."
        ),
        **_START_DOC,
    )
    def post(self, request, lesson_id: int):
        lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id)
        quiz = selectors.lesson_quiz_get(lesson=lesson)
        if quiz is None:
            raise Http404
        return _start(request, quiz=quiz, course=lesson_course_get(lesson=lesson), lesson=lesson)


class CourseExamAttemptsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Start the final exam",
        description="Start an attempt at the course's final exam, or get the open one back.",
        **_START_DOC,
    )
    def post(self, request, course_id: int):
        course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
        quiz = selectors.course_final_exam_get(course=course)
        if quiz is None:
            raise Http404
        return _start(request, quiz=quiz, course=course, lesson=None)


def _own_attempt(request, attempt_id) -> QuizAttempt:
    attempt = selectors.attempt_get_for(user=request.user, attempt_id=attempt_id)
    if attempt is None:
        raise Http404
    return attempt


class AttemptView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Get an attempt",
        description=(
            "The worker's own attempt: its questions as shown (no answers), and once "
            "closed its result and, when the quiz shows reviews, the review."
        ),
        responses=AttemptSerializer,
        tags=TAGS,
    )
    def get(self, request, attempt_id):
        attempt = _own_attempt(request, attempt_id)
        if attempt.is_open and services.quiz_attempts_expire(enrolment=attempt.enrolment):
            attempt.refresh_from_db()
        return Response(attempt_body(attempt=attempt, user=request.user))


class AttemptSubmitView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Submit an attempt",
        description=(
            "Grade and close the attempt. Submitting again returns the stored result. "
            "400 malformed answer or a question not drawn (nothing stored), 404 not "
            "your attempt, 409 time is up (the attempt closes with score 0)."
        ),
        request=SubmitSerializer,
        responses=AttemptSerializer,
        tags=TAGS,
    )
    def post(self, request, attempt_id):
        attempt = _own_attempt(request, attempt_id)
        data = request.data
        answers = data.get("answers") if isinstance(data, dict) else None
        if not isinstance(answers, dict):
            message = _("Send the answers as an object under “answers”.")
            return Response({"detail": message, "code": "answers_shape"}, status=400)
        try:
            attempt = services.quiz_attempt_submit(
                attempt=attempt, user=request.user, answers=answers
            )
        except ApplicationError as exc:
            return _refusal(exc)
        return Response(attempt_body(attempt=attempt, user=request.user))
