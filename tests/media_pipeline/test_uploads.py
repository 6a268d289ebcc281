"""Uploads in local mode (chunks streamed to disk), the rules every upload
follows (size, type, who may upload) and the asset status endpoint."""

import os
import tracemalloc
from datetime import timedelta
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from media_pipeline import uploads
from media_pipeline.models import Upload, VideoAsset

MiB = 1024 * 1024
pytestmark = pytest.mark.django_db


def start(client, **fields):
    body = {"title": "焊接示范", "filename": "weld.mp4", "content_type": "video/mp4", **fields}
    return client.post(
        reverse("media-upload-list"),
        body,
        content_type="application/json",
        headers={"accept-language": "en"},
    )


def put_chunk(client, upload_id, data: bytes, start_at: int, total: int):
    return client.put(
        reverse("media-upload-chunk", args=[upload_id]),
        data,
        content_type="application/octet-stream",
        headers={"content-range": f"bytes {start_at}-{start_at + len(data) - 1}/{total}"},
    )


def test_local_upload_in_chunks_resumes_after_a_wrong_offset(
    instructor_client, local_media, settings
):
    """Given a 3-chunk local upload, a chunk sent at the wrong offset gets 409
    and the current offset; the client resumes there, and the last chunk moves
    the file to its final key and queues the asset."""
    settings.MEDIA_PIPELINE_UPLOAD_CHUNK_SIZE = 1 * MiB
    data = os.urandom(2 * MiB + 123)
    body = start(instructor_client, size=len(data)).json()
    assert (body["mode"], body["part_size"], body["part_count"]) == ("local", MiB, 3)
    upload_id = body["upload_id"]

    response = put_chunk(instructor_client, upload_id, data[:MiB], 0, len(data))
    assert response.status_code == 200
    assert response.json() == {"offset": MiB, "status": "active"}

    # Chunk 3 before chunk 2: refused with where the upload stands.
    response = put_chunk(instructor_client, upload_id, data[2 * MiB :], 2 * MiB, len(data))
    assert response.status_code == 409
    assert response.json()["offset"] == MiB
    # A retried chunk 1 (its response was lost) is refused the same way.
    assert put_chunk(instructor_client, upload_id, data[:MiB], 0, len(data)).status_code == 409

    status = instructor_client.get(reverse("media-upload-detail", args=[upload_id])).json()
    assert status["offset"] == MiB
    assert put_chunk(instructor_client, upload_id, data[MiB : 2 * MiB], MiB, len(data)).json() == {
        "offset": 2 * MiB,
        "status": "active",
    }
    response = put_chunk(instructor_client, upload_id, data[2 * MiB :], 2 * MiB, len(data))

    assert response.json() == {"offset": len(data), "status": "complete"}
    upload = Upload.objects.get(pk=upload_id)
    final = Path(local_media) / upload.key
    assert final.read_bytes() == data
    assert not (Path(local_media) / "uploads-tmp" / upload_id).exists()
    asset = VideoAsset.objects.get(pk=body["asset_id"])
    assert (asset.status, asset.source, asset.source_size, asset.job) == (
        VideoAsset.Status.QUEUED,
        upload.key,
        len(data),
        1,
    )
    # A finished upload takes no more chunks.
    assert put_chunk(instructor_client, upload_id, data[:MiB], 0, len(data)).status_code == 400


def test_chunk_needs_a_matching_content_range(instructor_client, local_media):
    body = start(instructor_client, size=100).json()
    url = reverse("media-upload-chunk", args=[body["upload_id"]])

    no_range = instructor_client.put(url, b"x" * 10, content_type="application/octet-stream")
    wrong_total = put_chunk(instructor_client, body["upload_id"], b"x" * 10, 0, 99)
    wrong_length = instructor_client.put(
        url,
        b"x" * 10,
        content_type="application/octet-stream",
        headers={"content-range": "bytes 0-19/100"},
    )

    assert (no_range.status_code, wrong_total.status_code, wrong_length.status_code) == (
        400,
        400,
        400,
    )
    assert (
        instructor_client.get(reverse("media-upload-detail", args=[body["upload_id"]])).json()[
            "offset"
        ]
        == 0
    )


class CountingStream:
    """A request body generated on the fly: the test holds none of it, and it
    records the largest read the server asked for."""

    def __init__(self, size: int):
        self.remaining = size
        self.largest_read = 0
        self.block = b"\x5a" * MiB

    def read(self, size=-1):
        if size is None or size < 0:
            size = self.remaining
        size = min(size, self.remaining)
        self.largest_read = max(self.largest_read, size)
        self.remaining -= size
        whole, rest = divmod(size, MiB)
        return self.block * whole + self.block[:rest]

    def readline(self, size=-1):
        return self.read(size)


def test_a_64_mib_upload_streams_to_disk_with_flat_memory(instructor, local_media, settings):
    """A 64 MiB file sent as two 32 MiB chunks: the server reads at most
    1 MiB at a time and Python's peak allocation stays under 20 MiB, though
    each chunk is far above DATA_UPLOAD_MAX_MEMORY_SIZE."""
    client = Client()
    client.force_login(instructor)
    size, chunk = 64 * MiB, 32 * MiB
    body = start(client, size=size).json()
    url = reverse("media-upload-chunk", args=[body["upload_id"]])

    tracemalloc.start()
    try:
        for begin in range(0, size, chunk):
            stream = CountingStream(chunk)
            response = client.generic(
                "PUT",
                url,
                headers={"content-range": f"bytes {begin}-{begin + chunk - 1}/{size}"},
                **{
                    "wsgi.input": stream,
                    "CONTENT_LENGTH": str(chunk),
                    "CONTENT_TYPE": "application/octet-stream",
                },
            )
            assert response.status_code == 200, response.content
            assert stream.largest_read <= uploads.READ_BLOCK
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < 20 * MiB
    upload = Upload.objects.get(pk=body["upload_id"])
    assert upload.status == Upload.Status.COMPLETE
    assert (Path(local_media) / upload.key).stat().st_size == size


def test_replacing_a_source_keeps_the_asset_until_the_upload_completes(
    instructor_client, instructor, local_media
):
    """An upload for an existing asset changes nothing on it until it is complete."""
    first = start(instructor_client, size=10).json()
    put_chunk(instructor_client, first["upload_id"], b"0123456789", 0, 10)
    asset = VideoAsset.objects.get(pk=first["asset_id"])

    second = start(instructor_client, asset_id=asset.pk, filename="take2.mov", size=5).json()
    assert second["asset_id"] == asset.pk
    asset.refresh_from_db()
    assert asset.source_name == "weld.mp4"
    put_chunk(instructor_client, second["upload_id"], b"abcde", 0, 5)

    asset.refresh_from_db()
    assert (asset.source_name, asset.source_size, asset.job) == ("take2.mov", 5, 2)
    assert VideoAsset.objects.count() == 1


def test_only_the_creator_may_replace_a_source_or_see_an_upload(
    instructor_client, other_instructor, local_media
):
    body = start(instructor_client, size=10).json()
    other = Client()
    other.force_login(other_instructor)

    assert start(other, asset_id=body["asset_id"], size=10).status_code == 403
    assert other.get(reverse("media-upload-detail", args=[body["upload_id"]])).status_code == 404
    assert put_chunk(other, body["upload_id"], b"0123456789", 0, 10).status_code == 404
    assert Upload.objects.count() == 1


def test_abort_removes_the_temporary_file(instructor_client, local_media):
    body = start(instructor_client, size=10).json()
    put_chunk(instructor_client, body["upload_id"], b"01234", 0, 10)
    temp = Path(local_media) / "uploads-tmp" / body["upload_id"]
    assert temp.exists()

    response = instructor_client.delete(reverse("media-upload-detail", args=[body["upload_id"]]))

    assert response.status_code == 204
    assert not temp.exists()
    asset = VideoAsset.objects.get(pk=body["asset_id"])
    assert asset.status == VideoAsset.Status.FAILED
    assert asset.failure_reason


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"size": 0}, "The file is empty."),
        ({"size": 8 * 1024**3 + 1}, "The file is too large: the limit is 8 GB."),
        (
            {"size": 10, "filename": "notes.txt", "content_type": "text/plain"},
            "This is not a video file. Allowed types: mp4, mov, m4v, mkv, webm, avi, 3gp.",
        ),
        (
            {"size": 10, "filename": "clip.mp4", "content_type": "text/plain"},
            "This is not a video file. Allowed types: mp4, mov, m4v, mkv, webm, avi, 3gp.",
        ),
        ({"size": 10, "title": ""}, "Give the video a title."),
    ],
)
def test_bad_uploads_are_refused_with_a_reason(instructor_client, local_media, fields, message):
    response = start(instructor_client, **fields)

    assert response.status_code == 400
    assert response.json()["detail"] == message
    assert VideoAsset.objects.count() == 0
    assert Upload.objects.count() == 0


def test_the_limit_comes_from_settings(instructor_client, local_media, settings):
    settings.MEDIA_PIPELINE_MAX_UPLOAD_BYTES = 1000

    assert start(instructor_client, size=1001).status_code == 400
    assert start(instructor_client, size=1000).status_code == 201


@pytest.mark.parametrize("who", ["anonymous", "worker", "auditor"])
def test_only_instructors_and_platform_admins_upload(request, local_media, who):
    client = Client()
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))

    response = start(client, size=10)

    assert response.status_code == 403
    assert VideoAsset.objects.count() == 0


def test_asset_status_endpoint_reports_progress_and_reason(instructor_client, local_media):
    body = start(instructor_client, size=10).json()
    VideoAsset.objects.filter(pk=body["asset_id"]).update(
        status=VideoAsset.Status.FAILED, progress=40, failure_reason="Not a video."
    )

    response = instructor_client.get(
        reverse("media-asset-status", args=[body["asset_id"]]), headers={"accept-language": "en"}
    )

    assert response.status_code == 200
    data = response.json()
    assert (data["status"], data["status_display"], data["progress"], data["failure_reason"]) == (
        "failed",
        "Failed",
        40,
        "Not a video.",
    )
    assert Client().get(reverse("media-asset-status", args=[body["asset_id"]])).status_code == 403


# --------------------------------------------------------------------------
# Admin: the Videos listing and the upload page
# --------------------------------------------------------------------------


def admin_client(user) -> Client:
    """``user`` signed in with TOTP set up, as staff must be to open the admin."""
    TOTP.activate(user, generate_totp_secret())
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def test_videos_listing_shows_status_progress_and_failure_reason(instructor, local_media):
    VideoAsset.objects.create(
        title="Butt weld", status=VideoAsset.Status.TRANSCODING, progress=42, duration=61.5
    )
    VideoAsset.objects.create(
        title="Fillet weld", status=VideoAsset.Status.FAILED, failure_reason="No video stream."
    )

    response = admin_client(instructor).get(
        reverse("wagtailsnippets_media_pipeline_videoasset:list")
    )

    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Butt weld", "Processing", "42", "61.5", "Fillet weld", "No video stream."):
        assert text in html
    upload_url = reverse("wagtailsnippets_media_pipeline_videoasset:add")
    assert upload_url in html


def test_upload_page_has_a_progress_bar_driven_by_upload_js(instructor, local_media):
    response = admin_client(instructor).get(
        reverse("wagtailsnippets_media_pipeline_videoasset:add")
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "<progress" in html
    assert 'type="file"' in html
    assert "media_pipeline/upload.js" in html
    assert f'data-uploads-url="{reverse("media-upload-list")}"' in html
    assert "Upload a video" in html


def test_upload_page_can_replace_the_file_of_a_video(instructor, local_media):
    asset = VideoAsset.objects.create(title="Butt weld", created_by=instructor)

    response = admin_client(instructor).get(
        reverse("wagtailsnippets_media_pipeline_videoasset:add") + f"?asset={asset.pk}"
    )

    html = response.content.decode()
    assert f'data-asset-id="{asset.pk}"' in html
    assert "Replace the video file" in html


def test_staff_who_do_not_teach_cannot_open_the_upload_page(auditor, local_media):
    response = admin_client(auditor).get(reverse("wagtailsnippets_media_pipeline_videoasset:add"))

    assert response.status_code in (302, 403)


def test_the_reason_is_in_chinese_by_default(instructor_client, local_media):
    response = instructor_client.post(
        reverse("media-upload-list"),
        {"title": "t", "filename": "a.mp4", "size": 0},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["detail"] == "文件是空的。"


def test_abandoned_uploads_are_pruned_and_active_ones_kept(instructor_client, local_media):
    """An upload untouched for two days is cancelled and its temporary file
    removed; one that received a chunk recently is kept."""
    old = start(instructor_client, size=10).json()
    put_chunk(instructor_client, old["upload_id"], b"01234", 0, 10)
    recent = start(instructor_client, size=10).json()
    put_chunk(instructor_client, recent["upload_id"], b"01234", 0, 10)
    Upload.objects.filter(pk=old["upload_id"]).update(updated_at=timezone.now() - timedelta(days=3))

    assert uploads.upload_abandoned_prune(older_than=timedelta(days=2)) == 1

    assert Upload.objects.get(pk=old["upload_id"]).status == Upload.Status.ABORTED
    assert not (Path(local_media) / "uploads-tmp" / old["upload_id"]).exists()
    assert Upload.objects.get(pk=recent["upload_id"]).status == Upload.Status.ACTIVE
    assert (Path(local_media) / "uploads-tmp" / recent["upload_id"]).exists()


def test_instructors_rename_videos_and_only_platform_admins_delete_them(instructor, local_media):
    asset = VideoAsset.objects.create(title="Butt weld", created_by=instructor)
    client = admin_client(instructor)

    edit = client.get(reverse("wagtailsnippets_media_pipeline_videoasset:edit", args=[asset.pk]))
    inspect = client.get(
        reverse("wagtailsnippets_media_pipeline_videoasset:inspect", args=[asset.pk])
    )
    delete = client.get(
        reverse("wagtailsnippets_media_pipeline_videoasset:delete", args=[asset.pk])
    )

    assert (edit.status_code, inspect.status_code) == (200, 200)
    assert delete.status_code in (302, 403)
    assert VideoAsset.objects.filter(pk=asset.pk).exists()
