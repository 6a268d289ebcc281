"""Serving the published HLS ladders.

Every player URL comes through here, so only the published version of an
asset is ever reachable. Local storage: the file is streamed with its HLS
content type and byte ranges. S3: playlists are rewritten so that segments
point at short-lived presigned URLs, everything else is a redirect to one.

Who may fetch a video is decided by higher apps through the
``video_file_access`` Wagtail hook (progress: staff and enrolled workers);
any hook answering False refuses with 403.
"""

import posixpath
import re

from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from wagtail import hooks

from media_pipeline import selectors

CONTENT_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".ts": "video/mp2t",
    ".m4s": "video/iso.segment",
    ".mp4": "video/mp4",
    ".aac": "audio/aac",
    ".vtt": "text/vtt; charset=utf-8",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}
# A ladder lives under a prefix that carries its version and is never
# rewritten, so its segments and images can be cached for good. Playlists get
# a short life: in S3 mode they carry signatures that expire.
# Private: only some users may see a video, so no shared cache may keep it.
CACHE_IMMUTABLE = "private, max-age=31536000, immutable"
CACHE_PLAYLIST = "private, max-age=60"
CACHE_SIGNED = "private, max-age=60"
CHUNK_SIZE = 64 * 1024

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_URI_ATTRIBUTE = re.compile(r'URI="([^"]*)"')


@require_safe
def hls_file(request, asset_id: int, version: str, name: str):
    for hook in hooks.get_hooks("video_file_access"):
        if hook(request=request, asset_id=asset_id) is False:
            return HttpResponseForbidden(_("Enrol in the course to watch this video."))
    key = selectors.published_file_key_get(asset_id=asset_id, version=version, name=name)
    if key is None:
        raise Http404("No such file in a published ladder.")
    if _is_local(default_storage):
        return _serve_local(request, key)
    return _serve_remote(key)


def _is_local(storage) -> bool:
    try:
        storage.path("")
    except NotImplementedError:
        return False
    return True


def _content_type(key: str) -> str:
    return CONTENT_TYPES.get(posixpath.splitext(key)[1].lower(), "application/octet-stream")


def _cache_control(key: str) -> str:
    return CACHE_PLAYLIST if key.endswith(".m3u8") else CACHE_IMMUTABLE


# ------------------------------------------------------------------------------
# Local storage: stream with byte ranges
# ------------------------------------------------------------------------------
def _serve_local(request, key: str):
    # Ranges are ours to implement: Django's static ``serve`` and FileResponse
    # always send the whole file, and Safari's native HLS and <video> seeking
    # ask for ranges (Safari refuses media served without them).
    if not default_storage.exists(key):
        raise Http404("No such file in a published ladder.")
    size = default_storage.size(key)
    byte_range = _parse_range(request.headers.get("Range", ""), size)

    if byte_range == "unsatisfiable":
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    elif byte_range is None:
        response = FileResponse(default_storage.open(key, "rb"), content_type=_content_type(key))
    else:
        start, end = byte_range
        handle = default_storage.open(key, "rb")
        handle.seek(start)
        response = StreamingHttpResponse(
            _read_span(handle, end - start + 1), status=206, content_type=_content_type(key)
        )
        response["Content-Length"] = str(end - start + 1)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = _cache_control(key)
    return response


def _parse_range(header: str, size: int):
    """(start, end) inclusive, None for the whole file, or "unsatisfiable".

    Several ranges or a malformed header are answered with the whole file, as
    RFC 9110 allows.
    """
    match = _RANGE.match(header.strip())
    if not match or (not match[1] and not match[2]):
        return None
    if not match[1]:  # suffix: the last N bytes
        length = int(match[2])
        if length == 0 or size == 0:
            return "unsatisfiable"
        return max(size - length, 0), size - 1
    start = int(match[1])
    end = int(match[2]) if match[2] else size - 1
    if match[2] and end < start:
        return None  # invalid, so ignored
    if start >= size:
        return "unsatisfiable"
    return start, min(end, size - 1)


def _read_span(handle, length: int):
    try:
        while length > 0:
            chunk = handle.read(min(CHUNK_SIZE, length))
            if not chunk:
                break
            length -= len(chunk)
            yield chunk
    finally:
        handle.close()


# ------------------------------------------------------------------------------
# S3: presigned URLs
# ------------------------------------------------------------------------------
def _serve_remote(key: str):
    if not key.endswith(".m3u8"):
        response = HttpResponseRedirect(default_storage.url(key))
        response["Cache-Control"] = CACHE_SIGNED
        return response
    try:
        with default_storage.open(key, "rb") as handle:
            playlist = handle.read().decode("utf-8")
    except FileNotFoundError as error:
        raise Http404("No such file in a published ladder.") from error
    response = HttpResponse(_rewrite_playlist(playlist, key), content_type=_content_type(key))
    response["Cache-Control"] = CACHE_SIGNED
    return response


def _rewrite_playlist(playlist: str, key: str) -> str:
    """Point segments (and init sections, caption files) at presigned URLs.

    Playlists stay relative, so the player fetches them through this view
    again and gets fresh signatures for their segments.
    """
    base = posixpath.dirname(key)
    prefix = "/".join(key.split("/")[:3]) + "/"  # hls/<asset>/<version>/

    def sign(uri: str) -> str:
        if not uri or "://" in uri or uri.startswith("/") or uri.endswith(".m3u8"):
            return uri
        target = posixpath.normpath(posixpath.join(base, uri))
        if not target.startswith(prefix):
            return uri
        return default_storage.url(target)

    lines = []
    for line in playlist.splitlines():
        stripped = line.strip()
        if not stripped:
            lines.append(line)
        elif stripped.startswith("#"):
            lines.append(_URI_ATTRIBUTE.sub(lambda m: f'URI="{sign(m[1])}"', line))
        else:
            lines.append(sign(stripped))
    return "\n".join(lines) + "\n"
