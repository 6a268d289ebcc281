# Rows of Chinese cells: ruff counts each CJK character as two columns, and a
# row per line reads like the spreadsheet it stands for.
# ruff: noqa: E501
"""Bulk import of questions (courses.services.question_bank_import): XLSX,
CSV in UTF-8 (with and without BOM) and GB18030; every row checked on its
own, good rows saved, bad rows reported with their reason and leaving
nothing behind; whole-file refusals; the admin upload page."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook
from wagtail.models import Revision
from wagtail.users.models import UserProfile

from courses.models import Question, QuestionOption
from courses.selectors import question_list
from courses.services import QUESTION_IMPORT_MAX_ROWS, question_bank_create, question_bank_import
from lms.exceptions import ApplicationError
from tests.courses.conftest import staff_login
from tests.courses.factories import ProviderFactory, instructor_create

pytestmark = pytest.mark.django_db

# fmt: off
HEADER = ["题型", "分类", "难度", "题干", "A", "B", "C", "D", "E", "F", "答案", "允许误差", "单位", "解析"]
GOOD_ROWS = [
    ["单选", "安全", "1", "焊机外壳应当", "可靠接地", "悬空", "接暖气管", "", "", "", "A", "", "", "必须接地"],
    ["多选", "防护", "2", "焊工防护用品包括", "面罩", "手套", "化纤衣服", "绝缘鞋", "", "", "A,B，D", "", "", ""],
    ["判断", "工艺", "易", "碱性焊条使用前应烘干。", "", "", "", "", "", "", "对", "", "", ""],
    ["数值", "计算", "3", "φ3.2 mm 焊条按 40d 的焊接电流", "", "", "", "", "", "", "128", "2", "A", "40×3.2"],
]
# fmt: on
BAD_ROWS = [
    # (row, the reason in English)
    (
        ["问答", "", "", "简述焊接原理", "", "", "", "", "", "", "略", "", "", ""],
        "Unknown question type “问答”: use 单选, 多选, 判断 or 数值.",
    ),
    (
        ["单选", "", "", "两个正确答案", "甲", "乙", "", "", "", "", "A,B", "", "", ""],
        "A single-choice question needs exactly one correct option.",
    ),
    (
        ["单选", "", "", "答案指向空选项", "甲", "乙", "", "", "", "", "C", "", "", ""],
        "The answer names option C, which is empty.",
    ),
    (
        ["多选", "", "", "字母重复", "甲", "乙", "丙", "", "", "", "A,A", "", "", ""],
        "The answer “A,A” names an option twice.",
    ),
    (
        ["判断", "", "", "判断题答案写错", "", "", "", "", "", "", "可能", "", "", ""],
        "The answer of a true/false question is 对 or 错 (true or false), not “可能”.",
    ),
    (
        ["数值", "", "", "电流多少", "", "", "", "", "", "", "128A", "2", "A", ""],
        "The answer of a numeric question must be a number, not “128A”.",
    ),
    (
        ["数值", "", "", "误差为负", "", "", "", "", "", "", "128", "-2", "A", ""],
        "The tolerance cannot be negative.",
    ),
    (
        ["数值", "", "", "没有误差", "", "", "", "", "", "", "128", "", "A", ""],
        "Enter the tolerance (0 for an exact answer).",
    ),
    (
        ["单选", "", "难难", "难度写错", "甲", "乙", "", "", "", "", "A", "", "", ""],
        "Unknown difficulty “难难”: use 1, 2 or 3 (易, 中, 难).",
    ),
    (
        ["单选", "", "", "", "甲", "乙", "", "", "", "", "A", "", "", ""],
        "The question text is empty.",
    ),
    (
        ["单选", "", "", "没有答案", "甲", "乙", "", "", "", "", "", "", "", ""],
        "The correct answer is missing.",
    ),
]


@pytest.fixture
def bank(welder, provider):
    return question_bank_create(title="焊工题库", trade=welder, provider=provider)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def _csv(rows, encoding="utf-8", bom=False) -> bytes:
    text = "\r\n".join(
        ",".join(f'"{cell}"' if "," in cell else cell for cell in row) for row in rows
    )
    return (("\ufeff" if bom else "") + text + "\r\n").encode(encoding)


def _xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        # Numbers as numbers, the way Excel stores them.
        sheet.append([_number_or_text(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _number_or_text(cell: str):
    try:
        return int(cell)
    except ValueError:
        return cell or None


def _mixed_rows():
    """Good and bad rows interleaved: row numbers 2.. as the spreadsheet counts."""
    rows = [HEADER]
    for index, good in enumerate(GOOD_ROWS):
        rows.append(good)
        rows.append(BAD_ROWS[index][0])
    rows += [bad for bad, _message in BAD_ROWS[len(GOOD_ROWS) :]]
    return rows


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("questions.xlsx", _xlsx(_mixed_rows())),
        ("questions.csv", _csv(_mixed_rows())),
        ("questions.csv", _csv(_mixed_rows(), bom=True)),
        ("questions.csv", _csv(_mixed_rows(), encoding="gb18030")),
    ],
    ids=["xlsx", "csv-utf8", "csv-utf8-bom", "csv-gb18030"],
)
def test_good_rows_are_imported_and_bad_rows_reported(bank, instructor_a, name, content):
    """Given a file mixing good and bad rows, the good ones become questions
    (in file order, with their options), and the report lists every row with
    its number and, for the bad ones, the reason; bad rows leave nothing."""
    report = question_bank_import(
        bank=bank, file=SimpleUploadedFile(name, content), user=instructor_a
    )

    assert (report.created, report.failed) == (4, len(BAD_ROWS))
    assert [(row.number, row.ok) for row in report.rows][:8] == [
        (2, True),
        (3, False),
        (4, True),
        (5, False),
        (6, True),
        (7, False),
        (8, True),
        (9, False),
    ]
    failed = [row for row in report.rows if not row.ok]
    assert [row.message for row in failed] == [message for _row, message in BAD_ROWS]

    questions = list(question_list(bank=bank))
    assert [q.stem for q in questions] == [row[3] for row in GOOD_ROWS]
    single, multiple, true_false, numeric = questions
    assert [(o.text, o.is_correct) for o in single.options.all()] == [
        ("可靠接地", True),
        ("悬空", False),
        ("接暖气管", False),
    ]
    assert (single.category, single.difficulty, single.explanation) == ("安全", 1, "必须接地")
    assert [o.is_correct for o in multiple.options.all()] == [True, True, False, True]
    assert (true_false.statement_is_true, true_false.difficulty) == (True, 1)
    assert (numeric.answer_value, numeric.tolerance, numeric.unit) == (
        Decimal("128"),
        Decimal("2"),
        "A",
    )
    assert Question.objects.count() == 4
    assert QuestionOption.objects.count() == 7


def test_the_report_renders_as_csv(bank, instructor_a):
    report = question_bank_import(
        bank=bank,
        file=SimpleUploadedFile("q.csv", _csv([HEADER, GOOD_ROWS[0], BAD_ROWS[0][0]])),
        user=instructor_a,
    )
    content = report.as_csv()
    assert content.startswith("\ufeff".encode())
    assert list(csv.reader(io.StringIO(content.decode("utf-8-sig")))) == [
        ["Row", "Question", "Result", "Message"],
        ["2", "焊机外壳应当", "Imported", ""],
        [
            "3",
            "简述焊接原理",
            "Not imported",
            "Unknown question type “问答”: use 单选, 多选, 判断 or 数值.",
        ],
    ]


def test_an_import_is_one_revision_of_the_bank(bank, instructor_a):
    before = Revision.objects.for_instance(bank).count()
    question_bank_import(
        bank=bank, file=SimpleUploadedFile("q.csv", _csv([HEADER, *GOOD_ROWS])), user=instructor_a
    )
    assert Revision.objects.for_instance(bank).count() == before + 1
    latest = Revision.objects.for_instance(bank).order_by("-pk").first()
    assert len(latest.content["questions"]) == 4


def test_imported_questions_follow_the_existing_ones(bank, instructor_a):
    upload = _csv([HEADER, GOOD_ROWS[0]])
    question_bank_import(bank=bank, file=SimpleUploadedFile("a.csv", upload), user=instructor_a)
    upload = _csv([HEADER, GOOD_ROWS[2]])
    question_bank_import(bank=bank, file=SimpleUploadedFile("b.csv", upload), user=instructor_a)
    assert [q.kind for q in question_list(bank=bank)] == ["single", "true_false"]


def test_english_column_titles_and_values_are_read(bank, instructor_a):
    rows = [
        ["Type", "Stem", "Option A", "Option B", "Correct", "Difficulty", "Scoring"],
        ["multiple", "Pick both", "one", "two", "AB", "hard", "partial"],
        ["true_false", "Welding is hot.", "", "", "true", "easy", ""],
    ]
    report = question_bank_import(
        bank=bank, file=SimpleUploadedFile("q.csv", _csv(rows)), user=instructor_a
    )
    assert report.failed == 0
    multiple, true_false = question_list(bank=bank)
    assert (multiple.scoring, multiple.difficulty) == ("partial", 3)
    assert true_false.statement_is_true is True


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("q.txt", b"x", "Upload an .xlsx workbook or a .csv file."),
        ("q.xlsx", b"not a zip", "This file is not an XLSX workbook."),
        ("q.csv", b"", "The file is empty."),
        ("q.csv", "题干,答案\r\n焊工,A\r\n".encode(), "The first row must name the columns"),
        (
            "q.csv",
            _csv([HEADER] + [GOOD_ROWS[2]] * (QUESTION_IMPORT_MAX_ROWS + 1)),
            "The file has more than 1000 questions",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(bank, instructor_a, name, content, message):
    """Given an unreadable file, the import refuses it with the reason and
    writes nothing."""
    with pytest.raises(ApplicationError) as caught:
        question_bank_import(bank=bank, file=SimpleUploadedFile(name, content), user=instructor_a)
    assert message in caught.value.message
    assert not Question.objects.exists()


def test_an_instructor_of_another_provider_may_not_import(bank):
    other = ProviderFactory(name="厦门技师学院", code="xm-jsxy")
    stranger = instructor_create(organisation=other, username="teacher-x")
    with pytest.raises(ApplicationError) as caught:
        question_bank_import(
            bank=bank, file=SimpleUploadedFile("q.csv", _csv([HEADER, *GOOD_ROWS])), user=stranger
        )
    assert caught.value.message == "You may not edit this question bank."
    assert not Question.objects.exists()


def test_the_admin_upload_shows_the_report_and_offers_it_as_csv(client, bank, instructor_a):
    """Given an instructor uploading a mixed file in the admin, the page lists
    each row's result and reason, and the report downloads as CSV."""
    profile = UserProfile.get_for_user(instructor_a)
    profile.preferred_language = "en"
    profile.save()
    staff_login(client, instructor_a)
    url = reverse("courses_admin:question-import", args=[bank.pk])
    upload = SimpleUploadedFile("题库.csv", _csv([HEADER, GOOD_ROWS[3], BAD_ROWS[5][0]]))

    response = client.post(url, {"file": upload})

    assert response.status_code == 200
    page = response.content.decode()
    assert "1 question imported" in page
    assert "1 row not imported" in page
    assert "The answer of a numeric question must be a number, not “128A”." in page
    download = client.get(reverse("courses_admin:question-import-report", args=[bank.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert download.content.decode("utf-8-sig").splitlines()[2].startswith("3,电流多少,")
    assert Question.objects.get().stem == GOOD_ROWS[3][3]


def test_the_admin_upload_refuses_an_unreadable_file_on_the_form(client, bank, instructor_a):
    profile = UserProfile.get_for_user(instructor_a)
    profile.preferred_language = "en"
    profile.save()
    staff_login(client, instructor_a)
    url = reverse("courses_admin:question-import", args=[bank.pk])
    response = client.post(url, {"file": SimpleUploadedFile("q.csv", b"a,b\r\n1,2\r\n")})
    assert response.status_code == 200
    assert "The first row must name the columns" in response.content.decode()
    assert not Question.objects.exists()
