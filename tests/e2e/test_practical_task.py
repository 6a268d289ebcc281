"""A practical task in Chromium: a worker on a phone hands in a photo of
their weld from the lesson page, an instructor grades it in the admin's
review queue, and the worker sees the points and the comment."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from playwright.sync_api import expect

from progress import services
from progress.models import PracticalSubmission
from tests.e2e.conftest import sign_in
from tests.progress import factories, practical_factories
from tests.progress.practical_factories import photo_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

globals().update(factories.fixtures())  # provider, course, worker, instructor, …
globals().update(practical_factories.fixtures())  # task_lesson


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


@pytest.fixture
def phone(browser):
    """A phone in English (the texts checked here are translated later)."""
    context = browser.new_context(
        locale="en-US", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_worker_hands_in_a_photo_and_sees_the_instructors_grade(
    media, live_server, browser, phone, worker, course, task_lesson, instructor
):
    page = phone
    services.enrolment_create(user=worker, course=course)
    sign_in(page, live_server, worker)
    page.goto(live_server.url + task_lesson.url)
    task = page.locator("#practical")
    expect(task).to_contain_text("在 6 mm 钢板上焊一条 100 mm 平焊缝")
    photos = task.locator("input[name=photos]")
    expect(photos).to_have_attribute("accept", "image/*")
    expect(photos).to_have_attribute("capture", "environment")
    photos.set_input_files(
        files=[{"name": "weld.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}]
    )
    task.locator("button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"#practical$"))
    expect(page.locator(".practical-submission[data-status=submitted]")).to_be_visible()
    expect(page.locator(".practical-photos img")).to_have_count(1)
    submission = PracticalSubmission.objects.get()

    # The instructor, in another browser context, grades it in the admin.
    TOTP.activate(instructor, generate_totp_secret())
    admin = browser.new_context(locale="en-US")
    admin_page = admin.new_page()
    sign_in(admin_page, live_server, instructor)
    admin_page.goto(live_server.url + "/admin/practical/")
    admin_page.locator(f"a[href$='/admin/practical/{submission.pk}/']").click()
    expect(admin_page.locator("img.practical-photo")).to_have_count(1)
    inputs = admin_page.locator("input[name^=criterion_]")
    expect(inputs).to_have_count(2)
    inputs.nth(0).fill("6")
    inputs.nth(1).fill("1")
    admin_page.fill("textarea[name=comment]", "咬边明显，电流调小一点再焊。")
    admin_page.locator("main form button[type=submit]").click()
    expect(admin_page).to_have_url(re.compile(r"/admin/practical/$"))
    admin.close()

    page.reload()
    graded = page.locator(".practical-submission[data-status=graded]")
    expect(graded).to_contain_text("7 of 15 points")
    expect(graded.locator(".practical-scores")).to_contain_text("6 / 10")
    expect(graded.locator(".practical-comment")).to_contain_text("咬边明显，电流调小一点再焊。")
    # Failed: the form to hand in again is back.
    expect(page.locator(".practical-form")).to_be_visible()
