"""A lesson's video: picked with the snippet chooser, rendered as an HLS player."""

import pytest

from media_pipeline.models import VideoAsset

pytestmark = pytest.mark.django_db


@pytest.fixture
def lesson(make_course, make_lesson, welder, instructor_a):
    course = make_course(parent=welder, title="焊条电弧焊", slug="arc", instructors=[instructor_a])
    return make_lesson(parent=course, title="平焊", slug="flat")


@pytest.fixture
def client(client, instructor_a):
    """The course's instructor: may always view its lessons (who else may is
    the progress app's rule, tested there)."""
    client.force_login(instructor_a)
    return client


def test_the_lesson_editor_picks_the_video_with_the_snippet_chooser(admin_user_client, lesson):
    """The video field of the lesson editor is Wagtail's chooser of video snippets."""
    html = admin_user_client.get(f"/admin/pages/{lesson.pk}/edit/").content.decode()

    assert 'name="video"' in html
    assert "/admin/snippets/choose/media_pipeline/videoasset/" in html


def test_a_lesson_with_a_published_video_renders_the_player(client, lesson):
    """The page has a <video> pointing at the master
    playlist of the published ladder, and loads the player script."""
    asset = VideoAsset.objects.create(
        title="平焊演示", status=VideoAsset.Status.READY, published_version="v1abc"
    )
    lesson.video = asset
    lesson.save_revision().publish()

    html = client.get(lesson.url).content.decode()

    assert f'data-hls-src="/media/hls/{asset.pk}/v1abc/master.m3u8"' in html
    assert f'poster="/media/hls/{asset.pk}/v1abc/poster.jpg"' in html
    assert 'preload="none"' in html
    assert "playsinline" in html
    assert 'data-hls-lib="/static/media_pipeline/vendor/hls.min.js"' in html
    assert 'src="/static/media_pipeline/player.js"' in html
    assert "video-pending" not in html


def test_a_lesson_whose_video_is_still_processing_says_so(client, lesson):
    """Before the first ladder is published, no player: a message in Chinese."""
    lesson.video = VideoAsset.objects.create(title="处理中", status=VideoAsset.Status.TRANSCODING)
    lesson.save_revision().publish()

    html = client.get(lesson.url).content.decode()

    assert "本课视频正在处理中，请几分钟后再来观看。" in html
    assert "<video" not in html
    assert "player.js" not in html


def test_a_lesson_without_a_video_has_neither_player_nor_message(client, lesson):
    html = client.get(lesson.url).content.decode()

    assert "<video" not in html
    assert "video-pending" not in html
