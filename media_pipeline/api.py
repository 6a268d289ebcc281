"""REST endpoints of video uploads, mounted at /api/v1/media/ by lms.urls.

Parsing and rendering only: every rule lives in ``media_pipeline.uploads``.
The local chunk endpoint reads the raw request stream (never ``request.data``
or ``request.FILES``), so a chunk is never buffered whole in memory and
``DATA_UPLOAD_MAX_MEMORY_SIZE`` does not apply.
"""

import re

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from lms.exceptions import ApplicationError
from media_pipeline import uploads
from media_pipeline.models import Upload, VideoAsset

TAGS = ["media"]
CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+)$")


class IsUploader(BasePermission):
    """Staff with an instructor or platform-admin role."""

    def has_permission(self, request, view):
        return uploads.upload_user_may_upload(user=request.user)


class UploadStartSerializer(serializers.Serializer):
    title = serializers.CharField(required=False, allow_blank=True, max_length=255)
    asset_id = serializers.IntegerField(required=False, min_value=1)
    filename = serializers.CharField(max_length=1000)
    size = serializers.IntegerField()
    content_type = serializers.CharField(required=False, allow_blank=True, max_length=255)


class PartSerializer(serializers.Serializer):
    part_number = serializers.IntegerField(min_value=1)
    etag = serializers.CharField(max_length=200)


class UploadCompleteSerializer(serializers.Serializer):
    parts = PartSerializer(many=True, required=False)


class PartStatusSerializer(serializers.Serializer):
    part_number = serializers.IntegerField()
    etag = serializers.CharField()
    size = serializers.IntegerField()


class UploadSerializer(serializers.Serializer):
    upload_id = serializers.UUIDField()
    asset_id = serializers.IntegerField()
    mode = serializers.ChoiceField(choices=Upload.Mode.choices)
    status = serializers.CharField(help_text="active, complete, aborted or failed")
    size = serializers.IntegerField()
    part_size = serializers.IntegerField()
    part_count = serializers.IntegerField()
    offset = serializers.IntegerField(help_text="Local mode: bytes stored so far.")
    parts = PartStatusSerializer(many=True, help_text="S3 mode: parts stored so far.")


class PartUrlSerializer(serializers.Serializer):
    part_number = serializers.IntegerField()
    url = serializers.URLField()


class ChunkResultSerializer(serializers.Serializer):
    offset = serializers.IntegerField()
    status = serializers.CharField(help_text="active, complete, aborted or failed")


class CompleteResultSerializer(serializers.Serializer):
    upload_id = serializers.UUIDField()
    asset_id = serializers.IntegerField()
    status = serializers.CharField(help_text="active, complete, aborted or failed")


class AssetStatusSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=VideoAsset.Status.choices)
    status_display = serializers.CharField()
    progress = serializers.IntegerField()
    failure_reason = serializers.CharField()
    duration = serializers.FloatField(allow_null=True)
    is_playable = serializers.BooleanField()


def _upload_body(state: uploads.UploadState) -> dict:
    upload = state.upload
    return {
        "upload_id": str(upload.pk),
        "asset_id": upload.asset_id,
        "mode": upload.mode,
        "status": upload.status,
        "size": upload.size,
        "part_size": upload.part_size,
        "part_count": upload.part_count,
        "offset": state.offset,
        "parts": state.parts,
    }


class _UploadView(APIView):
    permission_classes = [IsUploader]

    def get_upload(self, upload_id) -> Upload:
        try:
            return uploads.upload_get(user=self.request.user, upload_id=upload_id)
        except Upload.DoesNotExist:
            raise Http404 from None


class UploadListView(_UploadView):
    @extend_schema(
        summary="Start an upload",
        description=(
            "Start uploading a video source, for a new asset (`title`) or to replace "
            "the source of `asset_id`. Returns the mode (`s3`: presigned multipart "
            "parts; `local`: chunks PUT with Content-Range) and the part size."
        ),
        request=UploadStartSerializer,
        responses={201: UploadSerializer},
        tags=TAGS,
    )
    def post(self, request):
        params = UploadStartSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        asset = None
        if data.get("asset_id"):
            asset = get_object_or_404(VideoAsset, pk=data["asset_id"])
        upload = uploads.upload_start(
            user=request.user,
            filename=data["filename"],
            size=data["size"],
            content_type=data.get("content_type", ""),
            title=data.get("title", ""),
            asset=asset,
        )
        body = _upload_body(uploads.UploadState(upload=upload, offset=0, parts=[]))
        return Response(body, status=status.HTTP_201_CREATED)


class UploadDetailView(_UploadView):
    @extend_schema(
        summary="Upload status",
        description="Bytes (local) or parts (S3) stored so far, to resume after an error.",
        responses=UploadSerializer,
        tags=TAGS,
    )
    def get(self, request, upload_id):
        return Response(_upload_body(uploads.upload_state(upload=self.get_upload(upload_id))))

    @extend_schema(summary="Cancel an upload", responses={204: None}, tags=TAGS)
    def delete(self, request, upload_id):
        uploads.upload_abort(upload=self.get_upload(upload_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class UploadPartView(_UploadView):
    @extend_schema(
        summary="Sign a part (S3)",
        description="A presigned URL to PUT part `part_number` of the file to.",
        request=None,
        responses=PartUrlSerializer,
        tags=TAGS,
    )
    def post(self, request, upload_id, part_number):
        url = uploads.upload_part_sign(upload=self.get_upload(upload_id), part_number=part_number)
        return Response({"part_number": part_number, "url": url})


class UploadChunkView(_UploadView):
    @extend_schema(
        summary="Upload a chunk (local)",
        description=(
            "The raw bytes of one chunk, with `Content-Range: bytes start-end/total`. "
            "409 with `offset` when `start` is not where the upload stands."
        ),
        request={"application/octet-stream": OpenApiTypes.BINARY},
        responses=ChunkResultSerializer,
        tags=TAGS,
    )
    def put(self, request, upload_id):
        upload = self.get_upload(upload_id)
        match = CONTENT_RANGE.match(request.headers.get("Content-Range", "").strip())
        if not match:
            raise ApplicationError(_("Send a Content-Range header: bytes start-end/total."))
        start, end, total = (int(group) for group in match.groups())
        length = end - start + 1
        try:
            content_length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            content_length = -1
        if content_length != length:
            raise ApplicationError(_("The chunk length does not match its Content-Range."))
        try:
            offset = uploads.upload_chunk_write(
                upload=upload,
                # The raw body, length-limited by Django; never request.data.
                stream=request.stream,
                start=start,
                length=length,
                total=total,
            )
        except uploads.UploadConflict as conflict:
            return Response(
                {"detail": str(conflict.message), **conflict.extra},
                status=status.HTTP_409_CONFLICT,
            )
        upload.refresh_from_db(fields=["status"])
        return Response({"offset": offset, "status": upload.status})


class UploadCompleteView(_UploadView):
    @extend_schema(
        summary="Complete an upload (S3)",
        description=(
            "Join the uploaded parts; the object must have the declared size. "
            "Then the video is queued for processing."
        ),
        request=UploadCompleteSerializer,
        responses=CompleteResultSerializer,
        tags=TAGS,
    )
    def post(self, request, upload_id):
        params = UploadCompleteSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        upload = uploads.upload_complete(
            upload=self.get_upload(upload_id), parts=params.validated_data.get("parts")
        )
        return Response(
            {"upload_id": str(upload.pk), "asset_id": upload.asset_id, "status": upload.status}
        )


class AssetStatusView(APIView):
    permission_classes = [IsUploader]

    @extend_schema(
        summary="Video processing status",
        description="Status, progress (%) and the reason when processing failed.",
        responses=AssetStatusSerializer,
        tags=TAGS,
    )
    def get(self, request, asset_id):
        asset = get_object_or_404(VideoAsset, pk=asset_id)
        return Response(
            {
                "id": asset.pk,
                "title": asset.title,
                "status": asset.status,
                "status_display": asset.get_status_display(),
                "progress": asset.progress,
                "failure_reason": asset.failure_reason,
                "duration": asset.duration,
                "is_playable": asset.is_playable,
            }
        )
