"""A worker opens a lesson and its video plays through hls.js in Debian's
Chromium; the study tracker reports it, a presence prompt pauses it, a reload
resumes it, and "my learning" shows the credited time."""

import base64
from io import StringIO

import pytest
from django.contrib.staticfiles import finders
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import expect

from courses.models import LessonPage
from lms.models import Membership
from media_pipeline import services
from media_pipeline.models import VideoAsset
from progress import services as progress_services
from progress.models import Enrolment, PresencePrompt
from progress.xapi.services import xapi_client_create
from tests.e2e.conftest import sign_in
from tests.lms.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.media_pipeline import clips

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def clip(tmp_path):
    """8 s of 640x360 test pattern with a tone: H.264 + AAC, as a phone would send."""
    return clips.video(tmp_path / "weld.mp4", width=640, height=360, seconds=8)


@pytest.fixture
def lesson(transactional_db, settings, tmp_path):
    """A demo lesson, in a fresh MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", "--skip-videos", stdout=StringIO())
    return LessonPage.objects.live().filter(video__isnull=True).first()


def _processed(clip) -> VideoAsset:
    """``clip`` through the real pipeline (eager Celery: it runs on commit)."""
    asset = services.asset_create(title="平焊演示")
    with clip.open("rb") as handle:
        key = default_storage.save(f"sources/{asset.pk}/weld.mp4", File(handle))
    services.asset_source_attach(
        asset=asset, storage_key=key, original_name="weld.mp4", size=clip.stat().st_size
    )
    asset.refresh_from_db()
    assert (asset.status, asset.failure_reason) == (VideoAsset.Status.READY, "")
    assert asset.is_playable
    return asset


@pytest.fixture
def worker(transactional_db):
    user = UserFactory(display_name="王师傅")
    MembershipFactory(user=user, organisation=OrganisationFactory(), role=Membership.Role.WORKER)
    return user


def _enrol(worker, lesson) -> Enrolment:
    return progress_services.enrolment_create(user=worker, course=lesson.get_parent().specific)


def test_lesson_video_is_processed_and_plays_in_chromium(lesson, clip, live_server, page, worker):
    """Given a clip run through the real pipeline and attached to a lesson, the
    lesson page shows an enrolled worker the video, hls.js loads the master
    playlist and playback gets past three seconds."""
    assert finders.find("media_pipeline/vendor/hls.min.js"), "`make setup` vendors hls.js from npm"
    asset = _processed(clip)
    lesson.video = asset
    lesson.save_revision().publish()
    _enrol(worker, lesson)
    sign_in(page, live_server, worker)

    page.goto(live_server.url + lesson.url)

    video = page.locator("video[data-hls-src]")
    expect(video).to_have_attribute(
        "data-hls-src", f"/media/hls/{asset.pk}/{asset.published_version}/master.m3u8"
    )
    expect(video).to_have_attribute(
        "poster", f"/media/hls/{asset.pk}/{asset.published_version}/poster.jpg"
    )
    expect(page.locator(".video-pending")).to_have_count(0)
    # hls.js is loaded on demand and attached (MSE: the source is a blob URL).
    page.wait_for_function("() => window.Hls && document.querySelector('video').hls")
    page.evaluate("() => { const v = document.querySelector('video'); v.muted = true; v.play(); }")
    page.wait_for_function("() => document.querySelector('video').currentTime > 3", timeout=30_000)

    state = page.evaluate(
        """() => {
            const v = document.querySelector('video');
            return {src: v.currentSrc.slice(0, 5), error: v.error, width: v.videoWidth,
                    levels: v.hls.levels.map(l => l.height)};
        }"""
    )
    assert state["src"] == "blob:"
    assert state["error"] is None
    assert state["width"] > 0
    assert state["levels"] == [360]


def test_lesson_without_a_published_ladder_says_the_video_is_being_prepared(
    lesson, live_server, page, worker
):
    """While the first run has not published, the worker reads that the video is coming."""
    asset = services.asset_create(title="处理中")
    lesson.video = asset
    lesson.save_revision().publish()
    _enrol(worker, lesson)
    sign_in(page, live_server, worker)

    page.goto(live_server.url + lesson.url)

    expect(page.locator(".video-pending")).to_have_text("本课视频正在处理中，请几分钟后再来观看。")
    expect(page.locator("video")).to_have_count(0)


def test_a_visitor_who_is_not_enrolled_is_told_to_enrol(lesson, clip, live_server, page):
    asset = _processed(clips.video(clip.parent / "short.mp4", width=320, height=180, seconds=2))
    lesson.video = asset
    lesson.save_revision().publish()

    page.goto(live_server.url + lesson.url)

    expect(page.locator("video")).to_have_count(0)
    expect(page.locator("p.message")).to_contain_text("登录")


def test_study_is_credited_paused_by_a_presence_prompt_and_resumed_after_reload(
    lesson, live_server, page, worker, settings, tmp_path
):
    """The worker plays a lesson: heartbeats reach the server, a presence
    prompt pauses the video until answered, a reload resumes where the video
    stopped, and "my learning" shows the credited time."""
    settings.PROGRESS_HEARTBEAT_SECONDS = 1
    settings.PROGRESS_PROMPT_MIN_SECONDS = settings.PROGRESS_PROMPT_MAX_SECONDS = 2
    asset = _processed(clips.video(tmp_path / "long.mp4", width=640, height=360, seconds=20))
    lesson.video = asset
    lesson.save_revision().publish()
    enrolment = _enrol(worker, lesson)
    sign_in(page, live_server, worker)

    page.goto(live_server.url + lesson.url)
    page.wait_for_function("() => window.Hls && document.querySelector('video').hls")
    page.evaluate("() => { const v = document.querySelector('video'); v.muted = true; v.play(); }")

    # About two seconds in, the server asks: the video pauses until answered.
    dialog = page.locator("#presence-prompt")
    expect(dialog).to_be_visible(timeout=20_000)
    assert page.evaluate("() => document.querySelector('video').paused")
    settings.PROGRESS_PROMPT_MIN_SECONDS = settings.PROGRESS_PROMPT_MAX_SECONDS = 3600
    dialog.get_by_role("button").click()
    expect(dialog).to_be_hidden()
    page.wait_for_function("() => document.querySelector('video').currentTime > 6", timeout=30_000)
    page.evaluate("() => document.querySelector('video').pause()")
    stopped_at = page.evaluate("() => document.querySelector('video').currentTime")
    page.wait_for_timeout(1500)  # the pause heartbeat

    page.reload()
    page.wait_for_function(
        "() => parseFloat(document.querySelector('video').getAttribute('data-start-at')) > 0"
    )
    resume_at = float(page.locator("video").get_attribute("data-start-at"))
    assert abs(resume_at - stopped_at) < 1.5
    page.evaluate("() => { const v = document.querySelector('video'); v.muted = true; v.play(); }")
    page.wait_for_function(
        f"() => document.querySelector('video').currentTime > {stopped_at + 0.5}", timeout=30_000
    )
    page.evaluate("() => document.querySelector('video').pause()")
    page.wait_for_timeout(1500)

    progress_services.heartbeats_flush()
    prompt = PresencePrompt.objects.get()
    assert prompt.answered_at is not None
    enrolment.refresh_from_db()
    # Played about 7–8 s in all; the prompt's pause is not credited.
    assert 4 <= enrolment.study_seconds <= 12

    page.goto(live_server.url + "/learning/")
    minutes, seconds = divmod(round(enrolment.study_seconds), 60)
    expect(page.locator(".my-courses")).to_contain_text(f"{minutes} 分 {seconds} 秒")

    # What the browser did is in the LRS as statements of this registration.
    progress_services.play_sessions_summarise(idle_seconds=0)
    lrs, secret = xapi_client_create(name="Union warehouse", can_read_all=True)
    credentials = base64.b64encode(f"{lrs.key}:{secret}".encode()).decode()
    response = Client().get(
        "/xapi/statements",
        {"registration": str(enrolment.pk), "ascending": "true"},
        HTTP_AUTHORIZATION=f"Basic {credentials}",
        HTTP_X_EXPERIENCE_API_VERSION="1.0.3",
    )
    assert response.status_code == 200
    found = response.json()["statements"]
    verbs = [statement["verb"]["id"].rsplit("/", 1)[-1] for statement in found]
    assert verbs[:3] == ["registered", "asked", "answered"]
    assert "progressed" in verbs[3:]
    assert {statement["context"]["registration"] for statement in found} == {str(enrolment.pk)}
    progressed = [s for s in found if s["verb"]["id"].endswith("/progressed")]
    assert all(s["object"]["id"].endswith(lesson.url) for s in progressed)
