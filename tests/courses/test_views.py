import re
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from courses.models import SkillLevel

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}


@pytest.fixture
def site(make_course, make_lesson, welder, electrician, instructor_a, instructor_b):
    """Two trades, three live courses (one featured, one paid) and a draft; the
    arc-welding course has three live lessons and a draft lesson."""
    arc = make_course(
        parent=welder,
        title="手工电弧焊入门",
        slug="arc",
        summary="焊条电弧焊的基本操作与安全防护",
        description="<p>面向<b>初级工</b>的实操课程。</p>",
        study_hours=Decimal("16.0"),
        instructors=[instructor_b, instructor_a],
        featured=True,
    )
    tig = make_course(
        parent=welder,
        title="氩弧焊中级实训",
        slug="tig",
        summary="不锈钢管 TIG 焊",
        level=SkillLevel.INTERMEDIATE,
        study_hours=Decimal("24.5"),
        voucher_price=Decimal("380.00"),
    )
    wiring = make_course(parent=electrician, title="低压电气安装", slug="wiring")
    make_course(parent=welder, title="焊工草稿课", slug="draft", publish=False)
    lessons = [
        make_lesson(parent=arc, title="焊前准备", slug="prepare", duration_minutes=25),
        make_lesson(parent=arc, title="引弧与运条", slug="strike", duration_minutes=1),
        make_lesson(parent=arc, title="收弧与检验", slug="finish", duration_minutes=0),
    ]
    make_lesson(parent=arc, title="未发布的课", slug="unpublished", publish=False)
    return {"arc": arc, "tig": tig, "wiring": wiring, "lessons": lessons}


def card_titles(response) -> list[str]:
    return re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', response.content.decode())


def test_catalogue_has_a_url_name_and_is_served_in_place(client, site):
    """The nav's {% url 'catalogue' %} is the catalogue page's own URL: no redirect."""
    assert reverse("catalogue") == "/courses/"
    response = client.get("/courses/", headers=EN)
    assert response.status_code == 200
    assert response.context["page"].slug == "courses"
    assert '<a href="/courses/">Courses</a>' in response.content.decode()


def test_catalogue_url_follows_a_renamed_catalogue(client, site, catalogue):
    """Given editors renamed the catalogue's slug, /courses/ still serves it."""
    catalogue.slug = "catalogue"
    catalogue.save_revision().publish()
    assert client.get("/courses/").context["page"].pk == catalogue.pk
    assert client.get("/catalogue/").context["page"].pk == catalogue.pk


def test_home_page_shows_trades_featured_courses_and_a_search_box(client, site):
    """The home page lists the trades with course counts, the featured course and a search box to
    the catalogue."""
    response = client.get("/", headers=EN)
    html = response.content.decode()
    assert response.status_code == 200
    assert [t.slug for t in response.context["trades"]] == ["welder", "electrician"]
    assert card_titles(response) == ["手工电弧焊入门"]
    assert '<form class="search-form" role="search" method="get" action="/courses/">' in html
    assert "2 courses" in html and "1 course" in html


def test_catalogue_lists_live_courses_with_their_facts(client, site):
    """Without filters the catalogue shows every live course with trade, level, hours and price."""
    response = client.get("/courses/", headers=EN)
    html = response.content.decode()
    assert card_titles(response) == ["手工电弧焊入门", "氩弧焊中级实训", "低压电气安装"]
    assert "3 courses found" in html
    assert "24.5 study hours · ¥380.00" in html
    assert '16 study hours · <strong class="free">Free</strong>' in html
    assert "🔥 焊工 · Level 4 · Intermediate worker" in html


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "焊工"}, ["手工电弧焊入门", "氩弧焊中级实训"]),
        ({"q": "氩弧焊"}, ["氩弧焊中级实训"]),
        ({"q": "TIG"}, ["氩弧焊中级实训"]),
        ({"trade": "electrician"}, ["低压电气安装"]),
        ({"level": "4"}, ["氩弧焊中级实训"]),
        ({"q": "焊", "level": "5"}, ["手工电弧焊入门"]),
        ({"q": "焊", "trade": "electrician"}, []),
        (
            {"level": "9", "trade": "no such/trade"},
            ["手工电弧焊入门", "氩弧焊中级实训", "低压电气安装"],
        ),  # noqa: E501
    ],
)
def test_catalogue_search_and_filters(client, site, params, expected):
    """Search and filters narrow the cards; invalid filter values are ignored."""
    response = client.get("/courses/", params, headers=EN)
    assert response.status_code == 200
    assert card_titles(response) == expected


def test_catalogue_marks_the_active_filters_and_keeps_the_query(client, site):
    """The active trade chip is marked, other chips keep the query, and the search form keeps the
    trade."""
    html = client.get("/courses/", {"q": "焊", "trade": "welder"}, headers=EN).content.decode()
    assert (
        '<a class="chip active" href="?q=%E7%84%8A&amp;trade=welder" aria-current="true">'
        "🔥 焊工</a>" in html
    )
    assert '<a class="chip" href="?q=%E7%84%8A&amp;trade=welder&amp;level=4">' in html
    assert '<input type="hidden" name="trade" value="welder">' in html
    assert 'name="q" value="焊"' in html


def test_catalogue_paginates_by_20(client, make_course, welder):
    """Given 25 courses, page 1 has 20 and page 2 the last 5."""
    for n in range(25):
        make_course(parent=welder, title=f"课程{n:02d}", slug=f"c{n:02d}")
    first = client.get("/courses/", headers=EN)
    second = client.get("/courses/", {"page": "2"}, headers=EN)
    assert len(card_titles(first)) == 20
    assert card_titles(second) == [f"课程{n:02d}" for n in range(20, 25)]
    assert "Page 2 of 2" in second.content.decode()
    assert '<a href="?page=1" rel="prev">Previous</a>' in second.content.decode()


def _page_queries(client, url) -> int:
    client.get(url)  # warm the site and rendition caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("url", ["/courses/", "/courses/?q=焊工", "/courses/welder/", "/"])
def test_listing_pages_take_the_same_queries_for_5_or_30_courses(client, make_course, welder, url):
    """Given courses with cover images, the catalogue, a search, the trade page
    and the home page take as many queries for 30 courses as for 5."""
    cover = Image.objects.create(title="cover", file=get_test_image_file())

    def add(numbers):
        for n in numbers:
            make_course(
                parent=welder,
                title=f"焊工课程{n}",
                slug=f"c{n}",
                cover_image=cover if n % 2 else None,
                featured=True,
            )

    add(range(5))
    with_5 = _page_queries(client, url)
    add(range(5, 30))
    assert _page_queries(client, url) == with_5


def test_trade_page_groups_courses_by_level(client, site):
    """A trade page groups its courses under level headings, entry first, and filters by level."""
    response = client.get("/courses/welder/", headers=EN)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Occupation: 焊工 (6-18-02-04)" in html
    assert re.findall(r"<h2>(Level [^<]+)</h2>", html) == [
        "Level 5 · Entry worker",
        "Level 4 · Intermediate worker",
    ]
    assert card_titles(response) == ["手工电弧焊入门", "氩弧焊中级实训"]
    filtered = client.get("/courses/welder/", {"level": "4"}, headers=EN)
    assert card_titles(filtered) == ["氩弧焊中级实训"]


def test_course_page_shows_facts_and_live_lessons_in_order(client, site):
    """A course page shows its facts, instructors, description and its live lessons in order."""
    response = client.get("/courses/welder/arc/", headers=EN)
    html = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r'<li><a href="(/courses/welder/arc/[^"]+)">([^<]+)</a>', html) == [
        ("/courses/welder/arc/prepare/", "焊前准备"),
        ("/courses/welder/arc/strike/", "引弧与运条"),
        ("/courses/welder/arc/finish/", "收弧与检验"),
    ]
    assert '<span class="meta">25 minutes</span>' in html
    assert '<span class="meta">1 minute</span>' in html
    assert "<dd>焊工 (6-18-02-04)</dd>" in html
    assert "<dd>16 study hours (45 minutes each)</dd>" in html
    assert '<dd><strong class="free">Free</strong></dd>' in html
    assert "<dd>福州闽江技工学校</dd>" in html
    assert "<dd>林师傅、陈师傅</dd>" in html
    assert "<p>面向<b>初级工</b>的实操课程。</p>" in html
    start = '<a class="button" href="/courses/welder/arc/prepare/">Start the first lesson</a>'
    assert start in html


def test_paid_course_shows_its_voucher_price(client, site):
    """A paid course shows its voucher price; without lessons it says they are coming."""
    html = client.get("/courses/welder/tig/", headers=EN).content.decode()
    assert "<dd>¥380.00 (payable with a training voucher)</dd>" in html
    assert "Lessons are being prepared." in html


def test_drafts_are_not_served(client, site):
    """Draft courses and lessons are 404 to visitors."""
    assert client.get("/courses/welder/draft/").status_code == 404
    assert client.get("/courses/welder/arc/unpublished/").status_code == 404


def test_lesson_page_renders_each_block_with_its_template(client, site, make_lesson):
    """Given a lesson with every kind of block and a PDF attachment, each block
    renders with its own markup, and the lesson links to its neighbours."""
    lesson = site["lessons"][1]
    image = Image.objects.create(title="运条示意", file=get_test_image_file())
    document = Document.objects.create(
        title="焊接作业指导书", file=ContentFile(b"%PDF-1.4 test", name="guide.pdf")
    )
    lesson.body = [
        ("heading", "引弧方法"),
        ("paragraph", "<p>采用<b>划擦法</b>引弧。</p>"),
        ("image", {"image": image, "caption": "运条角度 70°–80°"}),
        ("safety_note", {"title": "防护", "text": "佩戴面罩。\n穿阻燃服。"}),
        ("steps", ["清理焊件", "调节电流"]),
        ("tools", ["焊机", "焊条"]),
    ]
    lesson.attachments = [("document", {"document": document, "title": ""})]
    lesson.save_revision().publish()

    response = client.get("/courses/welder/arc/strike/", headers=EN)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Lesson 2: 引弧与运条</h1>" in html
    assert '<h2 class="block-heading">引弧方法</h2>' in html
    assert '<div class="block-paragraph"><p>采用<b>划擦法</b>引弧。</p></div>' in html
    assert "<figcaption>运条角度 70°–80°</figcaption>" in html
    assert '<p class="safety-title"><span aria-hidden="true">⚠</span> 防护</p>' in html
    assert "<p>佩戴面罩。<br>穿阻燃服。</p>" in html
    assert '<ol class="steps"><li>清理焊件</li><li>调节电流</li></ol>' in html
    assert '<ul class="tools"><li>焊机</li><li>焊条</li></ul>' in html
    assert f'<a href="{document.url}">焊接作业指导书</a>' in html
    assert '<a href="/courses/welder/arc/prepare/" rel="prev">← 焊前准备</a>' in html
    next_link = '<a class="button" href="/courses/welder/arc/finish/" rel="next">收弧与检验 →</a>'
    assert next_link in html


def test_last_lesson_leads_back_to_the_course(client, site):
    """The last lesson has no next link but leads back to the course."""
    html = client.get("/courses/welder/arc/finish/", headers=EN).content.decode()
    assert '<a href="/courses/welder/arc/">Back to the course</a>' in html
    assert 'rel="next"' not in html


def test_overlong_query_is_cut_to_100_characters(client, site):
    """Given a 150-character query, the catalogue searches its first 100 characters."""
    response = client.get("/courses/", {"q": "焊" * 150})
    assert response.status_code == 200
    assert response.context["filters"]["query"] == "焊" * 100
    assert card_titles(response) == ["手工电弧焊入门", "氩弧焊中级实训"]
