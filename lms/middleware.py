"""Two-factor authentication is compulsory for staff.

Staff (superusers, ``is_staff`` users and anyone with a staff role) who have
no TOTP authenticator are sent to allauth's activation page before the Wagtail
admin or any page marked with :func:`staff_page` opens. allauth's own pages
under ``/accounts/`` stay reachable so they can activate it.

Wagtail's own login form would sign staff in with a password alone, skipping
allauth's TOTP step, so it is redirected to allauth's login.
"""

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from lms.selectors import user_is_staff_role

STAFF_PAGE_ATTRIBUTE = "lms_staff_page"


def staff_page(view_func):
    """Mark a view as a staff page: staff need TOTP set up before it opens."""
    setattr(view_func, STAFF_PAGE_ATTRIBUTE, True)
    return view_func


def is_staff_path(request, view_func) -> bool:
    if getattr(view_func, STAFF_PAGE_ATTRIBUTE, False):
        return True
    # Class-based views decorated on the class: as_view() copies attributes
    # onto the function, but cover ``view_class`` too.
    view_class = getattr(view_func, "view_class", None)
    if view_class is not None and getattr(view_class, STAFF_PAGE_ATTRIBUTE, False):
        return True
    if request.path == reverse("wagtailadmin_logout"):
        return False
    return request.path.startswith(reverse("wagtailadmin_home"))


def staff_mfa_missing(user) -> bool:
    """Whether ``user`` is staff without a TOTP authenticator."""
    return user_is_staff_role(user=user) and not is_mfa_enabled(user, [Authenticator.Type.TOTP])


class StaffMFARequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path == reverse("wagtailadmin_login"):
            return redirect_to_login(
                request.GET.get("next") or reverse("wagtailadmin_home"),
                login_url=reverse("account_login"),
            )
        # The path first: ``request.user`` costs a database query, and most
        # requests (heartbeats above all) are not staff pages.
        if not is_staff_path(request, view_func):
            return None
        user = request.user
        if not user.is_authenticated:
            return None
        if staff_mfa_missing(user):
            messages.warning(
                request,
                _(
                    "Staff accounts must use two-factor authentication. Set up an "
                    "authenticator app to continue."
                ),
            )
            return redirect("mfa_activate_totp")
        return None
