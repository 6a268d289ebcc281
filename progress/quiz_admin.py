"""The question statistics page of a question bank in the admin, for the
instructors who edit the bank; linked from the bank listing's buttons.
Its hooks are registered in ``progress.wagtail_hooks``."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.snippets.widgets import SnippetListingButton

from courses.admin_views import QuestionBankPageMixin
from courses.models import QuestionBank
from progress.selectors.quiz_stats import DISCRIMINATION_SHARE, question_stats_for


class QuestionStatsView(QuestionBankPageMixin, TemplateView):
    template_name = "progress/admin/question_stats.html"
    page_title = _("Question statistics")
    header_icon = "table"

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
