"""The one module that runs ffmpeg and ffprobe.

Pure functions: paths in, files out; no models, no storage. The ladder is made
by one ffmpeg process with one decode: the decoded picture is scaled in a
cascade (1080 → 720 → 540 → 360, each rung from the previous one, which is
cheaper than scaling every rung from the source) and every rung is encoded
with aligned keyframes so players can switch between them at any segment.
The thumbnail sprite is an extra output of the same graph (a second decode of
a long source would cost more than the whole sprite).
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import ffmpeg as ffmpeg_lib
from django.conf import settings
from django.utils.translation import gettext as _

from .exceptions import MediaError

logger = logging.getLogger(__name__)

FFMPEG = "ffmpeg"
FFPROBE = "ffprobe"
DEFAULT_LADDER = [(360, 800_000), (540, 1_400_000), (720, 2_800_000), (1080, 5_000_000)]
AUDIO_BITRATE = 128_000
KEYFRAME_SECONDS = 2
SPRITE_COLUMNS = 5
SPRITE_WIDTH = 160
SPRITE_MAX_HEIGHT = 16_000
# Container formats ffprobe reports for still images: a picture is not a video.
IMAGE_FORMATS = re.compile(r"(^|,)(image2|\w+_pipe|gif|webp|apng)(,|$)")
# Magic numbers of the video containers we accept, to tell a damaged video
# ("incomplete") from something that never was one ("not a video").
VIDEO_MAGIC = (
    (4, b"ftyp"),  # MP4, MOV, 3GP
    (4, b"moov"),
    (4, b"mdat"),
    (4, b"wide"),
    (4, b"free"),
    (0, b"\x1a\x45\xdf\xa3"),  # Matroska, WebM
    (0, b"RIFF"),  # AVI
    (0, b"FLV"),
    (0, b"\x00\x00\x01\xba"),  # MPEG-PS
    (0, b"\x47"),  # MPEG-TS
)


@dataclass(frozen=True)
class ProbeResult:
    duration: float
    size: int
    width: int  # coded size, before rotation
    height: int
    rotation: int  # 0, 90, 180 or 270
    fps: float
    video_codec: str
    audio_codec: str  # "" when the video has no sound
    video_index: int = 0  # ffprobe stream indexes, so cover art is never taken for the video
    audio_index: int | None = None

    @property
    def display_width(self) -> int:
        return self.height if self.rotation in (90, 270) else self.width

    @property
    def display_height(self) -> int:
        return self.width if self.rotation in (90, 270) else self.height

    @property
    def has_audio(self) -> bool:
        return bool(self.audio_codec)


@dataclass(frozen=True)
class Rung:
    name: str  # "720p"
    width: int
    height: int
    video_bitrate: int  # bits per second

    @property
    def bandwidth(self) -> int:
        return self.video_bitrate + AUDIO_BITRATE


@dataclass(frozen=True)
class Sprite:
    """Where and how the thumbnail sprite of a transcode is written."""

    path: Path
    interval: int
    tile_width: int
    tile_height: int
    columns: int
    rows: int


# --------------------------------------------------------------------------
# Probe
# --------------------------------------------------------------------------


def _ratio(value: str | None) -> float:
    if not value or value in ("0/0", "N/A"):
        return 0.0
    num, _sep, den = value.partition("/")
    try:
        return float(num) / float(den or 1)
    except (ValueError, ZeroDivisionError):
        return 0.0


def _float(value) -> float:
    try:
        result = float(value)
    except (TypeError, ValueError):
        return 0.0
    return result if math.isfinite(result) else 0.0


def _rotation(stream: dict) -> int:
    for side in stream.get("side_data_list") or []:
        if "rotation" in side:
            return round(_float(side["rotation"]) / 90) * 90 % 360
    tag = (stream.get("tags") or {}).get("rotate")
    return round(_float(tag) / 90) * 90 % 360 if tag else 0


def _looks_like_video_container(path: str) -> bool:
    with open(path, "rb") as f:
        head = f.read(16)
    return any(head[offset : offset + len(magic)] == magic for offset, magic in VIDEO_MAGIC)


def _damaged() -> MediaError:
    return MediaError(_("The video file is incomplete or damaged. Please upload it again."))


def _not_a_video() -> MediaError:
    return MediaError(_("This file is not a video. Please upload an MP4 or MOV file."))


def _format_duration(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}"


def probe(path: str | os.PathLike) -> ProbeResult:
    """Read a source's facts with ffprobe; refuse what the pipeline cannot use."""
    path = os.fspath(path)
    size = os.path.getsize(path)
    if size == 0:
        raise MediaError(_("The file is empty (0 bytes). Please upload it again."))
    result = subprocess.run(
        [FFPROBE, "-v", "error", "-show_format", "-show_streams", "-of", "json", path],
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        logger.info("ffprobe refused %s: %s", path, result.stderr[-500:])
        raise _damaged() if _looks_like_video_container(path) else _not_a_video()
    info = json.loads(result.stdout or b"{}")
    fmt = info.get("format") or {}
    streams = info.get("streams") or []
    videos = [
        s
        for s in streams
        if s.get("codec_type") == "video" and not (s.get("disposition") or {}).get("attached_pic")
    ]
    audios = [s for s in streams if s.get("codec_type") == "audio"]
    if IMAGE_FORMATS.search(fmt.get("format_name", "")):
        raise _not_a_video()
    if not videos:
        if audios:
            raise MediaError(_("The file has sound but no picture. Please upload a video."))
        raise _not_a_video()
    video = videos[0]
    duration = _float(fmt.get("duration")) or _float(video.get("duration"))
    width, height = int(video.get("width") or 0), int(video.get("height") or 0)
    if duration <= 0 or not width or not height:
        raise _damaged()
    limit = getattr(settings, "MEDIA_PIPELINE_MAX_DURATION", 4 * 3600)
    if duration > limit:
        raise MediaError(
            _("The video lasts %(duration)s, longer than the limit of %(limit)s.")
            % {"duration": _format_duration(duration), "limit": _format_duration(limit)}
        )
    fps = _ratio(video.get("avg_frame_rate")) or _ratio(video.get("r_frame_rate")) or 25.0
    return ProbeResult(
        duration=round(duration, 3),
        size=size,
        width=width,
        height=height,
        rotation=_rotation(video),
        fps=round(fps, 3),
        video_codec=video.get("codec_name", ""),
        audio_codec=audios[0].get("codec_name", "") if audios else "",
        video_index=int(video.get("index", 0)),
        audio_index=int(audios[0].get("index", 0)) if audios else None,
    )


# --------------------------------------------------------------------------
# Ladder
# --------------------------------------------------------------------------


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


def ladder_for(width: int, height: int) -> list[Rung]:
    """Rungs for a source of this *display* size, smallest first.

    Rungs are named by the short side (a portrait phone video's "720p" is
    720 wide), never upscale, and have even dimensions (H.264 4:2:0). A source
    smaller than the smallest rung gets that rung at its own size.
    """
    ladder = sorted(getattr(settings, "MEDIA_PIPELINE_LADDER", DEFAULT_LADDER))
    short, long = min(width, height), max(width, height)
    chosen = [(h, rate) for h, rate in ladder if h <= short]
    if not chosen:
        chosen = [(min(ladder[0][0], short), ladder[0][1])]
    rungs = []
    for target, rate in chosen:
        s = _even(target)
        ln = _even(long * target / short)
        w, h = (ln, s) if width >= height else (s, ln)
        rungs.append(Rung(name=f"{s}p", width=w, height=h, video_bitrate=rate))
    return rungs


# --------------------------------------------------------------------------
# Transcode
# --------------------------------------------------------------------------


def sprite_for(out_path: Path, *, duration: float, width: int, height: int, interval: int = 10):
    """Geometry of the thumbnail sprite of a source of this display size.

    A long video gets a longer interval so the sprite stays within
    ``SPRITE_MAX_HEIGHT`` (JPEG cannot exceed 65535 pixels; browsers and
    phones struggle long before).
    """
    tile_height = _even(SPRITE_WIDTH * height / width)
    max_tiles = SPRITE_COLUMNS * max(1, SPRITE_MAX_HEIGHT // tile_height)
    interval = max(interval, math.ceil(duration / max_tiles))
    count = max(1, math.ceil(duration / interval))
    columns = min(SPRITE_COLUMNS, count)
    return Sprite(
        path=Path(out_path),
        interval=interval,
        tile_width=SPRITE_WIDTH,
        tile_height=tile_height,
        columns=columns,
        rows=math.ceil(count / columns),
    )


def _sprite_output(stream, sprite: Sprite):
    stream = (
        # The first frame, then one every ``interval`` seconds; unlike the fps
        # filter this also gives the one tile of a clip shorter than the interval.
        stream.filter(
            "select", f"isnan(prev_selected_t)+gte(t-prev_selected_t,{sprite.interval}-0.001)"
        )
        .filter("scale", sprite.tile_width, sprite.tile_height)
        .filter("tile", f"{sprite.columns}x{sprite.rows}")
    )
    return ffmpeg_lib.output(stream, str(sprite.path), **{"frames:v": 1, "q:v": 4})


def _preset(rung: Rung) -> str:
    # Spend the CPU on the top rung only: 720p and below get x264's superfast
    # (measured: 720p superfast + bilinear cascade gains ~20 % realtime on a
    # 360/720/1080 ladder, with the same segment sizes at these bitrates).
    return "veryfast" if rung.height * rung.width > 1280 * 720 else "superfast"


def transcode_args(
    src: str | os.PathLike,
    out_dir: str | os.PathLike,
    rungs: Sequence[Rung],
    *,
    has_audio: bool,
    fps: float,
    sprite: Sprite | None = None,
    video_stream: str = "v",
    audio_stream: str = "a",
) -> list[str]:
    """The ffmpeg command line (without the program name) for one ladder."""
    out_dir = Path(out_dir)
    segment = getattr(settings, "MEDIA_PIPELINE_SEGMENT_SECONDS", 4)
    threads = getattr(settings, "MEDIA_PIPELINE_FFMPEG_THREADS", 0)
    largest_first = sorted(rungs, key=lambda r: r.width * r.height, reverse=True)
    source = ffmpeg_lib.input(str(src))
    # Cascade: each rung is scaled from the next bigger one.
    videos: dict[str, object] = {}
    upstream = source[video_stream]
    needs_extra = sprite is not None
    for i, rung in enumerate(largest_first):
        # Bilinear: each step of the cascade halves the size at most, where
        # bilinear looks like bicubic on a phone and costs less.
        scaled = upstream.filter("scale", rung.width, rung.height, flags="bilinear").filter(
            "format", "yuv420p"
        )
        last = i == len(largest_first) - 1
        branches = 1 + (0 if last else 1) + (1 if last and needs_extra else 0)
        if branches > 1:
            split = scaled.filter_multi_output("split", branches)
            videos[rung.name] = split.stream(0)
            upstream = split.stream(1)
        else:
            videos[rung.name] = scaled
    sprite_source = upstream if needs_extra else None

    smallest_first = list(reversed(largest_first))
    streams = [videos[r.name] for r in smallest_first]
    if has_audio:
        audio = source[audio_stream]
        if len(rungs) > 1:
            split = audio.filter_multi_output("asplit", len(rungs))
            streams += [split.stream(i) for i in range(len(rungs))]
        else:
            streams.append(audio)
    gop = max(1, round(fps * KEYFRAME_SECONDS))
    kwargs: dict[str, object] = {
        "c:v": "libx264",
        "profile:v": "main",
        "g": gop,
        "keyint_min": gop,
        "sc_threshold": 0,
        "force_key_frames": f"expr:gte(t,n_forced*{KEYFRAME_SECONDS})",
        "threads": threads,
        "f": "hls",
        "hls_time": segment,
        "hls_playlist_type": "vod",
        "hls_flags": "independent_segments",
        "hls_segment_filename": str(out_dir / "%v" / "seg_%05d.ts"),
        "master_pl_name": "master.m3u8",
    }
    for i, rung in enumerate(smallest_first):
        kwargs[f"b:v:{i}"] = rung.video_bitrate
        kwargs[f"maxrate:v:{i}"] = int(rung.video_bitrate * 1.07)
        kwargs[f"bufsize:v:{i}"] = rung.video_bitrate * 2
        kwargs[f"preset:v:{i}"] = _preset(rung)
    if has_audio:
        kwargs.update({"c:a": "aac", "b:a": AUDIO_BITRATE, "ac": 2, "ar": 48000})
        mapping = [f"v:{i},a:{i},name:{r.name}" for i, r in enumerate(smallest_first)]
    else:
        mapping = [f"v:{i},name:{r.name}" for i, r in enumerate(smallest_first)]
    kwargs["var_stream_map"] = " ".join(mapping)
    outputs = [ffmpeg_lib.output(*streams, str(out_dir / "%v" / "index.m3u8"), **kwargs)]
    if sprite_source is not None:
        outputs.append(_sprite_output(sprite_source, sprite))
    graph = ffmpeg_lib.merge_outputs(*outputs).global_args(
        "-hide_banner", "-nostdin", "-v", "error", "-nostats", "-progress", "pipe:1"
    )
    return graph.overwrite_output().get_args()


class _Watchdog:
    """Kills a process that has printed nothing for ``seconds``.

    ffmpeg writes a ``-progress`` block every half second while it works; a
    silent ffmpeg is hung (a stuck read, a pathological input), and a hung
    transcode would hold the one job slot of its worker forever.
    """

    def __init__(self, proc: subprocess.Popen, seconds: float):
        self.proc, self.seconds, self.fired = proc, seconds, False
        self._last = time.monotonic()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def alive(self) -> None:
        self._last = time.monotonic()

    def _watch(self) -> None:
        while not self._done.wait(min(1.0, self.seconds / 4)):
            if time.monotonic() - self._last > self.seconds and self.proc.poll() is None:
                self.fired = True
                self.proc.kill()
                return

    def stop(self) -> None:
        self._done.set()
        self._thread.join()


def transcode_hls(
    src: str | os.PathLike,
    out_dir: str | os.PathLike,
    rungs: Sequence[Rung],
    *,
    duration: float,
    has_audio: bool = True,
    fps: float = 25.0,
    sprite: Sprite | None = None,
    on_progress: Callable[[int], None] | None = None,
    progress_interval: float = 2.0,
    video_stream: str = "v",
    audio_stream: str = "a",
) -> Path:
    """Write the HLS ladder (``master.m3u8``, ``<rung>/index.m3u8``, segments)
    into ``out_dir`` with one ffmpeg process; returns the master playlist.

    ``on_progress(percent)`` is called at most every ``progress_interval``
    seconds; an exception it raises stops ffmpeg (a newer job took over).
    """
    out_dir = Path(out_dir)
    for rung in rungs:
        (out_dir / rung.name).mkdir(parents=True, exist_ok=True)
    args = transcode_args(
        src,
        out_dir,
        rungs,
        has_audio=has_audio,
        fps=fps,
        sprite=sprite,
        video_stream=video_stream,
        audio_stream=audio_stream,
    )
    last_report = 0.0
    out_time = 0.0
    stall_seconds = getattr(settings, "MEDIA_PIPELINE_FFMPEG_STALL_SECONDS", 300)
    with tempfile.TemporaryFile() as stderr:
        proc = subprocess.Popen(
            [FFMPEG, *args], stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL
        )
        watchdog = _Watchdog(proc, stall_seconds)
        try:
            for raw in proc.stdout:
                watchdog.alive()
                key, _sep, value = raw.decode("ascii", "replace").strip().partition("=")
                if key == "out_time_us" and value.lstrip("-").isdigit():
                    out_time = max(out_time, int(value) / 1_000_000)
                    now = time.monotonic()
                    if on_progress and now - last_report >= progress_interval:
                        last_report = now
                        on_progress(min(99, int(out_time * 100 / duration)) if duration else 0)
            proc.wait()
        finally:
            watchdog.stop()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if watchdog.fired:
            logger.warning("ffmpeg made no progress for %ss; killed", stall_seconds)
            raise MediaError(
                _("Processing stopped making progress and was stopped. Please try again.")
            )
        if proc.returncode != 0:
            stderr.seek(0)
            logger.warning("ffmpeg failed (%s): %s", proc.returncode, stderr.read()[-2000:])
            raise _damaged()
    # A truncated source can decode "successfully" up to where it breaks off.
    if duration - out_time > max(1.0, duration * 0.05):
        logger.warning("ffmpeg stopped at %.1fs of %.1fs", out_time, duration)
        raise _damaged()
    return out_dir / "master.m3u8"


# --------------------------------------------------------------------------
# Poster and thumbnails
# --------------------------------------------------------------------------


def strip_metadata(src: str | os.PathLike, out_path: str | os.PathLike) -> Path:
    """A copy of the first video and audio streams without the file's
    metadata (a phone's GPS position, device and times), streams copied, not
    re-encoded; the display rotation is side data and stays."""
    args = [FFMPEG, "-hide_banner", "-nostdin", "-v", "error", "-y", "-i", str(src)]
    args += ["-map", "0:v:0", "-map", "0:a:0?", "-c", "copy"]
    args += ["-map_metadata", "-1", "-map_chapters", "-1", str(out_path)]
    result = subprocess.run(args, capture_output=True, check=False)
    if result.returncode != 0 or not os.path.getsize(out_path):
        logger.warning("strip_metadata failed: %s", result.stderr[-1000:])
        raise _damaged()
    return Path(out_path)


def poster(src: str | os.PathLike, out_path: str | os.PathLike, at_seconds: float) -> Path:
    """One JPEG frame at ``at_seconds`` (rotation applied, at most 1280 wide)."""
    args = (
        ffmpeg_lib.input(str(src), ss=max(0.0, at_seconds))
        .filter("scale", "min(1280,iw)", -2)
        .output(str(out_path), **{"frames:v": 1, "q:v": 3})
        .global_args("-hide_banner", "-nostdin", "-v", "error")
        .overwrite_output()
        .get_args()
    )
    result = subprocess.run([FFMPEG, *args], capture_output=True, check=False)
    if result.returncode != 0 or not os.path.getsize(out_path):
        logger.warning("poster failed: %s", result.stderr[-1000:])
        raise _damaged()
    return Path(out_path)


def write_sprite_vtt(sprite: Sprite, out_vtt: str | os.PathLike, duration: float) -> Path:
    """The WebVTT map of a sprite: one cue per tile, ``thumbnails.jpg#xywh=``."""
    lines = ["WEBVTT", ""]
    count = max(1, math.ceil(duration / sprite.interval))
    for n in range(count):
        start, end = n * sprite.interval, min(duration, (n + 1) * sprite.interval)
        x = (n % sprite.columns) * sprite.tile_width
        y = (n // sprite.columns) * sprite.tile_height
        lines += [
            f"{_vtt_time(start)} --> {_vtt_time(end)}",
            f"{sprite.path.name}#xywh={x},{y},{sprite.tile_width},{sprite.tile_height}",
            "",
        ]
    Path(out_vtt).write_text("\n".join(lines), encoding="utf-8")
    return Path(out_vtt)


def thumbnail_sprite(
    src: str | os.PathLike,
    out_jpg: str | os.PathLike,
    out_vtt: str | os.PathLike,
    *,
    duration: float,
    width: int,
    height: int,
    interval: int = 10,
) -> Sprite:
    """A standalone sprite (the pipeline makes it inside ``transcode_hls``)."""
    sprite = sprite_for(
        Path(out_jpg), duration=duration, width=width, height=height, interval=interval
    )
    args = (
        _sprite_output(ffmpeg_lib.input(str(src)).video, sprite)
        .global_args("-hide_banner", "-nostdin", "-v", "error")
        .overwrite_output()
        .get_args()
    )
    result = subprocess.run([FFMPEG, *args], capture_output=True, check=False)
    if result.returncode != 0:
        logger.warning("sprite failed: %s", result.stderr[-1000:])
        raise _damaged()
    write_sprite_vtt(sprite, out_vtt, duration)
    return sprite


# --------------------------------------------------------------------------
# Captions
# --------------------------------------------------------------------------

TIMING = re.compile(
    r"^\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})(.*)$"
)


def _vtt_time(seconds: float) -> str:
    ms = int(round(seconds * 1000))
    hours, ms = divmod(ms, 3_600_000)
    minutes, ms = divmod(ms, 60_000)
    secs, ms = divmod(ms, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{ms:03d}"


def _normal_time(value: str) -> str:
    value = value.replace(",", ".")
    head, _dot, ms = value.partition(".")
    parts = head.split(":")
    if len(parts) == 2:
        parts.insert(0, "00")
    return ":".join(p.zfill(2) for p in parts) + "." + ms.ljust(3, "0")


def _not_captions() -> MediaError:
    return MediaError(
        _("The caption file is not SRT or WebVTT. Please upload a .srt or .vtt file.")
    )


def captions_to_webvtt(path: str | os.PathLike) -> str:
    """The text of an SRT or WebVTT caption file as WebVTT.

    Text is UTF-8 (with or without BOM) or, as Chinese subtitle tools often
    write, GB18030. Anything without a single cue timing line is refused.
    """
    data = Path(path).read_bytes()
    if not data.strip() or b"\x00" in data:
        raise _not_captions()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise _not_captions() from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if any(ord(c) < 32 and c not in "\n\t" for c in text):
        raise _not_captions()
    is_vtt = text.startswith("WEBVTT")
    cues = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.split("\n")
        for i, line in enumerate(lines[:2]):
            match = TIMING.match(line)
            if match:
                start, end, rest = match.groups()
                cue_id = lines[0].strip() if i == 1 else ""
                timing = f"{_normal_time(start)} --> {_normal_time(end)}"
                if is_vtt:
                    timing += rest  # WebVTT cue settings (position, align) are kept
                cue = ([cue_id] if cue_id else []) + [timing] + lines[i + 1 :]
                cues.append("\n".join(cue))
                break
    if not cues:
        raise _not_captions()
    if is_vtt:
        return text.strip() + "\n"
    return "WEBVTT\n\n" + "\n\n".join(cues) + "\n"


def add_captions(
    master: str | os.PathLike,
    captions: Sequence[tuple[str, str, str]],
    *,
    duration: float,
    mpegts_start: float = 0.0,
) -> None:
    """List WebVTT captions in a master playlist ffmpeg wrote.

    ``captions`` holds ``(language, label, webvtt_text)``; each becomes
    ``captions/<language>.vtt`` with a one-segment media playlist, an
    ``EXT-X-MEDIA`` entry of group "subs" and ``SUBTITLES="subs"`` on every
    variant. ``mpegts_start`` is the first video timestamp of the segments,
    so players line the cues up with the picture (X-TIMESTAMP-MAP).
    """
    if not captions:
        return
    master = Path(master)
    folder = master.parent / "captions"
    folder.mkdir(exist_ok=True)
    media = []
    for language, label, text in captions:
        body = text.split("\n", 1)[1] if "\n" in text else ""
        stamp = f"X-TIMESTAMP-MAP=MPEGTS:{round(mpegts_start * 90000)},LOCAL:00:00:00.000"
        (folder / f"{language}.vtt").write_text(f"WEBVTT\n{stamp}\n{body}", encoding="utf-8")
        (folder / f"{language}.m3u8").write_text(
            "#EXTM3U\n#EXT-X-VERSION:3\n"
            f"#EXT-X-TARGETDURATION:{math.ceil(duration)}\n"
            "#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-PLAYLIST-TYPE:VOD\n"
            f"#EXTINF:{duration:.3f},\n{language}.vtt\n#EXT-X-ENDLIST\n",
            encoding="utf-8",
        )
        name = label.replace('"', "'")
        media.append(
            f'#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="{name}",'
            f'LANGUAGE="{language}",DEFAULT=NO,AUTOSELECT=YES,'
            f'URI="captions/{language}.m3u8"'
        )
    out, inserted = [], False
    for line in master.read_text(encoding="utf-8").splitlines():
        if line.startswith("#EXT-X-STREAM-INF:"):
            if not inserted:
                out += media
                inserted = True
            line += ',SUBTITLES="subs"'
        out.append(line)
    master.write_text("\n".join(out) + "\n", encoding="utf-8")


def first_timestamp(segment: str | os.PathLike) -> float:
    """Start time of an MPEG-TS segment (the origin of its timestamps)."""
    result = subprocess.run(
        [FFPROBE, "-v", "error", "-show_entries", "format=start_time", "-of", "json", str(segment)],
        capture_output=True,
        check=False,
    )
    try:
        return _float(json.loads(result.stdout)["format"]["start_time"])
    except (ValueError, KeyError):
        return 0.0


# --------------------------------------------------------------------------
# Demo material
# --------------------------------------------------------------------------

# A voice-like tone: a 150 Hz fundamental with a slow vibrato and a few
# harmonics, its loudness rising and falling ~4 times a second like syllables,
# with a pause every 3 seconds like the end of a sentence.
_VOICE = (
    "(0.5*sin(2*PI*t*(150+8*sin(2*PI*5*t)))+0.25*sin(4*PI*t*(150+8*sin(2*PI*5*t)))"
    "+0.12*sin(6*PI*t*(150+8*sin(2*PI*5*t))))"
    # Commas inside a filter's arguments are escaped for the filter parser.
    "*(0.55+0.45*sin(2*PI*4*t))*lt(mod(t\\,3)\\,2.4)*0.6"
)


def demo_clip(out_path: str | os.PathLike, *, seconds: int, width: int, height: int) -> Path:
    """Write a short H.264/AAC MP4 of ffmpeg's test pattern with a voice-like
    tone, for demo lessons."""
    video = ffmpeg_lib.input(f"testsrc2=size={width}x{height}:rate=25", f="lavfi", t=seconds)
    audio = ffmpeg_lib.input(f"aevalsrc={_VOICE}:s=44100", f="lavfi", t=seconds)
    args = (
        ffmpeg_lib.output(
            video,
            audio,
            str(out_path),
            **{"c:v": "libx264", "preset": "veryfast", "pix_fmt": "yuv420p", "c:a": "aac"},
        )
        .global_args("-hide_banner", "-nostdin", "-v", "error")
        .overwrite_output()
        .get_args()
    )
    subprocess.run([FFMPEG, *args], check=True)
    return Path(out_path)
