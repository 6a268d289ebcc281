"""Two-factor authentication is compulsory for staff.

Staff (superusers, ``is_staff`` users and anyone with a staff role) who have
no TOTP authenticator are sent to allauth's activation page before the Wagtail
admin or any page marked with :func:`staff_page` opens. allauth's own pages
under ``/accounts/`` stay reachable so they can activate it.

Wagtail's own login form would sign staff in with a password alone, skipping
allauth's TOTP step, so it is redirected to allauth's login.
"""

from functools import lru_cache

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext as _

from lms.selectors import user_is_staff_role

STAFF_PAGE_ATTRIBUTE = "lms_staff_page"


def staff_page(view_func):
    """Mark a view as a staff page: staff need TOTP set up before it opens."""
    setattr(view_func, STAFF_PAGE_ATTRIBUTE, True)
    return view_func


@lru_cache(maxsize=16)
def _admin_paths(urlconf: str, prefix: str) -> dict[str, str]:
    # Three reverse() calls on every request were 10 % of a heartbeat's CPU.
    # Keyed by urlconf and script prefix, the two things reverse() reads.
    names = ("wagtailadmin_home", "wagtailadmin_login", "wagtailadmin_logout")
    return {name: reverse(name, urlconf=urlconf) for name in names}


def admin_path(name: str) -> str:
    return _admin_paths(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())[name]


def is_staff_path(request, view_func) -> bool:
    if getattr(view_func, STAFF_PAGE_ATTRIBUTE, False):
        return True
    # Class-based views decorated on the class: as_view() copies attributes
    # onto the function, but cover ``view_class`` too.
    view_class = getattr(view_func, "view_class", None)
    if view_class is not None and getattr(view_class, STAFF_PAGE_ATTRIBUTE, False):
        return True
    if request.path == admin_path("wagtailadmin_logout"):
        return False
    return request.path.startswith(admin_path("wagtailadmin_home"))


def staff_mfa_missing(user) -> bool:
    """Whether ``user`` is staff without a TOTP authenticator."""
    return user_is_staff_role(user=user) and not is_mfa_enabled(user, [Authenticator.Type.TOTP])


class StaffMFARequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path == admin_path("wagtailadmin_login"):
            return redirect_to_login(
                request.GET.get("next") or admin_path("wagtailadmin_home"),
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
