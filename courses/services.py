"""Writes of the courses app. Page content itself is written through Wagtail
(its page actions: create, revise, submit for moderation, publish); this
module holds the rest: the Instructors group's permissions, search upkeep,
and question banks (questions created with the admin's rules, bulk import).

Who is in the Instructors group is decided by ``lms.services.membership_grant``
and ``membership_revoke`` (an instructor membership puts the user in it)."""

import csv
import io
import logging
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Max
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission
from wagtail.search import index

from courses import grading
from courses.models import (
    CatalogueIndexPage,
    CoursePage,
    MultipleChoiceScoring,
    Question,
    QuestionBank,
    QuestionDifficulty,
    QuestionKind,
    QuestionOption,
    SkillLevel,
    TradePage,
)
from lms.exceptions import ApplicationError

logger = logging.getLogger(__name__)

# The same name as lms.services.STAFF_ROLE_GROUP_NAMES[INSTRUCTOR]; either
# side may create the group first.
INSTRUCTORS_GROUP_NAME = "Instructors"

# Instructors write courses and lessons, upload images and PDF work
# instructions, and choose them; they never publish (no "publish" page
# permission), so their changes go through the moderation workflow.
_INSTRUCTOR_COLLECTION_PERMISSIONS = [
    ("wagtailimages", "image", "add_image"),
    ("wagtailimages", "image", "choose_image"),
    ("wagtaildocs", "document", "add_document"),
    ("wagtaildocs", "document", "choose_document"),
]


def _permission(app_label: str, model: str, codename: str) -> Permission:
    content_type, _created = ContentType.objects.get_or_create(app_label=app_label, model=model)
    permission, _created = Permission.objects.get_or_create(
        content_type=content_type, codename=codename, defaults={"name": codename}
    )
    return permission


@transaction.atomic
def instructor_group_ensure() -> Group:
    """Create the "Instructors" Wagtail group and its permissions where
    missing: admin access, *add* page permission on the catalogue (which lets
    them create courses; ``courses.permissions`` lets them edit the courses
    they teach) and adding/choosing images and documents. Idempotent."""
    group, _created = Group.objects.get_or_create(name=INSTRUCTORS_GROUP_NAME)
    group.permissions.add(_permission("wagtailadmin", "admin", "access_admin"))
    catalogue = CatalogueIndexPage.objects.order_by("path").first()
    if catalogue is not None:
        GroupPagePermission.objects.get_or_create(
            group=group,
            page=catalogue.page_ptr,
            permission=_permission("wagtailcore", "page", "add_page"),
        )
    root_collection = Collection.get_first_root_node()
    if root_collection is not None:
        for app_label, model, codename in _INSTRUCTOR_COLLECTION_PERMISSIONS:
            GroupCollectionPermission.objects.get_or_create(
                group=group,
                collection=root_collection,
                permission=_permission(app_label, model, codename),
            )
    return group


def trade_courses_reindex(*, trade: TradePage) -> int:
    """Re-index a trade's courses, whose search text includes the trade's
    names and code. Returns the number of courses re-indexed."""
    courses = CoursePage.objects.descendant_of(trade).select_related("provider")
    count = 0
    for course in courses:
        index.insert_or_update_object(course)
        count += 1
    return count


# --- Question banks -------------------------------------------------------------

QUESTION_IMPORT_MAX_BYTES = 5 * 2**20
QUESTION_IMPORT_MAX_ROWS = 1000
OPTION_LETTERS = "ABCDEF"


def _validation_error(exc: ValidationError) -> ApplicationError:
    """A model ``ValidationError`` as the domain error, its messages joined."""
    if hasattr(exc, "error_dict"):
        extra = {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
        messages = [message for msgs in extra.values() for message in msgs]
        return ApplicationError(" ".join(messages), extra=extra)
    return ApplicationError(" ".join(str(m) for m in exc.messages))


def _refuse_unless_editable(*, user, bank: QuestionBank) -> None:
    from courses.selectors import question_bank_editable

    if user is not None and not question_bank_editable(user=user, bank=bank):
        raise ApplicationError(_("You may not edit this question bank."))


@transaction.atomic
def question_create(
    *,
    bank: QuestionBank,
    kind: str,
    stem: str,
    options: Sequence[dict] = (),
    category: str = "",
    difficulty: int = QuestionDifficulty.MEDIUM,
    explanation: str = "",
    scoring: str = MultipleChoiceScoring.ALL_OR_NOTHING,
    statement_is_true: bool | None = None,
    answer_value: Decimal | None = None,
    tolerance: Decimal | None = None,
    unit: str = "",
    image=None,
) -> Question:
    """Add a question (and its options, dicts with ``text``, ``is_correct`` and
    an optional ``image``) at the end of ``bank``, after the same checks as the
    admin form. Permissions are the caller's (see ``question_bank_import``)."""
    question = Question(
        bank=bank,
        kind=kind,
        stem=stem,
        category=category,
        difficulty=difficulty,
        explanation=explanation,
        scoring=scoring,
        statement_is_true=statement_is_true,
        answer_value=answer_value,
        tolerance=tolerance,
        unit=unit,
        image=image,
    )
    option_rows = [
        QuestionOption(
            text=option.get("text", ""),
            is_correct=bool(option.get("is_correct")),
            image=option.get("image"),
            sort_order=position,
        )
        for position, option in enumerate(options)
    ]
    try:
        question.full_clean(exclude=["bank"])
        question.clean_options(option_rows)
        for option in option_rows:
            option.full_clean(exclude=["question"])
    except ValidationError as exc:
        raise _validation_error(exc) from exc
    last = Question.objects.filter(bank=bank).aggregate(last=Max("sort_order"))["last"]
    question.sort_order = 0 if last is None else last + 1
    question.save()
    for option in option_rows:
        option.question = question
    QuestionOption.objects.bulk_create(option_rows)
    return question


@transaction.atomic
def question_bank_create(
    *,
    title: str,
    trade: TradePage,
    provider,
    level: int = SkillLevel.ENTRY,
    description: str = "",
    questions: Sequence[dict] = (),
    user=None,
) -> QuestionBank:
    """Create a bank with its questions (``question_create`` keyword
    arguments) and its first revision, all or nothing."""
    bank = QuestionBank(
        title=title, trade=trade, provider=provider, level=level, description=description
    )
    try:
        bank.full_clean()
    except ValidationError as exc:
        raise _validation_error(exc) from exc
    _refuse_unless_editable(user=user, bank=bank)
    bank.save()
    for spec in questions:
        question_create(bank=bank, **spec)
    bank.save_revision(user=user, log_action=True)
    return bank


# Column titles the import reads, compared without spaces, "_" or "-", lower-cased.
_IMPORT_HEADERS = {
    "kind": {"type", "kind", "questiontype", "题型", "类型", "题目类型"},
    "category": {"category", "topic", "分类", "类别", "知识点"},
    "difficulty": {"difficulty", "难度"},
    "stem": {"stem", "question", "题干", "题目", "试题", "题目内容"},
    "correct": {"correct", "answer", "correctanswer", "答案", "正确答案", "标准答案"},
    "tolerance": {"tolerance", "允许误差", "误差", "容差"},
    "unit": {"unit", "单位"},
    "explanation": {"explanation", "解析", "答案解析", "说明"},
    "scoring": {"scoring", "计分", "计分方式"},
}
for _letter in OPTION_LETTERS:
    _IMPORT_HEADERS[_letter] = {
        _letter.lower(),
        f"option{_letter.lower()}",
        f"选项{_letter.lower()}",
    }

_KINDS = {
    QuestionKind.SINGLE: {"single", "singlechoice", "单选", "单选题", "单项选择", "单项选择题"},
    QuestionKind.MULTIPLE: {
        "multiple",
        "multiplechoice",
        "多选",
        "多选题",
        "多项选择",
        "多项选择题",
    },
    QuestionKind.TRUE_FALSE: {"truefalse", "tf", "boolean", "判断", "判断题"},
    QuestionKind.NUMERIC: {"numeric", "number", "数值", "数值题", "计算", "计算题"},
}
_DIFFICULTIES = {
    QuestionDifficulty.EASY: {"1", "easy", "易", "容易", "简单"},
    QuestionDifficulty.MEDIUM: {"2", "medium", "中", "中等", "一般"},
    QuestionDifficulty.HARD: {"3", "hard", "难", "困难", "较难"},
}
_SCORINGS = {
    MultipleChoiceScoring.ALL_OR_NOTHING: {"", "allornothing", "all", "全对得分", "全部正确"},
    MultipleChoiceScoring.PARTIAL: {"partial", "部分得分", "按比例"},
}
_TRUE = {"对", "正确", "是", "true", "t", "yes", "y", "√", "✓", "1"}
_FALSE = {"错", "错误", "否", "false", "f", "no", "n", "×", "✗", "x", "0"}
_LETTER_SEPARATORS = str.maketrans("", "", " ,，、;；/")


def _key(value: str) -> str:
    return "".join(value.split()).lower().replace("_", "").replace("-", "").lstrip("\ufeff")


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _decode(data: bytes) -> str:
    """CSV text in UTF-8 (with or without a BOM) or GB18030 (what Excel on a
    Chinese Windows saves). A copy of ``progress``'s private helper: courses
    may not import progress."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ApplicationError(_("The file is not UTF-8 or GB18030 text."))


def _read_table(data: bytes, extension: str) -> list[list[str]]:
    if extension == ".xlsx":
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise ApplicationError(_("This file is not an XLSX workbook.")) from exc
        try:
            rows = []
            for values in workbook.worksheets[0].iter_rows(values_only=True):
                rows.append([_cell(value) for value in values])
                if len(rows) > QUESTION_IMPORT_MAX_ROWS + 1:
                    break
            return rows
        finally:
            workbook.close()
    text = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count) if first_line else ","
    try:
        return [
            [_cell(value) for value in row]
            for row in csv.reader(io.StringIO(text), delimiter=delimiter)
        ]
    except csv.Error as exc:
        raise ApplicationError(
            _("This CSV file cannot be read: %(reason)s") % {"reason": exc}
        ) from exc


def _choice(value: str, choices: dict, message: str):
    key = _key(value)
    for choice, aliases in choices.items():
        if key in aliases:
            return choice
    raise ApplicationError(message % {"value": value})


def _decimal(value: str, message: str) -> Decimal | None:
    if not value:
        return None
    try:
        return grading.parse_number(value)
    except grading.AnswerShapeError:
        raise ApplicationError(message % {"value": value}) from None


def _import_row_parse(cells: dict[str, str]) -> dict:
    """``question_create`` arguments from one row; ApplicationError with the
    reason when the row cannot be read."""
    kind = _choice(
        cells["kind"],
        _KINDS,
        _("Unknown question type “%(value)s”: use 单选, 多选, 判断 or 数值."),
    )
    difficulty = (
        _choice(
            cells["difficulty"],
            _DIFFICULTIES,
            _("Unknown difficulty “%(value)s”: use 1, 2 or 3 (易, 中, 难)."),
        )
        if cells["difficulty"]
        else QuestionDifficulty.MEDIUM
    )
    spec = {
        "kind": kind,
        "stem": cells["stem"],
        "category": cells["category"],
        "difficulty": difficulty,
        "explanation": cells["explanation"],
        "unit": cells["unit"],
        "scoring": _choice(
            cells["scoring"],
            _SCORINGS,
            _("Unknown scoring “%(value)s”: leave it empty (all or nothing) or write partial."),
        ),
    }
    if not cells["stem"]:
        raise ApplicationError(_("The question text is empty."))
    correct = cells["correct"]
    if not correct:
        raise ApplicationError(_("The correct answer is missing."))
    letters_given = [letter for letter in OPTION_LETTERS if cells[letter]]
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        letters = list(correct.upper().translate(_LETTER_SEPARATORS))
        if any(letter not in OPTION_LETTERS for letter in letters):
            raise ApplicationError(
                _("The answer “%(value)s” must name options by their letters A–F, e.g. A or A,C.")
                % {"value": correct}
            )
        if len(set(letters)) != len(letters):
            raise ApplicationError(
                _("The answer “%(value)s” names an option twice.") % {"value": correct}
            )
        empty = [letter for letter in letters if letter not in letters_given]
        if empty:
            raise ApplicationError(
                _("The answer names option %(letter)s, which is empty.") % {"letter": empty[0]}
            )
        spec["options"] = [
            {"text": cells[letter], "is_correct": letter in letters} for letter in letters_given
        ]
    elif kind == QuestionKind.TRUE_FALSE:
        value = _key(correct)
        if value not in _TRUE | _FALSE:
            raise ApplicationError(
                _(
                    "The answer of a true/false question is 对 or 错 (true or false), "
                    "not “%(value)s”."
                )
                % {"value": correct}
            )
        spec["statement_is_true"] = value in _TRUE
        spec["options"] = [{"text": cells[letter]} for letter in letters_given]
    else:
        spec["answer_value"] = _decimal(
            correct, _("The answer of a numeric question must be a number, not “%(value)s”.")
        )
        spec["tolerance"] = _decimal(
            cells["tolerance"], _("The tolerance must be a number, not “%(value)s”.")
        )
        spec["options"] = [{"text": cells[letter]} for letter in letters_given]
    return spec


@dataclass
class ImportRow:
    number: int  # as the spreadsheet numbers it (the header is row 1)
    stem: str
    ok: bool
    message: str = ""


@dataclass
class ImportReport:
    """What ``question_bank_import`` did, row by row."""

    file_name: str
    rows: list[ImportRow] = field(default_factory=list)

    @property
    def created(self) -> int:
        return sum(1 for row in self.rows if row.ok)

    @property
    def failed(self) -> int:
        return sum(1 for row in self.rows if not row.ok)

    def as_csv(self) -> bytes:
        """The report as CSV, with a BOM so that Excel shows the Chinese."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([_("Row"), _("Question"), _("Result"), _("Message")])
        for row in self.rows:
            writer.writerow(
                [
                    row.number,
                    Truncator(row.stem).chars(60),
                    _("Imported") if row.ok else _("Not imported"),
                    row.message,
                ]
            )
        return ("\ufeff" + out.getvalue()).encode("utf-8")


def _import_table(file) -> list[list[str]]:
    name = getattr(file, "name", "") or ""
    extension = PurePath(name).suffix.lower()
    if extension not in (".xlsx", ".csv"):
        raise ApplicationError(_("Upload an .xlsx workbook or a .csv file."))
    data = file.read(QUESTION_IMPORT_MAX_BYTES + 1)
    if len(data) > QUESTION_IMPORT_MAX_BYTES:
        raise ApplicationError(
            _("The file is larger than %(size)s MB.") % {"size": QUESTION_IMPORT_MAX_BYTES // 2**20}
        )
    return _read_table(data, extension)


def _import_columns(header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for position, title in enumerate(header):
        cleaned = _key(title)
        for key, aliases in _IMPORT_HEADERS.items():
            if cleaned in aliases and key not in columns:
                columns[key] = position
    missing = [key for key in ("kind", "stem", "correct") if key not in columns]
    if missing:
        raise ApplicationError(
            _(
                "The first row must name the columns: type (题型), stem (题干), options A–F, "
                "correct (答案), and optionally category, difficulty, tolerance, unit and "
                "explanation."
            )
        )
    return columns


def question_bank_import(*, bank: QuestionBank, file, user) -> ImportReport:
    """Add the questions of an XLSX or CSV file (one row per question) to
    ``bank``. Each row is checked on its own and saved in its own savepoint:
    valid rows are saved, invalid ones are reported with their reason and
    leave nothing behind. A file that cannot be read at all (type, encoding,
    columns, size) is refused whole. Records one bank revision."""
    _refuse_unless_editable(user=user, bank=bank)
    table = _import_table(file)
    if not table or not any(table[0]):
        raise ApplicationError(_("The file is empty."))
    columns = _import_columns(table[0])
    numbered = [(number, row) for number, row in enumerate(table[1:], start=2) if any(row)]
    if len(numbered) > QUESTION_IMPORT_MAX_ROWS:
        raise ApplicationError(
            _("The file has more than %(max)s questions: split it into smaller files.")
            % {"max": QUESTION_IMPORT_MAX_ROWS}
        )
    report = ImportReport(file_name=PurePath(getattr(file, "name", "")).name)
    with transaction.atomic():
        # One import at a time per bank, so the questions keep the file's order.
        bank = QuestionBank.objects.select_for_update().get(pk=bank.pk)
        for number, row in numbered:
            cells = {
                key: row[columns[key]] if key in columns and columns[key] < len(row) else ""
                for key in _IMPORT_HEADERS
            }
            try:
                with transaction.atomic():
                    question_create(bank=bank, **_import_row_parse(cells))
            except ApplicationError as exc:
                report.rows.append(ImportRow(number, cells["stem"], ok=False, message=exc.message))
            except DatabaseError:
                logger.exception("Question import row %s of bank %s", number, bank.pk)
                report.rows.append(
                    ImportRow(
                        number, cells["stem"], ok=False, message=_("This row could not be saved.")
                    )
                )
            else:
                report.rows.append(ImportRow(number, cells["stem"], ok=True))
        if report.created:
            bank.save_revision(user=user, log_action=True)
    return report


# --- Quizzes and exams -------------------------------------------------------------


@transaction.atomic
def quiz_create(*, title: str, provider, draws: Sequence[dict], user=None, **rules):
    """Create a quiz (``rules``: ``kind``, ``time_limit_minutes``,
    ``max_attempts``, ``pass_mark_percent``, ``wait_minutes``, ``counting``,
    ``show_review``, ``instructions``) with its draws (dicts of ``bank``,
    ``count`` and optional ``category`` and ``difficulty``) and its first
    revision, after the admin's checks: a draw asks for no more questions
    than its bank holds, and only from the quiz's own provider's banks."""
    from courses.models import Quiz, QuizDraw
    from courses.selectors import question_bank_provider_ids_for

    if user is not None:
        scope = question_bank_provider_ids_for(user=user)
        if scope is not None and provider.pk not in scope:
            raise ApplicationError(_("You may not edit this provider's quizzes."))
    quiz = Quiz(
        title=title,
        provider=provider,
        draws=[
            QuizDraw(
                bank=draw["bank"],
                category=draw.get("category", ""),
                difficulty=draw.get("difficulty"),
                count=draw["count"],
                sort_order=position,
            )
            for position, draw in enumerate(draws)
        ],
        **rules,
    )
    try:
        quiz.full_clean()
        for draw in quiz.draws.all():
            draw.full_clean(exclude=["quiz"])
    except ValidationError as exc:
        raise _validation_error(exc) from exc
    quiz.save()
    quiz.save_revision(user=user, log_action=True)
    return quiz
