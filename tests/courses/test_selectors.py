from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses import selectors
from courses.models import SkillLevel

pytestmark = pytest.mark.django_db


@pytest.fixture
def courses(make_course, welder, electrician, provider):
    """Five live courses over two trades and one draft."""
    return {
        "arc": make_course(
            parent=welder,
            title="手工电弧焊入门",
            slug="arc",
            summary="焊条电弧焊的基本操作与安全防护",
            level=SkillLevel.ENTRY,
        ),
        "tig": make_course(
            parent=welder,
            title="氩弧焊中级实训",
            slug="tig",
            summary="TIG welding of stainless steel pipe",
            level=SkillLevel.INTERMEDIATE,
            voucher_price=Decimal("380.00"),
        ),
        "wiring": make_course(
            parent=electrician,
            title="低压电气安装",
            slug="wiring",
            summary="Low-voltage installation and safe isolation",
            level=SkillLevel.ENTRY,
        ),
        "safety": make_course(
            parent=electrician,
            title="电工安全操作规程",
            slug="safety",
            summary="停电、验电、挂接地线",
            level=SkillLevel.INTERMEDIATE,
            featured=True,
        ),
        "plc": make_course(
            parent=electrician,
            title="PLC编程基础",
            slug="plc",
            summary="Programmable logic controllers for electricians",
            level=SkillLevel.ADVANCED,
        ),
        "draft": make_course(parent=welder, title="焊工安全（草稿）", slug="draft", publish=False),
    }


def slugs(results):
    return [course.slug for course in results]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # One character, a two-character word inside a longer text, a word that
        # only appears in the trade's name, and one found in two trades.
        ("焊", ["arc", "tig"]),
        ("焊工", ["arc", "tig"]),
        ("氩弧焊", ["tig"]),
        ("安全", ["arc", "safety"]),
        ("电工 安全", ["arc", "safety"]),
        ("6-18-02-04", ["arc", "tig"]),
        ("初级工", ["arc", "wiring"]),
        # English: stemmed words, all required.
        ("welding", ["tig"]),
        ("installation safe", ["wiring"]),
        ("PLC", ["plc"]),
        ("电焊 PLC", []),
        ("钳工", []),
    ],
)
def test_course_search_finds_chinese_inside_longer_text_and_english_words(courses, query, expected):
    """Given five live courses and a draft, when searching, then the live courses
    containing every character (Chinese) or word (English) are found."""
    assert sorted(slugs(selectors.course_search(query=query))) == sorted(expected)


def test_course_search_ranks_title_matches_first(courses):
    """Given "安全" in one course's title and another's summary, the title wins."""
    assert slugs(selectors.course_search(query="安全")) == ["safety", "arc"]


def test_course_search_ranks_characters_standing_together_first(courses):
    """Given "电工安全" written together in one course ("电工安全操作规程") and its
    characters scattered in another ("手工电弧焊……安全防护"), both are found and
    the one with the word ranks first."""
    assert slugs(selectors.course_search(query="电工安全")) == ["safety", "arc"]


def test_course_search_filters_by_trade_and_level(courses):
    """Trade and level filters apply alone and with a query; an unknown trade finds nothing."""
    assert slugs(selectors.course_search(trade_slug="electrician")) == ["wiring", "safety", "plc"]
    assert slugs(selectors.course_search(level=SkillLevel.ENTRY)) == ["arc", "wiring"]
    assert slugs(selectors.course_search(query="安全", trade_slug="welder")) == ["arc"]
    assert slugs(selectors.course_search(query="安全", level=SkillLevel.INTERMEDIATE)) == ["safety"]
    assert slugs(selectors.course_search(trade_slug="no-such-trade")) == []


def test_course_search_without_terms_lists_live_courses_in_tree_order(courses):
    """Punctuation alone is no query: the whole catalogue in tree order, drafts left out."""
    assert slugs(selectors.course_search(query=" ，。!")) == [
        "arc",
        "tig",
        "wiring",
        "safety",
        "plc",
    ]


def test_course_cards_carry_their_trade(courses):
    """A found course carries its trade's title, slug and icon."""
    tig = selectors.course_search(query="氩弧焊")[0]
    assert (tig.trade_title, tig.trade_slug, tig.trade_icon) == ("焊工", "welder", "🔥")


def test_unpublished_course_is_not_found(courses):
    """Given a course unpublished after it was found, then it is no longer found."""
    courses["tig"].unpublish()
    assert slugs(selectors.course_search(query="氩弧焊")) == []


def test_trade_search_and_list(courses):
    """Trades are searched by name and code, and listed with their live course counts."""
    assert [t.slug for t in selectors.trade_search(query="电")] == ["electrician"]
    assert [t.slug for t in selectors.trade_search(query="6-31-01-03")] == ["electrician"]
    assert [(t.slug, t.course_count) for t in selectors.trade_list()] == [
        ("welder", 2),
        ("electrician", 3),
    ]


def test_trade_course_list_is_entry_level_first(courses, electrician):
    """A trade's courses come entry level first, and filter by level."""
    assert slugs(selectors.trade_course_list(trade=electrician)) == ["wiring", "safety", "plc"]
    assert slugs(selectors.trade_course_list(trade=electrician, level=3)) == ["plc"]


def test_featured_courses(courses):
    """Only live featured courses are featured."""
    assert slugs(selectors.course_featured_list()) == ["safety"]


def _catalogue_queries(**filters) -> int:
    def list_cards():
        return [
            (course.provider.name, course.cover_image, course.trade_title, course.url)
            for course in selectors.course_search(**filters)[:20]
        ]

    list_cards()  # warm the site's root paths cache, as any earlier request does
    with CaptureQueriesContext(connection) as captured:
        list_cards()
    return len(captured)


@pytest.mark.parametrize("filters", [{}, {"query": "焊工"}, {"trade_slug": "welder", "level": 5}])
def test_catalogue_query_count_does_not_grow_with_courses(make_course, welder, filters):
    """Given 5 and then 30 courses, listing (and searching) them with their
    provider, cover and trade takes the same number of queries."""
    for n in range(5):
        make_course(parent=welder, title=f"焊工课程{n}", slug=f"c{n}")
    with_5 = _catalogue_queries(**filters)
    for n in range(5, 30):
        make_course(parent=welder, title=f"焊工课程{n}", slug=f"c{n}")
    with_30 = _catalogue_queries(**filters)
    assert with_5 == with_30 == (2 if "trade_slug" in filters else 1)


def test_course_lessons_in_one_query(make_course, make_lesson, welder, django_assert_num_queries):
    """Given three live lessons and a draft, the live ones are listed in order in one query."""
    course = make_course(parent=welder)
    for n in range(3):
        make_lesson(parent=course, title=f"第{n + 1}课", slug=f"l{n}")
    make_lesson(parent=course, title="草稿课", slug="draft", publish=False)
    with django_assert_num_queries(1):
        titles = [lesson.title for lesson in selectors.course_lesson_list(course=course)]
    assert titles == ["第1课", "第2课", "第3课"]


def test_course_paths_taught_by(make_course, welder, instructor_a, instructor_b):
    """A user teaches the courses they are an instructor of or own."""
    taught = make_course(parent=welder, instructors=[instructor_a])
    owned = make_course(parent=welder, owner=instructor_a)
    make_course(parent=welder, instructors=[instructor_b])
    assert selectors.course_paths_taught_by(user=instructor_a) == {taught.path, owned.path}
