"""The question statistics page of a question bank in the admin, for the
instructors who edit the bank; linked from the bank listing's buttons.
Its hooks are registered in ``progress.wagtail_hooks``."""

from django.core.exceptions import PermissionDenied
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.snippets.widgets import SnippetListingButton

from courses.models import QuestionBank
from courses.selectors import question_bank_get_for_edit
from progress.selectors.quiz_stats import DISCRIMINATION_SHARE, question_stats_for


class QuestionStatsView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "progress/admin/question_stats.html"
    page_title = _("Question statistics")
    header_icon = "table"

    def dispatch(self, request, *args, bank_id: int, **kwargs):
        self.bank = question_bank_get_for_edit(user=request.user, bank_id=bank_id)
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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["bank"] = self.bank
        context["stats"] = question_stats_for(bank=self.bank)
        context["share_percent"] = int(DISCRIMINATION_SHARE * 100)
        return context


def register_question_stats_urls():
    urls = [path("<int:bank_id>/", QuestionStatsView.as_view(), name="question-stats")]
    return [path("question-stats/", include((urls, "progress_quiz"), namespace="progress_quiz"))]


def question_stats_button(snippet, user, next_url=None):
    if isinstance(snippet, QuestionBank):
        yield SnippetListingButton(
            _("Question statistics"),
            reverse("progress_quiz:question-stats", args=[snippet.pk]),
            icon_name="table",
            priority=20,
        )
