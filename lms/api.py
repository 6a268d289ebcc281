"""API plumbing shared by every app's endpoints."""

from rest_framework.views import exception_handler as drf_exception_handler

from lms.exceptions import ApplicationError


def exception_handler(exc, context):
    """Turn ``ApplicationError`` into a 400 with its (translated) message."""
    if isinstance(exc, ApplicationError):
        from rest_framework.response import Response

        return Response({"detail": str(exc.message), **exc.extra}, status=400)
    return drf_exception_handler(exc, context)


def public_api_endpoints(endpoints, **kwargs):
    """drf-spectacular preprocessing hook: describe our public API only, not
    the Wagtail admin's internal API that shares the URLconf."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]
