"""An instructor writes a question bank in the admin in Debian's Chromium:
the questions inline and each question's options nested inline are added
with Wagtail's own buttons (its JavaScript), and the option rule is shown
before anything is saved."""

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect
from wagtail.users.models import UserProfile

from courses.models import QuestionBank
from courses.selectors import question_list
from tests.courses.conftest import staff_login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def admin_page(browser, live_server, instructor_a):
    """A desktop-sized browser signed in as an instructor (TOTP set up), who
    reads the admin in English."""
    profile = UserProfile.get_for_user(instructor_a)
    profile.preferred_language = "en"
    profile.save()
    client = Client()
    staff_login(client, instructor_a)
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 1000})
    context.set_default_timeout(15_000)
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    yield page
    context.close()


def _add_option(page, question: int, option: int, text: str, correct: bool) -> None:
    page.locator(f"#id_questions-{question}-options-ADD").click()
    field = page.locator(f"#id_questions-{question}-options-{option}-text")
    expect(field).to_be_visible()
    field.fill(text)
    if correct:
        page.locator(f"#id_questions-{question}-options-{option}-is_correct").check()


def test_instructor_writes_a_bank_with_nested_options(admin_page, live_server, welder, provider):
    page = admin_page
    page.goto(live_server.url + reverse(QuestionBank.snippet_viewset.get_url_name("add")))
    page.fill("#id_title", "焊接位置题库")
    page.select_option("#id_trade", str(welder.pk))
    page.select_option("#id_provider", str(provider.pk))

    page.locator("#id_questions-ADD").click()
    expect(page.locator("#id_questions-0-stem")).to_be_visible()
    page.select_option("#id_questions-0-kind", "single")
    page.fill("#id_questions-0-stem", "平焊位置的代号是")
    _add_option(page, 0, 0, "PA", correct=True)
    _add_option(page, 0, 1, "PF", correct=True)  # two correct: refused
    page.locator("button[type=submit]").filter(has_text="Save").first.click()

    expect(page.get_by_text("exactly one correct option").first).to_be_visible()
    assert not QuestionBank.objects.exists()

    page.locator("#id_questions-0-options-1-is_correct").uncheck()
    page.locator("button[type=submit]").filter(has_text="Save").first.click()
    expect(page.get_by_text("焊接位置题库").first).to_be_visible()
    page.wait_for_url("**/admin/snippets/courses/questionbank/")

    bank = QuestionBank.objects.get()
    (question,) = question_list(bank=bank)
    assert question.stem == "平焊位置的代号是"
    assert [(o.text, o.is_correct) for o in question.options.all()] == [
        ("PA", True),
        ("PF", False),
    ]
