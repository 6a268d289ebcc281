"""Account pages outside allauth: the profile."""

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from lms import selectors, services
from lms.exceptions import ApplicationError
from lms.forms import IdentityForm


@login_required
def profile(request):
    """Who I am: contact details, masked real-name identity, memberships, 2FA.
    Without an identity yet, a form completes it."""
    user = request.user
    worker_profile = selectors.worker_profile_of(user=user)
    identity_form = None
    if worker_profile is None:
        identity_form = IdentityForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and identity_form.is_valid():
            try:
                services.worker_profile_create(
                    user=user,
                    legal_name=identity_form.cleaned_data["legal_name"],
                    id_number=identity_form.cleaned_data["id_number"],
                )
            except ApplicationError as exc:
                identity_form.add_application_error(exc)
            else:
                messages.success(request, _("Your real-name identity has been saved."))
                return redirect("profile")
    elif request.method == "POST":
        return redirect("profile")
    context = {
        "profile_user": user,
        "worker_profile": worker_profile,
        "identity_form": identity_form,
        "memberships": selectors.user_memberships(user=user),
        "is_staff_role": selectors.user_is_staff_role(user=user),
        "has_totp": is_mfa_enabled(user, [Authenticator.Type.TOTP]),
    }
    return render(request, "lms/profile.html", context)
