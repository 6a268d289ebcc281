"""Organisations and memberships in the Wagtail admin, for platform admins only.

Both forms save through ``lms.services`` so the admin follows the same rules as
code: organisations are placed in the tree once, at creation; a staff role
granted here admits the user to the admin (after they set up TOTP).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views import generic
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy

from lms import selectors, services
from lms.exceptions import ApplicationError
from lms.models import Membership, Organisation, User


class PlatformAdminPermissionPolicy(BasePermissionPolicy):
    """Platform admins (superusers or the platform_admin role) may do
    ``allowed_actions``; nobody else may do anything."""

    def __init__(self, model, allowed_actions=("add", "change", "delete", "view")):
        super().__init__(model)
        self.allowed_actions = frozenset(allowed_actions)

    def _is_platform_admin(self, user) -> bool:
        # Wagtail asks many times per request (menu, buttons, views): ask once.
        cached = getattr(user, "_lms_is_platform_admin", None)
        if cached is None:
            cached = selectors.user_is_platform_admin(user=user)
            if user.is_authenticated:
                user._lms_is_platform_admin = cached
        return cached

    def user_has_permission(self, user, action):
        return action in self.allowed_actions and self._is_platform_admin(user)

    def user_has_any_permission(self, user, actions):
        return bool(self.allowed_actions.intersection(actions)) and self._is_platform_admin(user)

    def users_with_any_permission(self, actions):
        if not self.allowed_actions.intersection(actions):
            return User.objects.none()
        return User.objects.filter(
            Q(is_superuser=True) | Q(memberships__role=Membership.Role.PLATFORM_ADMIN),
            is_active=True,
        ).distinct()


class OrganisationParentField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return "— " * (obj.depth - 1) + obj.name


class OrganisationForm(WagtailAdminModelForm):
    parent = OrganisationParentField(
        queryset=Organisation.objects.order_by("path"),
        required=False,
        label=_("Parent organisation"),
        help_text=_(
            "Leave empty for a top-level organisation. Fixed once created: it "
            "decides whose records a union auditor sees."
        ),
    )

    class Meta:
        model = Organisation
        fields = ["name", "kind", "code", "region"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["parent"].disabled = True
            self.fields["parent"].initial = self.instance.get_parent()

    def save(self, commit=True):
        data = self.cleaned_data
        if self.instance.pk:
            return services.organisation_update(
                organisation=self.instance,
                name=data["name"],
                kind=data["kind"],
                code=data["code"],
                region=data["region"],
            )
        return services.organisation_create(
            name=data["name"],
            kind=data["kind"],
            code=data["code"],
            parent=data["parent"],
            region=data["region"],
        )


class OrganisationViewSet(ModelViewSet):
    model = Organisation
    icon = "group"
    menu_label = _("Organisations")
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = False
    list_display = ["name", "kind", "code", "region", "depth"]
    list_filter = ["kind"]
    search_fields = ["name", "code", "region"]
    ordering = ["path"]

    @cached_property
    def permission_policy(self):
        # Deleting a node deletes its whole subtree: not an admin-form action.
        return PlatformAdminPermissionPolicy(self.model, allowed_actions=("add", "change", "view"))

    def get_form_class(self, for_update=False):
        return OrganisationForm


class MembershipForm(WagtailAdminModelForm):
    user_login = forms.CharField(
        label=_("User"),
        help_text=_("The user's mobile number or e-mail address."),
    )

    class Meta:
        model = Membership
        fields = ["organisation", "role"]

    def clean_user_login(self):
        login = self.cleaned_data["user_login"].strip()
        user = selectors.user_by_login(login=login)
        if user is None:
            raise ValidationError(_("No user has this mobile number or e-mail address."))
        self.instance.user = user
        return login

    def save(self, commit=True):
        try:
            return services.membership_grant(
                user=self.instance.user,
                organisation=self.cleaned_data["organisation"],
                role=self.cleaned_data["role"],
            )
        except ApplicationError as exc:  # validated above; a race is an error page
            raise ValidationError(exc.message) from exc


class MembershipDeleteView(generic.DeleteView):
    def delete_action(self):
        services.membership_revoke(membership=self.object)


class MembershipViewSet(ModelViewSet):
    model = Membership
    icon = "user"
    menu_label = _("Memberships")
    add_to_admin_menu = False
    copy_view_enabled = False
    inspect_view_enabled = False
    delete_view_class = MembershipDeleteView
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__phone", "user__email", "organisation__name", "organisation__code"]
    ordering = ["organisation__path", "role"]

    @cached_property
    def permission_policy(self):
        # A membership is (user, organisation, role): change one by revoking
        # it and granting another.
        return PlatformAdminPermissionPolicy(self.model, allowed_actions=("add", "delete", "view"))

    def get_form_class(self, for_update=False):
        return MembershipForm


class PlatformViewSetGroup(ViewSetGroup):
    menu_label = _("Platform")
    menu_icon = "cogs"
    menu_order = 900
    items = (OrganisationViewSet("organisations"), MembershipViewSet("memberships"))


@hooks.register("register_admin_viewset")
def register_platform_viewsets():
    return PlatformViewSetGroup()
