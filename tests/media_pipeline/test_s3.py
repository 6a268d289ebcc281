"""S3 mode: the browser uploads straight to the bucket through presigned
multipart URLs. Everything runs against moto's S3 server over HTTP."""

import os
import urllib.request

import pytest
from django.urls import reverse

from media_pipeline import s3
from media_pipeline.models import Upload, VideoAsset

from . import clips

MiB = 1024 * 1024
pytestmark = pytest.mark.django_db


@pytest.fixture
def small_parts(s3_settings):
    """Parts of S3's minimum, 5 MiB, so two parts make a small file."""
    s3_settings.MEDIA_PIPELINE_UPLOAD_PART_SIZE = 5 * MiB
    return 5 * MiB


def http_put(url: str, body: bytes) -> str:
    """PUT ``body`` to a presigned URL as a browser would; returns the ETag."""
    # urllib would label the body a form, which no browser does for a Blob.
    request = urllib.request.Request(
        url, data=body, method="PUT", headers={"Content-Type": "application/octet-stream"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status == 200
        return response.headers["ETag"]


def start(client, **fields):
    body = {"title": "焊接示范", "filename": "weld.mp4", "content_type": "video/mp4", **fields}
    return client.post(reverse("media-upload-list"), body, content_type="application/json")


def sign(client, upload_id, number):
    response = client.post(reverse("media-upload-part", args=[upload_id, number]))
    assert response.status_code == 200, response.content
    return response.json()["url"]


def test_multipart_functions_round_trip(s3_bucket):
    """s3.py starts, lists, completes and measures a multipart upload."""
    client, bucket = s3_bucket
    key = "videos/source/1/abc/clip.mp4"
    upload_id = s3.multipart_create(key, "video/mp4")
    first = os.urandom(5 * MiB)
    etag = http_put(s3.multipart_sign_part(key, upload_id, 1, 60), first)

    assert s3.multipart_list_parts(key, upload_id) == [
        {"part_number": 1, "etag": etag, "size": 5 * MiB}
    ]
    s3.multipart_complete(key, upload_id, [{"part_number": 1, "etag": etag}])

    assert s3.object_size(key) == 5 * MiB
    assert client.get_object(Bucket=bucket, Key=key)["Body"].read() == first
    assert s3.object_size("videos/source/none.mp4") is None


def test_multipart_abort_frees_the_upload(s3_bucket):
    client, bucket = s3_bucket
    key = "videos/source/1/abc/clip.mp4"
    upload_id = s3.multipart_create(key, "video/mp4")

    s3.multipart_abort(key, upload_id)
    s3.multipart_abort(key, upload_id)  # already gone: no error

    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_s3_upload_resumes_after_a_dropped_connection_and_queues_the_asset(
    instructor_client, instructor, small_parts, s3_bucket
):
    """Given a 2-part file, when part 1 is uploaded and the connection drops,
    the status lists part 1; the browser uploads part 2 and completes; the
    object has the declared size and the asset is queued for processing."""
    client, bucket = s3_bucket
    data = os.urandom(5 * MiB + 1000)
    response = start(instructor_client, size=len(data))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["mode"] == "s3"
    assert body["part_size"] == 5 * MiB
    assert body["part_count"] == 2
    upload_id, asset_id = body["upload_id"], body["asset_id"]
    upload = Upload.objects.get(pk=upload_id)
    assert upload.key.startswith(f"videos/source/{asset_id}/")
    assert upload.key.endswith("/weld.mp4")
    assert upload.created_by == instructor

    http_put(sign(instructor_client, upload_id, 1), data[: 5 * MiB])
    # The connection drops; the page asks what S3 already holds.
    status = instructor_client.get(reverse("media-upload-detail", args=[upload_id])).json()
    assert [(p["part_number"], p["size"]) for p in status["parts"]] == [(1, 5 * MiB)]

    etag2 = http_put(sign(instructor_client, upload_id, 2), data[5 * MiB :])
    parts = status["parts"] + [{"part_number": 2, "etag": etag2}]
    response = instructor_client.post(
        reverse("media-upload-complete", args=[upload_id]),
        {"parts": [{"part_number": p["part_number"], "etag": p["etag"]} for p in parts]},
        content_type="application/json",
    )

    assert response.status_code == 200, response.content
    assert client.head_object(Bucket=bucket, Key=upload.key)["ContentLength"] == len(data)
    assert client.get_object(Bucket=bucket, Key=upload.key)["Body"].read() == data
    upload.refresh_from_db()
    assert upload.status == Upload.Status.COMPLETE
    asset = VideoAsset.objects.get(pk=asset_id)
    assert asset.status == VideoAsset.Status.QUEUED
    assert asset.source == upload.key
    assert asset.source_name == "weld.mp4"
    assert asset.source_size == len(data)
    assert asset.job == 1


def test_complete_with_a_missing_part_is_refused_and_attaches_nothing(
    instructor_client, small_parts, s3_bucket
):
    client, bucket = s3_bucket
    data = os.urandom(5 * MiB + 10)
    body = start(instructor_client, size=len(data)).json()
    etag = http_put(sign(instructor_client, body["upload_id"], 1), data[: 5 * MiB])

    response = instructor_client.post(
        reverse("media-upload-complete", args=[body["upload_id"]]),
        {"parts": [{"part_number": 1, "etag": etag}]},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["missing_parts"] == [2]
    asset = VideoAsset.objects.get(pk=body["asset_id"])
    assert (asset.status, asset.source, asset.job) == (VideoAsset.Status.UPLOADING, "", 0)
    assert Upload.objects.get(pk=body["upload_id"]).status == Upload.Status.ACTIVE
    assert client.list_objects_v2(Bucket=bucket).get("KeyCount") == 0


def test_a_cut_off_part_is_sent_again_before_the_upload_completes(
    instructor_client, small_parts, s3_bucket
):
    """A part whose body was cut short is refused at completion (nothing is
    joined or attached); once it is sent again in full, the upload completes."""
    client, bucket = s3_bucket
    data = os.urandom(5 * MiB + 10)
    body = start(instructor_client, size=len(data)).json()
    complete_url = reverse("media-upload-complete", args=[body["upload_id"]])
    http_put(sign(instructor_client, body["upload_id"], 1), data[: 5 * MiB])
    http_put(sign(instructor_client, body["upload_id"], 2), data[5 * MiB : 5 * MiB + 5])

    response = instructor_client.post(complete_url, {}, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["missing_parts"] == [2]
    asset = VideoAsset.objects.get(pk=body["asset_id"])
    assert (asset.status, asset.source, asset.job) == (VideoAsset.Status.UPLOADING, "", 0)
    assert client.list_objects_v2(Bucket=bucket).get("KeyCount") == 0

    http_put(sign(instructor_client, body["upload_id"], 2), data[5 * MiB :])
    response = instructor_client.post(complete_url, {}, content_type="application/json")

    assert response.status_code == 200
    upload = Upload.objects.get(pk=body["upload_id"])
    assert client.get_object(Bucket=bucket, Key=upload.key)["Body"].read() == data
    assert VideoAsset.objects.get(pk=body["asset_id"]).status == VideoAsset.Status.QUEUED


def test_sign_refuses_part_numbers_outside_the_file(instructor_client, small_parts, s3_bucket):
    body = start(instructor_client, size=5 * MiB + 10).json()

    response = instructor_client.post(reverse("media-upload-part", args=[body["upload_id"], 3]))

    assert response.status_code == 400


def test_delete_aborts_the_multipart_upload(instructor_client, small_parts, s3_bucket):
    client, bucket = s3_bucket
    body = start(instructor_client, size=5 * MiB + 10).json()

    response = instructor_client.delete(reverse("media-upload-detail", args=[body["upload_id"]]))

    assert response.status_code == 204
    assert client.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    assert Upload.objects.get(pk=body["upload_id"]).status == Upload.Status.ABORTED
    assert VideoAsset.objects.get(pk=body["asset_id"]).status == VideoAsset.Status.FAILED


def test_part_size_grows_to_stay_within_ten_thousand_parts(s3_settings):
    from media_pipeline.uploads import _s3_part_size

    assert _s3_part_size(100 * MiB) == 16 * MiB
    size = 200 * 1024 * MiB
    assert -(-size // _s3_part_size(size)) <= 10_000
    s3_settings.MEDIA_PIPELINE_UPLOAD_PART_SIZE = MiB
    assert _s3_part_size(100 * MiB) == 5 * MiB


def test_a_real_clip_uploaded_to_s3_is_processed_and_published(
    instructor_client, s3_bucket, django_capture_on_commit_callbacks
):
    """The whole S3 journey: a small real clip goes to the bucket through a
    presigned part, completing the upload queues the pipeline, and the ladder
    is published in the same bucket."""
    client, bucket = s3_bucket
    data = clips.cached("320x240.mp4", width=320, height=240).read_bytes()
    body = start(instructor_client, size=len(data)).json()
    assert body["part_count"] == 1
    http_put(sign(instructor_client, body["upload_id"], 1), data)

    with django_capture_on_commit_callbacks(execute=True):
        response = instructor_client.post(
            reverse("media-upload-complete", args=[body["upload_id"]]),
            {},
            content_type="application/json",
        )

    assert response.status_code == 200, response.content
    asset = VideoAsset.objects.get(pk=body["asset_id"])
    assert (asset.status, asset.progress, asset.failure_reason) == ("ready", 100, "")
    assert (asset.width, asset.height) == (320, 240)
    master = client.get_object(Bucket=bucket, Key=asset.published_prefix + "master.m3u8")
    assert b"#EXTM3U" in master["Body"].read()
    assert client.head_object(Bucket=bucket, Key=asset.source)["ContentLength"] == len(data)
