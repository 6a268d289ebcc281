"""Practical tasks (实操作业): a lesson may ask the worker to upload photos or a
short video of their own work (a weld bead, a filed part, a bandage), which an
instructor grades against the lesson's rubric.

The task is part of the lesson page (its fields come from
``PracticalTaskFields``, its rubric is an inline of ``RubricCriterion``), so
it is drafted, moderated, revised and published with the lesson, and only the
lesson's editors change it. A submission freezes a copy of the task and its
criteria (``LessonPage.practical_task_snapshot``), so later edits of the
rubric never change what a submission is graded against.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

__all__ = [
    "PRACTICAL_MAX_PHOTOS",
    "PracticalKinds",
    "PracticalTaskPageForm",
    "PracticalTaskFields",
    "RubricCriterion",
    "practical_task_panels",
]

PRACTICAL_MAX_PHOTOS = 10


class PracticalKinds(models.TextChoices):
    """What the worker may upload for a practical task."""

    PHOTO = "photo", _("Photos")
    VIDEO = "video", _("A short video")
    PHOTO_OR_VIDEO = "photo_or_video", _("Photos and/or a short video")


class PracticalTaskPageForm(WagtailAdminPageForm):
    """The lesson editor's form: a task needs at least one rubric criterion
    (the inline rows are only known here, not in the model's ``clean``)."""

    def clean(self):
        cleaned_data = super().clean()
        formset = self.formsets.get("rubric_criteria")
        if cleaned_data.get("practical_enabled") and formset is not None:
            kept = [
                form
                for form in formset.forms
                if form.is_valid() and form.cleaned_data and not formset._should_delete_form(form)
            ]
            if not kept:
                self.add_error(
                    "practical_enabled",
                    _("Add at least one rubric criterion to grade the task by."),
                )
        return cleaned_data


class PracticalTaskFields(models.Model):
    """The practical task's own fields, mixed into ``LessonPage`` (with its
    editor form)."""

    base_form_class = PracticalTaskPageForm

    practical_enabled = models.BooleanField(
        _("this lesson has a practical task"),
        default=False,
        help_text=_(
            "The worker uploads photos or a video of their own work, and an "
            "instructor grades it against the rubric below."
        ),
    )
    practical_instructions = models.TextField(
        _("task instructions"),
        blank=True,
        help_text=_("What to make or do, and what to photograph or film."),
    )
    practical_kinds = models.CharField(
        _("accepted uploads"),
        max_length=20,
        choices=PracticalKinds.choices,
        default=PracticalKinds.PHOTO,
    )
    practical_max_photos = models.PositiveSmallIntegerField(
        _("maximum number of photos"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(PRACTICAL_MAX_PHOTOS)],
    )
    practical_pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Share of the rubric's total points needed to pass."),
    )

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.practical_enabled and not self.practical_instructions.strip():
            raise ValidationError(
                {"practical_instructions": _("Describe the task for the worker.")}
            )

    @property
    def practical_accepts_photos(self) -> bool:
        return self.practical_kinds in (PracticalKinds.PHOTO, PracticalKinds.PHOTO_OR_VIDEO)

    @property
    def practical_accepts_video(self) -> bool:
        return self.practical_kinds in (PracticalKinds.VIDEO, PracticalKinds.PHOTO_OR_VIDEO)

    def practical_task_snapshot(self) -> dict:
        """The task as a submission freezes it: instructions, kinds, pass mark
        and the criteria in their order (plain JSON)."""
        criteria = [
            {
                "id": criterion.pk,
                "title": criterion.title,
                "description": criterion.description,
                "max_points": criterion.max_points,
            }
            for criterion in self.rubric_criteria.all()
        ]
        return {
            "instructions": self.practical_instructions,
            "kinds": self.practical_kinds,
            "max_photos": self.practical_max_photos,
            "pass_mark": self.practical_pass_mark,
            "criteria": criteria,
            "max_total": sum(c["max_points"] for c in criteria),
        }


class RubricCriterion(Orderable):
    """One line of a practical task's rubric, scored 0..max_points."""

    lesson = ParentalKey(
        "courses.LessonPage",
        on_delete=models.CASCADE,
        related_name="rubric_criteria",
        verbose_name=_("lesson"),
    )
    title = models.CharField(_("criterion"), max_length=200)
    description = models.TextField(
        _("what earns the points"),
        blank=True,
        help_text=_("E.g. “Even ripples, width 8-10 mm, no undercut.”"),
    )
    max_points = models.PositiveSmallIntegerField(
        _("maximum points"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )

    panels = [
        FieldRowPanel([FieldPanel("title"), FieldPanel("max_points")]),
        FieldPanel("description"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("rubric criterion")
        verbose_name_plural = _("rubric criteria")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_points__gte=1, max_points__lte=100),
                name="rubriccriterion_max_points_1_to_100",
            )
        ]

    def __str__(self) -> str:
        return self.title


def practical_task_panels() -> list:
    """The lesson editor's panels of the practical task."""
    return [
        MultiFieldPanel(
            [
                FieldPanel("practical_enabled"),
                FieldPanel("practical_instructions"),
                FieldRowPanel(
                    [
                        FieldPanel("practical_kinds"),
                        FieldPanel("practical_max_photos"),
                        FieldPanel("practical_pass_mark"),
                    ]
                ),
                InlinePanel("rubric_criteria", heading=_("Rubric"), label=_("Criterion")),
            ],
            heading=_("Practical task"),
            classname="collapsed",
        )
    ]
