"""django-allauth adapter: people sign up and sign in with a mainland mobile
number or an e-mail address; the number lives on ``User.phone``."""

import logging

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext_lazy as _

from lms import identity, services
from lms.models import User

logger = logging.getLogger(__name__)


def user_display(user) -> str:
    """How allauth names a user in messages ("Successfully signed in as ..."):
    the display name, e-mail or mobile number, never the generated username."""
    return str(user)


class MainlandMobileField(forms.CharField):
    """A mobile number field that accepts what people type (``138 0013 8000``,
    ``+86 13800138000``) and cleans it to ``+8613800138000``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Mobile number"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "type": "tel",
                    "inputmode": "tel",
                    "autocomplete": "tel",
                    "placeholder": "13800138000",
                }
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value:
            value = identity.normalise_mainland_mobile(value)
        return value


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # Neither an e-mail address nor a mobile number: allauth falls back to
        # "username", which our users never see.
        "username_password_mismatch": _(
            "The mobile number or e-mail address and/or password you specified are not correct."
        ),
    }

    def save_user(self, request, user, form, commit=True):
        """Create the user through ``services.user_create`` so sign-up, the admin
        and the demo command share one set of rules."""
        if not commit:
            return super().save_user(request, user, form, commit=False)
        data = form.cleaned_data
        return services.user_create(
            email=data.get("email") or None,
            phone=data.get("phone") or None,
            password=data.get("password1") or None,
            display_name=data.get("display_name") or "",
        )

    # --- phone numbers (allauth's phone API) ---------------------------------

    def phone_form_field(self, **kwargs):
        return MainlandMobileField(**kwargs)

    def clean_phone(self, phone: str) -> str:
        try:
            return identity.normalise_mainland_mobile(phone)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages[0], code="phone_invalid") from exc

    def get_phone(self, user) -> tuple[str, bool] | None:
        if not user.phone:
            return None
        return user.phone, user.phone_verified

    def set_phone(self, user, phone: str, verified: bool) -> None:
        services.user_set_phone(user=user, phone=phone, verified=verified)

    def set_phone_verified(self, user, phone: str) -> None:
        services.user_set_phone(user=user, phone=phone, verified=True)

    def get_user_by_phone(self, phone: str):
        # Login passes the number as typed; normalise before looking it up.
        try:
            phone = identity.normalise_mainland_mobile(phone)
        except ValidationError:
            return None
        return User.objects.filter(phone=phone).first()

    def send_verification_code_sms(self, user, phone: str, code: str, **kwargs) -> None:
        # No SMS gateway is integrated yet. In development the code goes to the
        # log so the flow can be tried; anywhere else this is a configuration
        # error, not a silent success.
        if settings.DEBUG:
            logger.warning(
                "SMS not sent (no gateway, DEBUG): verification code for %s is %s",
                identity.mask_phone(phone),
                code,
            )
            return
        raise ImproperlyConfigured(
            "Phone verification is enabled (ACCOUNT_PHONE_VERIFICATION_ENABLED) but no SMS "
            "gateway is configured: turn verification off or implement "
            "AccountAdapter.send_verification_code_sms."
        )
