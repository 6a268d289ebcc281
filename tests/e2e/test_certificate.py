"""A worker who completed a course downloads the certificate from "my
learning" on a phone, opens its verification page from the link, and a
stranger types the code (as printed, in groups, lower case) into the form."""

import re

import pytest
from playwright.sync_api import expect

from progress.models import Certificate
from tests.e2e.conftest import sign_in
from tests.progress import completion_factories
from tests.progress.completion_factories import complete

globals().update(completion_factories.fixtures())

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_download_the_certificate_and_verify_it(enrolment, worker, live_server, page, browser):
    assert complete(enrolment) is True
    certificate = Certificate.objects.get()
    sign_in(page, live_server, worker)

    page.goto(live_server.url + "/learning/")
    with page.expect_download() as download:
        page.locator(f"a[href$='/{certificate.code}/certificate.pdf']").click()
    path = download.value.path()
    with open(path, "rb") as file:
        assert file.read(5) == b"%PDF-"
    assert download.value.suggested_filename == f"certificate-{certificate.code}.pdf"

    page.locator(f"a[href='/verify/{certificate.code}/']").click()
    expect(page).to_have_url(re.compile(rf"/verify/{certificate.code}/$"))
    expect(page.locator("#certificate-status.success")).to_be_visible()
    expect(page.locator(".certificate-verification")).to_contain_text("焊条电弧焊入门（初级）")
    expect(page.locator(".certificate-verification")).to_contain_text(certificate.ledger_entry_hash)

    # Anyone, not logged in, types the code as printed.
    stranger = browser.new_context(locale="zh-CN")
    other = stranger.new_page()
    other.goto(live_server.url + "/verify/")
    code = certificate.code
    other.locator("#id_code").fill(f"{code[:5]}-{code[5:10]}-{code[10:15]}-{code[15:]}".lower())
    other.locator("form.verify-form button[type=submit]").click()
    expect(other).to_have_url(re.compile(rf"/verify/{code}/$"))
    expect(other.locator(".certificate-verification")).to_contain_text(certificate.worker_name)
    stranger.close()
