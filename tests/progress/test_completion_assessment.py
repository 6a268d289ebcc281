"""The completion rule's quiz, final exam and practical criteria, through the
real quiz and practical-task services (which evaluate the rule when a quiz
is submitted or a task graded). The course has reading lessons only, so
lesson coverage is met from the start."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from progress import selectors, services
from progress.models import Certificate, CourseCompletion, Enrolment
from progress.xapi.models import XAPIStatement
from progress.xapi.services.outbox import page_activity
from tests.media_pipeline import conftest as media_conftest
from tests.progress import practical_factories, quiz_factories
from tests.progress.practical_factories import photo_bytes
from tests.progress.quiz_factories import right_answers

globals().update(quiz_factories.fixtures())
globals().update(practical_factories.fixtures())
globals().update({"local_media": media_conftest.local_media})

pytestmark = pytest.mark.django_db

VERB = "http://adlnet.gov/expapi/verbs/"


def criteria(enrolment) -> dict:
    enrolment = Enrolment.objects.select_related("course").get(pk=enrolment.pk)
    return {
        c.key: (c.met, c.done, c.total)
        for c in selectors.completion_status_for(enrolment=enrolment).criteria
    }


def status_of(enrolment) -> str:
    return Enrolment.objects.get(pk=enrolment.pk).status


def take(worker, quiz, course, *, lesson=None, right: bool):
    attempt = services.quiz_attempt_start(user=worker, quiz=quiz, course=course, lesson=lesson)
    answers = right_answers(attempt) if right else {}
    return services.quiz_attempt_submit(attempt=attempt, user=worker, answers=answers)


def test_a_section_quiz_must_be_passed(worker, course, quiz_lesson, section_quiz, enrolment):
    assert criteria(enrolment) == {"coverage": (True, "0", "0"), "quizzes": (False, "0", "1")}
    failed = take(worker, section_quiz, course, lesson=quiz_lesson, right=False)
    assert failed.passed is False
    assert status_of(enrolment) == Enrolment.Status.ACTIVE
    assert not CourseCompletion.objects.exists()

    passed = take(worker, section_quiz, course, lesson=quiz_lesson, right=True)
    assert passed.passed is True
    assert status_of(enrolment) == Enrolment.Status.COMPLETED
    assert Certificate.objects.get(enrolment=enrolment).final_score is None


def test_quizzes_need_not_be_passed_when_the_rule_says_so(
    worker, course, quiz_lesson, section_quiz, enrolment
):
    type(course).objects.filter(pk=course.pk).update(completion_requires_quizzes=False)
    assert "quizzes" not in criteria(enrolment)
    enrolment = Enrolment.objects.select_related("course").get(pk=enrolment.pk)
    assert services.completion_evaluate(enrolment=enrolment) is True


def test_the_final_exam_must_be_passed_and_its_score_is_on_the_certificate(
    worker, exam_course, final_exam, enrolment
):
    assert criteria(enrolment)["final_exam"] == (False, "0", "1")
    take(worker, final_exam, exam_course, right=False)
    assert status_of(enrolment) == Enrolment.Status.ACTIVE
    assert criteria(enrolment)["final_exam"] == (False, "0", "1")

    attempt = take(worker, final_exam, exam_course, right=True)
    assert status_of(enrolment) == Enrolment.Status.COMPLETED
    certificate = Certificate.objects.get(enrolment=enrolment)
    assert certificate.final_score == attempt.percent == 100
    passed = XAPIStatement.objects.get(
        verb_id=VERB + "passed", object_activity_id=page_activity(exam_course)["id"]
    )
    assert passed.data["result"]["score"]["raw"] == 100.0
    assert passed.data["result"]["success"] is True
    subject = certificate.credential["credentialSubject"]
    assert subject["result"][0]["value"] == "100.00"


def photo() -> SimpleUploadedFile:
    return SimpleUploadedFile("weld.jpg", photo_bytes(), "image/jpeg")


def test_practical_tasks_must_be_passed(
    local_media, worker, course, enrolment, task_lesson, instructor
):
    # The fixture asks for study hours too; here the task is the last criterion.
    type(course).objects.filter(pk=course.pk).update(completion_min_study_hours=0)
    assert criteria(enrolment)["practical"] == (False, "0", "1")
    ids = list(task_lesson.rubric_criteria.order_by("sort_order").values_list("pk", flat=True))

    first = services.practical_submission_create(user=worker, lesson=task_lesson, photos=[photo()])
    services.practical_submission_grade(
        submission=first, actor=instructor, scores=dict(zip(ids, [3, 2], strict=True)),
        comment="焊缝不连续",
    )  # fmt: skip
    assert status_of(enrolment) == Enrolment.Status.ACTIVE
    assert criteria(enrolment)["practical"] == (False, "0", "1")

    second = services.practical_submission_create(user=worker, lesson=task_lesson, photos=[photo()])
    services.practical_submission_grade(
        submission=second, actor=instructor, scores=dict(zip(ids, [9, 4], strict=True))
    )
    assert status_of(enrolment) == Enrolment.Status.COMPLETED
    assert Certificate.objects.filter(enrolment=enrolment).exists()
