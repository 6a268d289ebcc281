"""The alternate request syntax (xAPI 1.0.3 Communication 1.3): a POST with
``?method=`` and a form body carrying headers, parameters and ``content``,
on the Statement resource, through Django's test client."""

import json
import uuid
from urllib.parse import urlencode

import pytest

from progress.xapi.models import XAPIStatement
from tests.progress.test_xapi_statements import VERSION, basic, client_make, statement

FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def lrs(db):
    return client_make(can_read_all=True)


def credentials() -> str:
    return basic()["HTTP_AUTHORIZATION"]


@pytest.fixture
def alt(client, lrs):
    """POST /xapi/statements?<query> with a form body; no xAPI headers unless given."""

    def alt(query="method=PUT", form=None, *, content_type=FORM, body=None, **headers):
        data = body if body is not None else urlencode(form or {})
        return client.post(
            f"/xapi/statements?{query}",
            data=data,
            content_type=content_type,
            HTTP_ACCEPT_LANGUAGE="en",
            **headers,
        )

    return alt


def test_put_with_headers_and_content_in_the_form(alt):
    """1.3.s3.b4–b7, b13–b14: Authorization and X-Experience-API-Version as
    form parameters, statementId as a form parameter, the statement as
    ``content``; Content-Type defaults to application/json."""
    statement_id = str(uuid.uuid4())
    response = alt(
        form={
            "statementId": statement_id,
            "content": json.dumps(statement()),
            "X-Experience-API-Version": "1.0.3",
            "Authorization": credentials(),
        }
    )
    assert response.status_code == 204, response.content
    assert response["X-Experience-API-Version"] == "1.0.3"
    stored = XAPIStatement.objects.get()
    assert str(stored.statement_id) == statement_id
    assert stored.data["verb"]["display"]["zh-CN"] == "完成了"


def test_a_header_sent_as_a_header_is_kept_over_its_form_twin(alt):
    """The conformance suite sends a valid version header beside a form
    ``X-Experience-API-Version`` of 0.8 and expects 204."""
    form = {
        "statementId": str(uuid.uuid4()),
        "X-Experience-API-Version": "0.8",
        "Content-Type": "application/json",
        "content": json.dumps(statement()),
    }
    assert alt(form=form, **basic()).status_code == 204
    assert XAPIStatement.objects.count() == 1


def test_post_a_batch(alt):
    """method=POST with a batch as ``content`` answers the ids."""
    batch = [statement(), statement(email="lin@example.com")]
    response = alt("method=POST", {"content": json.dumps(batch)}, **basic())
    assert response.status_code == 200
    assert len(response.json()) == 2
    assert XAPIStatement.objects.count() == 2


def test_get_with_parameters_in_the_form(alt, client):
    """Communication 2.1.2.s2.b3 (XAPI-00148): a POST containing a GET returns
    200 and a StatementResult; form parameters act as query parameters."""
    ids = [
        client.post(
            "/xapi/statements",
            data=json.dumps(statement()),
            content_type="application/json",
            **basic(),
        ).json()[0]
        for _ in range(2)
    ]
    response = alt("method=GET", {"limit": 1}, **basic())
    assert response.status_code == 200
    result = response.json()
    assert [s["id"] for s in result["statements"]] == [ids[1]]
    assert result["more"].startswith("/xapi/statements/more/")
    response = alt("method=GET", {"statementId": ids[0], "Authorization": credentials()}, **VERSION)
    assert response.status_code == 200 and response.json()["id"] == ids[0]
    assert alt("method=HEAD", {"statementId": ids[0]}, **basic()).content == b""


REFUSALS = {
    # 1.3.s3.b3: method is the only query parameter.
    "another query parameter": (
        {"query": "method=PUT&statementId=" + str(uuid.uuid4())},
        400,
        "only query parameter",
    ),
    # 1.3.s3.b4: PUT without ``content`` has no statement.
    "no content": ({"query": "method=PUT", "body": ""}, 400, "statementId"),
    # A JSON body under a form Content-Type has no form parameters.
    "body not url-encoded": (
        {
            "body": json.dumps(
                {"statementId": str(uuid.uuid4()), "content": json.dumps(statement())}
            )
        },
        400,
        "statementId",
    ),
    "body not a form": (
        {"body": json.dumps(statement()), "content_type": "application/json"},
        400,
        "application/x-www-form-urlencoded",
    ),
    "unknown method": ({"query": "method=PATCH"}, 400, "GET, HEAD, PUT, POST or DELETE"),
    # The resource's own method rules still hold.
    "method the resource does not allow": ({"query": "method=DELETE"}, 405, "not allowed"),
    # The content still follows the resource's content types.
    "content type not JSON": (
        {
            "form": {
                "statementId": str(uuid.uuid4()),
                "Content-Type": "text/plain",
                "content": json.dumps(statement()),
            }
        },
        400,
        "application/json or multipart/mixed",
    ),
}


@pytest.mark.parametrize("request_args,status,reason", REFUSALS.values(), ids=REFUSALS.keys())
def test_refused_alternate_requests_store_nothing(alt, request_args, status, reason):
    response = alt(**request_args, **basic())
    assert response.status_code == status, response.content
    assert reason in response.json()["error"]
    assert XAPIStatement.objects.count() == 0


def test_alternate_syntax_must_be_a_post(client, lrs):
    """1.3.s3.b1: GET with ?method= is refused."""
    response = client.get("/xapi/statements?method=POST", HTTP_ACCEPT_LANGUAGE="en", **basic())
    assert response.status_code == 400
    assert "POST" in response.json()["error"]


def test_credentials_are_still_required(alt):
    """Without Authorization in the header or the form: 401, nothing stored."""
    form = {"statementId": str(uuid.uuid4()), "content": json.dumps(statement())}
    response = alt(form=form, **VERSION)
    assert response.status_code == 401
    form["Authorization"] = "Basic d3Jvbmc6d3Jvbmc="
    assert alt(form=form, **VERSION).status_code == 401
    assert XAPIStatement.objects.count() == 0


def test_version_is_still_required(alt):
    """Without X-Experience-API-Version in the header or the form: 400."""
    form = {"statementId": str(uuid.uuid4()), "content": json.dumps(statement())}
    response = alt(form=form, HTTP_AUTHORIZATION=credentials())
    assert response.status_code == 400
    assert "X-Experience-API-Version" in response.json()["error"]
    assert XAPIStatement.objects.count() == 0


def test_a_form_over_django_s_body_limit_is_413(alt, settings):
    """The form is read into memory, so it is bound by DATA_UPLOAD_MAX_MEMORY_SIZE."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    form = {"statementId": str(uuid.uuid4()), "content": json.dumps(statement())}
    response = alt(form=form, **basic())
    assert response.status_code == 413
    assert "larger than" in response.json()["error"]
    assert XAPIStatement.objects.count() == 0
