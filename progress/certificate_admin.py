"""Certificates in the Wagtail admin, for superusers and platform admins: the
listing (search by code, worker or course) and a Revoke page that asks for
the reason and calls ``certificate_revoke``. Registered by
``progress.wagtail_hooks``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import ListingButton

from lms.exceptions import ApplicationError
from progress import selectors, services
from progress.models import Certificate
from progress.xapi.admin_views import PlatformAdminPolicy, _is_platform_admin


def certificate_state(certificate: Certificate) -> str:
    return str(_("revoked")) if certificate.revoked else str(_("valid"))


class CertificateIndexView(IndexView):
    def get_base_queryset(self):
        return selectors.certificate_list()

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        buttons.append(
            ListingButton(
                _("Verification page"),
                url=reverse("verify:detail", args=[instance.code]),
                icon_name="link-external",
            )
        )
        if not instance.revoked:
            buttons.append(
                ListingButton(
                    _("Revoke"),
                    url=reverse("certificates_admin:revoke", args=[instance.pk]),
                    icon_name="cross",
                )
            )
        return buttons


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        help_text=_("Shown on the public verification page."),
    )


class CertificateRevokeView(WagtailAdminTemplateMixin, FormView):
    """Ask for the reason, then revoke through the service."""

    template_name = "progress/admin/certificate_revoke.html"
    form_class = RevokeForm
    page_title = _("Revoke certificate")
    header_icon = "cross"

    def dispatch(self, request, *args, **kwargs):
        if not _is_platform_admin(request.user):
            raise PermissionDenied
        self.certificate = Certificate.objects.filter(pk=kwargs["pk"]).first()
        if self.certificate is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return f"{self.certificate.code} · {self.certificate.worker_name}"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "certificate": self.certificate}

    def form_valid(self, form):
        try:
            services.certificate_revoke(
                certificate=self.certificate,
                actor=self.request.user,
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            form.add_error("reason", exc.message)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(self.request, _("The certificate was revoked."))
        return redirect("certificates_admin:index")

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class CertificateViewSet(ModelViewSet):
    model = Certificate
    icon = "doc-full"
    menu_label = _("Certificates")
    add_to_admin_menu = True
    menu_order = 280
    url_prefix = "certificates"
    name = "certificates_admin"
    index_view_class = CertificateIndexView
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_fields = [
        "code",
        "worker_name",
        "id_number_masked",
        "course_title",
        "trade",
        "level",
        "study_hours",
        "final_score",
        "course_revision_id",
        "issuer_name",
        "issued_at",
        "ledger_entry_hash",
        "revoked_at",
        "revoked_reason",
        "revoked_by",
    ]
    form_fields = ["revoked_reason"]  # no add or edit view is reachable (view permission only)
    search_fields = ["code", "worker_name", "course_title"]
    list_display = [
        "code",
        "worker_name",
        "course_title",
        "issuer_name",
        "issued_at",
        Column("state", label=_("State"), accessor=certificate_state),
    ]
    permission_policy = PlatformAdminPolicy(Certificate, actions=("view",))

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/revoke/", CertificateRevokeView.as_view(), name="revoke"),
        ]
