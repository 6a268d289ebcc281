"""HTTP face of the Learning Record Store (xAPI 1.0.3 Communication, §2–3).

Views parse, call a selector or service, and render. Every response carries
``X-Experience-API-Version``; every request except ``about`` must send a
supported one.

CSRF: these views are exempt because the LRS authenticates each request with
HTTP Basic credentials of a client system (``auth.client_from_request``) and
never with the session cookie, so a cross-site page cannot ride on a
browser's ambient credentials. No view here reads ``request.user``.
"""

from __future__ import annotations

import json
import secrets
from functools import wraps

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from lms.exceptions import ApplicationError

from . import selectors, services
from .auth import REALM, client_authority, client_from_request
from .validation import XAPIValidationError, version_header_validate

VERSION = "1.0.3"
SUPPORTED_VERSIONS = ["1.0.3", "1.0.2", "1.0.1", "1.0.0"]
_SINGLE_PARAMS = {"statementId", "voidedStatementId", "format", "attachments"}


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _finish(request, response: HttpResponse) -> HttpResponse:
    response["X-Experience-API-Version"] = VERSION
    if request.method == "HEAD":
        response.content = b""
    return response


def xapi_view(methods: tuple[str, ...], *, authenticated: bool = True, statements: bool = False):
    """Method check, version header, Basic authentication and the mapping of
    domain errors to xAPI status codes, for one LRS view. Statement resource
    responses carry X-Experience-API-Consistent-Through whatever their status
    (Communication 2.1.3.s2.b5)."""

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            response = _dispatch(request, *args, **kwargs)
            if statements:
                # Taken after the work, so it is never before a returned "stored".
                response["X-Experience-API-Consistent-Through"] = services.iso(timezone.now())
            return _finish(request, response)

        def _dispatch(request, *args, **kwargs):
            if request.method not in methods:
                response = _error(_("Method not allowed."), 405)
                response["Allow"] = ", ".join(methods)
                return response
            if authenticated:
                try:
                    version_header_validate(request.headers.get("X-Experience-API-Version"))
                except XAPIValidationError as error:
                    return _error(error.message, 400)
                client = client_from_request(request)
                if client is None:
                    response = _error(_("Valid HTTP Basic credentials are required."), 401)
                    response["WWW-Authenticate"] = f'Basic realm="{REALM}"'
                    return response
                kwargs["client"] = client
            try:
                response = view(request, *args, **kwargs)
            except XAPIValidationError as error:
                response = _error(error.message, 400)
            except services.XAPIConflict as error:
                response = _error(error.message, 409)
            except ApplicationError as error:
                response = _error(error.message, 403)
            return response

        return wrapper

    return decorate


@xapi_view(("GET", "HEAD"), authenticated=False)
def about(request):
    """GET /xapi/about: the versions this LRS speaks; no credentials needed."""
    return JsonResponse({"version": SUPPORTED_VERSIONS, "extensions": {}})


def _json_body(request):
    content_type = request.content_type or ""
    if content_type.startswith("multipart/"):
        raise XAPIValidationError(
            _("Statements with attached content (multipart/mixed) are not supported yet.")
        )
    if content_type != "application/json":
        raise XAPIValidationError(_("The request body must be application/json."))
    try:
        return json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise XAPIValidationError(_("The request body is not valid JSON.")) from None


def _refuse_unsent_attachments(statements: list) -> None:
    """Attachments without a fileUrl travel in a multipart body, which this
    LRS does not accept yet; refusing is better than storing a statement whose
    attachment data never arrived."""
    for statement in statements:
        if isinstance(statement, dict):
            for attachment in statement.get("attachments") or []:
                if isinstance(attachment, dict) and "fileUrl" not in attachment:
                    raise XAPIValidationError(_("Attachment data must be sent as multipart/mixed."))


@xapi_view(("GET", "HEAD", "PUT", "POST"), statements=True)
def statements(request, *, client):
    """The Statement resource: PUT one, POST one or many, GET one or a query."""
    homepage = request.build_absolute_uri("/xapi/")
    if "method" in request.GET:
        raise XAPIValidationError(_("Alternate request syntax is not supported yet."))
    if request.method == "PUT":
        statement_id = request.GET.get("statementId")
        if not statement_id or set(request.GET) - {"statementId"}:
            raise XAPIValidationError(_("PUT needs exactly the statementId parameter."))
        statement_id = selectors.statement_id_parse(statement_id)
        statement = _json_body(request)
        if not isinstance(statement, dict):
            raise XAPIValidationError(_("PUT takes a single statement."))
        if "id" in statement and str(statement["id"]).lower() != statement_id:
            raise XAPIValidationError(_("The statement id does not match statementId."))
        statement = {**statement, "id": statement_id}
        _refuse_unsent_attachments([statement])
        services.statements_store(
            statements=[statement],
            client=client,
            authority=client_authority(client=client, homepage=homepage),
        )
        return HttpResponse(status=204)
    if request.method == "POST":
        if request.GET:
            raise XAPIValidationError(_("POST to statements takes no parameters."))
        body = _json_body(request)
        batch = body if isinstance(body, list) else [body]
        _refuse_unsent_attachments(batch)
        stored = services.statements_store(
            statements=batch,
            client=client,
            authority=client_authority(client=client, homepage=homepage),
        )
        if not stored.new:
            # Every statement was already stored, unchanged: nothing happened,
            # as for a repeated PUT.
            return HttpResponse(status=204)
        return JsonResponse(stored.ids, safe=False)
    return _statements_get(request, client=client)


def _render(payload, *, attachments: bool) -> HttpResponse:
    """JSON, or with attachments=true the multipart/mixed form whose first
    part is the JSON. This LRS holds no attachment data (statements with
    unsent attachment data are refused), so there are no further parts."""
    if not attachments:
        return JsonResponse(payload, safe=False)
    boundary = secrets.token_hex(16)
    body = (
        f"--{boundary}\r\nContent-Type: application/json\r\n\r\n"
        f"{json.dumps(payload, cls=DjangoJSONEncoder)}\r\n--{boundary}--\r\n"
    )
    return HttpResponse(body.encode(), content_type=f"multipart/mixed; boundary={boundary}")


def _statements_get(request, *, client) -> HttpResponse:
    params = {key: request.GET.get(key) for key in request.GET}
    languages = selectors.accept_languages(request.headers.get("Accept-Language", ""))
    single = {"statementId", "voidedStatementId"} & set(params)
    if single:
        if len(single) > 1 or set(params) - _SINGLE_PARAMS:
            raise XAPIValidationError(
                _("statementId allows only the format and attachments parameters.")
            )
        name = single.pop()
        query = selectors.statement_query_parse(
            params={k: v for k, v in params.items() if k in ("format", "attachments")}
        )
        row = selectors.statement_get(
            client=client,
            statement_id=selectors.statement_id_parse(params[name]),
            voided=name == "voidedStatementId",
        )
        if row is None:
            return _error(_("No such statement."), 404)
        response = _render(
            selectors.statement_formatted(
                statement=row.data, statement_format=query.format, languages=languages
            ),
            attachments=query.attachments,
        )
        response["Last-Modified"] = http_date(row.stored.timestamp())
        return response
    query = selectors.statement_query_parse(params=params)
    return _result(client=client, query=query, after=None, languages=languages)


def _result(*, client, query, after, languages) -> HttpResponse:
    rows, token = selectors.statements_query(client=client, query=query, after=after)
    # A path from the host root: the spec allows a relative IRL.
    more = f"/xapi/statements/more/{token}" if token else ""
    response = _render(
        {
            "statements": [
                selectors.statement_formatted(
                    statement=row.data, statement_format=query.format, languages=languages
                )
                for row in rows
            ],
            "more": more,
        },
        attachments=query.attachments,
    )
    last = max((row.stored for row in rows), default=timezone.now())
    response["Last-Modified"] = http_date(last.timestamp())
    return response


@xapi_view(("GET", "HEAD"), statements=True)
def statements_more(request, token: str, *, client):
    """The next page of a statement query (the ``more`` IRL)."""
    query, after = selectors.more_token_read(token=token)
    languages = selectors.accept_languages(request.headers.get("Accept-Language", ""))
    return _result(client=client, query=query, after=after, languages=languages)
