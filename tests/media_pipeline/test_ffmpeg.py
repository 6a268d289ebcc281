"""media_pipeline.ffmpeg against the real ffmpeg on small generated clips."""

import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest
from django.utils.translation import gettext as _

from media_pipeline import ffmpeg
from media_pipeline.exceptions import MediaError

from . import clips

SMALL_LADDER = [(120, 200_000), (180, 300_000), (240, 400_000)]


def _streams(path: Path) -> list[dict]:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_streams", "-of", "json", str(path)],
        capture_output=True,
        check=True,
    ).stdout
    return json.loads(out)["streams"]


def _video_size(path: Path) -> tuple[int, int]:
    video = next(s for s in _streams(path) if s["codec_type"] == "video")
    return video["width"], video["height"]


def _extinf(playlist: Path) -> list[float]:
    return [float(x) for x in re.findall(r"#EXTINF:([\d.]+),", playlist.read_text())]


# --- probe ------------------------------------------------------------------


def test_probe_reads_the_facts_of_a_video():
    facts = ffmpeg.probe(clips.cached("320x240.mp4", width=320, height=240, seconds=2))

    assert (facts.width, facts.height, facts.rotation) == (320, 240, 0)
    assert facts.fps == 25.0
    assert (facts.video_codec, facts.audio_codec) == ("h264", "aac")
    assert facts.duration == pytest.approx(2.0, abs=0.05)
    assert facts.size > 0


def test_probe_reads_rotation_and_swaps_the_display_size():
    facts = ffmpeg.probe(clips.cached("640x360-r90.mp4", width=640, height=360, rotate=90))

    assert facts.rotation in (90, 270)
    assert (facts.width, facts.height) == (640, 360)
    assert (facts.display_width, facts.display_height) == (360, 640)


def test_probe_of_a_silent_video_has_no_audio_codec():
    facts = ffmpeg.probe(clips.cached("silent.mp4", width=320, height=240, audio=False))

    assert facts.audio_codec == ""
    assert not facts.has_audio


def test_probe_refuses_an_empty_file(tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")

    with pytest.raises(MediaError) as caught:
        ffmpeg.probe(empty)
    assert caught.value.message == _("The file is empty (0 bytes). Please upload it again.")


def test_probe_refuses_a_text_file_named_mp4(tmp_path):
    fake = tmp_path / "lesson.mp4"
    fake.write_text("这不是视频 — just some notes\n" * 20, encoding="utf-8")

    with pytest.raises(MediaError) as caught:
        ffmpeg.probe(fake)
    assert caught.value.message == _("This file is not a video. Please upload an MP4 or MOV file.")


def test_probe_refuses_a_picture(tmp_path):
    with pytest.raises(MediaError) as caught:
        ffmpeg.probe(clips.png(tmp_path / "still.png"))
    assert caught.value.message == _("This file is not a video. Please upload an MP4 or MOV file.")


def test_probe_calls_a_truncated_mp4_damaged(tmp_path):
    whole = clips.cached("640x360.mp4", width=640, height=360, seconds=2)
    half = clips.truncated(whole, tmp_path / "half.mp4")

    with pytest.raises(MediaError) as caught:
        ffmpeg.probe(half)
    assert caught.value.message == _(
        "The video file is incomplete or damaged. Please upload it again."
    )


def test_probe_refuses_an_audio_only_file(tmp_path):
    with pytest.raises(MediaError) as caught:
        ffmpeg.probe(clips.audio_only(tmp_path / "voice.m4a"))
    assert caught.value.message == _("The file has sound but no picture. Please upload a video.")


def test_probe_refuses_a_video_beyond_the_duration_limit(settings):
    settings.MEDIA_PIPELINE_MAX_DURATION = 1

    with pytest.raises(MediaError) as caught:
        ffmpeg.probe(clips.cached("320x240.mp4", width=320, height=240, seconds=2))
    assert caught.value.message == _(
        "The video lasts %(duration)s, longer than the limit of %(limit)s."
    ) % {"duration": "0:00:02", "limit": "0:00:01"}


# --- ladder -----------------------------------------------------------------


def _sizes(rungs):
    return [(r.name, r.width, r.height, r.video_bitrate) for r in rungs]


def test_ladder_never_upscales():
    assert _sizes(ffmpeg.ladder_for(640, 360)) == [("360p", 640, 360, 800_000)]
    assert _sizes(ffmpeg.ladder_for(1280, 720)) == [
        ("360p", 640, 360, 800_000),
        ("540p", 960, 540, 1_400_000),
        ("720p", 1280, 720, 2_800_000),
    ]
    assert [r.name for r in ffmpeg.ladder_for(3840, 2160)] == ["360p", "540p", "720p", "1080p"]


def test_ladder_of_a_small_source_keeps_one_rung_at_its_own_size():
    assert _sizes(ffmpeg.ladder_for(320, 240)) == [("240p", 320, 240, 800_000)]


def test_ladder_of_a_portrait_source_is_named_by_the_short_side():
    assert _sizes(ffmpeg.ladder_for(720, 1280)) == [
        ("360p", 360, 640, 800_000),
        ("540p", 540, 960, 1_400_000),
        ("720p", 720, 1280, 2_800_000),
    ]


def test_ladder_of_odd_dimensions_is_even():
    rungs = ffmpeg.ladder_for(1081, 1921)

    assert [r.name for r in rungs] == ["360p", "540p", "720p", "1080p"]
    assert all(r.width % 2 == 0 and r.height % 2 == 0 for r in rungs)
    assert (rungs[-1].width, rungs[-1].height) == (1080, 1920)
    assert _sizes(ffmpeg.ladder_for(321, 241)) == [("240p", 320, 240, 800_000)]


# --- transcode --------------------------------------------------------------


def test_transcode_writes_a_master_playlist_with_bandwidth_and_resolution(tmp_path):
    src = clips.cached("1280x720.mp4", width=1280, height=720, seconds=2)
    rungs = ffmpeg.ladder_for(1280, 720)
    seen = []

    master = ffmpeg.transcode_hls(
        src,
        tmp_path,
        rungs,
        duration=2.0,
        fps=25,
        on_progress=seen.append,
        progress_interval=0,
    )

    text = master.read_text()
    variants = re.findall(r"#EXT-X-STREAM-INF:BANDWIDTH=(\d+),RESOLUTION=(\d+x\d+)", text)
    assert [res for _bw, res in variants] == ["640x360", "960x540", "1280x720"]
    assert [int(bw) for bw, _res in variants] == sorted(int(bw) for bw, _res in variants)
    for rung in rungs:
        playlist = tmp_path / rung.name / "index.m3u8"
        assert f"{rung.name}/index.m3u8" in text
        assert _video_size(tmp_path / rung.name / "seg_00000.ts") == (rung.width, rung.height)
        assert "#EXT-X-PLAYLIST-TYPE:VOD" in playlist.read_text()
    assert seen and all(0 <= p <= 99 for p in seen)


def test_segments_last_four_seconds_and_keyframes_are_aligned(tmp_path, settings):
    settings.MEDIA_PIPELINE_LADDER = SMALL_LADDER
    src = clips.cached("320x240-9s.mp4", width=320, height=240, seconds=9)
    rungs = ffmpeg.ladder_for(320, 240)

    ffmpeg.transcode_hls(src, tmp_path, rungs, duration=9.0, fps=25)

    durations = {r.name: _extinf(tmp_path / r.name / "index.m3u8") for r in rungs}
    assert list(durations) == ["120p", "180p", "240p"]
    for values in durations.values():
        assert [round(v, 1) for v in values] == [4.0, 4.0, 1.0]
    for rung in rungs:
        for segment in sorted((tmp_path / rung.name).glob("seg_*.ts")):
            first = subprocess.run(
                ["ffprobe", "-v", "error", "-select_streams", "v", "-read_intervals", "%+#1"]
                + ["-show_entries", "frame=key_frame", "-of", "csv=p=0", str(segment)],
                capture_output=True,
                text=True,
                check=True,
            ).stdout.split()
            assert first[0].strip(",") == "1", segment


def test_transcode_honours_rotation(tmp_path):
    src = clips.cached("640x360-r90.mp4", width=640, height=360, rotate=90)
    facts = ffmpeg.probe(src)
    rungs = ffmpeg.ladder_for(facts.display_width, facts.display_height)

    ffmpeg.transcode_hls(src, tmp_path, rungs, duration=facts.duration, fps=facts.fps)

    assert _sizes(rungs) == [("360p", 360, 640, 800_000)]
    assert _video_size(tmp_path / "360p" / "seg_00000.ts") == (360, 640)
    assert "RESOLUTION=360x640" in (tmp_path / "master.m3u8").read_text()


def test_transcode_of_odd_dimensions_gives_even_renditions(tmp_path):
    src = clips.cached("1081x1921.mp4", width=1081, height=1921, seconds=1)
    facts = ffmpeg.probe(src)
    rungs = ffmpeg.ladder_for(facts.display_width, facts.display_height)

    ffmpeg.transcode_hls(src, tmp_path, rungs, duration=facts.duration, fps=facts.fps)

    sizes = [_video_size(tmp_path / r.name / "seg_00000.ts") for r in rungs]
    assert sizes == [(360, 640), (540, 960), (720, 1280), (1080, 1920)]


def test_a_video_without_sound_gets_video_only_variants(tmp_path):
    src = clips.cached("silent.mp4", width=320, height=240, audio=False)

    ffmpeg.transcode_hls(src, tmp_path, ffmpeg.ladder_for(320, 240), duration=2.0, has_audio=False)

    assert "mp4a" not in (tmp_path / "master.m3u8").read_text()
    assert [s["codec_type"] for s in _streams(tmp_path / "240p" / "seg_00000.ts")] == ["video"]


def test_transcode_of_a_source_that_breaks_off_is_damaged(tmp_path):
    whole = clips.cached("640x360-fast.mp4", width=640, height=360, seconds=3, faststart=True)
    half = clips.truncated(whole, tmp_path / "half.mp4")
    facts = ffmpeg.probe(half)  # the index at the front still promises 3 s

    with pytest.raises(MediaError) as caught:
        ffmpeg.transcode_hls(
            half, tmp_path / "out", ffmpeg.ladder_for(640, 360), duration=facts.duration
        )
    assert caught.value.message == _(
        "The video file is incomplete or damaged. Please upload it again."
    )


def test_an_ffmpeg_that_stops_making_progress_is_killed(tmp_path, settings):
    # A FIFO nobody writes to: ffmpeg blocks opening its input and prints
    # nothing, exactly like a transcode hung on a stuck read.
    settings.MEDIA_PIPELINE_FFMPEG_STALL_SECONDS = 2
    fifo = tmp_path / "hung.mp4"
    os.mkfifo(fifo)
    started = time.monotonic()

    with pytest.raises(MediaError) as caught:
        ffmpeg.transcode_hls(fifo, tmp_path / "out", ffmpeg.ladder_for(640, 360), duration=3)

    assert time.monotonic() - started < 15
    assert caught.value.message == _(
        "Processing stopped making progress and was stopped. Please try again."
    )


# --- poster, sprite ---------------------------------------------------------


def test_poster_is_one_jpeg_of_the_display_size(tmp_path):
    src = clips.cached("640x360-r90.mp4", width=640, height=360, rotate=90)

    out = ffmpeg.poster(src, tmp_path / "poster.jpg", at_seconds=1)

    assert _video_size(out) == (360, 640)


def test_thumbnail_sprite_and_its_webvtt_map(tmp_path):
    src = clips.cached("320x240.mp4", width=320, height=240, seconds=2)

    sprite = ffmpeg.thumbnail_sprite(
        src,
        tmp_path / "thumbnails.jpg",
        tmp_path / "thumbnails.vtt",
        duration=2.0,
        width=320,
        height=240,
        interval=1,
    )

    assert (sprite.tile_width, sprite.tile_height, sprite.columns, sprite.rows) == (160, 120, 2, 1)
    assert _video_size(tmp_path / "thumbnails.jpg") == (320, 120)
    assert (tmp_path / "thumbnails.vtt").read_text() == (
        "WEBVTT\n\n"
        "00:00:00.000 --> 00:00:01.000\nthumbnails.jpg#xywh=0,0,160,120\n\n"
        "00:00:01.000 --> 00:00:02.000\nthumbnails.jpg#xywh=160,0,160,120\n"
    )


def test_sprite_made_inside_the_transcode(tmp_path):
    src = clips.cached("320x240-9s.mp4", width=320, height=240, seconds=9)
    sprite = ffmpeg.sprite_for(
        tmp_path / "thumbnails.jpg", duration=9, width=320, height=240, interval=2
    )

    ffmpeg.transcode_hls(
        src, tmp_path / "out", ffmpeg.ladder_for(320, 240), duration=9, sprite=sprite
    )

    assert (sprite.columns, sprite.rows) == (5, 1)
    assert _video_size(tmp_path / "thumbnails.jpg") == (800, 120)


# --- captions ---------------------------------------------------------------

SRT = (
    "1\r\n00:00:01,000 --> 00:00:02,500\r\n焊枪角度\r\n\r\n"
    "2\r\n00:00:03,000 --> 00:00:04,000\r\n保持匀速\r\n"
)


def test_srt_becomes_webvtt(tmp_path):
    path = tmp_path / "zh.srt"
    path.write_bytes(SRT.encode("utf-8-sig"))

    assert ffmpeg.captions_to_webvtt(path) == (
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.500\n焊枪角度\n\n"
        "2\n00:00:03.000 --> 00:00:04.000\n保持匀速\n"
    )


def test_gb18030_srt_is_decoded(tmp_path):
    path = tmp_path / "zh.srt"
    path.write_bytes(SRT.encode("gb18030"))

    assert "焊枪角度" in ffmpeg.captions_to_webvtt(path)


def test_webvtt_is_kept(tmp_path):
    path = tmp_path / "zh.vtt"
    path.write_text("WEBVTT\n\n00:01.000 --> 00:02.000 align:start\n你好\n", encoding="utf-8")

    assert (
        ffmpeg.captions_to_webvtt(path) == "WEBVTT\n\n00:01.000 --> 00:02.000 align:start\n你好\n"
    )


@pytest.mark.parametrize("kind", ["png", "text", "empty"])
def test_a_caption_file_that_is_not_srt_or_vtt_is_refused(tmp_path, kind):
    path = tmp_path / "zh.srt"
    if kind == "png":
        clips.png(tmp_path / "x.png").rename(path)
    elif kind == "text":
        path.write_text("字幕稍后补上\nsubtitles coming soon\n", encoding="utf-8")
    else:
        path.write_bytes(b"")

    with pytest.raises(MediaError) as caught:
        ffmpeg.captions_to_webvtt(path)
    assert caught.value.message == _(
        "The caption file is not SRT or WebVTT. Please upload a .srt or .vtt file."
    )


def test_captions_are_listed_in_the_master_playlist(tmp_path):
    master = tmp_path / "master.m3u8"
    master.write_text(
        "#EXTM3U\n#EXT-X-VERSION:6\n"
        '#EXT-X-STREAM-INF:BANDWIDTH=928000,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2"\n'
        "360p/index.m3u8\n"
    )

    ffmpeg.add_captions(
        master,
        [("zh-Hans", "中文", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n你好\n")],
        duration=9.5,
        mpegts_start=1.4,
    )

    assert master.read_text() == (
        "#EXTM3U\n#EXT-X-VERSION:6\n"
        '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="中文",LANGUAGE="zh-Hans",'
        'DEFAULT=NO,AUTOSELECT=YES,URI="captions/zh-Hans.m3u8"\n'
        '#EXT-X-STREAM-INF:BANDWIDTH=928000,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2",'
        'SUBTITLES="subs"\n'
        "360p/index.m3u8\n"
    )
    playlist = (tmp_path / "captions" / "zh-Hans.m3u8").read_text()
    assert "#EXT-X-TARGETDURATION:10\n" in playlist
    assert "#EXTINF:9.500,\nzh-Hans.vtt\n#EXT-X-ENDLIST" in playlist
    assert (tmp_path / "captions" / "zh-Hans.vtt").read_text() == (
        "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:126000,LOCAL:00:00:00.000\n\n"
        "00:00:01.000 --> 00:00:02.000\n你好\n"
    )


def test_cover_art_is_not_taken_for_the_video(tmp_path):
    src = clips.with_cover_art(
        clips.cached("320x240.mp4", width=320, height=240), tmp_path / "cover.mp4"
    )
    facts = ffmpeg.probe(src)

    ffmpeg.transcode_hls(
        src,
        tmp_path / "out",
        ffmpeg.ladder_for(facts.display_width, facts.display_height),
        duration=facts.duration,
        video_stream=str(facts.video_index),
        audio_stream=str(facts.audio_index),
    )

    streams = _streams(src)
    assert streams[facts.video_index]["codec_name"] == "h264"  # the MP4 muxer moves
    assert [s["codec_name"] for s in streams].count("png") == 1  # the cover last
    assert (facts.video_codec, facts.width, facts.height) == ("h264", 320, 240)
    assert _video_size(tmp_path / "out" / "240p" / "seg_00000.ts") == (320, 240)


def test_the_sprite_of_a_long_portrait_video_stays_a_loadable_size():
    short = ffmpeg.sprite_for(Path("t.jpg"), duration=600, width=1920, height=1080)
    long = ffmpeg.sprite_for(Path("t.jpg"), duration=4 * 3600, width=1080, height=1920)

    assert (short.interval, short.columns, short.rows, short.tile_height) == (10, 5, 12, 90)
    assert long.tile_height == 284
    assert long.rows * long.tile_height <= 16_000
    assert long.interval * long.columns * long.rows >= 4 * 3600
