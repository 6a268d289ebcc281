"""Account forms: sign-up with real-name identity, login by mobile number or
e-mail, and completing the identity later from the profile page."""

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from lms import identity, selectors, services
from lms.exceptions import ApplicationError


class NoEchoTextInput(forms.TextInput):
    """A text box that never sends its value back to the browser: a form shown
    again after an error does not print the full ID number into the page."""

    def format_value(self, value):
        return None


class IdentityFieldsMixin(forms.Form):
    """Legal name and resident ID number, checked before anything is saved."""

    legal_name = forms.CharField(
        label=_("Name on your ID card"),
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=24,
        help_text=_("18 characters. It is stored encrypted and only ever shown masked."),
        widget=NoEchoTextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def clean_legal_name(self) -> str:
        return self.cleaned_data["legal_name"].strip()

    def clean_id_number(self) -> str:
        resident_id = identity.parse_resident_id(self.cleaned_data["id_number"])
        if selectors.id_number_is_registered(id_number=resident_id.number):
            raise ValidationError(
                _("This ID number is already registered to another account."),
                code="id_number_taken",
            )
        return resident_id.number

    def add_application_error(self, exc: ApplicationError) -> None:
        """Show a service's refusal on the fields it names."""
        placed = False
        for field, messages in exc.extra.items():
            if field in self.fields:
                for message in messages:
                    self.add_error(field, message)
                placed = True
        if not placed:
            self.add_error(None, exc.message)


class WorkerSignupForm(IdentityFieldsMixin, AllauthSignupForm):
    """allauth's sign-up plus real-name identity. The user and their worker
    profile are created in one transaction: an ID number refused at save time
    (a concurrent sign-up took it) leaves no user behind."""

    field_order = ["legal_name", "id_number", "phone", "email", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "phone" in self.fields:
            self.fields["phone"].label = _("Mobile number")
            self.fields["phone"].help_text = _("Give a mobile number, an e-mail address or both.")
        if "email" in self.fields:
            self.fields["email"].label = _("E-mail address")
            self.fields["email"].widget.attrs["placeholder"] = "name@example.com"

    def clean(self):
        cleaned_data = super().clean()
        if (
            not cleaned_data.get("phone")
            and not cleaned_data.get("email")
            and not self.has_error("phone")
            and not self.has_error("email")
        ):
            self.add_error(None, _("Enter a mobile number or an e-mail address."))
        return cleaned_data

    def try_save(self, request):
        try:
            with transaction.atomic():
                return super().try_save(request)
        except ApplicationError as exc:
            self.add_application_error(exc)
            response = TemplateResponse(request, "account/signup.html", {"form": self})
            return None, response

    def signup(self, request, user) -> None:
        services.worker_profile_create(
            user=user,
            legal_name=self.cleaned_data["legal_name"],
            id_number=self.cleaned_data["id_number"],
        )


class LoginForm(AllauthLoginForm):
    """One box for a mobile number or an e-mail address."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.label = _("Mobile number or e-mail address")
        login.widget.attrs.update(
            {"placeholder": "13800138000 / name@example.com", "autocomplete": "username"}
        )


class IdentityForm(IdentityFieldsMixin):
    """Complete the real-name identity from the profile page."""
