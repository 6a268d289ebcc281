"""Fixtures for the accounts tests."""

import time

import pytest
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.test import Client
from django.utils import translation


@pytest.fixture
def en_client():
    """A browser that asks for English, so messages can be compared with their
    msgids whatever the site's default language."""
    return Client(headers={"accept-language": "en"})


def en(text) -> str:
    """``text`` (a msgid or a lazy translation) as an English-speaking user sees it."""
    with translation.override("en"):
        return str(translation.gettext(text) if isinstance(text, str) else text)


def totp_code(secret: str) -> str:
    """The authenticator app's current code for ``secret``."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))


@pytest.fixture
def activate_totp():
    """Give a user a TOTP authenticator through allauth's API; returns the secret."""

    def activate(user) -> str:
        secret = generate_totp_secret()
        TOTP.activate(user, secret)
        return secret

    return activate
