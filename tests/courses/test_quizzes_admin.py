"""The quiz snippet in the admin: an instructor creates a quiz with its
draws; a draw asking for more questions than the bank holds, or drawing from
another provider's bank, is refused and nothing is saved; the listing shows
only the instructor's provider's quizzes."""

import pytest
from django.urls import reverse
from django.utils import translation
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from courses.models import Quiz
from courses.services import question_bank_create, quiz_create
from tests.courses.conftest import staff_login
from tests.courses.factories import ProviderFactory
from tests.progress.quiz_factories import PROCESS, SAFETY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def bank(welder, provider):
    return question_bank_create(
        title="焊工初级题库", trade=welder, provider=provider, questions=[*SAFETY, *PROCESS]
    )


def _add_form(*, provider, draws) -> dict:
    rows = [
        {
            "bank": str(draw["bank"].pk),
            "category": draw.get("category", ""),
            "difficulty": str(draw.get("difficulty") or ""),
            "count": str(draw["count"]),
            "ORDER": str(position),
            "DELETE": "",
        }
        for position, draw in enumerate(draws)
    ]
    return nested_form_data(
        {
            "title": "安全小结测试",
            "kind": "section",
            "provider": str(provider.pk),
            "instructions": "",
            "time_limit_minutes": "10",
            "max_attempts": "2",
            "wait_minutes": "0",
            "pass_mark_percent": "60",
            "counting": "best",
            "show_review": "on",
            "draws": inline_formset(rows),
        }
    )


def _add_url():
    return reverse(Quiz.snippet_viewset.get_url_name("add"))


def test_an_instructor_creates_a_quiz_with_its_draws(client, bank, provider, instructor_a):
    staff_login(client, instructor_a, language="en")
    data = _add_form(provider=provider, draws=[{"bank": bank, "category": "安全", "count": 3}])

    response = client.post(_add_url(), data)

    assert response.status_code == 302, response.context["form"].errors
    quiz = Quiz.objects.get()
    assert [(d.bank_id, d.category, d.count) for d in quiz.draws.all()] == [(bank.pk, "安全", 3)]
    assert quiz.revisions.count() == 1


def test_a_draw_larger_than_the_bank_is_refused_and_nothing_saved(
    client, bank, provider, instructor_a
):
    staff_login(client, instructor_a, language="en")
    data = _add_form(
        provider=provider, draws=[{"bank": bank, "category": "安全", "difficulty": 1, "count": 9}]
    )

    response = client.post(_add_url(), data)

    assert response.status_code == 200
    assert "has only 4 questions for this category and difficulty; 9 are asked for" in (
        response.content.decode()
    )
    assert not Quiz.objects.exists()


def test_a_draw_from_another_providers_bank_is_refused(
    client, bank, welder, instructor_a, provider
):
    other = ProviderFactory(name="厦门技师学院", code="xm-jsxy")
    other_bank = question_bank_create(
        title="厦门题库", trade=welder, provider=other, questions=SAFETY
    )
    staff_login(client, instructor_a, language="en")

    response = client.post(
        _add_url(), _add_form(provider=provider, draws=[{"bank": other_bank, "count": 1}])
    )

    assert response.status_code == 200
    assert "belongs to another training provider" in response.content.decode()
    assert not Quiz.objects.exists()


def test_the_quiz_listing_shows_the_instructors_provider_only(
    client, bank, welder, instructor_a, provider
):
    quiz_create(title="我们的测试", provider=provider, draws=[{"bank": bank, "count": 1}])
    other = ProviderFactory(name="厦门技师学院", code="xm-jsxy")
    other_bank = question_bank_create(
        title="厦门题库", trade=welder, provider=other, questions=SAFETY
    )
    theirs = quiz_create(
        title="他们的测试", provider=other, draws=[{"bank": other_bank, "count": 1}]
    )
    staff_login(client, instructor_a, language="en")

    listing = client.get(reverse(Quiz.snippet_viewset.get_url_name("list"))).content.decode()
    edit = client.get(reverse(Quiz.snippet_viewset.get_url_name("edit"), args=[theirs.pk]))

    assert "我们的测试" in listing and "他们的测试" not in listing
    assert edit.status_code in (302, 403)
