"""The LRS in the Wagtail admin (Settings menu), for superusers and platform
admins only: client systems (a new one shows its secret once) and the
forwarding outbox (pending statements, dead letters with their last error,
and retrying them). Registered by ``progress.wagtail_hooks``."""

from __future__ import annotations

import django_filters
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import CreateView, IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton, ListingButton
from wagtail.permission_policies.base import BasePermissionPolicy

from lms.models import Membership
from lms.selectors import user_is_platform_admin

from .models import XAPIClient, XAPIForward
from .services import forwards_retry_dead, xapi_client_create


def _is_platform_admin(user) -> bool:
    cached = getattr(user, "_xapi_platform_admin", None)
    if cached is None:
        cached = user_is_platform_admin(user=user)
        user._xapi_platform_admin = cached
    return cached


class PlatformAdminPolicy(BasePermissionPolicy):
    """Superusers and platform admins may do ``actions`` on the model; no
    one else may do anything (Django model permissions play no part)."""

    def __init__(self, model, actions: tuple[str, ...]):
        super().__init__(model)
        self.actions = set(actions)

    def user_has_permission(self, user, action):
        return action in self.actions and _is_platform_admin(user)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        if not self.actions.intersection(actions):
            return get_user_model().objects.none()
        return (
            get_user_model()
            .objects.filter(
                Q(is_superuser=True) | Q(memberships__role=Membership.Role.PLATFORM_ADMIN),
                is_active=True,
            )
            .distinct()
        )

    def users_with_permission(self, action):
        return self.users_with_any_permission([action])


# --- client systems ---------------------------------------------------------------


class ClientCreateView(CreateView):
    """Register a client through ``xapi_client_create`` and show its key and
    secret on the next page, once: only the secret's hash is kept."""

    def save_instance(self):
        data = self.form.cleaned_data
        client, self.secret = xapi_client_create(
            name=data["name"],
            organisation=data["organisation"],
            can_write=data["can_write"],
            can_read_all=data["can_read_all"],
        )
        return client

    def form_valid(self, form):
        self.form = form
        self.object = self.save_instance()
        return self.render_to_response(
            {
                **self.get_context_data(form=form),
                "client": self.object,
                "secret": self.secret,
                "endpoint": self.request.build_absolute_uri(reverse("xapi:about"))[: -len("about")],
            }
        )

    def get_template_names(self):
        if getattr(self, "secret", None):
            return ["progress/xapi/client_created.html"]
        return super().get_template_names()


class XAPIClientViewSet(ModelViewSet):
    model = XAPIClient
    icon = "key"
    menu_label = _("xAPI clients")
    add_to_settings_menu = True
    menu_order = 900
    url_prefix = "xapi-clients"
    name = "xapi_clients"
    add_view_class = ClientCreateView
    copy_view_enabled = False
    form_fields = ["name", "organisation", "active", "can_write", "can_read_all"]
    list_display = ["name", "key", "organisation", "active", "can_write", "can_read_all"]
    # A client's statements keep it (PROTECT): clients are deactivated, not deleted.
    permission_policy = PlatformAdminPolicy(XAPIClient, actions=("add", "change", "view"))


# --- the forwarding outbox -----------------------------------------------------------


def forward_state(forward: XAPIForward) -> str:
    if forward.delivered_at:
        return str(_("delivered"))
    if forward.dead:
        return str(_("dead letter"))
    return str(_("pending"))


class ForwardFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(
        label=_("State"),
        choices=[
            ("pending", _("pending")),
            ("dead", _("dead letter")),
            ("delivered", _("delivered")),
        ],
        method="filter_state",
        empty_label=_("Any"),
    )

    class Meta:
        model = XAPIForward
        fields = []

    def filter_state(self, queryset, name, value):
        if value == "pending":
            return queryset.filter(delivered_at__isnull=True, dead=False)
        if value == "dead":
            return queryset.filter(delivered_at__isnull=True, dead=True)
        if value == "delivered":
            return queryset.filter(delivered_at__isnull=False)
        return queryset


class ForwardIndexView(IndexView):
    @cached_property
    def header_buttons(self):
        return [
            HeaderButton(
                _("Retry dead letters"),
                url=reverse("xapi_forwards:retry"),
                icon_name="resubmit",
            )
        ]

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("statement").order_by("-created", "-pk")

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if instance.dead and not instance.delivered_at:
            url = reverse("xapi_forwards:retry") + f"?id={instance.pk}"
            buttons.append(ListingButton(_("Retry"), url=url, icon_name="resubmit"))
        return buttons


class ForwardRetryView(WagtailAdminTemplateMixin, TemplateView):
    """Confirm, then give the dead letters (one, with ``?id=``, or all) a
    fresh set of attempts."""

    template_name = "progress/xapi/forwards_retry.html"
    page_title = _("Retry dead letters")
    header_icon = "resubmit"

    def dispatch(self, request, *args, **kwargs):
        if not _is_platform_admin(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def _ids(self) -> list[int] | None:
        value = self.request.GET.get("id") or self.request.POST.get("id")
        return [int(value)] if value and value.isdigit() else None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        dead = XAPIForward.objects.filter(dead=True, delivered_at__isnull=True)
        ids = self._ids()
        if ids is not None:
            dead = dead.filter(pk__in=ids)
            context["one"] = ids[0]
        context["dead"] = dead.count()
        return context

    def post(self, request):
        revived = forwards_retry_dead(ids=self._ids())
        messages.success(
            request,
            _("%(count)s dead letters will be sent again within a minute.") % {"count": revived},
        )
        return redirect("xapi_forwards:index")


class XAPIForwardViewSet(ModelViewSet):
    model = XAPIForward
    icon = "resubmit"
    menu_label = _("xAPI forwarding")
    add_to_settings_menu = True
    menu_order = 910
    url_prefix = "xapi-forwards"
    name = "xapi_forwards"
    index_view_class = ForwardIndexView
    filterset_class = ForwardFilterSet
    copy_view_enabled = False
    form_fields = ["last_error"]  # no add or edit view is reachable (view permission only)
    list_display = [
        "statement",  # the title column: it carries a dead letter's retry button
        Column("verb", label=_("Verb"), accessor="statement.verb_id"),
        Column("state", label=_("State"), accessor=forward_state),
        "attempts",
        "next_attempt_at",
        "last_error",
        "created",
    ]
    permission_policy = PlatformAdminPolicy(XAPIForward, actions=("view",))

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("retry/", ForwardRetryView.as_view(), name="retry"),
        ]
