"""Reads of video assets: what the player and the HLS view may see."""

from dataclasses import dataclass
from posixpath import normpath

from django.urls import reverse

from media_pipeline.models import VideoAsset


@dataclass(frozen=True)
class Playback:
    """What a page needs to play an asset's published ladder."""

    asset_id: int
    version: str
    master_url: str
    poster_url: str
    thumbnails_url: str


def _hls_url(*, asset_id: int, version: str, name: str) -> str:
    return reverse(
        "media_pipeline:hls", kwargs={"asset_id": asset_id, "version": version, "name": name}
    )


def asset_playback_get(*, asset: VideoAsset | None) -> Playback | None:
    """The player URLs of the asset's published ladder, or None while none is published.

    URLs always go through the HLS view, so storage keys, signing and the
    published-version check stay in one place.
    """
    if asset is None or not asset.is_playable:
        return None
    version = asset.published_version

    def url(name: str) -> str:
        return _hls_url(asset_id=asset.pk, version=version, name=name)

    return Playback(
        asset_id=asset.pk,
        version=version,
        master_url=url("master.m3u8"),
        poster_url=url("poster.jpg"),
        thumbnails_url=url("thumbnails.vtt"),
    )


def published_file_key_get(*, asset_id: int, version: str, name: str) -> str | None:
    """Storage key of a file in the asset's *published* ladder, or None.

    None when the asset does not exist, ``version`` is not the published one
    (an old or half-written ladder is never served) or ``name`` leaves the
    ladder's prefix.
    """
    if not version or not name or "\\" in name or "\x00" in name:
        return None
    clean = normpath(name)
    if clean != name or clean.startswith(("/", "..")) or "/../" in f"/{clean}/":
        return None
    asset = (
        VideoAsset.objects.filter(pk=asset_id, published_version=version)
        .only("pk", "published_version")
        .first()
    )
    if asset is None:
        return None
    return asset.published_prefix + clean
