"""Fixtures for quizzes and exams: a welding bank with questions of every
type in three categories, a section quiz on the first lesson and a final
exam on the course, made through the courses services. Test modules take
them with ``globals().update(quiz_factories.fixtures())``."""

from decimal import Decimal

import pytest

from courses.models import LessonPage, QuestionKind
from courses.services import question_bank_create, quiz_create
from progress.models import AttemptQuestion, QuizAttempt
from progress.services import enrolment_create
from tests.progress import factories

SAFETY = [
    {
        "kind": QuestionKind.SINGLE,
        "category": "安全",
        "difficulty": 1,
        "stem": f"安全题 {n}：焊机外壳应当",
        "explanation": f"安全解析 {n}",
        "options": [
            {"text": f"可靠接地 {n}", "is_correct": True},
            {"text": f"悬空 {n}", "is_correct": False},
            {"text": f"接暖气管 {n}", "is_correct": False},
        ],
    }
    for n in range(1, 5)
]
PROCESS = [
    {
        "kind": QuestionKind.NUMERIC,
        "category": "工艺",
        "difficulty": 2,
        "stem": "按 I = 40d 计算 φ3.2 mm 焊条的焊接电流。",
        "answer_value": Decimal("128"),
        "tolerance": Decimal("2"),
        "unit": "A",
        "explanation": "40 × 3.2 = 128 A",
    },
    {
        "kind": QuestionKind.TRUE_FALSE,
        "category": "工艺",
        "difficulty": 2,
        "stem": "碱性焊条使用前应烘干。",
        "statement_is_true": True,
        "explanation": "烘干去除水分。",
    },
]
PROTECTION = [
    {
        "kind": QuestionKind.MULTIPLE,
        "category": "防护",
        "difficulty": 3,
        "stem": "焊工个人防护用品包括",
        "options": [
            {"text": "焊接面罩", "is_correct": True},
            {"text": "绝缘鞋", "is_correct": True},
            {"text": "化纤衣服", "is_correct": False},
        ],
    },
]

FIXTURES = ("bank", "section_quiz", "final_exam", "quiz_lesson", "enrolment", "exam_course")


@pytest.fixture
def bank(welder, provider):
    return question_bank_create(
        title="焊工初级题库",
        trade=welder,
        provider=provider,
        level=5,
        questions=[*SAFETY, *PROCESS, *PROTECTION],
    )


@pytest.fixture
def section_quiz(bank, provider):
    """3 safety questions and 1 process question; 2 attempts, 10 minutes."""
    return quiz_create(
        title="安全小结测试",
        provider=provider,
        kind="section",
        time_limit_minutes=10,
        max_attempts=2,
        pass_mark_percent=60,
        draws=[
            {"bank": bank, "category": "安全", "difficulty": 1, "count": 3},
            {"bank": bank, "category": "工艺", "count": 1},
        ],
    )


@pytest.fixture
def final_exam(bank, provider):
    """Every question of the bank, no time limit, unlimited attempts."""
    return quiz_create(
        title="结业考试",
        provider=provider,
        kind="final",
        time_limit_minutes=0,
        max_attempts=0,
        draws=[{"bank": bank, "count": 7}],
    )


@pytest.fixture
def quiz_lesson(lessons, section_quiz) -> LessonPage:
    """The first lesson, with the section quiz."""
    LessonPage.objects.filter(pk=lessons[0].pk).update(quiz=section_quiz)
    lessons[0].refresh_from_db()
    return lessons[0]


@pytest.fixture
def exam_course(course, final_exam):
    type(course).objects.filter(pk=course.pk).update(final_exam=final_exam)
    course.refresh_from_db()
    return course


@pytest.fixture
def enrolment(worker, course):
    return enrolment_create(user=worker, course=course)


def right_answers(attempt: QuizAttempt) -> dict:
    """The correct answer to every question of ``attempt``, by position,
    read from the frozen grading spec (as only the server can)."""
    answers = {}
    for row in AttemptQuestion.objects.filter(attempt=attempt):
        spec = row.grading_data
        if spec["kind"] == "single":
            answers[str(row.position)] = spec["correct"][0]
        elif spec["kind"] == "multiple":
            answers[str(row.position)] = list(spec["correct"])
        else:
            answers[str(row.position)] = spec["answer"]
    return answers


def fixtures() -> dict:
    """These fixtures and the progress ones, for a test module's namespace."""
    return {**factories.fixtures(), **{name: globals()[name] for name in FIXTURES}}
