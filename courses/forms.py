"""Parsing of the catalogue's query parameters (``q``, ``trade``, ``level``).

Bad values are ignored rather than answered with an error page: a worker who
follows an old link still sees the catalogue.
"""

from django import forms
from django.forms.formsets import DELETION_FIELD_NAME, ORDERING_FIELD_NAME
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from courses.models import SkillLevel, question_option_errors, quiz_draw_provider_error

QUERY_MAX_LENGTH = 100


def level_from_param(value: str | None) -> int | None:
    """The skill level in a query parameter, or None when absent or invalid."""
    try:
        level = int(value or "")
    except ValueError:
        return None
    return level if level in SkillLevel.values else None


class CatalogueFilterForm(forms.Form):
    # The template writes the inputs itself (chips and hidden fields keep the
    # other filters); the form only parses.
    q = forms.CharField(label=_("Search courses"), required=False, max_length=QUERY_MAX_LENGTH)
    trade = forms.SlugField(required=False, allow_unicode=True)
    level = forms.TypedChoiceField(
        required=False, choices=SkillLevel.choices, coerce=int, empty_value=None
    )

    def cleaned_filters(self) -> dict:
        """Keyword arguments for ``selectors.course_search``; invalid fields are dropped."""
        self.is_valid()
        data = self.cleaned_data
        query = data.get("q")
        if query is None:  # too long: search with its beginning
            query = str(self.data.get("q", ""))[:QUERY_MAX_LENGTH]
        return {
            "query": query.strip(),
            "trade_slug": data.get("trade") or None,
            "level": data.get("level"),
        }


# --- Question banks (admin) -----------------------------------------------------


class ProviderScopedForm(WagtailAdminModelForm):
    """A snippet form whose ``provider`` choices are limited to the providers
    the user's question-bank scope covers (banks and quizzes)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from courses.selectors import question_bank_provider_ids_for

        if "provider" in self.fields and self.for_user is not None:
            scope = question_bank_provider_ids_for(user=self.for_user)
            if scope is not None:
                field = self.fields["provider"]
                field.queryset = field.queryset.filter(pk__in=scope)


class QuestionBankForm(ProviderScopedForm):
    """The bank snippet's form: providers limited to the user's own, the
    option rules checked across each question's nested options, and a
    question's ``version`` raised when its content changes."""

    def _live_question_forms(self) -> list:
        """The question forms that are kept (not deleted), validated."""
        formset = self.formsets.get("questions")
        if formset is None:
            return []
        forms_kept = []
        for form in formset.forms:
            form.is_valid()  # validates the question and its nested options first
            if getattr(form, "cleaned_data", None) and not formset._should_delete_form(form):
                forms_kept.append(form)
        return forms_kept

    def clean(self):
        cleaned_data = super().clean()
        for form in self._live_question_forms():
            kind = form.cleaned_data.get("kind")
            if not kind:
                continue
            options_formset = form.formsets.get("options")
            options = [
                {"is_correct": bool(option_form.cleaned_data.get("is_correct"))}
                for option_form in (options_formset.forms if options_formset else [])
                if getattr(option_form, "cleaned_data", None)
                and not options_formset._should_delete_form(option_form)
            ]
            for message in question_option_errors(kind, options):
                form.add_error(None, message)
        return cleaned_data

    def is_valid(self):
        # The option errors are added to question forms from this form's
        # clean(); make sure they count whatever order the checks run in.
        valid = super().is_valid()
        return valid and not any(form.errors for form in self._live_question_forms())

    def save(self, commit=True):
        formset = self.formsets.get("questions")
        for form in formset.forms if formset is not None else []:
            if form.instance.pk and _question_content_changed(form):
                form.instance.version = (form.instance.version or 0) + 1
        return super().save(commit=commit)


def _form_changed(form) -> bool:
    # Moving a question or an option is not a change of its content.
    return bool(set(form.changed_data) - {ORDERING_FIELD_NAME, DELETION_FIELD_NAME})


def _question_content_changed(form) -> bool:
    if _form_changed(form):
        return True
    options_formset = form.formsets.get("options")
    for option_form in options_formset.forms if options_formset is not None else []:
        if not getattr(option_form, "cleaned_data", None):
            continue
        deleted = options_formset._should_delete_form(option_form)
        if option_form.instance.pk is None and not deleted:
            return True  # a new option
        if option_form.instance.pk is not None and (deleted or _form_changed(option_form)):
            return True
    return False


QUESTION_IMPORT_EXTENSIONS = (".xlsx", ".csv")


class QuestionImportForm(forms.Form):
    file = forms.FileField(
        label=_("Question file"),
        help_text=_("An .xlsx workbook or a .csv file (UTF-8 or GB18030), one question a row."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(QUESTION_IMPORT_EXTENSIONS):
            raise forms.ValidationError(_("Upload an .xlsx workbook or a .csv file."))
        return upload


class QuizForm(ProviderScopedForm):
    """The quiz snippet's form: providers limited to the user's own, and
    each draw from a bank of the quiz's provider (``QuizDraw.clean`` checks
    the bank's size)."""

    def _live_draw_forms(self) -> list:
        formset = self.formsets.get("draws")
        if formset is None:
            return []
        kept = []
        for form in formset.forms:
            form.is_valid()
            if getattr(form, "cleaned_data", None) and not formset._should_delete_form(form):
                kept.append(form)
        return kept

    def clean(self):
        cleaned_data = super().clean()
        provider = cleaned_data.get("provider")
        for form in self._live_draw_forms() if provider is not None else []:
            bank = form.cleaned_data.get("bank")
            if bank is not None and bank.provider_id != provider.pk:
                form.add_error("bank", quiz_draw_provider_error(bank))
        return cleaned_data

    def is_valid(self):
        valid = super().is_valid()
        return valid and not any(form.errors for form in self._live_draw_forms())
