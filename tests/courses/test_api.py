from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.models import SkillLevel
from tests.courses.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(make_course, make_lesson, welder, electrician, instructor_a):
    arc = make_course(
        parent=welder,
        title="手工电弧焊入门",
        slug="arc",
        summary="焊条电弧焊的基本操作",
        description='<p>见<a href="https://example.cn/">标准</a>。</p>',
        instructors=[instructor_a],
    )
    tig = make_course(
        parent=welder,
        title="氩弧焊中级实训",
        slug="tig",
        level=SkillLevel.INTERMEDIATE,
        study_hours=Decimal("24.5"),
        voucher_price=Decimal("380"),
    )
    make_course(parent=electrician, title="低压电气安装", slug="wiring")
    draft = make_course(parent=welder, title="草稿课", slug="draft", publish=False)
    lessons = [
        make_lesson(parent=arc, title="焊前准备", slug="prepare", duration_minutes=25),
        make_lesson(parent=arc, title="引弧与运条", slug="strike", duration_minutes=30),
    ]
    make_lesson(parent=arc, title="未发布", slug="unpublished", publish=False)
    return {"arc": arc, "tig": tig, "draft": draft, "lessons": lessons}


def titles(response) -> list[str]:
    return [item["title"] for item in response.json()["results"]]


def test_trades_list_with_course_counts(client, site, welder):
    """Given two trades, the list gives each trade's fields, live course count and absolute URL."""
    response = client.get("/api/v1/trades/")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert body["results"][0] == {
        "id": welder.pk,
        "title": "焊工",
        "slug": "welder",
        "occupation_name": "焊工",
        "occupation_code": "6-18-02-04",
        "icon": "🔥",
        "description": "",
        "course_count": 2,
        "url": "http://testserver/courses/welder/",
    }


def test_trades_search(client, site):
    """Searching trades with one Chinese character finds the trade containing it."""
    assert titles(client.get("/api/v1/trades/", {"q": "电"})) == ["电工"]


def test_courses_list_live_courses_as_cards(client, site, welder, provider):
    """The list holds the live courses in catalogue order (no draft), each as a card."""
    response = client.get("/api/v1/courses/")
    assert response.status_code == 200
    assert titles(response) == ["手工电弧焊入门", "氩弧焊中级实训", "低压电气安装"]
    tig = response.json()["results"][1]
    assert tig == {
        "id": site["tig"].pk,
        "title": "氩弧焊中级实训",
        "slug": "tig",
        "trade": {"slug": "welder", "title": "焊工"},
        "level": 4,
        "level_display": "四级 · 中级工",
        "study_hours": "24.5",
        "voucher_price": "380.00",
        "is_free": False,
        "provider": {"id": provider.pk, "name": "福州闽江技工学校"},
        "summary": "课程简介",
        "featured": False,
        "cover_url": None,
        "url": "http://testserver/courses/welder/tig/",
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "焊工"}, ["手工电弧焊入门", "氩弧焊中级实训"]),
        ({"q": "氩弧焊"}, ["氩弧焊中级实训"]),
        ({"trade": "electrician"}, ["低压电气安装"]),
        ({"level": "4"}, ["氩弧焊中级实训"]),
        ({"q": "焊", "trade": "welder", "level": "5"}, ["手工电弧焊入门"]),
        ({"trade": "nobody"}, []),
    ],
)
def test_courses_filters(client, site, params, expected):
    """q, trade and level narrow the list; an unknown trade gives an empty list."""
    assert titles(client.get("/api/v1/courses/", params)) == expected


def test_courses_bad_filter_is_a_400_with_the_field(client, site):
    """Given level=9, the answer is 400 naming the level parameter."""
    response = client.get("/api/v1/courses/", {"level": "9"})
    assert response.status_code == 400
    assert list(response.json()) == ["level"]


def test_course_detail_with_nested_live_lessons(client, site, instructor_a):
    """The detail has the expanded description, the instructors and the live lessons in order."""
    arc = site["arc"]
    response = client.get(f"/api/v1/courses/{arc.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["description"] == '<p>见<a href="https://example.cn/">标准</a>。</p>'
    assert body["instructors"] == [{"id": instructor_a.pk, "name": "林师傅"}]
    assert body["lessons"] == [
        {
            "id": site["lessons"][0].pk,
            "title": "焊前准备",
            "duration_minutes": 25,
            "url": "http://testserver/courses/welder/arc/prepare/",
        },
        {
            "id": site["lessons"][1].pk,
            "title": "引弧与运条",
            "duration_minutes": 30,
            "url": "http://testserver/courses/welder/arc/strike/",
        },
    ]


def test_draft_and_unknown_courses_are_404(client, site):
    """A draft course and a missing id are both 404."""
    assert client.get(f"/api/v1/courses/{site['draft'].pk}/").status_code == 404
    assert client.get("/api/v1/courses/999999/").status_code == 404


def test_course_list_query_count_does_not_grow(client, make_course, welder):
    """Given 5 and then 30 courses, the list endpoint takes the same queries."""

    def queries():
        client.get("/api/v1/courses/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/courses/").status_code == 200
        return len(captured)

    for n in range(5):
        make_course(parent=welder, slug=f"c{n}")
    with_5 = queries()
    for n in range(5, 30):
        make_course(parent=welder, slug=f"c{n}")
    assert queries() == with_5


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/courses/"),
        ("put", "/api/v1/courses/{arc}/"),
        ("patch", "/api/v1/courses/{arc}/"),
        ("delete", "/api/v1/courses/{arc}/"),
        ("post", "/api/v1/trades/"),
        ("delete", "/api/v1/trades/{welder}/"),
    ],
)
def test_anonymous_writes_are_refused_with_403(client, site, welder, method, path):
    """Given no session, writing is refused with DRF's 403 and nothing changes."""
    url = path.format(arc=site["arc"].pk, welder=welder.pk)
    response = getattr(client, method)(
        url, {"title": "x"}, content_type="application/json", headers={"accept-language": "en"}
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "Authentication credentials were not provided."}
    site["arc"].refresh_from_db()
    assert (site["arc"].title, site["arc"].live) == ("手工电弧焊入门", True)


def test_signed_in_writes_are_not_allowed(client, site):
    """A signed-in user gets 405: the API is read-only."""
    client.force_login(UserFactory())
    response = client.delete(
        f"/api/v1/courses/{site['arc'].pk}/", headers={"accept-language": "en"}
    )
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "DELETE" not allowed.'}


def test_openapi_schema_is_valid_without_warnings(tmp_path):
    """``manage.py spectacular --validate --fail-on-warn`` passes."""
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = out.read_text()
    assert schema.startswith("openapi: 3.0.3")
    for path in ("/api/v1/trades/:", "/api/v1/courses/:", "/api/v1/courses/{id}/:"):
        assert path in schema


def test_schema_endpoint_serves_the_document(client):
    """/api/schema/ serves the OpenAPI document with the course endpoints."""
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/courses/{id}/" in response.content
