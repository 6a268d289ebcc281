"""Small test clips generated with ffmpeg's lavfi sources (testsrc2 + sine)."""

import subprocess
from pathlib import Path


def _run(*args: str) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-v", "error", "-y", *args], check=True)


def video(
    path: Path,
    *,
    width: int = 320,
    height: int = 240,
    seconds: float = 2,
    fps: int = 25,
    audio: bool = True,
    rotate: int = 0,
    faststart: bool = False,
) -> Path:
    """An H.264/AAC MP4. ``rotate`` tags the stream with display rotation
    (ffmpeg 5.1 writes the display matrix from ``rotate`` only on stream
    copy, so the tag is added by a remux)."""
    path = Path(path)
    target = path.with_name("norot-" + path.name) if rotate else path
    args = ["-f", "lavfi", "-i", f"testsrc2=s={width}x{height}:r={fps}:d={seconds}"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=f=440:sample_rate=44100:d={seconds}"]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    if audio:
        args += ["-c:a", "aac", "-b:a", "64k", "-shortest"]
    if faststart:
        args += ["-movflags", "+faststart"]
    _run(*args, str(target))
    if rotate:
        _run("-i", str(target), "-c", "copy", "-metadata:s:v:0", f"rotate={rotate}", str(path))
        target.unlink()
    return path


def audio_only(path: Path, *, seconds: float = 2) -> Path:
    _run("-f", "lavfi", "-i", f"sine=f=440:d={seconds}", "-c:a", "aac", str(path))
    return path


def truncated(source: Path, path: Path) -> Path:
    """The first half of a real file, as an interrupted upload leaves it."""
    data = Path(source).read_bytes()
    Path(path).write_bytes(data[: len(data) // 2])
    return Path(path)


def png(path: Path) -> Path:
    _run("-f", "lavfi", "-i", "testsrc2=s=64x64", "-frames:v", "1", str(path))
    return path


_DIR: list[Path] = []


def cached(name: str, **options) -> Path:
    """A clip made once per test session (``video`` options), shared by tests."""
    import tempfile

    if not _DIR:
        _DIR.append(Path(tempfile.mkdtemp(prefix="jx-clips-")))
    path = _DIR[0] / name
    if not path.exists():
        video(path, **options)
    return path


def with_cover_art(source: Path, path: Path) -> Path:
    """``source`` with a cover picture as its *first* video stream."""
    cover = png(Path(path).with_suffix(".png"))
    _run(
        "-i", str(cover), "-i", str(source), "-map", "0", "-map", "1", "-c", "copy",
        "-disposition:v:0", "attached_pic", str(path),
    )  # fmt: skip
    return Path(path)
