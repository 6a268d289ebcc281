"""Admin customisation: instructors see only their own courses; question
banks as a snippet, and the question import."""

import functools

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.urls import include, path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, View
from wagtail import hooks
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import Column, UpdatedAtColumn
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
    SnippetChosenView,
)
from wagtail.snippets.views.snippets import SnippetViewSet
from wagtail.snippets.widgets import SnippetListingButton

from courses import selectors, services
from courses.admin_views import QuestionBankPageMixin
from courses.forms import QuestionBankForm, QuestionImportForm, QuizForm
from courses.models import QuestionBank, Quiz
from lms.exceptions import ApplicationError


@hooks.register("construct_explorer_page_queryset")
def hide_courses_not_taught(parent_page, pages, request):
    # Editing is refused by the page permission testers (courses.permissions);
    # this keeps other instructors' courses out of the explorer listings and
    # the sidebar's page menu.
    return selectors.explorer_pages_visible_to(user=request.user, pages=pages)


# --- Question banks -------------------------------------------------------------
# A snippet with its questions inline (and each question's options nested).
# Instructors manage the banks of the providers they teach for; platform
# admins (and holders of the model permission) manage all of them. The
# listing is scoped by the viewset's queryset; every view of one bank (edit,
# delete, history, revisions, usage) is checked by wrapping its URL.

_BANK_ACTIONS = frozenset({"add", "change", "delete", "view"})


class QuestionBankPermissionPolicy(ModelPermissionPolicy):
    def _in_scope(self, user) -> bool:
        return selectors.question_bank_provider_ids_for(user=user) != frozenset()

    def user_has_permission(self, user, action):
        if action in _BANK_ACTIONS and self._in_scope(user):
            return True
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        if action in _BANK_ACTIONS:
            return selectors.question_bank_editable(user=user, bank=instance)
        return super().user_has_permission_for_instance(user, action, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        if _BANK_ACTIONS.intersection(actions):
            return QuestionBank.objects.filter(
                pk__in=selectors.question_banks_editable_by(user=user).values("pk")
            )
        return super().instances_user_has_any_permission_for(user, actions)


def _bank_id(pk: str) -> int | None:
    """The bank id in a snippet URL (quoted by Wagtail), or None if it is not one."""
    try:
        return int(unquote(pk))
    except ValueError:
        return None


def _object_scoped(view, *, model, get_for_edit):
    """Refuse a view of one bank or quiz (its ``pk`` URL argument) to users
    who may not edit it; ``get_for_edit(user, pk)`` is the scoped lookup."""

    @functools.wraps(view)
    def scoped(request, *args, pk, **kwargs):
        object_id = _bank_id(pk)
        if object_id is None:
            raise Http404
        if get_for_edit(request.user, object_id) is None:
            if not model.objects.filter(pk=object_id).exists():
                raise Http404
            raise PermissionDenied
        return view(request, *args, pk=pk, **kwargs)

    return scoped


def _bank_scoped(view):
    return _object_scoped(
        view,
        model=QuestionBank,
        get_for_edit=lambda user, pk: selectors.question_bank_get_for_edit(user=user, bank_id=pk),
    )


class _BankChoiceScoped:
    def get_object_list(self):
        return selectors.question_banks_editable_by(user=self.request.user)


class _BankChosenView(SnippetChosenView):
    def get_object(self, pk):
        bank_id = _bank_id(pk)
        bank = (
            None
            if bank_id is None
            else selectors.question_bank_get_for_edit(user=self.request.user, bank_id=bank_id)
        )
        if bank is None:
            raise QuestionBank.DoesNotExist
        return bank


class QuestionBankChooserViewSet(SnippetChooserViewSet):
    """The bank chooser (for quizzes) offers the banks the user may edit."""

    choose_view_class = type("ChooseView", (_BankChoiceScoped, ChooseView), {})
    choose_results_view_class = type(
        "ChooseResultsView", (_BankChoiceScoped, ChooseResultsView), {}
    )
    chosen_view_class = _BankChosenView


class QuestionBankViewSet(SnippetViewSet):
    model = QuestionBank
    icon = "help"
    menu_label = _("Question banks")
    menu_name = "question-banks"
    menu_order = 250
    add_to_admin_menu = True
    copy_view_enabled = False
    chooser_viewset_class = QuestionBankChooserViewSet
    list_display = [
        "title",
        "trade",
        Column("level", label=_("Skill level"), accessor="get_level_display"),
        "provider",
        Column("question_count", label=_("Questions")),
        UpdatedAtColumn(),
    ]
    list_filter = ["trade", "level", "provider"]
    search_fields = ["title", "description"]
    search_backend_name = None  # the ORM's icontains: Chinese titles match as typed
    ordering = ["title"]
    edit_handler = ObjectList(QuestionBank.panels, base_form_class=QuestionBankForm)

    @cached_property
    def permission_policy(self):
        return QuestionBankPermissionPolicy(self.model)

    def get_queryset(self, request):
        return selectors.question_banks_editable_by(user=request.user)

    def get_urlpatterns(self):
        urlpatterns = super().get_urlpatterns()
        for pattern in urlpatterns:
            if "pk" in pattern.pattern.regex.groupindex:
                pattern.callback = _bank_scoped(pattern.callback)
        return urlpatterns


register_snippet(QuestionBankViewSet)


# --- Quizzes and exams ------------------------------------------------------------
# The same scope as the banks: a provider's instructors edit its quizzes, and
# a quiz draws only from its own provider's banks (``QuizDraw.clean``).


class QuizPermissionPolicy(QuestionBankPermissionPolicy):
    def user_has_permission_for_instance(self, user, action, instance):
        if action in _BANK_ACTIONS:
            scope = selectors.question_bank_provider_ids_for(user=user)
            return scope is None or instance.provider_id in scope
        return super().user_has_permission_for_instance(user, action, instance)

    def instances_user_has_any_permission_for(self, user, actions):
        if _BANK_ACTIONS.intersection(actions):
            return Quiz.objects.filter(pk__in=selectors.quizzes_editable_by(user=user).values("pk"))
        return super().instances_user_has_any_permission_for(user, actions)


class _QuizChoiceScoped:
    def get_object_list(self):
        return selectors.quizzes_editable_by(user=self.request.user)


class _QuizChosenView(SnippetChosenView):
    def get_object(self, pk):
        quiz_id = _bank_id(pk)
        quiz = (
            None
            if quiz_id is None
            else selectors.quiz_get_for_edit(user=self.request.user, quiz_id=quiz_id)
        )
        if quiz is None:
            raise Quiz.DoesNotExist
        return quiz


class QuizChooserViewSet(SnippetChooserViewSet):
    """The quiz chooser (on lessons and courses) offers the user's quizzes."""

    choose_view_class = type("ChooseView", (_QuizChoiceScoped, ChooseView), {})
    choose_results_view_class = type(
        "ChooseResultsView", (_QuizChoiceScoped, ChooseResultsView), {}
    )
    chosen_view_class = _QuizChosenView


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "tasks"
    menu_label = _("Quizzes and exams")
    menu_name = "quizzes"
    menu_order = 251
    add_to_admin_menu = True
    copy_view_enabled = False
    chooser_viewset_class = QuizChooserViewSet
    list_display = [
        "title",
        Column("kind", label=_("Type"), accessor="get_kind_display"),
        "provider",
        Column("draw_count", label=_("Draws")),
        UpdatedAtColumn(),
    ]
    list_filter = ["kind", "provider"]
    search_fields = ["title"]
    search_backend_name = None
    ordering = ["title"]
    edit_handler = ObjectList(Quiz.panels, base_form_class=QuizForm)

    @cached_property
    def permission_policy(self):
        return QuizPermissionPolicy(self.model)

    def get_queryset(self, request):
        return selectors.quizzes_editable_by(user=request.user)

    def get_urlpatterns(self):
        urlpatterns = super().get_urlpatterns()
        for pattern in urlpatterns:
            if "pk" in pattern.pattern.regex.groupindex:
                pattern.callback = _object_scoped(
                    pattern.callback,
                    model=Quiz,
                    get_for_edit=lambda user, pk: selectors.quiz_get_for_edit(
                        user=user, quiz_id=pk
                    ),
                )
        return urlpatterns


register_snippet(QuizViewSet)


@hooks.register("register_snippet_listing_buttons")
def question_bank_import_button(snippet, user, next_url=None):
    if isinstance(snippet, QuestionBank):
        yield SnippetListingButton(
            _("Import questions"),
            reverse("courses_admin:question-import", args=[snippet.pk]),
            icon_name="upload",
            priority=15,
        )


class QuestionImportView(QuestionBankPageMixin, FormView):
    """Upload an XLSX or CSV file of questions into one bank and see the
    row-by-row report (also downloadable as CSV)."""

    template_name = "courses/admin/question_import.html"
    form_class = QuestionImportForm
    page_title = _("Import questions")
    header_icon = "upload"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["bank"] = self.bank
        context["edit_url"] = reverse(
            QuestionBank.snippet_viewset.get_url_name("edit"), args=[self.bank.pk]
        )
        return context

    def form_valid(self, form):
        try:
            report = services.question_bank_import(
                bank=self.bank, file=form.cleaned_data["file"], user=self.request.user
            )
        except ApplicationError as exc:
            form.add_error("file", exc.message)
            return self.form_invalid(form)
        # The last report of each bank, for the CSV download link.
        self.request.session[_report_session_key(self.bank.pk)] = report.as_csv().decode("utf-8")
        if report.failed:
            messages.warning(
                self.request,
                _("%(created)s questions imported, %(failed)s rows not imported.")
                % {"created": report.created, "failed": report.failed},
            )
        else:
            messages.success(
                self.request, _("%(created)s questions imported.") % {"created": report.created}
            )
        return self.render_to_response(
            self.get_context_data(form=self.get_form_class()(), report=report)
        )


def _report_session_key(bank_id: int) -> str:
    return f"courses_question_import_report_{bank_id}"


class QuestionImportReportView(View):
    def get(self, request, bank_id: int):
        bank = selectors.question_bank_get_for_edit(user=request.user, bank_id=bank_id)
        if bank is None:
            raise PermissionDenied
        content = request.session.get(_report_session_key(bank.pk))
        if content is None:
            raise Http404
        response = HttpResponse(content.encode("utf-8"), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="question-import-{bank.pk}-report.csv"'
        )
        return response


QUESTION_IMPORT_TEMPLATE = (
    "题型,分类,难度,题干,A,B,C,D,E,F,答案,允许误差,单位,解析\r\n"
    "单选,安全,1,焊接作业前必须检查焊机外壳是否可靠接地。下列做法正确的是,"
    "接地线接到暖气管上,接地线接到专用接地极上,不接地,接到脚手架上,,,B,,,"
    "接地必须接到专用接地装置上。\r\n"
    '多选,防护,2,焊工个人防护用品包括,焊接面罩,焊工手套,绝缘鞋,化纤衣服,,,"A,B,C",,,'
    "化纤衣服遇火花易熔化烧伤皮肤。\r\n"
    "判断,工艺,2,碱性焊条使用前应烘干。,,,,,,,对,,,烘干可去除药皮中的水分。\r\n"
    "数值,计算,3,按 I=40d 计算直径 3.2 mm 焊条的焊接电流。,,,,,,,128,2,A,40×3.2=128 A。\r\n"
)


class QuestionImportTemplateView(View):
    """An example file: the columns the import reads, one row per type."""

    def get(self, request):
        if not QuestionBank.snippet_viewset.permission_policy.user_has_permission(
            request.user, "change"
        ):
            raise PermissionDenied
        # A BOM so that Excel opens the Chinese titles intact.
        content = ("\ufeff" + QUESTION_IMPORT_TEMPLATE).encode("utf-8")
        response = HttpResponse(content, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="question-import-template.csv"'
        return response


@hooks.register("register_admin_urls")
def register_question_import_urls():
    urls = [
        path("template/", QuestionImportTemplateView.as_view(), name="question-import-template"),
        path("<int:bank_id>/", QuestionImportView.as_view(), name="question-import"),
        path(
            "<int:bank_id>/report/",
            QuestionImportReportView.as_view(),
            name="question-import-report",
        ),
    ]
    return [path("question-import/", include((urls, "courses_admin"), namespace="courses_admin"))]
