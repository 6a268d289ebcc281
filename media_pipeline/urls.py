from django.urls import path

from media_pipeline import views

app_name = "media_pipeline"

urlpatterns = [
    path("<int:asset_id>/<str:version>/<path:name>", views.hls_file, name="hls"),
]
