"""Serving published HLS ladders: local files with ranges, S3 through signed URLs."""

import urllib.request
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from media_pipeline import services
from media_pipeline.models import VideoAsset
from media_pipeline.selectors import asset_playback_get

from . import clips

pytestmark = pytest.mark.django_db

VERSION = "3f2a9c0d5b7e4f61a8c9d0e1f2a3b4c5"
OLD_VERSION = "0a1b2c3d4e5f60718293a4b5c6d7e8f9"
MASTER = (
    "#EXTM3U\n"
    "#EXT-X-VERSION:3\n"
    '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="中文",LANGUAGE="zh-Hans",'
    'DEFAULT=YES,AUTOSELECT=YES,URI="captions/zh-Hans.m3u8"\n'
    '#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,CODECS="avc1.42e01e,mp4a.40.2",'
    'SUBTITLES="subs"\n'
    "360p/index.m3u8\n"
)
MEDIA_PLAYLIST = (
    "#EXTM3U\n"
    "#EXT-X-VERSION:3\n"
    "#EXT-X-TARGETDURATION:4\n"
    "#EXT-X-PLAYLIST-TYPE:VOD\n"
    "#EXTINF:4.000000,\n"
    "segment_000.ts\n"
    "#EXTINF:4.000000,\n"
    "segment_001.ts\n"
    "#EXT-X-ENDLIST\n"
)
CAPTION_PLAYLIST = "#EXTM3U\n#EXT-X-TARGETDURATION:8\n#EXTINF:8.000,\nzh-Hans.vtt\n#EXT-X-ENDLIST\n"
SEGMENT = bytes(range(256)) * 4  # 1024 bytes, every offset recognisable
FILES = {
    "master.m3u8": MASTER.encode(),
    "360p/index.m3u8": MEDIA_PLAYLIST.encode(),
    "360p/segment_000.ts": SEGMENT,
    "360p/segment_001.ts": SEGMENT[::-1],
    "poster.jpg": b"\xff\xd8\xff\xe0 not really a jpeg",
    "thumbnails.vtt": b"WEBVTT\n\n00:00.000 --> 00:04.000\nthumbnails.jpg#xywh=0,0,160,90\n",
    "captions/zh-Hans.m3u8": CAPTION_PLAYLIST.encode(),
    "captions/zh-Hans.vtt": "WEBVTT\n\n00:00.000 --> 00:04.000\n先戴好面罩\n".encode(),
}


@pytest.fixture
def asset(settings, tmp_path):
    """An asset whose published ladder (and an older one) lie in a fresh MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path
    asset = VideoAsset.objects.create(
        title="平焊基础", status=VideoAsset.Status.READY, published_version=VERSION
    )
    for version in (VERSION, OLD_VERSION):
        for name, data in FILES.items():
            path = tmp_path / "hls" / str(asset.pk) / version / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    return asset


@pytest.fixture
def client(client, instructor):
    """Staff may fetch any video; who else may is the progress app's rule."""
    client.force_login(instructor)
    return client


def test_anonymous_and_unenrolled_users_get_403(asset, worker):
    from django.test import Client

    anonymous = Client()
    assert anonymous.get(url(asset, "master.m3u8")).status_code == 403
    stranger = Client()
    stranger.force_login(worker)
    assert stranger.get(url(asset, "360p/segment_000.ts")).status_code == 403


def url(asset, name, version=VERSION):
    return f"/media/hls/{asset.pk}/{version}/{name}"


def body(response) -> bytes:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    response.close()
    return content


def test_playback_urls_point_at_the_published_ladder(asset):
    """The player gets the master playlist and poster of the published version."""
    playback = asset_playback_get(asset=asset)

    assert playback.master_url == url(asset, "master.m3u8")
    assert playback.poster_url == url(asset, "poster.jpg")
    assert playback.thumbnails_url == url(asset, "thumbnails.vtt")


def test_an_asset_without_a_published_ladder_has_no_playback():
    """While the first run is processing there is nothing to play."""
    asset = VideoAsset.objects.create(title="处理中", status=VideoAsset.Status.TRANSCODING)

    assert asset_playback_get(asset=asset) is None
    assert asset_playback_get(asset=None) is None


@pytest.mark.parametrize(
    ("name", "content_type", "cache_control"),
    [
        ("master.m3u8", "application/vnd.apple.mpegurl", "private, max-age=60"),
        ("360p/index.m3u8", "application/vnd.apple.mpegurl", "private, max-age=60"),
        ("360p/segment_000.ts", "video/mp2t", "private, max-age=31536000, immutable"),
        ("poster.jpg", "image/jpeg", "private, max-age=31536000, immutable"),
        ("thumbnails.vtt", "text/vtt; charset=utf-8", "private, max-age=31536000, immutable"),
        ("captions/zh-Hans.vtt", "text/vtt; charset=utf-8", "private, max-age=31536000, immutable"),
    ],
)
def test_local_files_are_served_whole_with_their_hls_content_type(
    client, asset, name, content_type, cache_control
):
    """Without a Range header the whole file comes back with its type and cache policy."""
    response = client.get(url(asset, name))

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Cache-Control"] == cache_control
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == str(len(FILES[name]))
    assert body(response) == FILES[name]


@pytest.mark.parametrize(
    ("header", "start", "end"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, 1023),
        ("bytes=-50", 974, 1023),
        ("bytes=1000-5000", 1000, 1023),  # an end past the file is clamped
        ("bytes=-5000", 0, 1023),  # so is a suffix longer than the file
    ],
)
def test_local_segment_ranges_give_206_with_exactly_those_bytes(client, asset, header, start, end):
    """Range requests (Safari, seeking) get 206, Content-Range and the exact bytes."""
    response = client.get(url(asset, "360p/segment_000.ts"), HTTP_RANGE=header)

    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {start}-{end}/1024"
    assert response["Content-Length"] == str(end - start + 1)
    assert response["Content-Type"] == "video/mp2t"
    assert body(response) == SEGMENT[start : end + 1]


@pytest.mark.parametrize("header", ["bytes=1024-", "bytes=5000-6000", "bytes=-0"])
def test_unsatisfiable_ranges_give_416(client, asset, header):
    """A range that starts past the end gets 416 and the file's size."""
    response = client.get(url(asset, "360p/segment_000.ts"), HTTP_RANGE=header)

    assert response.status_code == 416
    assert response["Content-Range"] == "bytes */1024"


@pytest.mark.parametrize("header", ["bytes=0-1,5-9", "items=0-9", "bytes=9-0", "bytes=-"])
def test_ranges_we_do_not_serve_get_the_whole_file(client, asset, header):
    """Multiple or malformed ranges are answered with the whole file (RFC 9110 allows it)."""
    response = client.get(url(asset, "360p/segment_000.ts"), HTTP_RANGE=header)

    assert response.status_code == 200
    assert body(response) == SEGMENT


def test_head_has_headers_and_no_body(client, asset):
    """Players probe with HEAD; it gets the same headers."""
    response = client.head(url(asset, "360p/segment_000.ts"))

    assert response.status_code == 200
    assert response["Content-Length"] == "1024"
    assert body(response) == b""


def test_other_versions_are_never_served(client, asset):
    """An old or half-written ladder exists in storage but is not reachable."""
    assert client.get(url(asset, "master.m3u8", version=OLD_VERSION)).status_code == 404
    assert client.post(url(asset, "master.m3u8")).status_code == 405

    asset.published_version = ""
    asset.save(update_fields=["published_version"])

    assert client.get(url(asset, "master.m3u8")).status_code == 404


@pytest.mark.parametrize(
    "name",
    [
        "../" + OLD_VERSION + "/master.m3u8",
        "360p/../../" + OLD_VERSION + "/master.m3u8",
        "360p/../../../../../etc/passwd",
        "360p/./index.m3u8",
        "%2e%2e/" + OLD_VERSION + "/master.m3u8",
        "360p/missing.ts",
    ],
)
def test_paths_outside_the_ladder_or_missing_files_give_404(client, asset, name):
    """Traversal out of the published prefix, even encoded, finds nothing."""
    response = client.get(url(asset, name))

    assert response.status_code == 404


def test_an_unknown_asset_gives_404(client, asset):
    assert client.get(f"/media/hls/{asset.pk + 1000}/{VERSION}/master.m3u8").status_code == 404


# ------------------------------------------------------------------------------
# S3 mode, against moto's server over HTTP (fixtures in conftest.py)
# ------------------------------------------------------------------------------
EXPIRE = 600  # querystring_expire of the s3_settings fixture


@pytest.fixture
def s3_asset(s3_bucket, moto_endpoint):
    """The asset's published and old ladders in a bucket; default storage is S3."""
    s3, bucket = s3_bucket
    asset = VideoAsset.objects.create(
        title="平焊基础", status=VideoAsset.Status.READY, published_version=VERSION
    )
    for version in (VERSION, OLD_VERSION):
        for name, data in FILES.items():
            s3.put_object(Bucket=bucket, Key=f"hls/{asset.pk}/{version}/{name}", Body=data)
    return asset, bucket, moto_endpoint


def uris(playlist: str) -> list[str]:
    return [line for line in playlist.splitlines() if line and not line.startswith("#")]


def download(signed_url: str) -> bytes:
    with urllib.request.urlopen(signed_url, timeout=10) as response:  # noqa: S310
        return response.read()


def test_s3_master_playlist_keeps_playlists_relative(client, s3_asset):
    """Variant and caption playlists come through the view again, so they stay relative."""
    asset, _, _ = s3_asset

    response = client.get(url(asset, "master.m3u8"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.apple.mpegurl"
    assert response["Cache-Control"] == "private, max-age=60"
    assert response.content.decode() == MASTER


def test_s3_media_playlist_points_at_presigned_segments_that_download(client, s3_asset):
    """Segment URIs become short-lived presigned URLs of the bucket, and they work."""
    asset, bucket, endpoint = s3_asset

    playlist = client.get(url(asset, "360p/index.m3u8")).content.decode()

    segment_urls = uris(playlist)
    assert len(segment_urls) == 2
    for signed, name in zip(segment_urls, ["segment_000.ts", "segment_001.ts"], strict=True):
        parsed = urlparse(signed)
        query = parse_qs(parsed.query)
        assert f"{parsed.scheme}://{parsed.netloc}" == endpoint
        assert parsed.path == f"/{bucket}/hls/{asset.pk}/{VERSION}/360p/{name}"
        assert query["X-Amz-Expires"] == [str(EXPIRE)]
        assert "X-Amz-Signature" in query
    assert download(segment_urls[0]) == SEGMENT
    assert download(segment_urls[1]) == SEGMENT[::-1]
    # The tags and durations are untouched.
    assert [line for line in playlist.splitlines() if line.startswith("#")] == [
        line for line in MEDIA_PLAYLIST.splitlines() if line.startswith("#")
    ]


def test_s3_caption_playlist_signs_its_webvtt(client, s3_asset):
    """Caption playlists list their WebVTT file, signed like a segment."""
    asset, _, _ = s3_asset

    playlist = client.get(url(asset, "captions/zh-Hans.m3u8")).content.decode()

    [signed] = uris(playlist)
    assert download(signed) == FILES["captions/zh-Hans.vtt"]


def test_s3_other_files_redirect_to_a_presigned_url(client, s3_asset):
    """The poster and thumbnails are a 302 to a signed URL of the bucket."""
    asset, _, _ = s3_asset

    response = client.get(url(asset, "poster.jpg"))

    assert response.status_code == 302
    assert response["Cache-Control"] == "private, max-age=60"
    assert "X-Amz-Signature=" in response["Location"]
    assert download(response["Location"]) == FILES["poster.jpg"]


def test_s3_other_versions_are_never_served(client, s3_asset):
    """The published-version check holds in S3 mode too."""
    asset, _, _ = s3_asset

    assert client.get(url(asset, "master.m3u8", version=OLD_VERSION)).status_code == 404
    assert client.get(url(asset, "360p/missing.m3u8")).status_code == 404


def test_s3_ladder_made_by_the_pipeline_plays_through_signed_urls(
    client, s3_bucket, django_capture_on_commit_callbacks
):
    """A clip processed on S3 by the real pipeline: from the master playlist,
    every variant playlist resolves through the view and every segment it
    lists downloads from its signed URL as an MPEG-TS packet stream."""
    source = clips.cached("320x240.mp4", width=320, height=240)
    asset = services.asset_create(title="S3 平焊")
    key = default_storage.save("sources/playback.mp4", ContentFile(source.read_bytes()))
    with django_capture_on_commit_callbacks(execute=True):
        services.asset_source_attach(
            asset=asset, storage_key=key, original_name="playback.mp4", size=source.stat().st_size
        )
    asset.refresh_from_db()
    assert asset.status == VideoAsset.Status.READY, asset.failure_reason
    playback = asset_playback_get(asset=asset)

    master = client.get(playback.master_url).content.decode()

    variants = uris(master)
    assert variants and all(not v.startswith("http") for v in variants)
    base = playback.master_url.rsplit("/", 1)[0]
    for variant in variants:
        playlist = client.get(f"{base}/{variant}").content.decode()
        segments = uris(playlist)
        assert segments and all("X-Amz-Signature=" in uri for uri in segments)
        for segment in segments:
            assert download(segment)[:1] == b"\x47"  # MPEG-TS sync byte
    poster = client.get(playback.poster_url)
    assert download(poster["Location"])[:2] == b"\xff\xd8"  # JPEG
