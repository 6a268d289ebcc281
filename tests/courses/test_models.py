from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from wagtail.models import Page, Site
from wagtail.rich_text import RichText

from courses.models import (
    CatalogueIndexPage,
    CoursePage,
    HomePage,
    LessonPage,
    SkillLevel,
    TradePage,
)
from courses.segmentation import segment

pytestmark = pytest.mark.django_db


def test_migration_makes_home_page_the_default_site_root_with_an_empty_catalogue():
    """Given a fresh database, then the default site's root is the home page and
    its only child is the catalogue "课程目录" at /courses/."""
    site = Site.objects.get(is_default_site=True)
    home = HomePage.objects.get()
    catalogue = CatalogueIndexPage.objects.get()
    assert site.root_page_id == home.pk
    assert [p.specific_class for p in home.get_children()] == [CatalogueIndexPage]
    assert (catalogue.title, catalogue.slug, catalogue.url) == ("课程目录", "courses", "/courses/")
    assert not Page.objects.filter(content_type__model="page", depth=2).exists()


def test_tree_rules():
    """The tree is home → catalogue → trade → course → lesson, and nothing else."""
    assert HomePage.allowed_subpage_models() == [CatalogueIndexPage]
    assert CatalogueIndexPage.allowed_subpage_models() == [TradePage]
    assert TradePage.allowed_subpage_models() == [CoursePage]
    assert CoursePage.allowed_subpage_models() == [LessonPage]
    assert LessonPage.allowed_subpage_models() == []
    assert CoursePage.allowed_parent_page_models() == [TradePage]
    assert HomePage.max_count == 1


def test_skill_levels_run_from_entry_5_to_senior_technician_1():
    """Levels are ordered 5 (entry) to 1 (senior technician), labelled in
    Chinese by default and in English when English is asked for."""
    assert SkillLevel.values == [5, 4, 3, 2, 1]
    assert str(SkillLevel(5).label) == "五级 · 初级工"
    assert str(SkillLevel(1).label) == "一级 · 高级技师"
    with translation.override("en"):
        assert str(SkillLevel(5).label) == "Level 5 · Entry worker"
        assert str(SkillLevel(1).label) == "Level 1 · Senior technician"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("焊工安全操作，氩弧焊！", "焊 工 安 全 操 作 氩 弧 焊"),
        ("Welding 6-18-02-04 焊接", "Welding 6 18 02 04 焊 接"),
        ("ＣＯ２气体保护焊", "CO2 气 体 保 护 焊"),
        ("  ", ""),
    ],
)
def test_segment_splits_chinese_into_characters_and_keeps_words(text, expected):
    """Chinese becomes one token per character; words and numbers stay whole; punctuation goes."""
    assert segment(text) == expected


def test_course_search_text_includes_trade_level_and_provider(make_course, welder):
    """Given a course under 焊工, its indexed text has the trade's name and code,
    the level's Chinese name and the provider, all segmented."""
    course = make_course(parent=welder, title="手工电弧焊入门", summary="Basic arc welding")
    assert course.search_text() == (
        "手 工 电 弧 焊 入 门 Basic arc welding 初 级 工 焊 工 焊 工 6 18 02 04 "
        "福 州 闽 江 技 工 学 校"
    )


def test_lesson_body_accepts_the_demo_value_shapes(make_course, make_lesson, welder):
    """Given a body set as (block_type, value) tuples with plain values, when the
    lesson is saved, published and reloaded, then every block round-trips."""
    course = make_course(parent=welder)
    lesson = make_lesson(
        parent=course,
        body=[
            ("heading", "焊前准备"),
            ("paragraph", "<p>检查<b>焊机</b>接地。</p>"),
            ("paragraph", RichText("<p>第二段</p>")),
            ("safety_note", {"title": "防护", "text": "必须佩戴焊接面罩。\n穿阻燃工作服。"}),
            ("steps", ["清理坡口", "调节电流 90–110 A"]),
            ("tools", ["焊机", "面罩"]),
        ],
    )
    reloaded = LessonPage.objects.get(pk=lesson.pk)
    assert [block.block_type for block in reloaded.body] == [
        "heading",
        "paragraph",
        "paragraph",
        "safety_note",
        "steps",
        "tools",
    ]
    assert reloaded.body[0].value == "焊前准备"
    assert reloaded.body[1].value.source == "<p>检查<b>焊机</b>接地。</p>"
    assert reloaded.body[3].value["text"] == "必须佩戴焊接面罩。\n穿阻燃工作服。"
    assert list(reloaded.body[4].value) == ["清理坡口", "调节电流 90–110 A"]
    assert reloaded.live is True


def test_course_requires_provider_and_sane_numbers(welder):
    """A course without provider, with a negative price or a 400-character
    summary does not validate."""
    course = CoursePage(
        title="x", slug="x", level=9, study_hours=Decimal("0"), voucher_price=-1, summary="长" * 301
    )
    with pytest.raises(ValidationError) as error:
        course.full_clean()
    assert set(error.value.message_dict) >= {
        "provider",
        "level",
        "study_hours",
        "voucher_price",
        "summary",
    }


def test_occupation_code_must_look_like_a_national_code(catalogue):
    """Given an occupation code that is not of the form 6-18-02-04, the trade does not validate."""
    trade = TradePage(title="焊工", slug="welder", occupation_name="焊工", occupation_code="welder")
    with pytest.raises(ValidationError) as error:
        trade.full_clean()
    assert "occupation_code" in error.value.message_dict
