"""Question banks: a Wagtail snippet, bank → questions → options."""

import uuid

from django import forms
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.models import Orderable, RevisionMixin

from courses.models.pages import SkillLevel

# --- Question banks -----------------------------------------------------------
# Course content for quizzes and exams (progress builds those on top): a bank
# per trade and skill level, owned by a training provider, edited by that
# provider's instructors as a Wagtail snippet with its questions inline and
# each question's options nested inline. Revisions are Wagtail's (history and
# compare); there is no draft state, because an attempt freezes a copy of the
# questions it drew (``courses.grading``) and imports write the live rows.

QUESTION_MAX_OPTIONS = 8


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True / false")
    NUMERIC = "numeric", _("Numeric answer")


class QuestionDifficulty(models.IntegerChoices):
    EASY = 1, _("Easy")
    MEDIUM = 2, _("Medium")
    HARD = 3, _("Hard")


class MultipleChoiceScoring(models.TextChoices):
    """How a multiple-choice answer scores (``courses.grading``)."""

    ALL_OR_NOTHING = "all_or_nothing", _("All or nothing: 1 for exactly the correct options")
    PARTIAL = (
        "partial",
        _("Partial: 1/k for each of the k correct options chosen, 0 if any wrong option is chosen"),
    )


class QuestionBank(RevisionMixin, ClusterableModel):
    """Questions for one trade and skill level, owned by a training provider."""

    title = models.CharField(_("title"), max_length=200)
    trade = models.ForeignKey(
        "courses.TradePage",
        verbose_name=_("trade"),
        on_delete=models.PROTECT,
        related_name="question_banks",
    )
    level = models.IntegerField(_("skill level"), choices=SkillLevel, default=SkillLevel.ENTRY)
    provider = models.ForeignKey(
        "lms.Organisation",
        verbose_name=_("training provider"),
        on_delete=models.PROTECT,
        related_name="question_banks",
        limit_choices_to=Q(kind="provider"),
        help_text=_("Its instructors edit this bank."),
    )
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="questionbank")

    panels = [
        FieldPanel("title"),
        FieldRowPanel(
            [
                # A list of the (few) trades rather than the page chooser.
                FieldPanel("trade", widget=forms.Select),
                FieldPanel("level"),
                FieldPanel("provider"),
            ]
        ),
        FieldPanel("description"),
        InlinePanel("questions", heading=_("Questions"), label=_("Question")),
    ]

    class Meta:
        verbose_name = _("question bank")
        verbose_name_plural = _("question banks")
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5), name="questionbank_level_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def revisions(self):
        return self._revisions


def question_option_errors(kind: str, options) -> list[str]:
    """What is wrong with ``options`` (objects or dicts with ``is_correct``)
    for a question of ``kind``; empty when they fit. One rule for the admin
    form, the services and the import."""
    count = len(options)
    correct = sum(
        1
        for option in options
        if (option["is_correct"] if isinstance(option, dict) else option.is_correct)
    )
    if kind in (QuestionKind.TRUE_FALSE, QuestionKind.NUMERIC):
        if count:
            return [_("A true/false or numeric question has no options.")]
        return []
    errors = []
    if count < 2:
        errors.append(_("A choice question needs at least two options."))
    if count > QUESTION_MAX_OPTIONS:
        errors.append(_("A question has at most %(max)s options.") % {"max": QUESTION_MAX_OPTIONS})
    if kind == QuestionKind.SINGLE and correct != 1:
        errors.append(_("A single-choice question needs exactly one correct option."))
    if kind == QuestionKind.MULTIPLE and correct < 1:
        errors.append(_("A multiple-choice question needs at least one correct option."))
    return errors


class Question(Orderable, ClusterableModel):
    """One question. ``uuid`` stays the same across edits and ``version``
    grows when its content changes, so an attempt's frozen copy can name the
    question it was taken from."""

    bank = ParentalKey(
        "courses.QuestionBank",
        verbose_name=_("question bank"),
        on_delete=models.CASCADE,
        related_name="questions",
    )
    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, editable=False, unique=True)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    kind = models.CharField(
        _("type"), max_length=20, choices=QuestionKind.choices, default=QuestionKind.SINGLE
    )
    stem = models.TextField(_("question"), max_length=2000, validators=[MaxLengthValidator(2000)])
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    category = models.CharField(
        _("category"),
        max_length=50,
        blank=True,
        help_text=_("A short topic, e.g. 安全 or 工艺; quizzes draw questions per category."),
    )
    difficulty = models.IntegerField(
        _("difficulty"), choices=QuestionDifficulty, default=QuestionDifficulty.MEDIUM
    )
    explanation = models.TextField(
        _("explanation"), blank=True, help_text=_("Shown to the worker in the review.")
    )
    scoring = models.CharField(
        _("multiple-choice scoring"),
        max_length=20,
        choices=MultipleChoiceScoring.choices,
        default=MultipleChoiceScoring.ALL_OR_NOTHING,
    )
    statement_is_true = models.BooleanField(
        _("the statement is true"),
        null=True,
        blank=True,
        help_text=_("True / false questions only."),
    )
    answer_value = models.DecimalField(
        _("answer"),
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Numeric questions only."),
    )
    tolerance = models.DecimalField(
        _("tolerance (±)"),
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Numeric questions: answers within ± this much are correct (inclusive)."),
    )
    unit = models.CharField(
        _("unit"), max_length=20, blank=True, help_text=_("Shown next to the input, e.g. A.")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    panels = [
        FieldRowPanel([FieldPanel("kind"), FieldPanel("category"), FieldPanel("difficulty")]),
        FieldPanel("stem"),
        FieldPanel("image"),
        FieldPanel("scoring"),
        FieldPanel("statement_is_true"),
        FieldRowPanel(
            [FieldPanel("answer_value"), FieldPanel("tolerance"), FieldPanel("unit")],
            heading=_("Numeric answer"),
        ),
        InlinePanel("options", heading=_("Options"), label=_("Option")),
        FieldPanel("explanation"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.CheckConstraint(
                condition=Q(difficulty__gte=1, difficulty__lte=3),
                name="question_difficulty_1_to_3",
            ),
            models.CheckConstraint(
                condition=Q(tolerance__isnull=True) | Q(tolerance__gte=0),
                name="question_tolerance_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["bank", "category", "difficulty"], name="question_draw_idx")
        ]

    def __str__(self) -> str:
        return Truncator(self.stem).chars(60)

    def clean(self):
        super().clean()
        errors = {}
        if self.kind == QuestionKind.TRUE_FALSE and self.statement_is_true is None:
            errors["statement_is_true"] = _(
                "Say whether the statement of a true/false question is true."
            )
        if self.kind == QuestionKind.NUMERIC:
            if self.answer_value is None:
                errors["answer_value"] = _("A numeric question needs its answer.")
            if self.tolerance is None:
                errors["tolerance"] = _("Enter the tolerance (0 for an exact answer).")
            elif self.tolerance < 0:
                errors["tolerance"] = _("The tolerance cannot be negative.")
        if errors:
            raise ValidationError(errors)

    def clean_options(self, options=None) -> None:
        """The rules across the options (``question_option_errors``); the
        question's own options unless others are given (a form's)."""
        options = list(self.options.all()) if options is None else options
        errors = question_option_errors(self.kind, options)
        if errors:
            raise ValidationError(errors)


class QuestionOption(Orderable):
    """A choice of a single- or multiple-choice question. The player names it
    by ``uuid``, which says nothing about its position or correctness."""

    question = ParentalKey(
        "courses.Question",
        verbose_name=_("question"),
        on_delete=models.CASCADE,
        related_name="options",
    )
    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, editable=False, unique=True)
    text = models.CharField(_("text"), max_length=300, blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_correct = models.BooleanField(_("correct"), default=False)

    panels = [
        FieldRowPanel([FieldPanel("text"), FieldPanel("is_correct")]),
        FieldPanel("image"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self) -> str:
        return self.text

    def clean(self):
        super().clean()
        if not self.text.strip() and self.image_id is None:
            raise ValidationError(_("An option needs a text or an image."))
