"""HTTP face of the LRS's document resources (State, Activity Profile, Agent
Profile) and of the Activities and Agents resources (xAPI 1.0.3
Communication 2.2–2.7). Authentication, the version header and the mapping
of domain errors are ``views.xapi_view``'s; a failed ETag precondition is
mapped to 412 here."""

from __future__ import annotations

from functools import wraps

from django.http import HttpResponse, JsonResponse
from django.utils.http import http_date
from django.utils.translation import gettext as _

from . import selectors, services
from .models import XAPIDocument
from .views import _body_limited, _error, xapi_view

_DOCUMENT_METHODS = ("GET", "HEAD", "PUT", "POST", "DELETE")


def _preconditions(view):
    """Answer ``XAPIPreconditionFailed`` with 412 Precondition Failed
    (Communication 3.1.s4.b9) and ``XAPIDocumentConflict`` with 409 Conflict
    (3.1.s4.b13), before ``xapi_view`` would take them for a 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except services.XAPIPreconditionFailed as error:
            return _error(error.message, 412)
        except services.XAPIDocumentConflict as error:
            return _error(error.message, 409)

    return wrapper


def _tagged(response: HttpResponse, *, etag: str, modified) -> HttpResponse:
    response["ETag"] = f'"{etag}"'
    if modified is not None:
        response["Last-Modified"] = http_date(modified.timestamp())
    return response


def _document(request, *, client, kind: str) -> HttpResponse:
    """One request to a document resource: GET one document or the list of
    ids, PUT, POST (merge) or DELETE."""
    parsed = selectors.document_request_parse(kind=kind, method=request.method, params=request.GET)
    if request.method in ("GET", "HEAD"):
        if parsed.document_id is None:
            ids, last = selectors.document_ids(client=client, request=parsed)
            response = JsonResponse(ids, safe=False)
            return _tagged(response, etag=services.document_etag(response.content), modified=last)
        document = selectors.document_get(client=client, request=parsed)
        if document is None:
            return _error(_("No such document."), 404)
        response = HttpResponse(bytes(document.content), content_type=document.content_type)
        return _tagged(response, etag=document.etag, modified=document.updated)
    conditions = {
        "if_match": request.headers.get("If-Match"),
        "if_none_match": request.headers.get("If-None-Match"),
    }
    if request.method == "DELETE":
        if parsed.document_id is None:
            services.documents_delete(client=client, request=parsed)
        else:
            services.document_delete(client=client, request=parsed, **conditions)
        return HttpResponse(status=204)
    write = services.document_put if request.method == "PUT" else services.document_post
    write(
        client=client,
        request=parsed,
        content=_body_limited(request),
        content_type=request.META.get("CONTENT_TYPE", "").strip(),
        **conditions,
    )
    return HttpResponse(status=204)


@xapi_view(_DOCUMENT_METHODS)
@_preconditions
def state(request, *, client):
    """/xapi/activities/state: the State resource (Communication 2.3)."""
    return _document(request, client=client, kind=XAPIDocument.Kind.STATE)


@xapi_view(_DOCUMENT_METHODS)
@_preconditions
def activity_profile(request, *, client):
    """/xapi/activities/profile: the Activity Profile resource (2.7)."""
    return _document(request, client=client, kind=XAPIDocument.Kind.ACTIVITY_PROFILE)


@xapi_view(_DOCUMENT_METHODS)
@_preconditions
def agent_profile(request, *, client):
    """/xapi/agents/profile: the Agent Profile resource (2.6)."""
    return _document(request, client=client, kind=XAPIDocument.Kind.AGENT_PROFILE)


@xapi_view(("GET", "HEAD"))
def activities(request, *, client):
    """/xapi/activities: the Activity object with the LRS's canonical
    definition (Communication 2.5)."""
    activity_id = selectors.activity_request_parse(params=request.GET)
    response = JsonResponse(selectors.activity_object(activity_id=activity_id))
    return _tagged(response, etag=services.document_etag(response.content), modified=None)


@xapi_view(("GET", "HEAD"))
def agents(request, *, client):
    """/xapi/agents: the Person object for an Agent (Communication 2.4),
    combined from the statements this client may read."""
    agent = selectors.agents_request_parse(params=request.GET)
    response = JsonResponse(selectors.agent_person(client=client, agent=agent))
    return _tagged(response, etag=services.document_etag(response.content), modified=None)
