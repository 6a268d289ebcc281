"""Sign-up, login, password reset, the profile page and compulsory 2FA for
staff, through HTTP as a browser uses them."""

import re
from urllib.parse import urlencode

import pytest
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core import mail
from django.db.models.signals import post_save
from django.test import RequestFactory
from django.urls import reverse
from django.utils.html import escape

from lms import identity, services
from lms.adapters import AccountAdapter
from lms.middleware import StaffMFARequiredMiddleware, staff_page
from lms.models import Membership, Organisation, User, WorkerProfile
from tests.lms.conftest import en, totp_code
from tests.lms.factories import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    WorkerProfileFactory,
)

pytestmark = pytest.mark.django_db

ID_NUMBER = "11010519491231002X"


def signup_data(**overrides):
    data = {
        "legal_name": "王芳",
        "id_number": ID_NUMBER,
        "phone": "",
        "email": "",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return data


def assert_nothing_saved(users_before=0):
    assert User.objects.count() == users_before
    assert WorkerProfile.objects.count() == users_before
    assert EmailAddress.objects.count() == 0


# --- sign-up -----------------------------------------------------------------


def test_signup_page_renders_in_the_site_layout(en_client):
    """Given a visitor, when they open sign-up, then the form asks for the name,
    ID number, mobile number and e-mail address, in the site layout."""
    response = en_client.get(reverse("account_signup"))

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields)[:6] == [
        "legal_name",
        "id_number",
        "phone",
        "email",
        "password1",
        "password2",
    ]
    assert form.fields["phone"].required is False
    assert form.fields["email"].required is False
    assert 'class="site-header"' in response.content.decode()


def test_signup_by_email_creates_user_and_identity(en_client):
    """Given a visitor, when they sign up with an e-mail address, name and ID
    number, then the user, their e-mail record and their masked identity exist,
    they are logged in and sent to their profile."""
    response = en_client.post(reverse("account_signup"), signup_data(email="Wang.Fang@Example.com"))

    assert response.status_code == 302
    assert response["Location"] == reverse("profile")
    user = User.objects.get()
    assert user.email == "wang.fang@example.com"
    assert user.phone is None
    assert user.check_password(PASSWORD)
    assert en_client.session[SESSION_KEY] == str(user.pk)
    profile = WorkerProfile.objects.get()
    assert (profile.user, profile.legal_name, profile.id_number_masked) == (
        user,
        "王芳",
        "110***********002X",
    )
    assert list(EmailAddress.objects.values_list("email", "primary", "verified")) == [
        ("wang.fang@example.com", True, False)
    ]
    assert not Membership.objects.exists()


def test_signup_by_phone_creates_user_with_normalised_number(en_client):
    """Given a visitor, when they sign up with a mobile number typed with spaces
    and a lowercase x in the ID number, then the number is stored as +86..., the
    phone is unverified and no e-mail is involved."""
    response = en_client.post(
        reverse("account_signup"),
        signup_data(phone="138 0013 8000", id_number=ID_NUMBER.lower()),
    )

    assert response.status_code == 302
    user = User.objects.get()
    assert (user.phone, user.phone_verified, user.email) == ("+8613800138000", False, None)
    assert WorkerProfile.objects.get().id_number_hash == identity.hash_id_number(ID_NUMBER)
    assert EmailAddress.objects.count() == 0
    assert mail.outbox == []


def test_signup_requires_a_phone_or_an_email(en_client):
    """Given a visitor who gives neither a mobile number nor an e-mail address,
    when they sign up, then the form comes back with the reason and nothing is
    saved."""
    response = en_client.post(reverse("account_signup"), signup_data())

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        en("Enter a mobile number or an e-mail address.")
    ]
    assert_nothing_saved()


def test_signup_refuses_a_non_mainland_mobile(en_client):
    """Given a number that is not a mainland mobile, then the phone field says so."""
    response = en_client.post(reverse("account_signup"), signup_data(phone="12345"))

    assert response.status_code == 200
    assert response.context["form"].errors["phone"] == [en(identity.MESSAGES["phone_invalid"])]
    assert_nothing_saved()


def test_signup_refuses_a_taken_email(en_client):
    """Given an account with an e-mail address, when someone signs up with it,
    then the form comes back with allauth's message and nothing new is saved."""
    UserFactory(email="li.na@example.com")

    response = en_client.post(reverse("account_signup"), signup_data(email="LI.NA@example.com"))

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        en(DefaultAccountAdapter.error_messages["email_taken"])
    ]
    assert User.objects.count() == 1
    assert WorkerProfile.objects.count() == 0


def test_signup_refuses_a_taken_phone(en_client):
    """Given an account with a mobile number, when someone signs up with the same
    number written differently, then the form says it is taken and nothing new
    is saved."""
    UserFactory(email=None, phone="13800138000")

    response = en_client.post(reverse("account_signup"), signup_data(phone="+86 13800138000"))

    assert response.status_code == 200
    assert response.context["form"].errors["phone"] == [
        en(DefaultAccountAdapter.error_messages["phone_taken"])
    ]
    assert User.objects.count() == 1
    assert WorkerProfile.objects.count() == 0


def test_signup_refuses_a_taken_id_number(en_client):
    """Given an ID number registered to one account, when someone signs up with
    it, then the form says so and no user is created."""
    WorkerProfileFactory(id_number=ID_NUMBER)

    response = en_client.post(reverse("account_signup"), signup_data(email="new@example.com"))

    assert response.status_code == 200
    message = en("This ID number is already registered to another account.")
    assert response.context["form"].errors["id_number"] == [message]
    assert message in response.content.decode()
    assert User.objects.count() == 1
    assert WorkerProfile.objects.count() == 1


@pytest.mark.parametrize(
    ("id_number", "code"),
    [
        ("11010519491231002", "id_number_format"),
        ("11010519491231002A", "id_number_format"),
        ("110105199003071238", "id_number_check_digit"),
        ("110105199902300015", "id_number_birth_date"),
        ("110105209901010012", "id_number_birth_date"),
    ],
)
def test_signup_refuses_an_invalid_id_number(en_client, id_number, code):
    """Given an invalid ID number, when someone signs up, then the form shows the
    specific reason and nothing is saved."""
    response = en_client.post(
        reverse("account_signup"), signup_data(email="new@example.com", id_number=id_number)
    )

    assert response.status_code == 200
    message = en(identity.MESSAGES[code])
    assert response.context["form"].errors["id_number"] == [message]
    content = response.content.decode()
    assert escape(message) in content
    assert id_number not in content
    assert_nothing_saved()


def test_signup_id_number_taken_during_save_leaves_no_user(en_client):
    """Given an ID number that passes the form's check but is registered by a
    concurrent sign-up before the profile is written, when the sign-up saves,
    then the user row is rolled back and the form shows the reason."""
    rival = UserFactory(email="rival@example.com")

    def register_rival_first(sender, instance, created, **kwargs):
        if created and instance.email == "new@example.com":
            services.worker_profile_create(user=rival, legal_name="李娜", id_number=ID_NUMBER)

    post_save.connect(register_rival_first, sender=User, dispatch_uid="race")
    try:
        response = en_client.post(reverse("account_signup"), signup_data(email="new@example.com"))
    finally:
        post_save.disconnect(dispatch_uid="race", sender=User)

    assert response.status_code == 200
    assert response.context["form"].errors["id_number"] == [
        en("This ID number is already registered to another account.")
    ]
    assert list(User.objects.values_list("email", flat=True)) == ["rival@example.com"]
    assert WorkerProfile.objects.count() == 0
    assert EmailAddress.objects.count() == 0
    assert SESSION_KEY not in en_client.session


def test_signup_refuses_a_weak_password(en_client):
    """Given an all-digit, common password, when someone signs up, then Django's
    password validators explain why and nothing is saved."""
    response = en_client.post(
        reverse("account_signup"),
        signup_data(email="new@example.com", password1="12345678", password2="12345678"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["password1"] == [
        en("This password is too common."),
        en("This password is entirely numeric."),
    ]
    assert ID_NUMBER not in response.content.decode()
    assert_nothing_saved()


def test_signup_refuses_mismatched_passwords(en_client):
    """Given two different passwords, then the form says so and nothing is saved."""
    response = en_client.post(
        reverse("account_signup"),
        signup_data(email="new@example.com", password2=PASSWORD + "x"),
    )

    assert response.status_code == 200
    assert "password2" in response.context["form"].errors
    assert_nothing_saved()


# --- login -------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["13800138000", "138 0013 8000", "+8613800138000"])
def test_login_by_phone(en_client, typed):
    """Given a user with a mobile number, when they log in with it as typed, then
    they are logged in and sent to their profile."""
    user = UserFactory(email=None, phone="13800138000")

    response = en_client.post(reverse("account_login"), {"login": typed, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("profile")
    assert en_client.session[SESSION_KEY] == str(user.pk)


def test_login_by_email(en_client):
    """Given a user with an e-mail address, when they log in with it in any case,
    then they are logged in."""
    user = UserFactory(email="zhao.lei@example.com")

    response = en_client.post(
        reverse("account_login"), {"login": "Zhao.Lei@example.com", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert en_client.session[SESSION_KEY] == str(user.pk)


def test_login_with_wrong_password_is_refused(en_client):
    """Given a user, when the password is wrong, then the form says so and nobody
    is logged in."""
    UserFactory(email=None, phone="13800138000")

    response = en_client.post(
        reverse("account_login"), {"login": "13800138000", "password": "wrong-password"}
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        en(DefaultAccountAdapter.error_messages["phone_password_mismatch"])
    ]
    assert SESSION_KEY not in en_client.session


def test_login_with_neither_phone_nor_email_is_refused_in_our_words(en_client):
    """Given something that is neither a mobile number nor an e-mail address, when
    used to log in, then the message does not talk about usernames."""
    response = en_client.post(reverse("account_login"), {"login": "zhangsan", "password": PASSWORD})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        en(AccountAdapter.error_messages["username_password_mismatch"])
    ]


def test_login_page_has_one_box_for_phone_or_email(en_client):
    """Given a visitor, when they open login, then one field takes a mobile number
    or an e-mail address."""
    response = en_client.get(reverse("account_login"))

    assert response.status_code == 200
    assert response.context["form"].fields["login"].label == en("Mobile number or e-mail address")


# --- password reset ----------------------------------------------------------


def test_password_reset_by_email(en_client):
    """Given a user with an e-mail address, when they ask for a reset, then one
    e-mail with a link arrives, and following it sets a new password they can
    log in with."""
    user = UserFactory(email="chen.jie@example.com")

    response = en_client.post(reverse("account_reset_password"), {"email": "chen.jie@example.com"})

    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["chen.jie@example.com"]
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", message.body).group(1)

    response = en_client.get(link)
    assert response.status_code == 302
    set_password_url = response["Location"]
    response = en_client.post(
        set_password_url, {"password1": "New-Lathe-Spindle-77", "password2": "New-Lathe-Spindle-77"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_from_key_done")

    user.refresh_from_db()
    assert user.check_password("New-Lathe-Spindle-77")
    response = en_client.post(
        reverse("account_login"),
        {"login": "chen.jie@example.com", "password": "New-Lathe-Spindle-77"},
    )
    assert en_client.session[SESSION_KEY] == str(user.pk)


def test_password_reset_for_unknown_email_sends_nothing(en_client):
    """Given no account with an address, when a reset is asked for it, then the
    form says so and no e-mail is sent."""
    response = en_client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})

    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        en(DefaultAccountAdapter.error_messages["unknown_email"])
    ]
    assert mail.outbox == []


# --- profile -----------------------------------------------------------------


def test_profile_requires_login(en_client):
    """Given an anonymous visitor, when they open the profile, then they are sent
    to the login page."""
    response = en_client.get(reverse("profile"))

    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=/profile/"


def test_profile_shows_masked_id_and_never_the_full_number(en_client):
    """Given a worker with an identity and a union membership, when they open
    their profile, then it shows their contact details, name, masked ID number,
    employer and roles, and the full ID number appears nowhere."""
    employer = OrganisationFactory(name="福州重型机械厂", kind=Organisation.Kind.ENTERPRISE)
    profile = WorkerProfileFactory(
        user=UserFactory(email="wang@example.com", phone="13800138000", display_name="小王"),
        legal_name="王芳",
        id_number=ID_NUMBER,
        employer=employer,
    )
    MembershipFactory(user=profile.user, organisation=OrganisationFactory(name="福州市总工会"))
    en_client.force_login(profile.user)

    response = en_client.get(reverse("profile"))

    assert response.status_code == 200
    content = response.content.decode()
    for shown in [
        "小王",
        "+8613800138000",
        "wang@example.com",
        "王芳",
        "110***********002X",
        "福州重型机械厂",
        "福州市总工会 · Worker",
        reverse("mfa_activate_totp"),
    ]:
        assert shown in content
    assert ID_NUMBER not in content
    assert ID_NUMBER.lower() not in content
    assert response.context["identity_form"] is None


def test_profile_completes_identity(en_client):
    """Given a user without an identity, when they submit a valid name and ID
    number on the profile, then it is saved and shown masked."""
    user = UserFactory()
    en_client.force_login(user)

    response = en_client.post(
        reverse("profile"), {"legal_name": "赵磊", "id_number": "110105199003071239"}
    )

    assert response.status_code == 302
    profile = WorkerProfile.objects.get(user=user)
    assert (profile.legal_name, profile.id_number_masked) == ("赵磊", "110***********1239")
    content = en_client.get(reverse("profile")).content.decode()
    assert "110***********1239" in content
    assert "110105199003071239" not in content


@pytest.mark.parametrize(
    ("id_number", "message"),
    [
        ("110105199003071238", identity.MESSAGES["id_number_check_digit"]),
        (ID_NUMBER, "This ID number is already registered to another account."),
    ],
)
def test_profile_identity_refused(en_client, id_number, message):
    """Given a user without an identity, when they submit an invalid or taken ID
    number, then the form shows why, the number is not echoed back, and nothing
    is saved for them."""
    WorkerProfileFactory(id_number=ID_NUMBER)
    user = UserFactory()
    en_client.force_login(user)

    response = en_client.post(reverse("profile"), {"legal_name": "赵磊", "id_number": id_number})

    assert response.status_code == 200
    assert response.context["identity_form"].errors["id_number"] == [en(message)]
    assert id_number not in response.content.decode()
    assert not WorkerProfile.objects.filter(user=user).exists()


# --- two-factor authentication for staff -------------------------------------


def _get_with_middleware(user, path, view):
    request = RequestFactory().get(path)
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    middleware = StaffMFARequiredMiddleware(lambda request: None)
    return middleware.process_view(request, view, (), {})


@pytest.mark.parametrize("role", ["instructor", "auditor", "funder", "platform_admin"])
def test_middleware_sends_staff_without_totp_to_activation(role):
    """Given a staff member without TOTP, when they request the admin, then the
    middleware redirects them to TOTP activation."""
    user = MembershipFactory(role=role).user

    response = _get_with_middleware(user, "/admin/", view=lambda request: None)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


def test_middleware_lets_staff_with_totp_through(activate_totp):
    """Given a staff member with TOTP, when they request the admin, then the
    middleware lets the request through."""
    user = MembershipFactory(role="auditor").user
    activate_totp(user)

    assert _get_with_middleware(user, "/admin/", view=lambda request: None) is None


def test_middleware_ignores_workers_anonymous_and_non_staff_pages():
    """Given a worker, an anonymous visitor, and a staff member on a public page,
    then the middleware does not interfere."""
    worker = MembershipFactory(role="worker").user
    staff = UserFactory(is_staff=True)

    assert _get_with_middleware(worker, "/admin/", view=lambda request: None) is None
    assert _get_with_middleware(AnonymousUser(), "/admin/", view=lambda request: None) is None
    assert _get_with_middleware(staff, "/profile/", view=lambda request: None) is None
    assert _get_with_middleware(staff, "/accounts/2fa/totp/activate/", view=None) is None


def test_middleware_guards_views_marked_as_staff_pages():
    """Given a view outside /admin/ marked as a staff page, when staff without TOTP
    request it, then they are sent to activation."""

    @staff_page
    def audit_dashboard(request):
        return None

    staff = MembershipFactory(role="auditor").user

    response = _get_with_middleware(staff, "/audit/", view=audit_dashboard)

    assert response["Location"] == reverse("mfa_activate_totp")


def test_staff_without_totp_sets_it_up_before_the_admin_opens(en_client):
    """Given a union auditor without TOTP who logged in, when they open the admin,
    then they are sent to TOTP activation with an explanation (allauth first asks
    for their password again); once they activate an authenticator app with its
    code, the admin opens."""
    user = MembershipFactory(role="auditor", user=UserFactory(email="audit@example.com")).user
    en_client.post(reverse("account_login"), {"login": "audit@example.com", "password": PASSWORD})
    assert en_client.session[SESSION_KEY] == str(user.pk)

    response = en_client.get("/admin/", follow=True)

    activate_url = reverse("mfa_activate_totp")
    reauthenticate_url = reverse("account_reauthenticate") + "?" + urlencode({"next": activate_url})
    assert response.redirect_chain == [(activate_url, 302), (reauthenticate_url, 302)]
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "Successfully signed in as audit@example.com.",
        en(
            "Staff accounts must use two-factor authentication. Set up an "
            "authenticator app to continue."
        ),
    ]

    response = en_client.post(
        reauthenticate_url,
        {"password": PASSWORD, "next": activate_url},
        follow=True,
    )
    assert response.request["PATH_INFO"] == activate_url
    secret = response.context["form"].secret
    response = en_client.post(activate_url, {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).count() == 1

    response = en_client.get("/admin/")
    assert response.status_code == 200


def test_mfa_user_login_asks_for_the_code_then_admin_opens(en_client, activate_totp):
    """Given a platform admin with TOTP, when they log in with their password,
    then allauth asks for the authenticator code; with the code they are logged
    in and the admin opens."""
    user = MembershipFactory(
        role="platform_admin", user=UserFactory(email="admin@example.com")
    ).user
    secret = activate_totp(user)

    response = en_client.post(
        reverse("account_login"), {"login": "admin@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert SESSION_KEY not in en_client.session

    response = en_client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert en_client.session[SESSION_KEY] == str(user.pk)

    response = en_client.get("/admin/")
    assert response.status_code == 200


def test_mfa_login_refuses_a_wrong_code(en_client, activate_totp):
    """Given a staff member with TOTP, when they give a wrong code, then they are
    not logged in."""
    user = MembershipFactory(role="auditor", user=UserFactory(email="a@example.com")).user
    activate_totp(user)
    en_client.post(reverse("account_login"), {"login": "a@example.com", "password": PASSWORD})

    response = en_client.post(reverse("mfa_authenticate"), {"code": "000000"})

    assert response.status_code == 200
    assert SESSION_KEY not in en_client.session


def test_wagtail_login_form_is_replaced_by_allauth(en_client):
    """Given Wagtail's own login page (which would skip TOTP), when visited, then
    it redirects to allauth's login, keeping where to go next."""
    response = en_client.get(reverse("wagtailadmin_login"))

    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=/admin/"


def test_anonymous_admin_request_goes_to_allauth_login(en_client):
    """Given an anonymous visitor, when they open the admin, then they are sent to
    allauth's login."""
    response = en_client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login") + "?next=")


@pytest.mark.parametrize(
    "url_name",
    [
        "account_email",
        "account_change_password",
        "account_logout",
        "account_reauthenticate",
        "mfa_index",
    ],
)
def test_allauth_pages_render_in_the_site_layout(en_client, url_name):
    """Given a logged-in user, when they open allauth's account pages, then each
    renders inside the site's header and footer."""
    en_client.force_login(UserFactory())

    response = en_client.get(reverse(url_name))

    assert response.status_code == 200
    content = response.content.decode()
    assert 'class="site-header"' in content
    assert 'class="site-footer"' in content
