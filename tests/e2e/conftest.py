"""Browser tests: Debian's Chromium driven by Playwright against a live server.

The session's one Chromium (``browser``) is in tests/conftest.py: browser
tests outside this folder use it too, and two Playwright instances cannot run
in one thread."""

import pytest


@pytest.fixture
def page(browser):
    """A fresh phone-sized browser context that prefers Chinese."""
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def sign_in(page, live_server, user) -> None:
    """Put ``user``'s session cookie into the browser (as after logging in)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
