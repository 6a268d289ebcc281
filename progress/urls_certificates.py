"""The worker's certificate downloads (under /learning/certificates/)."""

from django.urls import path

from progress import certificate_views as views

app_name = "certificates"

urlpatterns = [
    path("<str:code>/certificate.pdf", views.certificate_pdf, name="pdf"),
    path("<str:code>/certificate.json", views.certificate_credential, name="credential"),
]
