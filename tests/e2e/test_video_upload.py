"""An instructor uploads a video on the admin's upload page in Debian's
Chromium: upload.js sends it in chunks (local mode), survives a dropped
chunk, and then shows the processing status until the video is ready."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from lms.models import Membership
from media_pipeline.models import Upload, VideoAsset
from tests.lms.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.media_pipeline import clips
from tests.media_pipeline import conftest as media_fixtures

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def clip(tmp_path):
    return clips.video(tmp_path / "焊接 demo.mp4", width=480, height=270, seconds=3)


@pytest.fixture
def signed_in_page(page, live_server, transactional_db, settings, tmp_path):
    """The browser signed in as an instructor with TOTP set up."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_PIPELINE_UPLOAD_CHUNK_SIZE = 32 * 1024
    user = UserFactory()
    MembershipFactory(
        user=user, organisation=OrganisationFactory(), role=Membership.Role.INSTRUCTOR
    )
    TOTP.activate(user, generate_totp_secret())
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    return page


def test_instructor_uploads_a_video_and_sees_it_ready(signed_in_page, live_server, clip):
    page = signed_in_page
    dropped = []

    def drop_third_chunk_once(route):
        # The connection drops once mid-upload: upload.js must retry and resume.
        if route.request.method == "PUT" and len(dropped) < 3:
            dropped.append(route.request.headers.get("content-range"))
            if len(dropped) == 3:
                route.abort()
                return
        route.continue_()

    page.route("**/api/v1/media/uploads/*/chunk/", drop_third_chunk_once)
    page.goto(live_server.url + reverse("wagtailsnippets_media_pipeline_videoasset:add"))
    page.fill("#id_video_title", "平焊演示")
    page.set_input_files("#id_video_file", str(clip))
    page.click("[data-upload-start]")

    expect(page.locator("[data-upload-message]")).to_have_text("视频已就绪。", timeout=60_000)
    expect(page.locator("[data-upload-progress]")).to_have_attribute("value", "100")
    asset = VideoAsset.objects.get()
    assert (asset.title, asset.status, asset.failure_reason) == ("平焊演示", "ready", "")
    assert asset.source_size == clip.stat().st_size
    assert asset.source_name == clip.name
    upload = Upload.objects.get()
    assert upload.status == Upload.Status.COMPLETE
    assert upload.part_count >= 4
    assert len(dropped) == 3


# moto's S3 server and the S3 storage settings of the media pipeline tests.
moto_endpoint = media_fixtures.moto_endpoint
s3_settings = media_fixtures.s3_settings


def test_in_s3_mode_the_browser_uploads_parts_straight_to_the_bucket(
    signed_in_page, live_server, s3_settings, clip
):
    """With S3 storage, upload.js PUTs the file to presigned URLs of the bucket
    (moto's server, another origin), completes, and the video is processed."""
    page = signed_in_page
    to_bucket = []
    page.on(
        "request",
        lambda request: request.method == "PUT" and to_bucket.append(request.url),
    )
    page.goto(live_server.url + reverse("wagtailsnippets_media_pipeline_videoasset:add"))
    page.fill("#id_video_title", "S3 演示")
    page.set_input_files("#id_video_file", str(clip))
    page.click("[data-upload-start]")

    expect(page.locator("[data-upload-message]")).to_have_text("视频已就绪。", timeout=60_000)
    endpoint = s3_settings.STORAGES["default"]["OPTIONS"]["endpoint_url"]
    assert len(to_bucket) == 1
    assert to_bucket[0].startswith(endpoint + "/")
    asset = VideoAsset.objects.get()
    assert (asset.status, asset.source_size) == ("ready", clip.stat().st_size)
    assert Upload.objects.get().mode == Upload.Mode.S3
