"""media_pipeline.services: the whole pipeline on local storage, real ffmpeg."""

import re
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.db.models import F
from django.utils.translation import gettext as _

from media_pipeline import services
from media_pipeline.exceptions import MediaError
from media_pipeline.models import Caption, Rendition, VideoAsset

from . import clips

pytestmark = pytest.mark.django_db

SRT = "1\n00:00:00,500 --> 00:00:01,500\n焊枪角度\n"
DAMAGED = "The video file is incomplete or damaged. Please upload it again."


@pytest.fixture(autouse=True)
def media(local_media):
    return local_media


def _store(key: str, data: bytes) -> str:
    return default_storage.save(key, ContentFile(data))


def _store_file(key: str, path: Path) -> str:
    return _store(key, Path(path).read_bytes())


def _attach(asset, key, django_capture_on_commit_callbacks):
    """Attach a stored source; the eager task runs when the transaction commits."""
    with django_capture_on_commit_callbacks(execute=True):
        services.asset_source_attach(
            asset=asset,
            storage_key=key,
            original_name=Path(key).name,
            size=default_storage.size(key),
        )
    asset.refresh_from_db()
    return asset


def _published_asset():
    """An asset with a previous working ladder (as a lesson would have)."""
    asset = services.asset_create(title="旧视频")
    VideoAsset.objects.filter(pk=asset.pk).update(
        status=VideoAsset.Status.READY, published_version="v0", progress=100
    )
    Rendition.objects.create(
        asset=asset,
        version="v0",
        name="360p",
        width=640,
        height=360,
        bandwidth=928000,
        playlist=f"hls/{asset.pk}/v0/360p/index.m3u8",
    )
    asset.refresh_from_db()
    return asset


def test_asset_create_waits_for_an_upload():
    asset = services.asset_create(title="焊接演示")

    assert (asset.title, asset.status, asset.job, asset.published_version) == (
        "焊接演示",
        VideoAsset.Status.UPLOADING,
        0,
        "",
    )


def test_attaching_a_source_queues_a_job_after_commit(django_capture_on_commit_callbacks):
    asset = services.asset_create(title="焊接演示")
    key = _store_file("sources/a.mp4", clips.cached("320x240.mp4", width=320, height=240))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.asset_source_attach(asset=asset, storage_key=key, original_name="a.mp4", size=10)

    asset.refresh_from_db()
    assert (asset.status, asset.job, asset.progress, asset.source) == ("queued", 1, 0, key)
    assert len(callbacks) == 1


def test_a_source_beyond_the_upload_limit_is_refused(settings):
    settings.MEDIA_PIPELINE_MAX_UPLOAD_BYTES = 1000
    asset = services.asset_create(title="大文件")

    with pytest.raises(MediaError):
        services.asset_source_attach(
            asset=asset, storage_key="sources/big.mp4", original_name="big.mp4", size=1001
        )

    asset.refresh_from_db()
    assert (asset.status, asset.job, asset.source) == ("uploading", 0, "")


def test_processing_publishes_a_complete_ladder(django_capture_on_commit_callbacks):
    asset = services.asset_create(title="焊接演示")
    caption_key = _store("captions/zh.srt", SRT.encode())
    Caption.objects.create(asset=asset, language="zh-Hans", label="中文", source=caption_key)
    key = _store_file("sources/720.mp4", clips.cached("1280x720.mp4", width=1280, height=720))

    asset = _attach(asset, key, django_capture_on_commit_callbacks)

    assert (asset.status, asset.progress, asset.failure_reason) == ("ready", 100, "")
    assert (asset.width, asset.height, asset.rotation, asset.frame_rate) == (1280, 720, 0, 25.0)
    assert (asset.video_codec, asset.audio_codec) == ("h264", "aac")
    assert asset.duration == pytest.approx(2.0, abs=0.05)
    assert asset.published_at is not None
    prefix = asset.published_prefix
    assert prefix == f"hls/{asset.pk}/{asset.published_version}/"
    renditions = list(asset.renditions.values_list("name", "width", "height", "version"))
    assert renditions == [
        ("360p", 640, 360, asset.published_version),
        ("540p", 960, 540, asset.published_version),
        ("720p", 1280, 720, asset.published_version),
    ]
    for rendition in asset.renditions.all():
        assert default_storage.exists(rendition.playlist)
    with default_storage.open(prefix + "master.m3u8") as f:
        master = f.read().decode()
    assert re.findall(r"RESOLUTION=(\d+x\d+)", master) == ["640x360", "960x540", "1280x720"]
    assert master.count('SUBTITLES="subs"') == 3
    assert 'URI="captions/zh-Hans.m3u8"' in master
    for name in ("poster.jpg", "thumbnails.jpg", "thumbnails.vtt", "captions/zh-Hans.vtt"):
        assert default_storage.exists(prefix + name), name
    caption = asset.captions.get()
    assert caption.vtt == prefix + "captions/zh-Hans.vtt"
    with default_storage.open(prefix + "thumbnails.vtt") as f:
        assert "thumbnails.jpg#xywh=0,0,160,90" in f.read().decode()
    assert default_storage.exists(key)


def test_a_portrait_phone_video_with_odd_dimensions_is_published(
    django_capture_on_commit_callbacks,
):
    asset = services.asset_create(title="竖屏")
    key = _store_file(
        "sources/odd.mp4", clips.cached("1081x1921.mp4", width=1081, height=1921, seconds=1)
    )

    asset = _attach(asset, key, django_capture_on_commit_callbacks)

    assert asset.status == "ready"
    assert list(asset.renditions.values_list("width", "height")) == [
        (360, 640),
        (540, 960),
        (720, 1280),
        (1080, 1920),
    ]


def test_a_rotated_video_is_published_upright(django_capture_on_commit_callbacks):
    asset = services.asset_create(title="旋转")
    key = _store_file(
        "sources/r.mp4", clips.cached("640x360-r90.mp4", width=640, height=360, rotate=90)
    )

    asset = _attach(asset, key, django_capture_on_commit_callbacks)

    assert asset.rotation in (90, 270)
    assert list(asset.renditions.values_list("name", "width", "height")) == [("360p", 360, 640)]


def _bad_source(kind: str, tmp_path: Path, settings) -> tuple[bytes, str]:
    if kind == "empty":
        return b"", _("The file is empty (0 bytes). Please upload it again.")
    if kind == "text":
        return "课程笔记\n".encode() * 50, _(
            "This file is not a video. Please upload an MP4 or MOV file."
        )
    if kind == "truncated":
        whole = clips.cached("640x360.mp4", width=640, height=360)
        return clips.truncated(whole, tmp_path / "half.mp4").read_bytes(), _(DAMAGED)
    if kind == "truncated-faststart":
        whole = clips.cached("640x360-fast.mp4", width=640, height=360, seconds=3, faststart=True)
        return clips.truncated(whole, tmp_path / "half.mp4").read_bytes(), _(DAMAGED)
    if kind == "audio-only":
        return clips.audio_only(tmp_path / "a.m4a").read_bytes(), _(
            "The file has sound but no picture. Please upload a video."
        )
    assert kind == "too-long"
    settings.MEDIA_PIPELINE_MAX_DURATION = 1
    return clips.cached("320x240.mp4", width=320, height=240).read_bytes(), _(
        "The video lasts %(duration)s, longer than the limit of %(limit)s."
    ) % {"duration": "0:00:02", "limit": "0:00:01"}


@pytest.mark.parametrize(
    "kind", ["empty", "text", "truncated", "truncated-faststart", "audio-only", "too-long"]
)
def test_bad_input_fails_with_a_reason_and_keeps_the_previous_video(
    kind, tmp_path, settings, django_capture_on_commit_callbacks
):
    asset = _published_asset()
    data, reason = _bad_source(kind, tmp_path, settings)
    key = _store("sources/bad.mp4", data)

    asset = _attach(asset, key, django_capture_on_commit_callbacks)

    assert (asset.status, asset.failure_reason, asset.progress) == ("failed", reason, 0)
    assert asset.published_version == "v0"
    assert list(asset.renditions.values_list("version", "name")) == [("v0", "360p")]
    assert default_storage.exists(key)
    assert not default_storage.exists(f"hls/{asset.pk}")


@pytest.mark.parametrize("kind", ["png", "text"])
def test_a_bad_caption_file_fails_processing_and_keeps_the_previous_video(
    kind, tmp_path, django_capture_on_commit_callbacks
):
    asset = _published_asset()
    if kind == "png":
        data = clips.png(tmp_path / "x.png").read_bytes()
    else:
        data = "字幕稍后补上\n".encode()
    Caption.objects.create(
        asset=asset, language="zh-Hans", label="中文", source=_store("captions/zh.srt", data)
    )
    key = _store_file("sources/ok.mp4", clips.cached("320x240.mp4", width=320, height=240))

    asset = _attach(asset, key, django_capture_on_commit_callbacks)

    assert asset.status == "failed"
    assert asset.failure_reason == _(
        "The caption file is not SRT or WebVTT. Please upload a .srt or .vtt file."
    )
    assert asset.published_version == "v0"
    assert list(asset.renditions.values_list("version", flat=True)) == ["v0"]


def test_caption_add_refuses_a_bad_file_and_changes_nothing(django_capture_on_commit_callbacks):
    asset = _published_asset()
    key = _store("captions/bad.srt", b"not captions at all")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(MediaError):
        services.caption_add(asset=asset, language="zh-Hans", label="中文", storage_key=key)

    assert callbacks == []
    assert not Caption.objects.exists()
    asset.refresh_from_db()
    assert (asset.status, asset.job) == ("ready", 0)


def test_caption_add_reprocesses_with_the_caption(django_capture_on_commit_callbacks):
    asset = services.asset_create(title="加字幕")
    source = _store_file("sources/ok.mp4", clips.cached("320x240.mp4", width=320, height=240))
    asset = _attach(asset, source, django_capture_on_commit_callbacks)
    first = asset.published_version
    key = _store("captions/zh.srt", SRT.encode("gb18030"))

    with django_capture_on_commit_callbacks(execute=True):
        services.caption_add(asset=asset, language="zh-Hans", label="中文", storage_key=key)

    asset.refresh_from_db()
    assert (asset.status, asset.job) == ("ready", 2)
    assert asset.published_version != first
    with default_storage.open(asset.published_prefix + "captions/zh-Hans.vtt") as f:
        assert "焊枪角度" in f.read().decode()
    assert list(asset.renditions.values_list("version", flat=True)) == [asset.published_version]


def test_a_rerun_of_a_finished_job_changes_nothing(django_capture_on_commit_callbacks):
    asset = services.asset_create(title="重跑")
    key = _store_file("sources/ok.mp4", clips.cached("320x240.mp4", width=320, height=240))
    asset = _attach(asset, key, django_capture_on_commit_callbacks)
    before = (asset.published_version, asset.published_at, list(asset.renditions.values("pk")))

    services.asset_process(asset_id=asset.pk, job=asset.job)

    asset.refresh_from_db()
    assert (
        asset.published_version,
        asset.published_at,
        list(asset.renditions.values("pk")),
    ) == before


def test_a_job_redelivered_mid_transcode_replaces_and_never_duplicates(
    django_capture_on_commit_callbacks,
):
    asset = services.asset_create(title="重投")
    key = _store_file("sources/ok.mp4", clips.cached("320x240.mp4", width=320, height=240))
    asset = _attach(asset, key, django_capture_on_commit_callbacks)
    first = asset.published_version
    # A worker died after the transcode had started: the broker redelivers.
    VideoAsset.objects.filter(pk=asset.pk).update(status=VideoAsset.Status.TRANSCODING, progress=40)

    services.asset_process(asset_id=asset.pk, job=asset.job)

    asset.refresh_from_db()
    assert asset.status == "ready"
    assert asset.published_version != first
    assert list(asset.renditions.values_list("version", "name")) == [
        (asset.published_version, "240p")
    ]


def test_a_stale_job_does_nothing(django_capture_on_commit_callbacks):
    asset = services.asset_create(title="过期")
    key = _store_file("sources/ok.mp4", clips.cached("320x240.mp4", width=320, height=240))
    with django_capture_on_commit_callbacks(execute=False):
        services.asset_source_attach(asset=asset, storage_key=key, original_name="a.mp4", size=1)
        services.asset_source_attach(asset=asset, storage_key=key, original_name="a.mp4", size=1)
    asset.refresh_from_db()
    assert asset.job == 2

    services.asset_process(asset_id=asset.pk, job=1)

    asset.refresh_from_db()
    assert (asset.status, asset.progress, asset.published_version, asset.duration) == (
        "queued",
        0,
        "",
        None,
    )
    assert not Rendition.objects.exists()
    assert not default_storage.exists(f"hls/{asset.pk}")


def test_a_missing_source_fails_with_a_reason(django_capture_on_commit_callbacks):
    asset = _published_asset()

    with django_capture_on_commit_callbacks(execute=True):
        services.asset_source_attach(
            asset=asset, storage_key="sources/gone.mp4", original_name="gone.mp4", size=5
        )

    asset.refresh_from_db()
    assert asset.status == "failed"
    assert asset.failure_reason == _("The uploaded file is missing. Please upload it again.")
    assert asset.published_version == "v0"


def test_publishing_keeps_the_previous_ladder_and_prunes_older_ones(
    django_capture_on_commit_callbacks,
):
    asset = services.asset_create(title="版本")
    key = _store_file("sources/ok.mp4", clips.cached("320x240.mp4", width=320, height=240))
    versions = []
    for _run in range(3):
        asset = _attach(asset, key, django_capture_on_commit_callbacks)
        versions.append(asset.published_version)

    assert sorted(default_storage.listdir(f"hls/{asset.pk}/")[0]) == sorted(versions[1:])


def test_processing_on_s3_storage(s3_bucket, django_capture_on_commit_callbacks):
    """On S3 (moto's server over HTTP) the source is downloaded to a temporary
    file and every output is uploaded with its content type."""
    client, bucket = s3_bucket
    asset = services.asset_create(title="S3")
    key = _store_file("sources/s3.mp4", clips.cached("320x240.mp4", width=320, height=240))

    asset = _attach(asset, key, django_capture_on_commit_callbacks)

    assert asset.status == "ready", asset.failure_reason
    prefix = asset.published_prefix
    listed = client.list_objects_v2(Bucket=bucket, Prefix=prefix)["Contents"]
    names = sorted(o["Key"].removeprefix(prefix) for o in listed)
    assert names[:3] == ["240p/index.m3u8", "240p/seg_00000.ts", "master.m3u8"]
    assert {"poster.jpg", "thumbnails.jpg", "thumbnails.vtt"} <= set(names)
    head = client.head_object(Bucket=bucket, Key=prefix + "master.m3u8")
    assert head["ContentType"] == "application/vnd.apple.mpegurl"
    head = client.head_object(Bucket=bucket, Key=prefix + "240p/seg_00000.ts")
    assert head["ContentType"] == "video/mp2t"
    assert default_storage.exists(key)


class _NewUploadDuringSave(FileSystemStorage):
    """Local storage where a new upload of the asset lands while the ladder
    is being stored (the running job is overtaken)."""

    def _save(self, name, content):
        if name.startswith("hls/") and name.endswith("master.m3u8"):
            VideoAsset.objects.update(job=F("job") + 1, status=VideoAsset.Status.QUEUED)
        return super()._save(name, content)


def test_a_job_overtaken_by_a_newer_one_publishes_nothing(
    settings, django_capture_on_commit_callbacks
):
    asset = _published_asset()
    key = _store_file("sources/ok.mp4", clips.cached("320x240.mp4", width=320, height=240))
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": f"{__name__}._NewUploadDuringSave"},
    }

    asset = _attach(asset, key, django_capture_on_commit_callbacks)

    assert (asset.job, asset.status, asset.published_version) == (2, "queued", "v0")
    assert list(asset.renditions.values_list("version", flat=True)) == ["v0"]
    assert default_storage.listdir(f"hls/{asset.pk}/") == ([], [])


def test_a_missing_source_on_s3_fails_with_a_reason(s3_bucket, django_capture_on_commit_callbacks):
    asset = _published_asset()

    with django_capture_on_commit_callbacks(execute=True):
        services.asset_source_attach(
            asset=asset, storage_key="sources/gone.mp4", original_name="gone.mp4", size=5
        )

    asset.refresh_from_db()
    assert (asset.status, asset.published_version) == ("failed", "v0")
    assert asset.failure_reason == _("The uploaded file is missing. Please upload it again.")
