"""The LRS endpoints, mounted at /xapi/ (xAPI resources have no trailing slash)."""

from django.urls import path

from . import views

app_name = "xapi"

urlpatterns = [
    path("about", views.about, name="about"),
    path("statements", views.statements, name="statements"),
    path("statements/more/<str:token>", views.statements_more, name="statements-more"),
]
