"""Course content as a Wagtail page tree:

    HomePage → CatalogueIndexPage → TradePage → CoursePage → LessonPage

Trades are occupations of the national classification (with their code);
courses sit under a trade at one skill level (5 → 1, entry worker → senior
technician); lessons are the readable/watchable units of a course. Drafts,
moderation, revisions and publishing are Wagtail's.

Pages render through ``get_context``, which only parses the request and calls
``courses.selectors``; the selectors module imports this one, so it is
imported inside the methods.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
)
from django.db import models
from django.db.models import Q
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from courses.blocks import RICH_TEXT_FEATURES, AttachmentsBlock, LessonBodyBlock
from courses.models.practical import PracticalTaskFields, practical_task_panels
from courses.segmentation import segment


class SkillLevel(models.IntegerChoices):
    """National vocational skill levels (职业技能等级), from 5 (entry) to 1."""

    ENTRY = 5, _("Level 5 · Entry worker")
    INTERMEDIATE = 4, _("Level 4 · Intermediate worker")
    ADVANCED = 3, _("Level 3 · Advanced worker")
    TECHNICIAN = 2, _("Level 2 · Technician")
    SENIOR_TECHNICIAN = 1, _("Level 1 · Senior technician")


# The official Chinese names are data (what workers type into the search box),
# so they are indexed whatever the interface language is.
SKILL_LEVEL_NAMES_ZH = {
    SkillLevel.ENTRY: "初级工",
    SkillLevel.INTERMEDIATE: "中级工",
    SkillLevel.ADVANCED: "高级工",
    SkillLevel.TECHNICIAN: "技师",
    SkillLevel.SENIOR_TECHNICIAN: "高级技师",
}

occupation_code_validator = RegexValidator(
    r"^\d-\d{2}(-\d{2}){1,3}$",
    _("Enter a national occupation code such as 6-18-02-04."),
)


class HomePage(Page):
    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    api_fields = [APIField("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["courses.CatalogueIndexPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from courses import selectors

        context = super().get_context(request, *args, **kwargs)
        context["catalogue"] = selectors.catalogue_page_get()
        context["trades"] = selectors.trade_list()
        context["featured_courses"] = selectors.course_featured_list()
        return context


class CatalogueIndexPage(Page):
    """The course catalogue: search, trade and level filters, paginated cards."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    api_fields = [APIField("intro")]

    parent_page_types = ["courses.HomePage"]
    subpage_types = ["courses.TradePage"]

    PAGE_SIZE = 20

    class Meta:
        verbose_name = _("course catalogue")

    def get_context(self, request, *args, **kwargs):
        from django.core.paginator import Paginator

        from courses import selectors
        from courses.forms import CatalogueFilterForm

        context = super().get_context(request, *args, **kwargs)
        form = CatalogueFilterForm(request.GET)
        filters = form.cleaned_filters()
        courses = selectors.course_search(**filters)
        page_obj = Paginator(courses, self.PAGE_SIZE).get_page(request.GET.get("page"))
        context.update(
            form=form,
            filters=filters,
            trades=selectors.trade_list(),
            levels=SkillLevel.choices,
            page_obj=page_obj,
            courses=page_obj.object_list,
        )
        return context

    def permissions_for_user(self, user):
        from courses.permissions import CataloguePermissionTester

        return CataloguePermissionTester(user, self)


class TradePage(Page):
    """An occupation (职业/工种) of the national classification."""

    occupation_name = models.CharField(
        _("occupation name"),
        max_length=100,
        help_text=_("Official name in the national occupational classification."),
    )
    occupation_code = models.CharField(
        _("occupation code"),
        max_length=20,
        unique=True,
        validators=[occupation_code_validator],
        help_text=_("National occupation code, e.g. 6-18-02-04."),
    )
    description = RichTextField(_("description"), blank=True, features=RICH_TEXT_FEATURES)
    icon = models.CharField(
        _("icon"), max_length=8, blank=True, help_text=_("An emoji or short glyph.")
    )

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("occupation_name"), FieldPanel("occupation_code")]),
        FieldPanel("icon"),
        FieldPanel("description"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("search_text"),
        index.FilterField("occupation_code"),
    ]
    api_fields = [
        APIField("occupation_name"),
        APIField("occupation_code"),
        APIField("description"),
        APIField("icon"),
    ]

    parent_page_types = ["courses.CatalogueIndexPage"]
    subpage_types = ["courses.CoursePage"]

    class Meta:
        verbose_name = _("trade")
        verbose_name_plural = _("trades")

    def search_text(self) -> str:
        """Indexed text with Chinese segmented into characters (see segmentation)."""
        return segment(
            " ".join(
                [
                    self.title,
                    self.occupation_name,
                    self.occupation_code,
                    strip_tags(self.description),
                ]
            )
        )

    def get_context(self, request, *args, **kwargs):
        from courses import selectors
        from courses.forms import level_from_param

        context = super().get_context(request, *args, **kwargs)
        level = level_from_param(request.GET.get("level"))
        context["level"] = level
        context["levels"] = SkillLevel.choices
        context["courses"] = selectors.trade_course_list(trade=self, level=level)
        return context


class CoursePage(Page):
    provider = models.ForeignKey(
        "lms.Organisation",
        verbose_name=_("training provider"),
        on_delete=models.PROTECT,
        null=True,
        related_name="courses",
        limit_choices_to=Q(kind="provider"),
    )
    level = models.IntegerField(_("skill level"), choices=SkillLevel, default=SkillLevel.ENTRY)
    study_hours = models.DecimalField(
        _("study hours"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.5"))],
        help_text=_("Credited study hours (学时) of 45 minutes each."),
    )
    voucher_price = models.DecimalField(
        _("voucher price (CNY)"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("0 for a free course."),
    )
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("cover image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    instructors = ParentalManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("instructors"),
        blank=True,
        related_name="taught_courses",
        help_text=_("Instructors can edit this course and its lessons in the admin."),
    )
    summary = models.TextField(
        _("summary"),
        max_length=300,
        validators=[MaxLengthValidator(300)],
        help_text=_("One or two sentences for the catalogue card (at most 300 characters)."),
    )
    description = RichTextField(_("description"), blank=True, features=RICH_TEXT_FEATURES)
    featured = models.BooleanField(
        _("featured"), default=False, help_text=_("Show on the home page.")
    )
    prerequisites = ParentalManyToManyField(
        "courses.CoursePage",
        verbose_name=_("prerequisites"),
        blank=True,
        symmetrical=False,
        related_name="required_by",
        help_text=_("Courses a worker must have completed before enrolling in this one."),
    )
    lessons_in_order = models.BooleanField(
        _("Lessons must be taken in order"),
        default=False,
        help_text=_("A lesson opens only once every earlier lesson is completed."),
    )
    final_exam = models.ForeignKey(
        "courses.Quiz",
        verbose_name=_("final exam"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to=Q(kind="final"),
    )
    # The completion rule (progress.selectors.completion evaluates it). A
    # requirement on quizzes, the final exam or practical tasks is met at once
    # when the course has none of them.
    completion_coverage_percent = models.PositiveSmallIntegerField(
        _("lesson coverage (%)"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_(
            "Every live lesson with a video must have at least this share of its video "
            "credited. Reading-only lessons do not count."
        ),
    )
    completion_requires_quizzes = models.BooleanField(_("section quizzes passed"), default=True)
    completion_requires_final_exam = models.BooleanField(_("final exam passed"), default=True)
    completion_requires_practical = models.BooleanField(_("practical tasks passed"), default=True)
    completion_min_study_hours = models.DecimalField(
        _("minimum credited study hours"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Credited study hours (45 minutes each) required; 0 for none."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("cover_image"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("level"), FieldPanel("study_hours")]),
                FieldRowPanel([FieldPanel("provider"), FieldPanel("voucher_price")]),
                FieldPanel("instructors"),
            ],
            heading=_("Course facts"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("prerequisites"),
                FieldPanel("lessons_in_order"),
                FieldPanel("final_exam"),
            ],
            heading=_("Study rules"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("completion_coverage_percent"),
                        FieldPanel("completion_min_study_hours"),
                    ]
                ),
                FieldPanel("completion_requires_quizzes"),
                FieldPanel("completion_requires_final_exam"),
                FieldPanel("completion_requires_practical"),
            ],
            heading=_("Completion"),
        ),
        FieldPanel("description"),
    ]
    promote_panels = Page.promote_panels + [FieldPanel("featured")]
    search_fields = Page.search_fields + [
        index.SearchField("search_title", boost=2),
        index.SearchField("search_text"),
        index.FilterField("level"),
        index.FilterField("featured"),
        index.FilterField("provider"),
    ]
    api_fields = [
        APIField("provider"),
        APIField("level"),
        APIField("study_hours"),
        APIField("voucher_price"),
        APIField("cover_image"),
        APIField("summary"),
        APIField("description"),
        APIField("featured"),
    ]

    parent_page_types = ["courses.TradePage"]
    subpage_types = ["courses.LessonPage"]

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5), name="coursepage_level_1_to_5"
            ),
            models.CheckConstraint(
                condition=Q(study_hours__gte=0), name="coursepage_study_hours_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(voucher_price__gte=0), name="coursepage_voucher_price_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(
                    completion_coverage_percent__gte=1, completion_coverage_percent__lte=100
                ),
                name="coursepage_completion_coverage_1_to_100",
            ),
            models.CheckConstraint(
                condition=Q(completion_min_study_hours__gte=0),
                name="coursepage_completion_hours_not_negative",
            ),
        ]

    @property
    def is_free(self) -> bool:
        return not self.voucher_price

    def search_title(self) -> str:
        return segment(self.title)

    def search_text(self) -> str:
        """Indexed text with Chinese segmented into characters: the course's own
        text plus its trade, level and provider, so that "焊工 初级" finds it."""
        parts = [self.title, self.summary, strip_tags(self.description)]
        parts.append(SKILL_LEVEL_NAMES_ZH.get(self.level, ""))
        parent = self.get_parent() if self.depth else None
        trade = parent.specific if parent is not None else None
        if isinstance(trade, TradePage):
            parts += [trade.title, trade.occupation_name, trade.occupation_code]
        if self.provider_id is not None:
            parts.append(self.provider.name)
        return segment(" ".join(str(part) for part in parts))

    def get_context(self, request, *args, **kwargs):
        from courses import selectors

        context = super().get_context(request, *args, **kwargs)
        context["trade"] = selectors.course_trade_get(course=self)
        context["instructors"] = selectors.course_instructor_list(course=self)
        context["lessons"] = selectors.course_lesson_list(course=self)
        # Higher apps (progress: enrolment) add to the page through hooks, so
        # courses never imports them.
        for hook in hooks.get_hooks("course_page_context"):
            hook(request=request, course=self, context=context)
        return context

    def permissions_for_user(self, user):
        from courses.permissions import CoursePermissionTester

        return CoursePermissionTester(user, self)


class LessonPage(PracticalTaskFields, Page):
    summary = models.TextField(_("summary"), blank=True)
    body = StreamField(LessonBodyBlock(), verbose_name=_("body"), blank=True)
    attachments = StreamField(
        AttachmentsBlock(),
        verbose_name=_("attachments"),
        blank=True,
        help_text=_("Work instructions and other files to download, e.g. PDF."),
    )
    duration_minutes = models.PositiveIntegerField(
        _("duration (minutes)"),
        default=0,
        help_text=_("Estimated time to read or watch the lesson."),
    )
    # The lesson keeps pointing at the same asset while a new upload is
    # processed; the player always shows the asset's last published ladder.
    video = models.ForeignKey(
        "media_pipeline.VideoAsset",
        verbose_name=_("video"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    quiz = models.ForeignKey(
        "courses.Quiz",
        verbose_name=_("section quiz"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to=Q(kind="section"),
        help_text=_("Taken after the lesson."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("video"),
        FieldPanel("duration_minutes"),
        FieldPanel("body"),
        FieldPanel("attachments"),
        FieldPanel("quiz"),
        *practical_task_panels(),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("search_text"),
    ]
    api_fields = [
        APIField("summary"),
        APIField("body"),
        APIField("attachments"),
        APIField("duration_minutes"),
    ]

    parent_page_types = ["courses.CoursePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def search_text(self) -> str:
        """Indexed text with Chinese segmented into characters."""
        parts = [self.title, self.summary]
        parts += self.body.stream_block.get_searchable_content(self.body)
        return segment(" ".join(parts))

    def get_context(self, request, *args, **kwargs):
        from courses import selectors
        from media_pipeline.selectors import asset_playback_get

        context = super().get_context(request, *args, **kwargs)
        course = selectors.lesson_course_get(lesson=self)
        lessons = list(selectors.course_lesson_list(course=course)) if course else []
        position = next((i for i, item in enumerate(lessons) if item.pk == self.pk), None)
        context.update(
            course=course,
            lessons=lessons,
            playback=asset_playback_get(asset=self.video) if self.video_id else None,
            position=None if position is None else position + 1,
            previous_lesson=lessons[position - 1] if position else None,
            next_lesson=(
                lessons[position + 1]
                if position is not None and position + 1 < len(lessons)
                else None
            ),
        )
        for hook in hooks.get_hooks("lesson_page_context"):
            hook(request=request, lesson=self, course=course, context=context)
        return context

    def permissions_for_user(self, user):
        from courses.permissions import LessonPermissionTester

        return LessonPermissionTester(user, self)
