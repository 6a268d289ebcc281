"""Project URL root: the composition point of every app's URLs."""

from django.conf import settings
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from lms import views

urlpatterns = [
    # First: the player's heartbeats are most of all requests.
    path("api/v1/progress/", include("progress.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("allauth.urls")),
    path("profile/", views.profile, name="profile"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/media/", include("media_pipeline.api_urls")),
    path("learning/certificates/", include("progress.urls_certificates")),
    path("learning/", include("progress.urls")),
    path("verify/", include("progress.urls_verify")),
    path("xapi/", include("progress.xapi.urls")),
    path("api/v1/", include("courses.api_urls")),
    path("media/hls/", include("media_pipeline.urls")),
    path("", include("courses.urls")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail serves the page tree (home, catalogue, trades, courses, lessons) last.
urlpatterns += [path("", include(wagtail_urls))]
