"""JSON endpoints of the progress app (under /api/v1/progress/)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
