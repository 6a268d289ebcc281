"""``manage.py load_demo``: organisations, users of every role and trade courses
from ``courses.demo_content``, so a newcomer sees the whole product at once.

Idempotent: organisations are looked up by code, users by e-mail address and
pages by slug under their parent; what exists is left as it is (passwords and
page content included), so running the command twice changes nothing.
"""

import io
import tempfile
import unicodedata
from decimal import Decimal
from pathlib import Path

from django.core.files import File
from django.core.files.images import ImageFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont
from wagtail import hooks
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from courses import demo_content
from courses import services as courses_services
from courses.models import (
    CatalogueIndexPage,
    CoursePage,
    HomePage,
    LessonPage,
    QuestionBank,
    TradePage,
)
from lms import services as lms_services
from lms.exceptions import ApplicationError
from lms.models import Membership, Organisation, User, WorkerProfile
from media_pipeline import ffmpeg as media_ffmpeg
from media_pipeline import services as media_services

ROLE_LABELS = {
    Membership.Role.WORKER: "职工 worker",
    Membership.Role.INSTRUCTOR: "教师 instructor",
    Membership.Role.AUDITOR: "工会审计 auditor",
    Membership.Role.FUNDER: "出资方 funder",
    Membership.Role.PLATFORM_ADMIN: "平台管理员 platform admin",
}

# Cover tiles use Pillow's built-in font, which has Latin glyphs only, so the
# tile carries a short Latin label per trade rather than the Chinese name.
TRADE_COLOURS = {
    "welding": "#B5472A",
    "fitting": "#2F5D8A",
    "sheet-metal": "#4A5A6A",
    "electrician": "#A86A12",
    "elderly-care": "#7A4E9B",
    "housekeeping": "#2E7D4F",
}
TRADE_LABELS = {
    "welding": "WELD",
    "fitting": "FIT",
    "sheet-metal": "SHEET",
    "electrician": "ELEC",
    "elderly-care": "CARE",
    "housekeeping": "HOME",
}
COVER_SIZE = (800, 450)


class Command(BaseCommand):
    help = "Load demo organisations, users of every role and trade courses (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--skip-videos",
            action="store_true",
            help="Do not generate and process the lesson videos (quicker; tests).",
        )

    def handle(self, *args, **options):
        self.skip_videos = options["skip_videos"]
        self.created = {
            "organisations": 0,
            "users": 0,
            "pages": 0,
            "images": 0,
            "videos": 0,
            "question_banks": 0,
        }
        self.clip = None
        try:
            with tempfile.TemporaryDirectory() as self.workdir, transaction.atomic():
                organisations = self._load_organisations()
                users = self._load_users(organisations)
                self._load_pages(organisations, users)
                self._load_question_banks(organisations, users)
                # Higher apps add their demo data (progress: enrolments).
                for hook in hooks.get_hooks("load_demo"):
                    hook(users=users, stdout=self.stdout)
        except ApplicationError as exc:
            raise CommandError(f"{exc.message} {exc.extra or ''}".strip()) from exc
        self._report()

    # -- organisations and people -------------------------------------------

    def _load_organisations(self) -> dict[str, Organisation]:
        organisations: dict[str, Organisation] = {}
        for spec in demo_content.ORGANISATIONS:
            organisation = Organisation.objects.filter(code=spec["code"]).first()
            if organisation is None:
                parent = organisations.get(spec["parent"]) if spec["parent"] else None
                if parent is not None:
                    parent.refresh_from_db()  # treebeard needs the current numchild
                organisation = lms_services.organisation_create(
                    name=spec["name"],
                    kind=spec["kind"],
                    code=spec["code"],
                    parent=parent,
                    region=spec["region"],
                )
                self.created["organisations"] += 1
            organisations[spec["code"]] = organisation
        return organisations

    def _load_users(self, organisations: dict[str, Organisation]) -> dict[str, User]:
        users: dict[str, User] = {}
        for spec in demo_content.USERS:
            user = User.objects.filter(email__iexact=spec["email"]).first()
            if user is None:
                user = lms_services.user_create(
                    email=spec["email"],
                    phone=spec["phone"],
                    password=demo_content.DEMO_PASSWORD,
                    display_name=spec["display_name"],
                    is_superuser=spec.get("superuser", False),
                )
                self.created["users"] += 1
            lms_services.membership_grant(
                user=user, organisation=organisations[spec["organisation"]], role=spec["role"]
            )
            worker = spec.get("worker")
            if worker and not WorkerProfile.objects.filter(user=user).exists():
                lms_services.worker_profile_create(
                    user=user,
                    legal_name=worker["legal_name"],
                    id_number=worker["id_number"],
                    employer=organisations[worker["employer"]],
                )
            users[spec["email"]] = user
        return users

    # -- pages --------------------------------------------------------------

    def _load_pages(self, organisations: dict[str, Organisation], users: dict[str, User]) -> None:
        self.admin = admin = next(
            users[spec["email"]]
            for spec in demo_content.USERS
            if spec["role"] == Membership.Role.PLATFORM_ADMIN
        )
        catalogue = self._catalogue(owner=admin)
        for trade_spec in demo_content.TRADES:
            trade = self._child(catalogue, TradePage, trade_spec["slug"])
            if trade is None:
                trade = TradePage.objects.filter(
                    occupation_code=trade_spec["occupation_code"]
                ).first()
            if trade is None:
                trade = self._publish(
                    catalogue,
                    TradePage(
                        title=trade_spec["title"],
                        slug=trade_spec["slug"],
                        occupation_name=trade_spec["occupation_name"],
                        occupation_code=trade_spec["occupation_code"],
                        icon=trade_spec["icon"],
                        description=trade_spec["description"],
                        owner=admin,
                    ),
                    user=admin,
                )
            for course_spec in trade_spec["courses"]:
                self._load_course(trade, trade_spec, course_spec, organisations, users)

    def _load_course(self, trade, trade_spec, course_spec, organisations, users) -> None:
        course = self._child(trade, CoursePage, course_spec["slug"])
        if course is None:
            instructors = [users[email] for email in course_spec["instructors"]]
            course = CoursePage(
                title=course_spec["title"],
                slug=course_spec["slug"],
                provider=organisations[course_spec["provider"]],
                level=course_spec["level"],
                study_hours=Decimal(course_spec["study_hours"]),
                voucher_price=Decimal(course_spec["voucher_price"]),
                summary=course_spec["summary"],
                search_description=course_spec["summary"],
                description=course_spec["description"],
                featured=course_spec["featured"],
                cover_image=self._cover_image(trade_spec, course_spec),
                owner=instructors[0],
            )
            course.instructors.set(instructors)
            course = self._publish(trade, course, user=instructors[0])
        for lesson_spec in course_spec["lessons"]:
            if self._child(course, LessonPage, lesson_spec["slug"]) is not None:
                continue
            self._publish(
                course,
                LessonPage(
                    title=lesson_spec["title"],
                    slug=lesson_spec["slug"],
                    summary=lesson_spec["summary"],
                    duration_minutes=lesson_spec["duration_minutes"],
                    body=list(lesson_spec["body"]),
                    owner=course.owner,
                ),
                user=course.owner,
            )
        first_lesson = LessonPage.objects.child_of(course).order_by("path").first()
        if not self.skip_videos and first_lesson is not None and first_lesson.video_id is None:
            self._lesson_video(first_lesson, owner=course.owner)

    def _load_question_banks(self, organisations, users) -> None:
        """Each bank once (found by trade and title), with its questions and
        a first revision by its author, through the courses services."""
        for spec in demo_content.QUESTION_BANKS:
            trade = TradePage.objects.filter(slug=spec["trade"]).order_by("path").first()
            if (
                trade is None
                or QuestionBank.objects.filter(trade=trade, title=spec["title"]).exists()
            ):
                continue
            questions = []
            for question in spec["questions"]:
                question = dict(question)
                question["options"] = [
                    {"text": text, "is_correct": correct}
                    for text, correct in question.get("options", ())
                ]
                for key in ("answer_value", "tolerance"):
                    if key in question:
                        question[key] = Decimal(question[key])
                questions.append(question)
            courses_services.question_bank_create(
                title=spec["title"],
                trade=trade,
                provider=organisations[spec["provider"]],
                level=spec["level"],
                description=spec["description"],
                questions=questions,
                user=users[spec["author"]],
            )
            self.created["question_banks"] += 1

    def _lesson_video(self, lesson: LessonPage, *, owner: User) -> None:
        """A short generated clip (test pattern, voice-like tone) for the
        lesson, run through the real pipeline: uploaded to storage, attached,
        and processed by the transcode task once this transaction commits
        (in-process with the embedded default, by a worker with a broker)."""
        clip = self._demo_clip()
        asset = media_services.asset_create(title=lesson.title, created_by=owner)
        with clip.open("rb") as source:
            key = default_storage.save(f"videos/source/{asset.pk}/demo.mp4", File(source))
        media_services.asset_source_attach(
            asset=asset, storage_key=key, original_name="demo.mp4", size=clip.stat().st_size
        )
        lesson.video = asset
        lesson.save_revision(user=owner).publish(user=self.admin)
        self.created["videos"] += 1

    def _demo_clip(self) -> Path:
        """One generated clip per run, uploaded once per lesson."""
        if self.clip is None:
            self.clip = media_ffmpeg.demo_clip(
                Path(self.workdir) / "demo.mp4", seconds=12, width=960, height=540
            )
        return self.clip

    def _catalogue(self, *, owner: User) -> CatalogueIndexPage:
        """The catalogue under the default site's home page; both are created by
        a courses data migration, and here only if they are missing."""
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
        home = site.root_page.specific if site is not None else None
        if not isinstance(home, HomePage):
            home = HomePage.objects.order_by("path").first()
        if home is None:
            root = Page.get_first_root_node()
            taken = set(root.get_children().values_list("slug", flat=True))
            home = self._publish(
                root,
                HomePage(
                    title="匠学",
                    slug="home" if "home" not in taken else "jiangxue",
                    intro="工会举办的免费在线职业技能培训：学习有记录、可追溯、可考核、可验证。",
                    owner=owner,
                ),
                user=owner,
            )
        if site is None:
            Site.objects.create(
                hostname="localhost",
                port=80,
                root_page=home,
                is_default_site=True,
                site_name="匠学 Jiangxue",
            )
        elif site.root_page_id != home.pk:
            site.root_page = home
            site.save(update_fields=["root_page"])
        catalogue = self._child(home, CatalogueIndexPage, "courses")
        if catalogue is None:
            catalogue = CatalogueIndexPage.objects.child_of(home).first()
        if catalogue is None:
            catalogue = self._publish(
                home,
                CatalogueIndexPage(
                    title="课程目录",
                    slug="courses",
                    intro="按工种和技能等级浏览课程，或直接搜索。",
                    owner=owner,
                ),
                user=owner,
            )
        return catalogue

    @staticmethod
    def _child(parent: Page, model, slug: str):
        return model.objects.child_of(parent).filter(slug=slug).first()

    def _publish(self, parent: Page, page: Page, *, user: User) -> Page:
        """Add ``page`` under ``parent`` with a first revision by ``user`` (its
        author), published by the platform admin: instructors have no publish
        permission (their edits go through moderation)."""
        parent.refresh_from_db()  # treebeard needs the parent's current numchild
        page = parent.add_child(instance=page)
        page.save_revision(user=user).publish(user=self.admin)
        self.created["pages"] += 1
        return page

    def _cover_image(self, trade_spec: dict, course_spec: dict):
        """A plain coloured tile (colour per trade) with the trade's Latin label and
        the course level, generated so the demo needs no network or assets."""
        background = TRADE_COLOURS.get(trade_spec["slug"], "#3A5A78")
        red, green, blue = (int(background[i : i + 2], 16) for i in (1, 3, 5))
        stripe = (min(red + 14, 255), min(green + 14, 255), min(blue + 14, 255))
        width, height = COVER_SIZE
        tile = PILImage.new("RGB", COVER_SIZE, background)
        draw = ImageDraw.Draw(tile)
        for x in range(-height, width, 60):
            band = [(x, height), (x + 30, height), (x + 30 + height, 0), (x + height, 0)]
            draw.polygon(band, fill=stripe)
        label = TRADE_LABELS.get(trade_spec["slug"], trade_spec["slug"][:5].upper())
        draw.text((56, 150), label, fill="white", font=ImageFont.load_default(size=120))
        draw.text(
            (60, 300),
            f"LEVEL {course_spec['level']}  ·  {course_spec['study_hours']} h",
            fill="white",
            font=ImageFont.load_default(size=40),
        )
        buffer = io.BytesIO()
        tile.save(buffer, format="PNG", optimize=True)
        image = get_image_model()(
            title=f"{course_spec['title']}（封面）",
            file=ImageFile(buffer, name=f"demo-cover-{course_spec['slug']}.png"),
        )
        image.save()
        self.created["images"] += 1
        return image

    # -- report -------------------------------------------------------------

    def _report(self) -> None:
        created = self.created
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded: {created['organisations']} organisations, "
                f"{created['users']} users, {created['pages']} pages and "
                f"{created['images']} cover images and {created['videos']} lesson videos created "
                "(the rest already existed)."
            )
        )
        self.stdout.write(
            f"Question banks: {created['question_banks']} created "
            f"({QuestionBank.objects.count()} in the database)."
        )
        totals = {
            "organisations": Organisation.objects.count(),
            "users": User.objects.count(),
            "trades": TradePage.objects.count(),
            "courses": CoursePage.objects.count(),
            "lessons": LessonPage.objects.count(),
        }
        self.stdout.write("In the database: " + ", ".join(f"{n} {k}" for k, n in totals.items()))
        self.stdout.write("")
        org_names = {spec["code"]: spec["name"] for spec in demo_content.ORGANISATIONS}
        rows = [("role", "name", "organisation", "e-mail", "mobile", "password")]
        for spec in demo_content.USERS:
            rows.append(
                (
                    ROLE_LABELS.get(spec["role"], spec["role"]),
                    spec["display_name"],
                    org_names[spec["organisation"]],
                    spec["email"],
                    spec["phone"],
                    demo_content.DEMO_PASSWORD,
                )
            )
        widths = [max(_display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
        for index, row in enumerate(rows):
            cells = (_pad(cell, width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write("  ".join(cells).rstrip())
            if index == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
        self.stdout.write("")
        self.stdout.write("Site:  http://127.0.0.1:8000/")
        self.stdout.write("Admin: http://127.0.0.1:8000/admin/")
        self.stdout.write(
            "Sign in with the e-mail address or the mobile number. Staff roles (instructor, "
            "auditor, funder, platform admin) enrol a TOTP authenticator at their first admin "
            "sign-in. Accounts that already existed keep their password."
        )


def _display_width(text: str) -> int:
    """Terminal columns: CJK and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _display_width(text))
