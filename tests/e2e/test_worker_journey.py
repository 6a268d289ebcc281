"""A worker on a phone: catalogue, search, sign-up, log-in, profile."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from lms.identity import id_check_character
from lms.models import User, WorkerProfile

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NEW_WORKER_ID_BODY = "35010219900307123"  # Fuzhou, born 1990-03-07
NEW_WORKER_ID = NEW_WORKER_ID_BODY + id_check_character(NEW_WORKER_ID_BODY)
PHONE = "13812345678"
PASSWORD = "hanjie-Gong-2026"


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", "--skip-videos", stdout=StringIO())


def test_worker_finds_a_trade_signs_up_logs_in_and_sees_the_profile(demo, live_server, page):
    """Given the demo catalogue, a new worker finds welding courses by search,
    signs up with a mobile number and real-name identity, logs in again with
    the mobile number and sees a profile that shows the ID number masked only."""
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")

    page.locator("nav.site-nav a[href='/courses/']").click()
    expect(page).to_have_url(re.compile(r"/courses/$"))
    page.fill("#catalogue-q", "焊工")
    page.press("#catalogue-q", "Enter")
    expect(page).to_have_url(re.compile(r"\?q=%E7%84%8A%E5%B7%A5"))
    results = page.locator("ul.cards > li")
    expect(results.first).to_be_visible()
    expect(page.get_by_text("焊条电弧焊安全操作与平焊基础")).to_be_visible()

    page.locator("a[href='/accounts/signup/']").first.click()
    page.fill("input[name=legal_name]", "王建国")
    page.fill("input[name=id_number]", NEW_WORKER_ID)
    page.fill("input[name=phone]", PHONE)
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(r"/profile/$"))

    page.locator("header form[action='/accounts/logout/'] button").click()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("input[name=login]", PHONE)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").last.click()

    expect(page).to_have_url(re.compile(r"/profile/$"))
    expect(page.locator(".id-number")).to_have_text(
        NEW_WORKER_ID[:3] + "*" * 11 + NEW_WORKER_ID[-4:]
    )
    expect(page.get_by_text("王建国")).to_be_visible()
    assert NEW_WORKER_ID not in page.content()
    user = User.objects.get(phone="+86" + PHONE)
    assert WorkerProfile.objects.get(user=user).legal_name == "王建国"
