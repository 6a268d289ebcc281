"""The demo loader (``manage.py load_demo``) and the demo data it reads."""

import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from courses import demo_content
from courses.models import CoursePage, LessonPage, TradePage
from lms import identity
from lms.models import Membership, Organisation, User, WorkerProfile
from media_pipeline.models import VideoAsset

BLOCK_TYPES = {"heading", "paragraph", "safety_note", "steps", "tools"}
PROVINCE_UNION = "fj-fgh"


def _courses():
    return [course for trade in demo_content.TRADES for course in trade["courses"]]


def _counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "organisations": Organisation.objects.count(),
        "memberships": Membership.objects.count(),
        "worker_profiles": WorkerProfile.objects.count(),
        "trades": TradePage.objects.count(),
        "courses": CoursePage.objects.count(),
        "lessons": LessonPage.objects.count(),
        "videos": VideoAsset.objects.count(),
    }


@pytest.fixture
def demo_loaded(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # cover images go to a throw-away folder
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


# -- the command -------------------------------------------------------------


def test_load_demo_twice_creates_everything_once(demo_loaded):
    """Given the demo loaded once, loading it again creates nothing more."""
    first = _counts()

    out = StringIO()
    call_command("load_demo", stdout=out)

    assert _counts() == first
    assert first == {
        "users": 13,
        "organisations": 17,
        "memberships": 13,
        "worker_profiles": 4,
        "trades": 6,
        "courses": 10,
        "lessons": 33,
        "videos": 10,
    }
    assert (
        "0 organisations, 0 users, 0 pages and 0 cover images and 0 lesson videos created"
        in out.getvalue()
    )


def test_demo_lesson_videos_go_through_the_real_pipeline(
    db, settings, tmp_path, django_capture_on_commit_callbacks
):
    """Each course's first lesson gets a generated clip that the transcode
    task turns into a published HLS ladder (the task runs when the demo's
    transaction commits)."""
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", stdout=StringIO())

    lessons = [
        LessonPage.objects.child_of(course).order_by("path").first()
        for course in CoursePage.objects.order_by("path")
    ]
    assets = [lesson.video for lesson in lessons]
    assert [asset.status for asset in assets] == [VideoAsset.Status.READY] * 10
    assert {(a.width, a.height, round(a.duration)) for a in assets} == {(960, 540, 12)}
    assert [sorted(a.renditions.values_list("name", flat=True)) for a in assets] == [
        ["360p", "540p"]
    ] * 10
    assert all(default_storage.exists(a.published_prefix + "master.m3u8") for a in assets)


def test_demo_pages_are_live_and_complete(demo_loaded):
    """Every demo page is published; every trade has a course and every course
    at least three lessons, a cover image and its instructors."""
    for model in (TradePage, CoursePage, LessonPage):
        assert not model.objects.filter(live=False).exists()
        assert not model.objects.filter(has_unpublished_changes=True).exists()
    for trade in TradePage.objects.all():
        assert CoursePage.objects.child_of(trade).count() >= 1
    for course in CoursePage.objects.all():
        assert LessonPage.objects.child_of(course).count() >= 3
        assert course.cover_image is not None
        assert course.instructors.exists()
        assert course.owner == course.instructors.order_by("pk").first()

    smaw = CoursePage.objects.get(slug="smaw-basics")
    assert smaw.get_parent().specific.occupation_code == "6-18-02-04"
    assert smaw.level == 5
    assert smaw.voucher_price == Decimal("0")
    assert smaw.provider.code == "fj-gjxy"
    lesson = LessonPage.objects.get(slug="electrodes-and-current")
    assert [block.block_type for block in lesson.body][:2] == ["heading", "paragraph"]


def test_demo_workers_have_valid_identities(demo_loaded):
    """Every demo worker's ID number passes GB 11643 validation, and the profile
    stores only the masked number and the keyed hash."""
    workers = [spec for spec in demo_content.USERS if "worker" in spec]
    assert len(workers) == 4
    for spec in workers:
        resident_id = identity.parse_resident_id(spec["worker"]["id_number"])
        profile = WorkerProfile.objects.get(user__email=spec["email"])
        assert profile.id_number_masked == resident_id.masked
        assert profile.id_number_hash == identity.hash_id_number(resident_id.number)
        assert profile.birth_date == resident_id.birth_date
        assert profile.employer.code == spec["worker"]["employer"]
        assert profile.employer.kind == Organisation.Kind.ENTERPRISE


def test_demo_roles_and_union_tree(demo_loaded):
    """Each role is granted where the data says; city unions sit under the
    provincial union; the platform admin is a superuser; staff are staff."""
    for spec in demo_content.USERS:
        user = User.objects.get(email=spec["email"])
        assert Membership.objects.filter(
            user=user, organisation__code=spec["organisation"], role=spec["role"]
        ).exists()
        assert user.check_password(demo_content.DEMO_PASSWORD)
        assert user.is_staff == (spec["role"] != Membership.Role.WORKER)
    admin = User.objects.get(email="admin@demo.jiangxue.example")
    assert admin.is_superuser

    province = Organisation.objects.get(code=PROVINCE_UNION)
    city_codes = {o.code for o in province.get_children()}
    assert city_codes == {"fz-zgh", "xm-zgh", "qz-zgh"}
    enterprise_union = Organisation.objects.get(code="fz-minjiang-jg-gh")
    assert [o.code for o in enterprise_union.get_ancestors()] == [
        "fj-fgh",
        "fz-zgh",
        "fz-minhou-zgh",
    ]
    auditor_orgs = set(
        Membership.objects.filter(role=Membership.Role.AUDITOR).values_list(
            "organisation__code", flat=True
        )
    )
    assert auditor_orgs == {PROVINCE_UNION, *city_codes}


# -- the data ----------------------------------------------------------------


def test_occupation_codes_have_the_national_format():
    """Occupation codes look like 6-18-02-04 and are unique."""
    codes = [trade["occupation_code"] for trade in demo_content.TRADES]
    assert all(re.fullmatch(r"\d-\d{2}-\d{2}-\d{2}", code) for code in codes)
    assert len(set(codes)) == len(codes)


def test_slugs_are_unique_and_ascii():
    """Trade and course slugs are unique, lesson slugs unique within a course."""
    slug = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
    trade_slugs = [trade["slug"] for trade in demo_content.TRADES]
    course_slugs = [course["slug"] for course in _courses()]
    assert len(set(trade_slugs)) == len(trade_slugs)
    assert len(set(course_slugs)) == len(course_slugs)
    for course in _courses():
        lesson_slugs = [lesson["slug"] for lesson in course["lessons"]]
        assert len(set(lesson_slugs)) == len(lesson_slugs)
        assert all(slug.fullmatch(s) for s in lesson_slugs)
    assert all(slug.fullmatch(s) for s in trade_slugs + course_slugs)


def test_courses_and_lessons_are_well_formed():
    """Levels 1–5, summaries of at most 200 characters, 3–4 lessons, known
    block types with the value shape each block expects."""
    courses = _courses()
    assert len(courses) == demo_content.COURSE_COUNT == 10
    for course in courses:
        assert course["level"] in {1, 2, 3, 4, 5}
        assert len(course["summary"]) <= 200
        assert Decimal(course["study_hours"]) > 0
        assert Decimal(course["voucher_price"]) >= 0
        assert 3 <= len(course["lessons"]) <= 4
        for lesson in course["lessons"]:
            assert lesson["duration_minutes"] > 0
            for block_type, value in lesson["body"]:
                assert block_type in BLOCK_TYPES
                if block_type == "paragraph":
                    assert value.startswith(("<p>", "<ul>"))
                elif block_type == "safety_note":
                    assert set(value) == {"title", "text"}
                elif block_type in {"steps", "tools"}:
                    assert value and all(isinstance(item, str) for item in value)
                else:
                    assert isinstance(value, str) and value


def test_people_and_organisations_are_consistent():
    """Codes, e-mails and phones are unique; parents come before children;
    every reference points at an organisation of the right kind."""
    kinds = {}
    for org in demo_content.ORGANISATIONS:
        assert org["code"] not in kinds
        assert org["parent"] is None or kinds[org["parent"]] == "union"
        kinds[org["code"]] = org["kind"]
    emails = [spec["email"] for spec in demo_content.USERS]
    phones = [spec["phone"] for spec in demo_content.USERS]
    assert len(set(emails)) == len(emails)
    assert len(set(phones)) == len(phones)
    assert all(re.fullmatch(r"1[3-9]\d{9}", phone) for phone in phones)
    for spec in demo_content.USERS:
        assert spec["organisation"] in kinds
        if "worker" in spec:
            assert kinds[spec["worker"]["employer"]] == "enterprise"
            identity.parse_resident_id(spec["worker"]["id_number"])
    instructors = {s["email"] for s in demo_content.USERS if s["role"] == "instructor"}
    for course in _courses():
        assert kinds[course["provider"]] == "provider"
        assert set(course["instructors"]) <= instructors
    assert len(demo_content.DEMO_PASSWORD) >= 8
