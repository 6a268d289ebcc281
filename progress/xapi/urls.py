"""The LRS endpoints, mounted at /xapi/ (xAPI resources have no trailing slash)."""

from django.urls import path

from . import document_views, views

app_name = "xapi"

urlpatterns = [
    path("about", views.about, name="about"),
    path("statements", views.statements, name="statements"),
    path("statements/more/<str:token>", views.statements_more, name="statements-more"),
    # Exact paths: activities/state and activities/profile are not under
    # the Activities resource.
    path("activities", document_views.activities, name="activities"),
    path("activities/state", document_views.state, name="activities-state"),
    path("activities/profile", document_views.activity_profile, name="activities-profile"),
    path("agents", document_views.agents, name="agents"),
    path("agents/profile", document_views.agent_profile, name="agents-profile"),
]
