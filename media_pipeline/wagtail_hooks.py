"""Videos in the Wagtail admin: a snippet listing with live status, and an
upload page (the viewset's "add" view) whose progress bar is driven by
``media_pipeline/upload.js`` through the upload API.

The asset is a snippet so lessons pick it with Wagtail's snippet chooser.
Instructors and platform admins upload and edit titles; only platform admins
delete. Adding goes through the upload page: an asset never exists without an
upload on its way.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import ListingButton
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet

from lms import selectors as lms_selectors
from lms.models import Membership, User
from media_pipeline import uploads
from media_pipeline.models import VideoAsset


class VideoPermissionPolicy(BasePermissionPolicy):
    """Uploaders (instructors, platform admins) add, change and view videos;
    platform admins also delete them."""

    def _flags(self, user) -> tuple[bool, bool]:
        # Wagtail asks many times per request (menu, buttons, rows): ask once.
        cached = getattr(user, "_media_pipeline_video_flags", None)
        if cached is None:
            cached = (
                uploads.upload_user_may_upload(user=user),
                lms_selectors.user_is_platform_admin(user=user),
            )
            if user.is_authenticated:
                user._media_pipeline_video_flags = cached
        return cached

    def user_has_permission(self, user, action):
        may_upload, is_platform_admin = self._flags(user)
        if action == "delete":
            return may_upload and is_platform_admin
        return may_upload and action in ("add", "change", "view")

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        roles = [Membership.Role.PLATFORM_ADMIN]
        if set(actions) - {"delete"}:
            roles.append(Membership.Role.INSTRUCTOR)
        return User.objects.filter(
            Q(is_superuser=True) | Q(memberships__role__in=roles), is_active=True
        ).distinct()


class UploadView(WagtailAdminTemplateMixin, TemplateView):
    """Pick a file and watch it upload, then process. ``?asset=<id>`` replaces
    the source of an existing video (which keeps playing until the new one is
    ready)."""

    template_name = "media_pipeline/admin/upload.html"
    header_icon = "media"
    index_url_name = None

    def dispatch(self, request, *args, **kwargs):
        if not uploads.upload_user_may_upload(user=request.user):
            raise PermissionDenied
        self.asset = None
        if request.GET.get("asset", "").isdigit():
            self.asset = get_object_or_404(VideoAsset, pk=request.GET["asset"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return _("Replace the video file") if self.asset else _("Upload a video")

    def get_page_subtitle(self):
        return self.asset.title if self.asset else ""

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": VideoAsset._meta.verbose_name_plural},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        max_bytes = getattr(
            settings, "MEDIA_PIPELINE_MAX_UPLOAD_BYTES", uploads.DEFAULT_MAX_UPLOAD_BYTES
        )
        context.update(
            asset=self.asset,
            index_url=reverse(self.index_url_name),
            uploads_url=reverse("media-upload-list"),
            # upload.js puts the id in place of the 0.
            asset_status_url=reverse("media-asset-status", args=[0]),
            accept=",".join(f".{extension}" for extension in uploads.VIDEO_EXTENSIONS) + ",video/*",
            max_bytes=max_bytes,
            max_gb=f"{max_bytes / 1024**3:.4g}",
        )
        return context


class VideoIndexView(IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if self.permission_policy.user_has_permission(self.request.user, "add"):
            buttons.append(
                ListingButton(
                    _("Replace file"),
                    url=f"{self.add_url}?asset={instance.pk}",
                    icon_name="upload",
                    priority=15,
                )
            )
        return buttons


class VideoAssetViewSet(SnippetViewSet):
    model = VideoAsset
    icon = "media"
    menu_label = _("Videos")
    menu_name = "videos"
    menu_order = 250
    add_to_admin_menu = True
    index_view_class = VideoIndexView
    list_display = [
        "title",
        Column("status", label=_("status"), accessor="get_status_display"),
        Column("progress", label=_("progress (%)")),
        Column("failure_reason", label=_("why processing failed")),
        Column("duration", label=_("duration (s)")),
    ]
    list_filter = ["status"]
    form_fields = ["title"]
    inspect_view_enabled = True

    @cached_property
    def permission_policy(self):
        return VideoPermissionPolicy(self.model)

    @cached_property
    def add_view(self):
        # Adding a video is uploading one.
        return self.construct_view(UploadView, index_url_name=self.get_url_name("list"))


register_snippet(VideoAssetViewSet)
