"""Quiz and exam pages under /learning/quiz/: the start page (rules,
attempts left, wait), the attempt (a plain form: works without JavaScript;
a script only shows the countdown, the server enforces the time), and the
result with the review. Also the lesson and course page hooks that link to
them. Views parse, call one service or selector, and render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from wagtail.images import get_image_model

from courses.models import CoursePage, LessonPage, Quiz, QuizKind
from courses.selectors import lesson_course_get
from lms.exceptions import ApplicationError
from progress import selectors, services
from progress.models import QuizAttempt
from progress.views import _refused

# --- Links from the lesson and course pages (Wagtail hooks) ------------------------


def lesson_quiz_context(*, request, lesson, course, context) -> None:
    """The ``lesson_page_context`` hook: a link to the lesson's section quiz."""
    if lesson.quiz_id is not None and lesson.pk:
        context["quiz_link"] = {
            "url": reverse("progress:quiz-lesson", args=[lesson.pk]),
            "heading": _("Section quiz"),
        }


def course_exam_context(*, request, course, context) -> None:
    """The ``course_page_context`` hook: a link to the course's final exam."""
    if course.final_exam_id is not None and course.pk:
        context["quiz_link"] = {
            "url": reverse("progress:quiz-course", args=[course.pk]),
            "heading": _("Final exam"),
        }


# --- Start page ----------------------------------------------------------------------


def _start_page(request, *, quiz: Quiz, course: CoursePage, lesson: LessonPage | None):
    if request.method == "POST":
        try:
            attempt = services.quiz_attempt_start(
                user=request.user, quiz=quiz, course=course, lesson=lesson
            )
        except ApplicationError as exc:
            return _refused(
                request, exc, back_url=request.path, title=_("You cannot start this quiz now")
            )
        return redirect("progress:quiz-attempt", attempt.pk)
    state = selectors.quiz_state_for(user=request.user, quiz=quiz, lesson=lesson, course=course)
    if state.enrolment is not None and services.quiz_attempts_expire(enrolment=state.enrolment):
        state = selectors.quiz_state_for(user=request.user, quiz=quiz, lesson=lesson, course=course)
    context = {
        "quiz": quiz,
        "course": state.course,
        "lesson": lesson,
        "state": state,
        "question_count": sum(draw.count for draw in quiz.draws.all()),
        "is_exam": quiz.kind == QuizKind.FINAL,
    }
    return render(request, "progress/quiz_start.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def quiz_lesson(request, lesson_id: int):
    """A lesson's section quiz: GET shows the rules, POST starts (or resumes)."""
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id)
    quiz = selectors.lesson_quiz_get(lesson=lesson)
    if quiz is None:
        raise Http404
    course = lesson_course_get(lesson=lesson)
    return _start_page(request, quiz=quiz, course=course, lesson=lesson)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def quiz_course(request, course_id: int):
    """A course's final exam: GET shows the rules, POST starts (or resumes)."""
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    quiz = selectors.course_final_exam_get(course=course)
    if quiz is None:
        raise Http404
    return _start_page(request, quiz=quiz, course=course, lesson=None)


# --- The attempt ----------------------------------------------------------------------


def _with_images(questions: list[dict]) -> list[dict]:
    """Attach the image objects (question and option images) in one query."""
    ids = {q["image_id"] for q in questions if q.get("image_id")}
    ids |= {o["image_id"] for q in questions for o in q["options"] if o.get("image_id")}
    images = get_image_model().objects.in_bulk(ids) if ids else {}
    for question in questions:
        question["image"] = images.get(question.get("image_id"))
        for option in question["options"]:
            option["image"] = images.get(option.get("image_id"))
    return questions


def form_answers(data, questions: list[dict]) -> dict:
    """The answers of the attempt form (``q-<position>`` fields) as the
    service takes them: a list for multiple choice, a boolean for true/false,
    the text otherwise; an empty field is not answered. A field for a
    position the attempt does not have is passed on as it is (and refused)."""
    kinds = {str(q["position"]): q["kind"] for q in questions}
    answers: dict = {}
    for key in data:
        if not key.startswith("q-"):
            continue
        position = key[2:]
        values = data.getlist(key)
        kind = kinds.get(position)
        if kind == "multiple":
            answers[position] = [value for value in values if value]
            continue
        value = values[-1].strip() if values else ""
        if kind == "true_false":
            answers[position] = {"true": True, "false": False}.get(value, value or None)
        else:
            answers[position] = value or None
    return answers


def _attempt_page(request, attempt: QuizAttempt, *, given=None, error=None, status=200):
    questions = _with_images(selectors.attempt_public_questions(attempt=attempt))
    for question in questions:
        value = (given or {}).get(str(question["position"]))
        question["given"] = value if isinstance(value, list) else [] if value is None else [value]
    seconds_left = (
        max(0, int((attempt.deadline - timezone.now()).total_seconds()))
        if attempt.deadline
        else None
    )
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "questions": questions,
        "seconds_left": seconds_left,
        "time_left": (
            "{}:{:02d}".format(*divmod(seconds_left, 60)) if seconds_left is not None else ""
        ),
        "error": error,
    }
    return render(request, "progress/quiz_attempt.html", context, status=status)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def quiz_attempt(request, attempt_id):
    """The open attempt: GET shows the questions, POST submits the answers."""
    attempt = selectors.attempt_get_for(user=request.user, attempt_id=attempt_id)
    if attempt is None:
        raise Http404
    if request.method == "POST":
        questions = selectors.attempt_public_questions(attempt=attempt)
        answers = form_answers(request.POST, questions)
        try:
            services.quiz_attempt_submit(attempt=attempt, user=request.user, answers=answers)
        except ApplicationError as exc:
            if exc.extra.get("code") == "time_up":
                messages.error(request, exc.message)
                return redirect("progress:quiz-result", attempt.pk)
            attempt.refresh_from_db()
            if not attempt.is_open:
                return redirect("progress:quiz-result", attempt.pk)
            return _attempt_page(
                request,
                attempt,
                given=answers,
                error=exc.message,
                status=exc.extra.get("status", 400),
            )
        return redirect("progress:quiz-result", attempt.pk)
    if attempt.is_open and services.quiz_attempts_expire(enrolment=attempt.enrolment):
        attempt.refresh_from_db()
    if not attempt.is_open:
        return redirect("progress:quiz-result", attempt.pk)
    return _attempt_page(request, attempt)


@login_required
@never_cache
@require_GET
def quiz_result(request, attempt_id):
    """The result of a closed attempt, with the review when the quiz shows it."""
    attempt = selectors.attempt_get_for(user=request.user, attempt_id=attempt_id)
    if attempt is None:
        raise Http404
    if attempt.is_open and services.quiz_attempts_expire(enrolment=attempt.enrolment):
        attempt.refresh_from_db()
    if attempt.is_open:
        return redirect("progress:quiz-attempt", attempt.pk)
    review = selectors.attempt_review_get(attempt=attempt, user=request.user)
    course = attempt.enrolment.course
    state = selectors.quiz_state_for(
        user=request.user, quiz=attempt.quiz, lesson=attempt.lesson, course=course
    )
    if attempt.lesson_id:
        start_url = reverse("progress:quiz-lesson", args=[attempt.lesson_id])
    else:
        start_url = reverse("progress:quiz-course", args=[course.pk])
    context = {
        "attempt": attempt,
        "quiz": attempt.quiz,
        "course": course,
        "review": _review_with_images(review) if review is not None else None,
        "state": state,
        "start_url": start_url,
    }
    return render(request, "progress/quiz_result.html", context)


def _review_with_images(review):
    _with_images([item.question for item in review])
    return review
