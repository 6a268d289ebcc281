"""Demo learning records for ``manage.py load_demo`` (the ``load_demo`` hook):
every demo worker is enrolled in the first two free courses, so a newcomer
who logs in as one can play a lesson and see study time credited, and can
still enrol in another course."""

from courses.models import CoursePage, LessonPage, QuestionBank, QuizKind
from courses.services import quiz_create
from lms.models import Membership

from .models import Enrolment
from .services import enrolment_create


def load_demo(*, users: dict, stdout) -> None:
    workers = [
        user
        for user in users.values()
        if user.memberships.filter(role=Membership.Role.WORKER).exists()
    ]
    courses = [c for c in CoursePage.objects.live().order_by("path") if c.is_free][:2]
    created = 0
    for worker in workers:
        for course in courses:
            if Enrolment.objects.filter(user=worker, course=course).exists():
                continue
            enrolment_create(user=worker, course=course)
            created += 1
    stdout.write(f"Enrolments: {created} created for {len(workers)} demo workers.")
    load_demo_quizzes(stdout=stdout)


# --- Quizzes: a section quiz and a final exam on the welding course -------------

DEMO_COURSE_SLUG = "smaw-basics"
DEMO_QUIZ_LESSON_SLUG = "safety-and-hot-work"
DEMO_BANK_TITLE = "焊工（初级）安全与焊条电弧焊基础题库"


def load_demo_quizzes(*, stdout) -> None:
    """A section quiz after the welding course's safety lesson (3 safety
    questions) and its final exam (10 questions across the bank's
    categories), made once through the courses service and published on
    the pages as a new revision."""
    bank = QuestionBank.objects.filter(title=DEMO_BANK_TITLE).select_related("provider").first()
    course = CoursePage.objects.filter(slug=DEMO_COURSE_SLUG).first()
    if bank is None or course is None:
        return
    lesson = LessonPage.objects.child_of(course).filter(slug=DEMO_QUIZ_LESSON_SLUG).first()
    created = 0
    if lesson is not None and lesson.quiz_id is None:
        quiz = quiz_create(
            title="安全防护小结测试",
            provider=bank.provider,
            kind=QuizKind.SECTION,
            time_limit_minutes=10,
            max_attempts=3,
            pass_mark_percent=60,
            instructions="3 道安全题，10 分钟内完成，答对 2 道即通过。",
            draws=[{"bank": bank, "category": "安全", "difficulty": 1, "count": 3}],
        )
        lesson.quiz = quiz
        lesson.save_revision(user=lesson.owner).publish()
        created += 1
    if course.final_exam_id is None:
        exam = quiz_create(
            title="焊条电弧焊基础结业考试",
            provider=bank.provider,
            kind=QuizKind.FINAL,
            time_limit_minutes=30,
            max_attempts=3,
            wait_minutes=10,
            pass_mark_percent=60,
            instructions="10 道题，30 分钟，60 分及格；最好的一次成绩计入。",
            draws=[
                {"bank": bank, "category": "安全", "count": 3},
                {"bank": bank, "category": "焊条", "count": 3},
                {"bank": bank, "category": "工艺", "count": 3},
                {"bank": bank, "category": "焊接位置", "count": 1},
            ],
        )
        course.final_exam = exam
        course.save_revision(user=course.owner).publish()
        created += 1
    stdout.write(f"Quizzes: {created} created.")
