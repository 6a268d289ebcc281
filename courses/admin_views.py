"""Admin pages shared by the apps that add pages about a question bank."""

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from courses import selectors
from courses.models import QuestionBank


class QuestionBankPageMixin(WagtailAdminTemplateMixin):
    """An admin page about one bank (``bank_id`` in the URL) for the users
    who may edit it, under the bank in the breadcrumbs (the import here, the
    question statistics in progress)."""

    def dispatch(self, request, *args, bank_id: int, **kwargs):
        self.bank = selectors.question_bank_get_for_edit(user=request.user, bank_id=bank_id)
        if self.bank is None:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.bank.title

    def get_breadcrumbs_items(self):
        viewset = QuestionBank.snippet_viewset
        return [
            *self.breadcrumbs_items,
            {"url": reverse(viewset.get_url_name("list")), "label": _("Question banks")},
            {
                "url": reverse(viewset.get_url_name("edit"), args=[self.bank.pk]),
                "label": self.bank.title,
            },
            {"url": "", "label": self.get_page_title()},
        ]
