"""Routes of the media REST API, mounted at /api/v1/media/ by lms.urls."""

from django.urls import path

from media_pipeline import api

urlpatterns = [
    path("uploads/", api.UploadListView.as_view(), name="media-upload-list"),
    path("uploads/<uuid:upload_id>/", api.UploadDetailView.as_view(), name="media-upload-detail"),
    path(
        "uploads/<uuid:upload_id>/parts/<int:part_number>/",
        api.UploadPartView.as_view(),
        name="media-upload-part",
    ),
    path(
        "uploads/<uuid:upload_id>/chunk/",
        api.UploadChunkView.as_view(),
        name="media-upload-chunk",
    ),
    path(
        "uploads/<uuid:upload_id>/complete/",
        api.UploadCompleteView.as_view(),
        name="media-upload-complete",
    ),
    path("assets/<int:asset_id>/", api.AssetStatusView.as_view(), name="media-asset-status"),
]
