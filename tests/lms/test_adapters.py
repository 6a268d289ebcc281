"""allauth's phone API on our adapter, and phone verification without an SMS
gateway."""

import logging
import re

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from django.urls import reverse

from lms.adapters import AccountAdapter
from lms.models import User
from tests.lms.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_adapter_implements_allauths_phone_api():
    """Given our adapter, then allauth recognises its phone support as complete."""
    assert AccountAdapter()._has_phone_impl is True


def test_phone_round_trip_through_the_adapter():
    """Given a user, when allauth sets, reads and verifies their phone, then the
    number is stored normalised on the user and found however it is typed."""
    adapter = AccountAdapter()
    user = UserFactory()
    assert adapter.get_phone(user) is None

    adapter.set_phone(user, "13800138000", False)
    assert adapter.get_phone(User.objects.get(pk=user.pk)) == ("+8613800138000", False)

    adapter.set_phone_verified(user, "+8613800138000")
    assert adapter.get_phone(User.objects.get(pk=user.pk)) == ("+8613800138000", True)
    assert adapter.get_user_by_phone("138 0013 8000") == user
    assert adapter.get_user_by_phone("13900139000") is None
    assert adapter.get_user_by_phone("not a number") is None


@override_settings(DEBUG=False)
def test_sms_without_a_gateway_is_a_configuration_error():
    """Given production (DEBUG off), when allauth asks to send an SMS code, then a
    clear configuration error is raised instead of pretending it was sent."""
    with pytest.raises(ImproperlyConfigured, match="no SMS gateway is configured"):
        AccountAdapter().send_verification_code_sms(
            user=UserFactory(), phone="+8613800138000", code="123456"
        )


@override_settings(DEBUG=True, ACCOUNT_PHONE_VERIFICATION_ENABLED=True)
def test_phone_verification_in_development_logs_the_code(en_client, caplog):
    """Given phone verification on in development, when someone signs up with a
    mobile number, then the code goes to the log (masked number) and entering it
    verifies the phone."""
    with caplog.at_level(logging.WARNING, logger="lms.adapters"):
        response = en_client.post(
            reverse("account_signup"),
            {
                "legal_name": "王芳",
                "id_number": "11010519491231002X",
                "phone": "13800138000",
                "email": "",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_verify_phone")
    [record] = [r for r in caplog.records if r.name == "lms.adapters"]
    assert "+86138****8000" in record.getMessage()
    assert "13800138000" not in record.getMessage()
    code = re.search(r"is (\S+)$", record.getMessage()).group(1)

    response = en_client.post(reverse("account_verify_phone"), {"code": code})

    assert response.status_code == 302
    user = User.objects.get()
    assert (user.phone, user.phone_verified) == ("+8613800138000", True)
