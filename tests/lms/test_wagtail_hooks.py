"""Organisations and memberships in the Wagtail admin: platform admins only,
and every change goes through lms.services."""

import pytest
from django.urls import reverse

from lms.models import Membership, Organisation, User
from tests.lms.conftest import en
from tests.lms.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(en_client, activate_totp):
    """A platform admin with TOTP, logged in."""
    admin = MembershipFactory(
        role="platform_admin",
        organisation=OrganisationFactory(name="匠学平台", kind="platform", code="platform"),
    ).user
    activate_totp(admin)
    en_client.force_login(admin)
    return en_client


@pytest.fixture
def auditor_client(en_client, activate_totp):
    """A union auditor with TOTP, logged in: admitted to the admin, not to these
    screens."""
    auditor = MembershipFactory(role="auditor").user
    activate_totp(auditor)
    en_client.force_login(auditor)
    return en_client


def test_platform_admin_lists_organisations(admin_client):
    """Given organisations, when a platform admin opens the listing, then they
    are there, and the Platform menu is offered."""
    OrganisationFactory(name="福建省总工会", code="fj")

    response = admin_client.get(reverse("organisations:index"))

    assert response.status_code == 200
    assert "福建省总工会" in response.content.decode()
    dashboard = admin_client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Organisations" in dashboard
    assert "Memberships" in dashboard
    assert admin_client.get(reverse("organisations:add")).status_code == 200


def test_platform_admin_lists_memberships(admin_client):
    """Given a membership, when a platform admin opens the listing and the add
    form, then both render and the membership is listed."""
    MembershipFactory(organisation=OrganisationFactory(name="厦门市总工会"), role="auditor")

    response = admin_client.get(reverse("memberships:index"))

    assert response.status_code == 200
    assert "厦门市总工会" in response.content.decode()
    assert admin_client.get(reverse("memberships:add")).status_code == 200


def test_auditor_cannot_open_the_platform_screens(auditor_client):
    """Given a union auditor in the admin, when they open the organisation or
    membership screens, then they are refused and the menu does not offer them."""
    for url in [reverse("organisations:index"), reverse("memberships:index")]:
        response = auditor_client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("wagtailadmin_home")

    dashboard = auditor_client.get(reverse("wagtailadmin_home"))
    assert dashboard.status_code == 200
    assert "Memberships" not in dashboard.content.decode()


def test_platform_admin_creates_an_organisation_under_a_parent(admin_client):
    """Given a city union, when a platform admin adds a county union under it,
    then the county is its child in the tree."""
    city = OrganisationFactory(name="福州市总工会", code="fz")

    response = admin_client.post(
        reverse("organisations:add"),
        {
            "name": "闽侯县总工会",
            "kind": "union",
            "code": "mh",
            "region": "闽侯",
            "parent": city.pk,
        },
    )

    assert response.status_code == 302
    county = Organisation.objects.get(code="mh")
    assert county.get_parent() == city
    assert (county.name, county.region, county.depth) == ("闽侯县总工会", "闽侯", 2)


def test_platform_admin_creates_a_root_organisation(admin_client):
    """Given no parent chosen, when an organisation is added, then it is a root."""
    response = admin_client.post(
        reverse("organisations:add"), {"name": "福建省总工会", "kind": "union", "code": "fj"}
    )

    assert response.status_code == 302
    assert Organisation.objects.get(code="fj").is_root()


def test_duplicate_organisation_code_is_refused(admin_client):
    """Given an organisation code in use, when another organisation is added with
    it, then the form says so and nothing is created."""
    OrganisationFactory(code="fj")
    count = Organisation.objects.count()

    response = admin_client.post(
        reverse("organisations:add"), {"name": "Another", "kind": "union", "code": "fj"}
    )

    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert Organisation.objects.count() == count


def test_editing_an_organisation_keeps_its_place(admin_client):
    """Given a county under a city, when the admin edits it and posts another
    parent, then its fields change and its place does not."""
    city, other = OrganisationFactory(code="fz"), OrganisationFactory(code="xm")
    county = OrganisationFactory(name="Old", code="mh", parent=city)

    response = admin_client.post(
        reverse("organisations:edit", args=[county.pk]),
        {"name": "闽侯县总工会", "kind": "union", "code": "mh", "region": "", "parent": other.pk},
    )

    assert response.status_code == 302
    county.refresh_from_db()
    assert county.name == "闽侯县总工会"
    assert county.get_parent() == city


def test_organisations_cannot_be_deleted_from_the_admin(admin_client):
    """Given an organisation, when the admin tries to delete it, then they are
    refused (a delete would take the whole subtree) and it stays."""
    organisation = OrganisationFactory()

    response = admin_client.post(reverse("organisations:delete", args=[organisation.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_home")
    assert Organisation.objects.filter(pk=organisation.pk).exists()


def test_platform_admin_grants_a_staff_role(admin_client):
    """Given a user with a mobile number, when the admin grants them the auditor
    role in a union by typing the number, then the membership exists and the user
    is staff."""
    user = UserFactory(email=None, phone="13800138000")
    union = OrganisationFactory(name="福州市总工会")

    response = admin_client.post(
        reverse("memberships:add"),
        {"user_login": "138 0013 8000", "organisation": union.pk, "role": "auditor"},
    )

    assert response.status_code == 302
    membership = Membership.objects.get(user=user)
    assert (membership.organisation, membership.role) == (union, "auditor")
    assert User.objects.get(pk=user.pk).is_staff is True


def test_granting_to_an_unknown_user_is_refused(admin_client):
    """Given no user with a number, when the admin grants a role to it, then the
    form says so and nothing is saved."""
    union = OrganisationFactory()
    count = Membership.objects.count()

    response = admin_client.post(
        reverse("memberships:add"),
        {"user_login": "13900000000", "organisation": union.pk, "role": "worker"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["user_login"] == [
        en("No user has this mobile number or e-mail address.")
    ]
    assert Membership.objects.count() == count


def test_revoking_the_last_staff_role_in_the_admin(admin_client):
    """Given an auditor with one membership, when the admin deletes it, then the
    membership is gone and the user is no longer staff."""
    membership = MembershipFactory(role="auditor")

    response = admin_client.post(reverse("memberships:delete", args=[membership.pk]))

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert User.objects.get(pk=membership.user_id).is_staff is False
