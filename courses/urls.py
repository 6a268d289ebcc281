from django.urls import path

from courses import views

urlpatterns = [
    # The catalogue's own page URL (slug "courses" under the home page); this
    # gives it a name for {% url 'catalogue' %} and keeps working if editors
    # rename the slug.
    path("courses/", views.catalogue, name="catalogue"),
]
