"""Chinese first, with an English translation (Django i18n, compiled messages)."""

from pathlib import Path

import polib
import pytest
from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "lms" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_chinese_catalogue_is_complete():
    """Every interface string has a Chinese translation, none fuzzy."""
    catalogue = polib.pofile(str(CATALOGUE))
    assert len(catalogue) > 150
    assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []


def test_catalogue_is_compiled():
    """`make` compiles the catalogue, so Django serves the Chinese strings."""
    assert CATALOGUE.with_suffix(".mo").exists()


@pytest.mark.django_db
def test_home_page_is_chinese_by_default(client):
    """A browser that states no language gets the Chinese interface."""
    html = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "退出登录" not in html  # anonymous
    assert ">注册<" in html
    assert ">登录<" in html


@pytest.mark.django_db
def test_language_switch_gives_english(client):
    """Choosing English in the footer switches the interface to English."""
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/courses/"})
    assert response.status_code == 302
    assert response["Location"] == "/courses/"
    html = client.get("/courses/").content.decode()
    assert '<html lang="en">' in html
    assert ">Sign up<" in html
    assert ">Log in<" in html
