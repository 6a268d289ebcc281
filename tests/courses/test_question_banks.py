"""Question banks: the rules of each question type, the two frozen views of
a question (the player's has no answers), and the snippet in the admin,
scoped to the instructors of the owning provider."""

import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from wagtail.models import Revision
from wagtail.test.utils.form_data import inline_formset, nested_form_data
from wagtail.users.models import UserProfile

from courses.grading import grade, question_grading_data, question_public_data
from courses.models import (
    Question,
    QuestionBank,
    QuestionKind,
    QuestionOption,
    question_option_errors,
)
from courses.selectors import question_banks_editable_by, question_list
from courses.services import question_bank_create, question_create
from lms.exceptions import ApplicationError
from lms.models import Membership
from lms.services import membership_grant
from tests.courses.conftest import staff_login
from tests.courses.factories import ProviderFactory, UserFactory, instructor_create

pytestmark = pytest.mark.django_db

SINGLE = {
    "kind": QuestionKind.SINGLE,
    "stem": "焊机外壳应当",
    "category": "安全",
    "difficulty": 1,
    "explanation": "外壳必须可靠接地。",
    "options": [
        {"text": "可靠接地", "is_correct": True},
        {"text": "悬空", "is_correct": False},
        {"text": "接到暖气管", "is_correct": False},
    ],
}
MULTIPLE = {
    "kind": QuestionKind.MULTIPLE,
    "stem": "焊工个人防护用品包括",
    "scoring": "partial",
    "options": [
        {"text": "焊接面罩", "is_correct": True},
        {"text": "绝缘鞋", "is_correct": True},
        {"text": "化纤衣服", "is_correct": False},
    ],
}
TRUE_FALSE = {
    "kind": QuestionKind.TRUE_FALSE,
    "stem": "碱性焊条使用前应烘干。",
    "statement_is_true": True,
}
NUMERIC = {
    "kind": QuestionKind.NUMERIC,
    "stem": "按 I = 40d 计算 φ3.2 mm 焊条的焊接电流。",
    "answer_value": Decimal("128"),
    "tolerance": Decimal("2"),
    "unit": "A",
    "explanation": "40 × 3.2 = 128 A",
}


@pytest.fixture
def bank(welder, provider, instructor_a):
    return question_bank_create(
        title="焊工初级题库",
        trade=welder,
        provider=provider,
        level=5,
        questions=[SINGLE, MULTIPLE, TRUE_FALSE, NUMERIC],
        user=instructor_a,
    )


@pytest.fixture
def other_provider_instructor(db):
    other = ProviderFactory(name="厦门技师学院", code="xm-jsxy")
    return instructor_create(organisation=other, username="teacher-x", display_name="郑老师")


# --- The rules of each type -------------------------------------------------------


def test_a_bank_is_created_with_its_questions_in_order_and_a_first_revision(bank, instructor_a):
    """Given the four types, the bank holds them in the given order, each with
    a uuid and version 1, and Wagtail has the bank's first revision."""
    questions = list(question_list(bank=bank))
    assert [q.kind for q in questions] == ["single", "multiple", "true_false", "numeric"]
    assert [q.version for q in questions] == [1, 1, 1, 1]
    assert len({q.uuid for q in questions}) == 4
    assert [o.text for o in questions[0].options.all()] == ["可靠接地", "悬空", "接到暖气管"]
    revision = Revision.objects.for_instance(bank).get()
    assert revision.user == instructor_a
    assert len(revision.content["questions"]) == 4


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            {**SINGLE, "options": [{"text": "甲", "is_correct": True}]},
            "A choice question needs at least two options.",
        ),
        (
            {
                **SINGLE,
                "options": [{"text": "甲", "is_correct": True}, {"text": "乙", "is_correct": True}],
            },
            "A single-choice question needs exactly one correct option.",
        ),
        (
            {**SINGLE, "options": [{"text": "甲"}, {"text": "乙"}]},
            "A single-choice question needs exactly one correct option.",
        ),
        (
            {**MULTIPLE, "options": [{"text": "甲"}, {"text": "乙"}]},
            "A multiple-choice question needs at least one correct option.",
        ),
        (
            {**SINGLE, "options": [{"text": "", "is_correct": True}, {"text": "乙"}]},
            "An option needs a text or an image.",
        ),
        (
            {**TRUE_FALSE, "statement_is_true": None},
            "Say whether the statement of a true/false question is true.",
        ),
        (
            {**TRUE_FALSE, "options": [{"text": "对", "is_correct": True}, {"text": "错"}]},
            "A true/false or numeric question has no options.",
        ),
        ({**NUMERIC, "answer_value": None}, "A numeric question needs its answer."),
        ({**NUMERIC, "tolerance": None}, "Enter the tolerance (0 for an exact answer)."),
        ({**NUMERIC, "tolerance": Decimal("-1")}, "The tolerance cannot be negative."),
        ({**SINGLE, "stem": ""}, "This field cannot be blank."),
    ],
)
def test_a_question_breaking_a_rule_is_refused_and_nothing_is_written(bank, spec, message):
    """Given a question that breaks its type's rule, the service refuses it
    with a clear message, and no question or option is added."""
    before = (Question.objects.count(), QuestionOption.objects.count())
    with translation.override("en"), pytest.raises(ApplicationError) as caught:
        question_create(bank=bank, **spec)
    assert message in caught.value.message
    assert (Question.objects.count(), QuestionOption.objects.count()) == before


def test_the_option_rule_counts_correct_options_per_type():
    options = [{"is_correct": True}, {"is_correct": False}]
    assert question_option_errors("single", options) == []
    assert question_option_errors("multiple", options) == []
    assert question_option_errors("numeric", []) == []
    assert question_option_errors("true_false", []) == []
    assert len(question_option_errors("single", [{"is_correct": True}] * 9)) == 2


# --- The frozen views --------------------------------------------------------------


UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def test_the_public_view_of_a_question_holds_no_answer(bank):
    """Given each type, what the player gets names no correct option, no
    numeric answer, no tolerance and no explanation."""
    for question in question_list(bank=bank):
        public = json.dumps(question_public_data(question), ensure_ascii=False)
        public = UUID_TEXT.sub("", public)  # a random id may hold "128"
        assert "correct" not in public
        assert "explanation" not in public
        assert "answer" not in public
        assert "tolerance" not in public
        assert "128" not in public.replace("φ3.2", "")
        assert "外壳必须可靠接地" not in public
        assert "true" not in public.lower().replace("true_false", "")


def test_the_public_view_shows_the_options_in_the_attempts_order(bank):
    question = question_list(bank=bank)[0]
    ids = [str(option.uuid) for option in question.options.all()]
    shuffled = [ids[2], ids[0], ids[1]]
    public = question_public_data(question, option_order=shuffled)
    assert [option["id"] for option in public["options"]] == shuffled
    assert [option["text"] for option in public["options"]] == ["接到暖气管", "可靠接地", "悬空"]
    assert public["kind"] == "single" and public["uuid"] == str(question.uuid)
    with pytest.raises(ValueError):
        question_public_data(question, option_order=[ids[0], ids[0], ids[1]])
    with pytest.raises(ValueError):
        question_public_data(question, option_order=ids[:2])


def test_the_grading_view_grades_each_type(bank):
    """The frozen grading data, once through JSON (as an attempt stores it),
    grades the right answers as correct."""
    single, multiple, true_false, numeric = (
        json.loads(json.dumps(question_grading_data(q))) for q in question_list(bank=bank)
    )
    assert grade(single, single["correct"][0]).correct
    assert not grade(single, single["options"][1]).correct
    assert grade(multiple, multiple["correct"]).correct
    assert grade(multiple, multiple["correct"][:1]).score == Decimal("0.5")
    assert grade(true_false, True).correct
    assert numeric == {
        "uuid": numeric["uuid"],
        "version": 1,
        "kind": "numeric",
        "explanation": "40 × 3.2 = 128 A",
        "answer": "128.0000",
        "tolerance": "2.0000",
        "unit": "A",
    }
    assert grade(numeric, "130").correct
    assert not grade(numeric, "130.01").correct


# --- The admin ---------------------------------------------------------------------


def _list_url():
    return reverse(QuestionBank.snippet_viewset.get_url_name("list"))


def _edit_url(bank):
    return reverse(QuestionBank.snippet_viewset.get_url_name("edit"), args=[bank.pk])


def _edit_form(bank, **question_changes) -> dict:
    """The edit form as the browser posts it, with the bank's questions and
    their options as they are, ``question_changes`` applied to the first."""
    items = []
    for index, question in enumerate(question_list(bank=bank)):
        options = [
            {
                "id": str(option.pk),
                "text": option.text,
                "is_correct": "on" if option.is_correct else "",
                "image": "",
                "ORDER": str(position),
                "DELETE": "",
            }
            for position, option in enumerate(question.options.all())
        ]
        item = {
            "id": str(question.pk),
            "kind": question.kind,
            "category": question.category,
            "difficulty": str(question.difficulty),
            "stem": question.stem,
            "image": "",
            "scoring": question.scoring,
            "statement_is_true": {True: "true", False: "false", None: "unknown"}[
                question.statement_is_true
            ],
            "answer_value": "" if question.answer_value is None else str(question.answer_value),
            "tolerance": "" if question.tolerance is None else str(question.tolerance),
            "unit": question.unit,
            "explanation": question.explanation,
            "ORDER": str(index),
            "DELETE": "",
            "options": inline_formset(options, initial=len(options)),
        }
        if index == 0:
            item.update(question_changes)
        items.append(item)
    return nested_form_data(
        {
            "title": bank.title,
            "trade": str(bank.trade_id),
            "level": str(bank.level),
            "provider": str(bank.provider_id),
            "description": bank.description,
            "questions": inline_formset(items, initial=len(items)),
        }
    )


def is_denied(response) -> bool:
    """Wagtail answers a refused admin page with a redirect to the dashboard."""
    return response.status_code == 302 and response.url == "/admin/"


def test_an_instructor_lists_and_edits_only_their_providers_banks(
    client, bank, welder, instructor_a, other_provider_instructor
):
    """Given banks of two providers, each provider's instructor sees and
    opens only their own; the other's edit, history and delete pages are refused."""
    other_provider = Membership.objects.get(user=other_provider_instructor).organisation
    other_bank = question_bank_create(
        title="厦门焊工题库", trade=welder, provider=other_provider, questions=[TRUE_FALSE]
    )
    staff_login(client, instructor_a)

    listing = client.get(_list_url())
    assert listing.status_code == 200
    assert "焊工初级题库" in listing.content.decode()
    assert "厦门焊工题库" not in listing.content.decode()
    edit = client.get(_edit_url(bank))
    assert edit.status_code == 200
    assert "碱性焊条使用前应烘干" in edit.content.decode()

    viewset = QuestionBank.snippet_viewset
    for name in ("edit", "history", "delete", "usage"):
        url = reverse(viewset.get_url_name(name), args=[other_bank.pk])
        assert is_denied(client.get(url)), name
    assert is_denied(client.post(reverse(viewset.get_url_name("delete"), args=[other_bank.pk])))
    assert QuestionBank.objects.filter(pk=other_bank.pk).exists()
    assert list(question_banks_editable_by(user=instructor_a)) == [bank]
    assert client.get(reverse(viewset.get_url_name("edit"), args=["not-a-bank"])).status_code == 404


def test_an_instructor_may_add_a_bank_only_for_their_own_provider(
    client, instructor_a, provider, other_provider_instructor
):
    staff_login(client, instructor_a)
    response = client.get(reverse(QuestionBank.snippet_viewset.get_url_name("add")))
    assert response.status_code == 200
    choices = list(response.context["form"].fields["provider"].queryset)
    assert choices == [provider]


def test_a_worker_has_no_question_bank_admin(client, provider):
    worker = UserFactory()
    membership_grant(user=worker, organisation=provider, role=Membership.Role.WORKER)
    client.force_login(worker)
    response = client.get(_list_url())
    assert response.status_code == 302 and "/login/" in response.url


def test_a_platform_admin_sees_every_bank(admin_user_client, bank):
    response = admin_user_client.get(_list_url())
    assert "焊工初级题库" in response.content.decode()
    assert admin_user_client.get(_edit_url(bank)).status_code == 200


def test_saving_a_changed_question_raises_its_version_only(client, bank, instructor_a):
    """Given the edit form posted with the first question's stem changed,
    that question is version 2 and the others stay version 1; a revision is kept."""
    staff_login(client, instructor_a)
    response = client.post(_edit_url(bank), _edit_form(bank, stem="焊机外壳必须"))
    assert response.status_code == 302, response.context["form"].errors
    questions = list(question_list(bank=bank))
    assert [q.version for q in questions] == [2, 1, 1, 1]
    assert questions[0].stem == "焊机外壳必须"
    assert Revision.objects.for_instance(bank).count() == 2


def test_the_admin_form_refuses_a_single_choice_question_with_two_correct_options(
    client, bank, instructor_a
):
    """Given the first (single-choice) question posted with a second option
    ticked correct, the form shows the rule and nothing is saved."""
    profile = UserProfile.get_for_user(instructor_a)
    profile.preferred_language = "en"
    profile.save()
    staff_login(client, instructor_a)
    data = _edit_form(bank, stem="改过的题干")
    data["questions-0-options-1-is_correct"] = "on"
    response = client.post(_edit_url(bank), data)
    assert response.status_code == 200
    assert "exactly one correct option" in response.content.decode()
    question = question_list(bank=bank)[0]
    assert question.stem == "焊机外壳应当"
    assert [o.is_correct for o in question.options.all()] == [True, False, False]
    assert Revision.objects.for_instance(bank).count() == 1


def test_the_import_page_opens_for_the_banks_instructors_only(
    client, bank, instructor_a, other_provider_instructor
):
    url = reverse("courses_admin:question-import", args=[bank.pk])
    staff_login(client, other_provider_instructor)
    assert is_denied(client.get(url))
    client.logout()
    staff_login(client, instructor_a)
    response = client.get(url)
    assert response.status_code == 200
    assert reverse("courses_admin:question-import-template") in response.content.decode()
    template = client.get(reverse("courses_admin:question-import-template"))
    assert template.status_code == 200
    assert template.content.decode("utf-8-sig").startswith("题型,分类,难度,题干,A,B")


# --- The demo bank -------------------------------------------------------------------


def test_the_demo_welding_bank_is_loaded_once_with_every_type(settings, tmp_path):
    """Given load_demo run twice, the welding bank exists once with its 12
    questions of all four types, including a welding current in A."""
    from io import StringIO

    from django.core.management import call_command

    from courses import demo_content

    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", "--skip-videos", stdout=StringIO())
    out = StringIO()
    call_command("load_demo", "--skip-videos", stdout=out)

    assert "Question banks: 0 created (1 in the database)." in out.getvalue()
    bank = QuestionBank.objects.get()
    assert bank.trade.slug == "welding"
    assert bank.provider.code == "fj-gjxy"
    questions = list(question_list(bank=bank))
    assert len(questions) == demo_content.QUESTION_COUNT == 12
    assert {q.kind for q in questions} == {"single", "multiple", "true_false", "numeric"}
    current = next(q for q in questions if q.unit == "A")
    grading = question_grading_data(current)
    assert (grading["answer"], grading["tolerance"]) == ("128.0000", "2.0000")
    assert grade(grading, 127).correct and not grade(grading, 131).correct


def test_an_instructor_creates_a_bank_with_questions_in_the_admin(
    client, welder, provider, instructor_a
):
    """Given the add form posted with a new question and its nested options,
    the bank, the question (version 1) and the options are created."""
    staff_login(client, instructor_a)
    options = [
        {"text": "PA", "is_correct": "on", "image": "", "ORDER": "0", "DELETE": ""},
        {"text": "PF", "is_correct": "", "image": "", "ORDER": "1", "DELETE": ""},
    ]
    question = {
        "kind": "single",
        "category": "焊接位置",
        "difficulty": "2",
        "stem": "平焊位置的代号是",
        "image": "",
        "scoring": "all_or_nothing",
        "statement_is_true": "unknown",
        "answer_value": "",
        "tolerance": "",
        "unit": "",
        "explanation": "PA 平焊",
        "ORDER": "0",
        "DELETE": "",
        "options": inline_formset(options),
    }
    data = nested_form_data(
        {
            "title": "焊接位置题库",
            "trade": str(welder.pk),
            "level": "4",
            "provider": str(provider.pk),
            "description": "",
            "questions": inline_formset([question]),
        }
    )
    response = client.post(reverse(QuestionBank.snippet_viewset.get_url_name("add")), data)
    assert response.status_code == 302, response.context["form"].errors
    bank = QuestionBank.objects.get(title="焊接位置题库")
    (created,) = question_list(bank=bank)
    assert (created.stem, created.version, created.category) == ("平焊位置的代号是", 1, "焊接位置")
    assert [(o.text, o.is_correct) for o in created.options.all()] == [("PA", True), ("PF", False)]


def test_a_banks_history_and_revision_comparison_render(client, bank, instructor_a):
    """Given an edited bank, its history lists both revisions and Wagtail's
    comparison of them (nested questions and options) renders."""
    staff_login(client, instructor_a)
    assert client.post(_edit_url(bank), _edit_form(bank, stem="焊机外壳必须")).status_code == 302
    viewset = QuestionBank.snippet_viewset
    history = client.get(reverse(viewset.get_url_name("history"), args=[bank.pk]))
    assert history.status_code == 200
    first, second = Revision.objects.for_instance(bank).order_by("pk")
    compare = client.get(
        reverse(
            viewset.get_url_name("revisions_compare"),
            args=[bank.pk, first.pk, second.pk],
        )
    )
    assert compare.status_code == 200
    assert "焊机外壳必须" in compare.content.decode()


def test_the_bank_chooser_offers_only_the_users_banks(
    client, bank, welder, instructor_a, other_provider_instructor
):
    """Given banks of two providers, the snippet chooser (which quizzes will
    use) lists and returns only the chooser's own provider's banks."""
    other_provider = Membership.objects.get(user=other_provider_instructor).organisation
    other_bank = question_bank_create(title="厦门焊工题库", trade=welder, provider=other_provider)
    staff_login(client, instructor_a)
    chooser = QuestionBank.snippet_viewset.chooser_viewset

    listing = client.get(reverse(chooser.get_url_name("choose")))
    assert listing.status_code == 200
    html = listing.json()["html"]
    assert "焊工初级题库" in html and "厦门焊工题库" not in html
    chosen = client.get(reverse(chooser.get_url_name("chosen"), args=[bank.pk]))
    assert chosen.json()["result"]["string"] == "焊工初级题库"
    assert (
        client.get(reverse(chooser.get_url_name("chosen"), args=[other_bank.pk])).status_code == 404
    )


def test_the_bank_listing_filters_by_trade_and_level_and_searches(
    client, bank, welder, electrician, provider, instructor_a
):
    question_bank_create(title="电工安全题库", trade=electrician, provider=provider, level=4)
    staff_login(client, instructor_a)

    def titles(query: str) -> set[str]:
        response = client.get(_list_url() + query)
        assert response.status_code == 200
        page = response.content.decode()
        return {title for title in ("焊工初级题库", "电工安全题库") if title in page}

    assert titles("") == {"焊工初级题库", "电工安全题库"}
    assert titles(f"?trade={welder.pk}") == {"焊工初级题库"}
    assert titles("?level=4") == {"电工安全题库"}
    assert titles("?q=电工") == {"电工安全题库"}


def test_the_sample_file_imports_cleanly(client, bank, instructor_a):
    """The example file offered for download is itself a valid import."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from courses.services import question_bank_import

    staff_login(client, instructor_a)
    sample = client.get(reverse("courses_admin:question-import-template")).content
    report = question_bank_import(
        bank=bank, file=SimpleUploadedFile("sample.csv", sample), user=instructor_a
    )
    assert (report.created, report.failed) == (4, 0)
    assert [q.kind for q in question_list(bank=bank)][-4:] == [
        "single",
        "multiple",
        "true_false",
        "numeric",
    ]
