"""The one module of media_pipeline that talks to boto3.

The client is built from the same settings django-storages uses
(``STORAGES["default"]["OPTIONS"]``), so the browser's presigned multipart
uploads land in the bucket the rest of the app reads through the storage API.
"""

import functools

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from django.conf import settings

S3_BACKENDS = ("storages.backends.s3.S3Storage", "storages.backends.s3boto3.S3Boto3Storage")


def enabled() -> bool:
    """Whether the default storage is S3 (uploads go straight to the bucket)."""
    return settings.STORAGES["default"]["BACKEND"] in S3_BACKENDS


def _options() -> dict:
    return settings.STORAGES["default"].get("OPTIONS", {})


def bucket() -> str:
    return _options()["bucket_name"]


@functools.lru_cache(maxsize=4)
def _client(endpoint_url, region_name, access_key, secret_key, addressing_style, signature):
    config = Config(
        signature_version=signature,
        s3={"addressing_style": addressing_style},
        retries={"max_attempts": 5, "mode": "standard"},
        connect_timeout=10,
        read_timeout=60,
    )
    return boto3.session.Session().client(
        "s3",
        endpoint_url=endpoint_url,
        region_name=region_name,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        config=config,
    )


def client():
    """A boto3 S3 client for the default storage's bucket (cached per settings)."""
    options = _options()
    return _client(
        options.get("endpoint_url"),
        options.get("region_name"),
        options.get("access_key"),
        options.get("secret_key"),
        options.get("addressing_style") or "auto",
        options.get("signature_version") or "s3v4",
    )


def multipart_create(key: str, content_type: str) -> str:
    """Start a multipart upload of ``key``; returns S3's UploadId."""
    kwargs = {"Bucket": bucket(), "Key": key}
    if content_type:
        kwargs["ContentType"] = content_type
    return client().create_multipart_upload(**kwargs)["UploadId"]


def multipart_sign_part(key: str, upload_id: str, part_number: int, expires: int) -> str:
    """A presigned URL the browser PUTs part ``part_number`` (1-based) to."""
    return client().generate_presigned_url(
        "upload_part",
        Params={
            "Bucket": bucket(),
            "Key": key,
            "UploadId": upload_id,
            "PartNumber": part_number,
        },
        ExpiresIn=expires,
        HttpMethod="PUT",
    )


def multipart_list_parts(key: str, upload_id: str) -> list[dict]:
    """Parts S3 holds for the upload: ``[{"part_number", "etag", "size"}]`` in order."""
    parts = []
    kwargs = {"Bucket": bucket(), "Key": key, "UploadId": upload_id, "MaxParts": 1000}
    while True:
        page = client().list_parts(**kwargs)
        parts.extend(
            {"part_number": p["PartNumber"], "etag": p["ETag"], "size": p["Size"]}
            for p in page.get("Parts", [])
        )
        if not page.get("IsTruncated"):
            return parts
        kwargs["PartNumberMarker"] = page["NextPartNumberMarker"]


def multipart_complete(key: str, upload_id: str, parts: list[dict]) -> None:
    """Join ``parts`` (``[{"part_number", "etag"}]``, ascending) into the object."""
    client().complete_multipart_upload(
        Bucket=bucket(),
        Key=key,
        UploadId=upload_id,
        MultipartUpload={
            "Parts": [{"PartNumber": p["part_number"], "ETag": p["etag"]} for p in parts]
        },
    )


def multipart_abort(key: str, upload_id: str) -> None:
    """Abort the upload and free its parts; an upload already gone is fine."""
    try:
        client().abort_multipart_upload(Bucket=bucket(), Key=key, UploadId=upload_id)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") not in ("NoSuchUpload", "404"):
            raise


def object_size(key: str) -> int | None:
    """Size of the object at ``key`` in bytes, or None when there is none."""
    try:
        return client().head_object(Bucket=bucket(), Key=key)["ContentLength"]
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise


def object_delete(key: str) -> None:
    client().delete_object(Bucket=bucket(), Key=key)
