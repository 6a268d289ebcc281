"""Public certificate verification (under /verify/, no login)."""

from django.urls import path

from progress import certificate_views as views

app_name = "verify"

urlpatterns = [
    path("", views.verify_form, name="form"),
    path("keys.json", views.credential_keys, name="keys"),
    path("issuers/<str:key>/", views.issuer_profile, name="issuer"),
    path("<str:code>/", views.verify_detail, name="detail"),
]
