"""A worker opens a lesson and its video plays through hls.js in Debian's Chromium."""

from io import StringIO

import pytest
from django.contrib.staticfiles import finders
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from playwright.sync_api import expect

from courses.models import LessonPage
from media_pipeline import services
from media_pipeline.models import VideoAsset
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


def test_lesson_video_is_processed_and_plays_in_chromium(lesson, clip, live_server, page):
    """Given a clip run through the real pipeline and attached to a lesson, the
    lesson page shows the video, hls.js loads the master playlist and playback
    gets past three seconds."""
    assert finders.find("media_pipeline/vendor/hls.min.js"), "`make setup` vendors hls.js from npm"
    asset = services.asset_create(title="平焊演示")
    with clip.open("rb") as handle:
        key = default_storage.save(f"sources/{asset.pk}/weld.mp4", File(handle))
    # Eager Celery in tests: processing runs when the attach commits.
    services.asset_source_attach(
        asset=asset, storage_key=key, original_name="weld.mp4", size=clip.stat().st_size
    )
    asset.refresh_from_db()
    assert (asset.status, asset.failure_reason) == (VideoAsset.Status.READY, "")
    assert asset.is_playable
    lesson.video = asset
    lesson.save_revision().publish()

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
    lesson, live_server, page
):
    """While the first run has not published, the worker reads that the video is coming."""
    asset = services.asset_create(title="处理中")
    lesson.video = asset
    lesson.save_revision().publish()

    page.goto(live_server.url + lesson.url)

    expect(page.locator(".video-pending")).to_have_text("本课视频正在处理中，请几分钟后再来观看。")
    expect(page.locator("video")).to_have_count(0)
