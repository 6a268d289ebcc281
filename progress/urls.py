"""Pages of the progress app (under /learning/)."""

from django.urls import path  # noqa: F401

app_name = "progress"

urlpatterns: list = []
