"""Quizzes and exams: a Wagtail snippet that says how many questions to draw
from which question bank, and the rules of an attempt (time limit, attempt
limit, wait between attempts, pass mark, which attempt counts, review).

A section quiz hangs off a lesson (``LessonPage.quiz``), a final exam off a
course (``CoursePage.final_exam``). What a worker does with them (attempts,
answers, grades) lives in ``progress``; each attempt freezes its own copy of
the questions it drew, so editing a quiz or its banks never changes an
attempt already started.
"""

from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable, RevisionMixin

from .questions import Question, QuestionDifficulty

__all__ = [
    "CountingAttempt",
    "Quiz",
    "QuizDraw",
    "QuizKind",
    "quiz_draw_available",
    "quiz_draw_provider_error",
]


class QuizKind(models.TextChoices):
    SECTION = "section", _("Section quiz")
    FINAL = "final", _("Final exam")


class CountingAttempt(models.TextChoices):
    BEST = "best", _("The best attempt counts")
    LAST = "last", _("The last attempt counts")


class Quiz(RevisionMixin, ClusterableModel):
    """A quiz or exam: its questions are drawn at random per attempt from
    the banks named by its draws."""

    title = models.CharField(_("title"), max_length=200)
    provider = models.ForeignKey(
        "lms.Organisation",
        verbose_name=_("training provider"),
        on_delete=models.PROTECT,
        related_name="quizzes",
        limit_choices_to=Q(kind="provider"),
        help_text=_("Its instructors edit this quiz; it draws from this provider's banks."),
    )
    kind = models.CharField(
        _("type"), max_length=10, choices=QuizKind.choices, default=QuizKind.SECTION
    )
    instructions = models.TextField(_("instructions"), blank=True)
    time_limit_minutes = models.PositiveIntegerField(
        _("time limit (minutes)"), default=20, help_text=_("0 for no time limit.")
    )
    max_attempts = models.PositiveIntegerField(
        _("attempts allowed"), default=3, help_text=_("0 for unlimited attempts.")
    )
    pass_mark_percent = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=60, validators=[MaxValueValidator(100)]
    )
    wait_minutes = models.PositiveIntegerField(
        _("wait between attempts (minutes)"),
        default=0,
        help_text=_("How long a worker waits after submitting before trying again."),
    )
    counting = models.CharField(
        _("attempt that counts"),
        max_length=10,
        choices=CountingAttempt.choices,
        default=CountingAttempt.BEST,
    )
    show_review = models.BooleanField(
        _("show the review"),
        default=True,
        help_text=_(
            "After submitting, the worker sees their answers, the right answers "
            "and the explanations."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="quiz")

    panels = [
        FieldRowPanel([FieldPanel("title"), FieldPanel("kind"), FieldPanel("provider")]),
        FieldPanel("instructions"),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("time_limit_minutes"),
                        FieldPanel("max_attempts"),
                        FieldPanel("wait_minutes"),
                    ]
                ),
                FieldRowPanel(
                    [FieldPanel("pass_mark_percent"), FieldPanel("counting")],
                ),
                FieldPanel("show_review"),
            ],
            heading=_("Rules"),
        ),
        InlinePanel("draws", heading=_("Questions drawn"), label=_("Draw"), min_num=1),
    ]

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_mark_percent__lte=100), name="quiz_pass_mark_0_to_100"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def revisions(self):
        return self._revisions

    # The draws are checked one by one (``QuizDraw.clean``): in the admin
    # form the quiz's own clean() would still see the draws as saved, not
    # as edited.


def quiz_draw_provider_error(bank) -> str:
    return _("“%(bank)s” belongs to another training provider.") % {"bank": bank.title}


def quiz_draw_available(*, bank_id: int, category: str = "", difficulty: int | None = None) -> int:
    """How many questions ``bank_id`` holds for a category and difficulty
    (blank / None: any)."""
    questions = Question.objects.filter(bank_id=bank_id)
    if category:
        questions = questions.filter(category=category)
    if difficulty is not None:
        questions = questions.filter(difficulty=difficulty)
    return questions.count()


class QuizDraw(Orderable):
    """``count`` questions drawn at random from ``bank``, limited to a
    category and a difficulty when they are given."""

    quiz = ParentalKey(
        "courses.Quiz", verbose_name=_("quiz"), on_delete=models.CASCADE, related_name="draws"
    )
    bank = models.ForeignKey(
        "courses.QuestionBank",
        verbose_name=_("question bank"),
        on_delete=models.PROTECT,
        related_name="quiz_draws",
    )
    category = models.CharField(
        _("category"), max_length=50, blank=True, help_text=_("Blank for any category.")
    )
    difficulty = models.IntegerField(
        _("difficulty"),
        choices=QuestionDifficulty,
        null=True,
        blank=True,
        help_text=_("Blank for any difficulty."),
    )
    count = models.PositiveSmallIntegerField(
        _("number of questions"), default=5, validators=[MaxValueValidator(100)]
    )

    panels = [
        FieldPanel("bank"),
        FieldRowPanel([FieldPanel("category"), FieldPanel("difficulty"), FieldPanel("count")]),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("draw")
        verbose_name_plural = _("draws")
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1), name="quizdraw_count_at_least_1"),
        ]

    def __str__(self) -> str:
        return f"{self.bank_id} · {self.category or '*'} · {self.difficulty or '*'} × {self.count}"

    def errors(self) -> list[str]:
        """What is wrong with this draw: an empty count, a bank of another
        provider, more questions asked than the bank holds."""
        if self.bank_id is None:
            return []
        if not self.count:
            return [_("Draw at least one question.")]
        quiz = getattr(self, "quiz", None)
        if quiz is not None and quiz.provider_id and self.bank.provider_id != quiz.provider_id:
            return [quiz_draw_provider_error(self.bank)]
        available = quiz_draw_available(
            bank_id=self.bank_id, category=self.category, difficulty=self.difficulty
        )
        if self.count > available:
            return [
                _(
                    "“%(bank)s” has only %(available)s questions for this category and "
                    "difficulty; %(count)s are asked for."
                )
                % {"bank": self.bank.title, "available": available, "count": self.count}
            ]
        return []

    def clean(self):
        super().clean()
        errors = self.errors()
        if errors:
            raise ValidationError(errors)
