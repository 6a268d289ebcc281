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

import io
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date, parse_header_parameters
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from lms.exceptions import ApplicationError

from . import selectors, services
from .attachments import XAPIRequestTooLarge, multipart_build, multipart_parse
from .auth import REALM, client_authority, client_from_request
from .validation import XAPIValidationError, json_load, version_header_validate

VERSION = "1.0.3"
SUPPORTED_VERSIONS = ["1.0.3", "1.0.2", "1.0.1", "1.0.0"]
_SINGLE_PARAMS = {"statementId", "voidedStatementId", "format", "attachments"}
# Alternate request syntax (Communication 1.3.s3.b6): the form parameters the
# LRS treats as these request headers, by lower-case name.
_FORM_HEADERS = {
    "authorization": "HTTP_AUTHORIZATION",
    "x-experience-api-version": "HTTP_X_EXPERIENCE_API_VERSION",
    "content-type": "CONTENT_TYPE",
    "content-length": "CONTENT_LENGTH",
    "if-match": "HTTP_IF_MATCH",
    "if-none-match": "HTTP_IF_NONE_MATCH",
}
_FORM_METHODS = {"GET", "HEAD", "PUT", "POST", "DELETE"}


def _error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _finish(request, response: HttpResponse) -> HttpResponse:
    response["X-Experience-API-Version"] = VERSION
    if request.method == "HEAD":
        response.content = b""
    return response


def alternate_request_unwrap(request) -> None:
    """Turn a request in the alternate request syntax (Communication 1.3)
    into the request it stands for, in place: a POST whose only query
    parameter is ``method``, with an application/x-www-form-urlencoded body.
    The form's ``content`` becomes the body (UTF-8); Authorization,
    X-Experience-API-Version, Content-Type, Content-Length, If-Match and
    If-None-Match become headers; every other form parameter becomes a query
    parameter. Content-Type defaults to application/json when there is
    content.

    A header the HTTP request itself carries is kept over its form twin
    (except Content-Type and Content-Length, which there describe the form):
    the spec does not say which wins, and the ADL conformance suite sends a
    valid version header beside a form ``X-Experience-API-Version`` of 0.8
    and expects the request to succeed."""
    if request.method != "POST":
        raise XAPIValidationError(_("The alternate request syntax must be sent with POST."))
    if set(request.GET) != {"method"} or len(request.GET.getlist("method")) != 1:
        raise XAPIValidationError(
            _(
                "With the alternate request syntax, method must be the only query "
                "parameter; send the others as form parameters."
            )
        )
    method = request.GET["method"].upper()
    if method not in _FORM_METHODS:
        raise XAPIValidationError(_("The method parameter must be GET, HEAD, PUT, POST or DELETE."))
    try:
        raw = request.body
    except RequestDataTooBig:
        raise XAPIRequestTooLarge(
            _("The form body is larger than this LRS accepts (DATA_UPLOAD_MAX_MEMORY_SIZE).")
        ) from None
    if raw and request.content_type != "application/x-www-form-urlencoded":
        raise XAPIValidationError(
            _(
                "The alternate request syntax sends its parameters as an "
                "application/x-www-form-urlencoded body."
            )
        )
    try:
        form = QueryDict(raw.decode("utf-8"), encoding="utf-8")
    except UnicodeDecodeError:
        raise XAPIValidationError(_("The form body is not UTF-8.")) from None
    content = form.get("content")
    body = content.encode("utf-8") if content is not None else b""
    meta = request.META
    meta.pop("CONTENT_TYPE", None)
    query = []
    for name in form:
        key = _FORM_HEADERS.get(name.lower())
        if name == "content":
            continue
        if key is None:
            query += [(name, value) for value in form.getlist(name)]
        elif key == "CONTENT_TYPE" or key not in meta:
            meta[key] = form[name]
    if content is not None:
        meta.setdefault("CONTENT_TYPE", "application/json")
    meta["CONTENT_LENGTH"] = str(len(body))
    meta["REQUEST_METHOD"] = method
    request.method = method
    request.GET = QueryDict(urlencode(query), encoding="utf-8")
    request.content_type, request.content_params = parse_header_parameters(
        meta.get("CONTENT_TYPE", "")
    )
    # Django has no public way to replace a request's body: set what
    # HttpRequest.body and read() use, and forget the parsed form and the
    # cached headers so that nothing reads the wrapper.
    request._body = body
    request._stream = io.BytesIO(body)
    request._post, request._files = QueryDict(), QueryDict()
    request.__dict__.pop("headers", None)


def xapi_view(methods: tuple[str, ...], *, authenticated: bool = True, statements: bool = False):
    """Method check, version header, Basic authentication and the mapping of
    domain errors to xAPI status codes, for one LRS view. A request in the
    alternate request syntax (``?method=``) is unwrapped first, so every view
    sees the request it stands for. Statement resource responses carry
    X-Experience-API-Consistent-Through whatever their status
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
            if "method" in request.GET:
                try:
                    alternate_request_unwrap(request)
                except XAPIValidationError as error:
                    return _error(error.message, 400)
                except XAPIRequestTooLarge as error:
                    return _error(error.message, 413)
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
            except XAPIRequestTooLarge as error:
                response = _error(error.message, 413)
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


def _statement_body(request) -> tuple[object, dict]:
    """The statement(s) of a PUT or POST and the attachment parts sent with
    them: application/json (no parts) or multipart/mixed (Communication
    1.5). A multipart body larger than ``XAPI_ATTACHMENT_MAX_BYTES`` is 413."""
    if request.content_type == "multipart/mixed":
        multipart = multipart_parse(_body_limited(request), request.META["CONTENT_TYPE"])
        return multipart.document, multipart.parts
    if request.content_type != "application/json":
        raise XAPIValidationError(
            _("The request body must be application/json or multipart/mixed.")
        )
    return json_load(request.body, invalid=_("The request body is not valid JSON.")), {}


def _body_limited(request) -> bytes:
    """The request body, read from the stream so that attachment data is not
    bound by DATA_UPLOAD_MAX_MEMORY_SIZE but by XAPI_ATTACHMENT_MAX_BYTES."""
    limit = settings.XAPI_ATTACHMENT_MAX_BYTES
    too_large = XAPIRequestTooLarge(
        _("The request body is larger than the %(limit)s bytes this LRS accepts.")
        % {"limit": limit}
    )
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise too_large
    body = request.read(limit + 1)
    if len(body) > limit:
        raise too_large
    return body


@xapi_view(("GET", "HEAD", "PUT", "POST"), statements=True)
def statements(request, *, client):
    """The Statement resource: PUT one, POST one or many, GET one or a query."""
    homepage = request.build_absolute_uri("/xapi/")
    if request.method == "PUT":
        statement_id = request.GET.get("statementId")
        if not statement_id or set(request.GET) - {"statementId"}:
            raise XAPIValidationError(_("PUT needs exactly the statementId parameter."))
        statement_id = selectors.statement_id_parse(statement_id)
        statement, parts = _statement_body(request)
        if not isinstance(statement, dict):
            raise XAPIValidationError(_("PUT takes a single statement."))
        if "id" in statement and str(statement["id"]).lower() != statement_id:
            raise XAPIValidationError(_("The statement id does not match statementId."))
        statement = {**statement, "id": statement_id}
        services.statements_store(
            statements=[statement],
            client=client,
            authority=client_authority(client=client, homepage=homepage),
            parts=parts,
        )
        return HttpResponse(status=204)
    if request.method == "POST":
        if request.GET:
            raise XAPIValidationError(_("POST to statements takes no parameters."))
        body, parts = _statement_body(request)
        batch = body if isinstance(body, list) else [body]
        stored = services.statements_store(
            statements=batch,
            client=client,
            authority=client_authority(client=client, homepage=homepage),
            parts=parts,
        )
        if not stored.new:
            # Every statement was already stored, unchanged: nothing happened,
            # as for a repeated PUT.
            return HttpResponse(status=204)
        return JsonResponse(stored.ids, safe=False)
    return _statements_get(request, client=client)


def _render(payload, *, attachments: bool, statements: list[dict]) -> HttpResponse:
    """JSON, or with attachments=true the multipart/mixed form: the JSON
    first, then the data of every attachment the returned ``statements``
    reference (Communication 2.1.3, 1.5.2.s3.b1)."""
    if not attachments:
        return JsonResponse(payload, safe=False)
    body, content_type = multipart_build(
        payload, selectors.statement_attachment_data(statements=statements)
    )
    return HttpResponse(body, content_type=content_type)


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
        (formatted,) = selectors.statements_formatted(
            statements=[row.data], statement_format=query.format, languages=languages
        )
        response = _render(
            formatted,
            attachments=query.attachments,
            statements=[row.data],
        )
        response["Last-Modified"] = http_date(row.stored.timestamp())
        return response
    query = selectors.statement_query_parse(params=params)
    return _result(client=client, query=query, after=None, languages=languages)


def _result(*, client, query, after, languages) -> HttpResponse:
    rows, token = selectors.statements_query(client=client, query=query, after=after)
    # A path from the host root (the spec allows a relative IRL), reversed so
    # that it holds under a SCRIPT_NAME prefix too.
    more = reverse("xapi:statements-more", args=[token]) if token else ""
    response = _render(
        {
            "statements": selectors.statements_formatted(
                statements=[row.data for row in rows],
                statement_format=query.format,
                languages=languages,
            ),
            "more": more,
        },
        attachments=query.attachments,
        statements=[row.data for row in rows],
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
