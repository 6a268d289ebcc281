"""Plain Django views of the courses app. Pages themselves are served by
Wagtail (their ``get_context`` calls the selectors)."""

from django.http import Http404
from wagtail.views import serve

from courses import selectors


def catalogue(request):
    """The course catalogue under a stable URL name (``catalogue``), served
    in place (no redirect) through Wagtail, so its hooks, view restrictions
    and caching apply as on any other page."""
    page = selectors.catalogue_page_get()
    url_parts = page.get_url_parts(request) if page is not None else None
    if url_parts is None:
        raise Http404
    _site_id, _root_url, page_path = url_parts
    return serve(request, page_path.lstrip("/"))
