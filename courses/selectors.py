"""Reads of course content, already scoped to what the caller may see.

Public pages only ever see *live* pages. Listing selectors run a constant
number of SQL queries however many rows they return: they query the specific
page models directly (no per-row ``.specific``), join the provider and cover
image, prefetch the cover renditions and fetch each course's trade in a
subquery.
"""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Length, Substr
from wagtail.models import Page
from wagtail.permissions import page_permission_policy
from wagtail.search.query import Or, Phrase, PlainText, SearchQuery

from courses.models import (
    CatalogueIndexPage,
    CoursePage,
    LessonPage,
    Question,
    QuestionBank,
    QuestionOption,
    TradePage,
)
from courses.segmentation import segment


class _SubqueryCount(Subquery):
    template = "(SELECT COUNT(*) FROM (%(subquery)s) _count)"
    output_field = IntegerField()


def _parent_path(path_expression) -> Substr:
    """SQL for the materialised path of a page's parent."""
    return Substr(path_expression, 1, Length(path_expression) - Page.steplen)


# --- Catalogue ----------------------------------------------------------------


def catalogue_page_get() -> CatalogueIndexPage | None:
    """The live course catalogue (there is one per site)."""
    return CatalogueIndexPage.objects.live().order_by("path").first()


def trade_list() -> QuerySet[TradePage]:
    """Live trades in tree order, each with ``course_count`` (its live courses)."""
    courses = CoursePage.objects.live().filter(path__startswith=OuterRef("path")).values("pk")
    return TradePage.objects.live().annotate(course_count=_SubqueryCount(courses)).order_by("path")


def _search_query(query: str) -> SearchQuery | None:
    """The search for what a user typed, segmented like the index (see
    ``courses.segmentation``): every term is required; where the terms also
    stand together in the same order (a Chinese word), the match ranks
    higher. None when the text has no search terms."""
    terms = segment(query)
    if not terms:
        return None
    if " " not in terms:
        return PlainText(terms)
    return Or([PlainText(terms, operator="and"), Phrase(terms)])


def trade_search(*, query: str) -> QuerySet[TradePage]:
    """Live trades matching ``query``, most relevant first; every live trade
    when the query has no search terms."""
    search_query = _search_query(query)
    trades = trade_list()
    if search_query is None:
        return trades
    return trades.search(search_query)


def _course_cards(courses: QuerySet[CoursePage]) -> QuerySet[CoursePage]:
    """What a course card shows, in a fixed number of queries: provider and
    cover image joined, cover renditions prefetched, and the trade's title,
    slug and icon as ``trade_title``, ``trade_slug`` and ``trade_icon``."""
    trade = TradePage.objects.filter(path=_parent_path(OuterRef("path")))
    return (
        courses.select_related("provider", "cover_image")
        .prefetch_related("cover_image__renditions")
        .annotate(
            trade_title=Subquery(trade.values("title")[:1]),
            trade_slug=Subquery(trade.values("slug")[:1]),
            trade_icon=Subquery(trade.values("icon")[:1]),
        )
    )


def course_list(*, trade_slug: str | None = None, level: int | None = None):
    """Live courses in tree order (trade, then the order editors gave them),
    filtered by trade slug and skill level."""
    courses = CoursePage.objects.live()
    if trade_slug:
        trade = TradePage.objects.live().filter(slug=trade_slug).order_by("path").first()
        if trade is None:
            return _course_cards(CoursePage.objects.none())
        courses = courses.descendant_of(trade)
    if level is not None:
        courses = courses.filter(level=level)
    return _course_cards(courses.order_by("path"))


def course_search(*, query: str = "", trade_slug: str | None = None, level: int | None = None):
    """Live courses matching ``query``, most relevant first, filtered by trade
    slug and level. Chinese is matched character by character (the query is
    segmented like the index, and every term is required), so "焊工" finds
    "电焊工安全操作". Without search terms this is ``course_list``.

    Returns a queryset or Wagtail search results; both paginate."""
    courses = course_list(trade_slug=trade_slug, level=level)
    search_query = _search_query(query)
    if search_query is None:
        return courses
    return courses.search(search_query)


def course_featured_list(*, limit: int = 6) -> QuerySet[CoursePage]:
    """Live featured courses for the home page."""
    return _course_cards(CoursePage.objects.live().filter(featured=True).order_by("path"))[:limit]


def trade_course_list(*, trade: TradePage, level: int | None = None) -> QuerySet[CoursePage]:
    """A trade's live courses, entry level first (5 → 1)."""
    courses = CoursePage.objects.live().child_of(trade)
    if level is not None:
        courses = courses.filter(level=level)
    return _course_cards(courses.order_by("-level", "path"))


# --- One course ---------------------------------------------------------------


def course_trade_get(*, course: CoursePage) -> TradePage | None:
    """The trade a course belongs to (its parent page)."""
    if not course.path:
        return None  # an unsaved course in preview
    return TradePage.objects.filter(path=course.path[: -Page.steplen]).first()


def course_instructor_list(*, course: CoursePage):
    """The course's instructors, by display name."""
    return course.instructors.order_by("display_name", "pk")


def course_lesson_list(*, course: CoursePage) -> QuerySet[LessonPage]:
    """The course's live lessons in order, in one query (bodies left out)."""
    return LessonPage.objects.live().child_of(course).defer("body", "attachments").order_by("path")


def lesson_course_get(*, lesson: LessonPage) -> CoursePage | None:
    """The course a lesson belongs to (its parent page)."""
    if not lesson.path:
        return None  # an unsaved lesson in preview
    return (
        CoursePage.objects.filter(path=lesson.path[: -Page.steplen])
        .select_related("provider")
        .first()
    )


def course_detail_get(*, course_id: int) -> CoursePage | None:
    """One live course with everything a detail view shows except its lessons."""
    return (
        _course_cards(CoursePage.objects.live())
        .prefetch_related("instructors")
        .filter(pk=course_id)
        .first()
    )


# --- Admin scoping --------------------------------------------------------------


def course_paths_taught_by(*, user) -> frozenset[str]:
    """Tree paths of the courses ``user`` teaches or owns (drafts included).

    Cached on the user object, which lives for one request in the admin."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_courses_taught_paths", None)
    if cached is None:
        cached = frozenset(
            CoursePage.objects.filter(Q(instructors=user) | Q(owner=user)).values_list(
                "path", flat=True
            )
        )
        user._courses_taught_paths = cached
    return cached


def user_is_course_scoped(*, user) -> bool:
    """True for admin users who see only their own courses: those whose page
    permissions are *add* alone (the Instructors group), not editors,
    moderators or superusers."""
    if not user.is_active or user.is_superuser:
        return False
    codenames = {
        perm.permission.codename
        for perm in page_permission_policy.get_cached_permissions_for_user(user)
    }
    return not codenames & {"change_page", "publish_page"}


def explorer_pages_visible_to(*, user, pages: QuerySet[Page]) -> QuerySet[Page]:
    """``pages`` without the courses (and their lessons) that a course-scoped
    user does not teach; unchanged for everybody else."""
    if not user_is_course_scoped(user=user):
        return pages
    taught = course_paths_taught_by(user=user)
    hidden = (
        Page.objects.annotate(parent_path=_parent_path("path"))
        .filter(
            Q(content_type__app_label="courses")
            & (
                Q(content_type__model="coursepage") & ~Q(path__in=taught)
                | Q(content_type__model="lessonpage") & ~Q(parent_path__in=taught)
            )
        )
        .values("pk")
    )
    return pages.exclude(pk__in=hidden)


# --- Question banks -------------------------------------------------------------


def question_bank_provider_ids_for(*, user) -> frozenset[int] | None:
    """The providers whose question banks ``user`` may edit: None for all of
    them (superusers, platform admins, holders of the model permission), else
    the providers where they are an instructor (often none).

    Cached on the user object, which lives for one request in the admin."""
    from lms.models import Membership
    from lms.selectors import user_is_platform_admin

    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if not hasattr(user, "_question_bank_providers"):
        if user_is_platform_admin(user=user) or user.has_perm("courses.change_questionbank"):
            scope = None
        else:
            scope = frozenset(
                Membership.objects.filter(
                    user=user,
                    role=Membership.Role.INSTRUCTOR,
                    organisation__kind="provider",
                ).values_list("organisation_id", flat=True)
            )
        user._question_bank_providers = scope
    return user._question_bank_providers


def question_banks_editable_by(*, user) -> QuerySet[QuestionBank]:
    """The question banks ``user`` may see and edit in the admin, with their
    trade, provider and ``question_count``."""
    scope = question_bank_provider_ids_for(user=user)
    banks = QuestionBank.objects.select_related("trade", "provider").annotate(
        question_count=Count("questions")
    )
    if scope is not None:
        banks = banks.filter(provider_id__in=scope)
    return banks.order_by("title", "pk")


def question_bank_editable(*, user, bank: QuestionBank) -> bool:
    """Whether ``user`` may edit ``bank`` (and import questions into it)."""
    scope = question_bank_provider_ids_for(user=user)
    return scope is None or bank.provider_id in scope


def question_bank_get_for_edit(*, user, bank_id) -> QuestionBank | None:
    """One bank ``user`` may edit, or None (missing or someone else's)."""
    return question_banks_editable_by(user=user).filter(pk=bank_id).first()


def question_list(*, bank: QuestionBank) -> QuerySet[Question]:
    """A bank's questions in order, their options prefetched in order: what
    a quiz draws from and what ``courses.grading`` freezes."""
    return (
        Question.objects.filter(bank=bank)
        .select_related("image")
        .prefetch_related(
            Prefetch("options", queryset=QuestionOption.objects.order_by("sort_order", "pk"))
        )
        .order_by("sort_order", "pk")
    )


# --- Quizzes and exams -----------------------------------------------------------


def quizzes_editable_by(*, user):
    """The quizzes ``user`` may see and edit in the admin: those of the
    providers whose question banks they edit (the same scope)."""
    from courses.models import Quiz

    scope = question_bank_provider_ids_for(user=user)
    quizzes = Quiz.objects.select_related("provider").annotate(draw_count=Count("draws"))
    if scope is not None:
        quizzes = quizzes.filter(provider_id__in=scope)
    return quizzes.order_by("title", "pk")


def quiz_get_for_edit(*, user, quiz_id):
    """One quiz ``user`` may edit, or None (missing or someone else's)."""
    return quizzes_editable_by(user=user).filter(pk=quiz_id).first()
