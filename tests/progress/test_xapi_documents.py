"""The document resources of the LRS over HTTP (xAPI 1.0.3 Communication
2.2, 2.3, 2.6, 2.7 and the concurrency rules of 3.1): State, Activity Profile
and Agent Profile, through Django's test client with HTTP Basic credentials.
Each failure case asserts through the database that nothing changed."""

import base64
import hashlib
import json
import threading
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection

from progress.xapi import services
from progress.xapi.models import XAPIClient, XAPIDocument
from progress.xapi.selectors import DocumentRequest

VERSION = {"HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}
ACTIVITY = "http://example.com/activities/arc-welding"
AGENT = {"objectType": "Agent", "mbox": "mailto:wang@example.com"}
REGISTRATION = "6f2bd6a1-5d0d-4d8a-8b5a-1c2d3e4f5a6b"

# resource name → (path, scope parameters, document id parameter, kind)
RESOURCES = {
    "state": (
        "/xapi/activities/state",
        {"activityId": ACTIVITY, "agent": json.dumps(AGENT)},
        "stateId",
        XAPIDocument.Kind.STATE,
    ),
    "activity_profile": (
        "/xapi/activities/profile",
        {"activityId": ACTIVITY},
        "profileId",
        XAPIDocument.Kind.ACTIVITY_PROFILE,
    ),
    "agent_profile": (
        "/xapi/agents/profile",
        {"agent": json.dumps(AGENT)},
        "profileId",
        XAPIDocument.Kind.AGENT_PROFILE,
    ),
}
PROFILES = ["activity_profile", "agent_profile"]


def client_make(*, key="warehouse", secret="s3cret", **fields) -> XAPIClient:
    client = XAPIClient(name=key.title(), key=key, **fields)
    client.set_secret(secret)
    client.save()
    return client


def basic(key="warehouse", secret="s3cret") -> dict:
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}", **VERSION}


def sha1(content: bytes) -> str:
    return hashlib.sha1(content).hexdigest()


def snapshot() -> list[tuple]:
    """Every stored document, to compare before and after a refused request."""
    return list(
        XAPIDocument.objects.order_by("id").values_list(
            "client_id", "kind", "document_id", "registration", "content", "content_type", "etag"
        )
    )


@pytest.fixture
def lrs(db):
    return client_make()


class Docs:
    """Requests to one document resource with the xAPI headers."""

    def __init__(self, client, resource: str):
        self.client = client
        self.path, self.scope, self.id_param, self.kind = RESOURCES[resource]

    def url(self, doc_id=None, **params) -> str:
        query = dict(self.scope)
        if doc_id is not None:
            query[self.id_param] = doc_id
        query.update(params)
        query = {k: v for k, v in query.items() if v is not None}
        return f"{self.path}?{urlencode(query)}"

    def send(
        self,
        method,
        doc_id,
        body=b"",
        *,
        content_type="application/json",
        auth=None,
        headers=None,
        **params,
    ):
        if isinstance(body, dict | list):
            body = json.dumps(body)
        return self.client.generic(
            method,
            self.url(doc_id, **params),
            data=body,
            content_type=content_type,
            **(auth or basic()),
            **(headers or {}),
        )

    def put(self, doc_id, body, *, new=True, **kwargs):
        """PUT; ``new`` adds If-None-Match: * as the profile resources require."""
        if new and "headers" not in kwargs:
            kwargs["headers"] = {"HTTP_IF_NONE_MATCH": "*"}
        return self.send("PUT", doc_id, body, **kwargs)

    def post(self, doc_id, body, **kwargs):
        return self.send("POST", doc_id, body, **kwargs)

    def get(self, doc_id=None, *, auth=None, **params):
        return self.client.get(self.url(doc_id, **params), **(auth or basic()))

    def delete(self, doc_id=None, *, headers=None, auth=None, **params):
        return self.client.delete(
            self.url(doc_id, **params), **(auth or basic()), **(headers or {})
        )


@pytest.fixture(params=list(RESOURCES))
def docs(request, client, lrs):
    return Docs(client, request.param)


@pytest.fixture(params=PROFILES)
def profile_docs(request, client, lrs):
    return Docs(client, request.param)


@pytest.fixture
def state_docs(client, lrs):
    return Docs(client, "state")


# --- storing and reading -----------------------------------------------------------


def test_put_then_get_returns_the_document_with_etag_and_last_modified(docs):
    """GET of one document returns its bytes and Content-Type as sent, a
    quoted SHA-1 ETag and Last-Modified (Communication 2.2.s6, 3.1.s4)."""
    body = json.dumps({"x": "foo", "y": "bar"}).encode()
    response = docs.put("resume", body)
    assert response.status_code == 204
    assert response.content == b""
    assert response["X-Experience-API-Version"] == "1.0.3"
    response = docs.get("resume")
    assert response.status_code == 200
    assert response.content == body
    assert response["Content-Type"] == "application/json"
    assert response["ETag"] == f'"{sha1(body)}"'
    assert "Last-Modified" in response
    row = XAPIDocument.objects.get()
    assert (row.kind, row.document_id, bytes(row.content)) == (docs.kind, "resume", body)


def test_binary_documents_keep_their_bytes_and_content_type(docs):
    body = bytes(range(256)) * 4
    assert docs.put("picture", body, content_type="image/png").status_code == 204
    response = docs.get("picture")
    assert response.content == body
    assert response["Content-Type"] == "image/png"
    assert response["ETag"] == f'"{sha1(body)}"'


def test_head_answers_like_get_without_a_body(docs):
    body = b'{"a": 1}'
    docs.put("head", body)
    response = docs.client.head(docs.url("head"), **basic())
    assert response.status_code == 200
    assert response.content == b""
    assert response["ETag"] == f'"{sha1(body)}"'


def test_missing_document_is_404_and_delete_of_it_is_204(docs):
    assert docs.get("nothing").status_code == 404
    assert docs.delete("nothing").status_code == 204
    assert XAPIDocument.objects.count() == 0


def test_delete_removes_the_document(docs):
    docs.put("gone", {"a": 1})
    assert docs.delete("gone").status_code == 204
    assert docs.get("gone").status_code == 404
    assert XAPIDocument.objects.count() == 0


def test_post_of_a_new_document_stores_it_as_sent(docs):
    """POST to a document that does not exist is a PUT (Communication 2.2.s7);
    the conformance suite posts bare values as form-encoded bodies."""
    assert (
        docs.post("new", b"1", content_type="application/x-www-form-urlencoded").status_code == 204
    )
    response = docs.get("new")
    assert response.content == b"1"
    assert response["Content-Type"] == "application/x-www-form-urlencoded"


def test_post_merges_top_level_properties(docs):
    """Only top-level properties are merged; an object value is replaced
    whole (Communication 2.2.s7.b1–b3)."""
    docs.post("merge", {"x": "foo", "y": "bar", "car": {"make": "Ford", "model": "Escape"}})
    response = docs.post("merge", {"x": "bash", "z": "faz", "car": {"make": "Dodge"}})
    assert response.status_code == 204
    got = docs.get("merge")
    assert json.loads(got.content) == {
        "x": "bash",
        "y": "bar",
        "z": "faz",
        "car": {"make": "Dodge"},
    }
    assert got["ETag"] == f'"{sha1(got.content)}"'
    assert XAPIDocument.objects.count() == 1


@pytest.mark.parametrize(
    ("stored", "stored_type", "posted", "posted_type"),
    [
        # the posted document is not application/json
        ('{"a": 1}', "application/json", "abcdefg", "application/octet-stream"),
        ('{"a": 1}', "application/json", "abc", "application/x-www-form-urlencoded"),
        # the stored document is not application/json
        ("/ asdf / undefined", "application/octet-stream", '{"a": 1}', "application/json"),
        # either is JSON but not a JSON object
        ("[1, 2]", "application/json", '{"a": 1}', "application/json"),
        ('{"a": 1}', "application/json", "[1, 2]", "application/json"),
        # the posted document is not JSON at all
        ('{"a": 1}', "application/json", '{"profileId": "x"}{', "application/json"),
    ],
)
def test_post_that_cannot_merge_is_400_and_changes_nothing(
    docs, stored, stored_type, posted, posted_type
):
    """Communication 2.2.s8.b1: both documents must be application/json
    objects; otherwise 400 and the stored document is untouched."""
    assert docs.put("doc", stored.encode(), content_type=stored_type).status_code == 204
    before = snapshot()
    response = docs.post("doc", posted.encode(), content_type=posted_type)
    assert response.status_code == 400
    assert response.json()["error"]
    assert snapshot() == before
    assert docs.get("doc").content == stored.encode()


def test_put_of_invalid_json_declared_as_json_is_400(docs):
    response = docs.put("bad", b"{not json", content_type="application/json")
    assert response.status_code == 400
    assert XAPIDocument.objects.count() == 0


@pytest.mark.parametrize(
    ("doc_id", "content_type"),
    [("x" * 2049, "application/json"), ("doc", "application/" + "x" * 255)],
)
def test_id_or_content_type_longer_than_kept_is_400(docs, doc_id, content_type):
    response = docs.put(doc_id, b"{}", content_type=content_type)
    assert response.status_code == 400
    assert response.json()["error"]
    assert XAPIDocument.objects.count() == 0


def test_an_empty_document_is_a_document(docs):
    assert docs.put("empty", b"", content_type="text/plain").status_code == 204
    response = docs.get("empty")
    assert response.status_code == 200
    assert response.content == b""
    assert response["ETag"] == f'"{sha1(b"")}"'


# --- concurrency: ETags, If-Match, If-None-Match (Communication 3.1) ----------------


def test_put_with_the_current_etag_replaces_the_document(docs):
    docs.put("doc", {"v": 1})
    etag = docs.get("doc")["ETag"]
    response = docs.put("doc", {"v": 2}, headers={"HTTP_IF_MATCH": etag})
    assert response.status_code == 204
    assert json.loads(docs.get("doc").content) == {"v": 2}


PRECONDITION_FAILURES = [
    # (method, header, value, document exists first)
    ("PUT", "HTTP_IF_MATCH", '"1111111111111111111111111111111111111111"', True),
    ("PUT", "HTTP_IF_MATCH", '"1111111111111111111111111111111111111111"', False),
    ("PUT", "HTTP_IF_MATCH", "*", False),
    ("PUT", "HTTP_IF_NONE_MATCH", "*", True),
    ("PUT", "HTTP_IF_NONE_MATCH", "CURRENT", True),
    ("POST", "HTTP_IF_MATCH", '"1111111111111111111111111111111111111111"', True),
    ("POST", "HTTP_IF_MATCH", "*", False),
    ("POST", "HTTP_IF_NONE_MATCH", "*", True),
    ("DELETE", "HTTP_IF_MATCH", '"1111111111111111111111111111111111111111"', True),
    ("DELETE", "HTTP_IF_MATCH", "*", False),
]


@pytest.mark.parametrize(("method", "header", "value", "exists"), PRECONDITION_FAILURES)
def test_failed_precondition_is_412_and_changes_nothing(docs, method, header, value, exists):
    if exists:
        docs.put("doc", {"v": 1})
    if value == "CURRENT":
        value = docs.get("doc")["ETag"]
    before = snapshot()
    if method == "DELETE":
        response = docs.delete("doc", headers={header: value})
    else:
        response = docs.send(method, "doc", {"v": 2}, headers={header: value})
    assert response.status_code == 412
    assert response.json()["error"]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("method", "header", "value"),
    [
        ("POST", "HTTP_IF_MATCH", "CURRENT"),
        ("POST", "HTTP_IF_NONE_MATCH", '"1111111111111111111111111111111111111111"'),
        ("DELETE", "HTTP_IF_MATCH", "CURRENT"),
        ("DELETE", "HTTP_IF_MATCH", "*"),
        ("PUT", "HTTP_IF_MATCH", 'W/"CURRENT", "other"'),
    ],
)
def test_holding_precondition_lets_the_write_through(docs, method, header, value):
    docs.put("doc", {"v": 1})
    etag = docs.get("doc")["ETag"].strip('"')
    value = value.replace("CURRENT", etag)
    if method == "DELETE":
        response = docs.delete("doc", headers={header: value})
    else:
        response = docs.send(method, "doc", {"w": 2}, headers={header: value})
    assert response.status_code == 204
    if method == "DELETE":
        assert XAPIDocument.objects.count() == 0
    else:
        assert XAPIDocument.objects.get().etag != etag


def test_profile_put_without_either_header_on_existing_document_is_409(profile_docs):
    """Communication 3.1.s4.b13–b15: 409 with an explanation, no change."""
    profile_docs.put("doc", {"v": 1})
    before = snapshot()
    response = profile_docs.put("doc", {"v": 2}, headers={})
    assert response.status_code == 409
    assert "If-Match" in response.json()["error"]
    assert snapshot() == before


def test_profile_put_without_either_header_on_new_document_is_400(profile_docs):
    """A Client MUST send If-Match or If-None-Match with a profile PUT
    (Communication 3.1.s3.b1); the conformance suite expects 400."""
    response = profile_docs.put("doc", {"v": 1}, headers={})
    assert response.status_code == 400
    assert XAPIDocument.objects.count() == 0


def test_state_put_needs_no_concurrency_header(state_docs):
    """The State resource permits PUT without concurrency headers (3.1.s3)."""
    assert state_docs.put("doc", {"v": 1}, headers={}).status_code == 204
    assert state_docs.put("doc", {"v": 2}, headers={}).status_code == 204
    assert json.loads(state_docs.get("doc").content) == {"v": 2}
    assert XAPIDocument.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("if_none_match", [None, "*"])
def test_concurrent_puts_of_a_new_state_leave_one_document(if_none_match):
    """Eight PUTs of one new State document at once: one row; with
    If-None-Match: * exactly one wins and the others fail the precondition."""
    client = client_make()
    request = DocumentRequest(
        kind=XAPIDocument.Kind.STATE,
        activity_id=ACTIVITY,
        agent_key="mbox:mailto:wang@example.com",
        document_id="race",
    )
    barrier = threading.Barrier(8)
    outcomes = []

    def put(n: int) -> None:
        try:
            barrier.wait()
            services.document_put(
                client=client,
                request=request,
                content=json.dumps({"n": n}).encode(),
                content_type="application/json",
                if_none_match=if_none_match,
            )
            outcomes.append("stored")
        except services.XAPIPreconditionFailed:
            outcomes.append("412")
        finally:
            connection.close()

    threads = [threading.Thread(target=put, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert XAPIDocument.objects.count() == 1
    if if_none_match:
        assert sorted(outcomes) == ["412"] * 7 + ["stored"]
    else:
        assert outcomes == ["stored"] * 8


# --- lists, since, registration --------------------------------------------------


def test_get_without_document_id_lists_ids_with_since_exclusive(docs):
    docs.put("first", {"a": 1})
    docs.put("second", {"b": 2})
    response = docs.get()
    assert response.status_code == 200
    assert sorted(response.json()) == ["first", "second"]
    assert "Last-Modified" in response
    assert response["ETag"] == f'"{sha1(response.content)}"'
    first = XAPIDocument.objects.get(document_id="first")
    XAPIDocument.objects.filter(pk=first.pk).update(updated=first.updated - timedelta(hours=1))
    since = (first.updated - timedelta(minutes=30)).astimezone(UTC).isoformat()
    assert docs.get(since=since).json() == ["second"]
    second = XAPIDocument.objects.get(document_id="second")
    assert docs.get(since=second.updated.isoformat()).json() == []


def test_list_is_empty_for_an_unknown_scope(docs):
    response = docs.get()
    assert response.status_code == 200
    assert response.json() == []


def test_single_get_ignores_since(docs):
    docs.put("doc", {"a": 1})
    response = docs.get("doc", since=(datetime.now(UTC) + timedelta(days=1)).isoformat())
    assert response.status_code == 200


def test_state_registration_is_part_of_the_document_key(state_docs):
    """The same stateId with and without a registration are two documents;
    a list or DELETE without registration covers every registration
    (Communication 2.3.s4, 2.3.s5)."""
    state_docs.put("doc", {"plain": 1})
    state_docs.put("doc", {"registered": 1}, registration=REGISTRATION)
    state_docs.put("other", {"x": 1}, registration=REGISTRATION.upper())
    assert json.loads(state_docs.get("doc").content) == {"plain": 1}
    assert json.loads(state_docs.get("doc", registration=REGISTRATION).content) == {"registered": 1}
    assert sorted(state_docs.get(registration=REGISTRATION).json()) == ["doc", "other"]
    assert sorted(state_docs.get().json()) == ["doc", "doc", "other"]
    assert state_docs.delete(registration=REGISTRATION).status_code == 204
    assert state_docs.get().json() == ["doc"]
    assert state_docs.delete().status_code == 204
    assert XAPIDocument.objects.count() == 0


def test_state_list_delete_keeps_other_activities_and_agents(state_docs):
    state_docs.put("doc", {"a": 1})
    other = Docs(state_docs.client, "state")
    other.scope = {"activityId": ACTIVITY + "/other", "agent": json.dumps(AGENT)}
    other.put("doc", {"b": 1})
    assert state_docs.delete().status_code == 204
    assert list(XAPIDocument.objects.values_list("activity_id", flat=True)) == [ACTIVITY + "/other"]


def test_agent_is_identified_by_its_identifier_only(client, lrs):
    """The same Agent written differently (name, key order, objectType,
    mbox_sha1sum case) addresses the same documents."""
    docs = Docs(client, "agent_profile")
    docs.scope = {"agent": json.dumps({"mbox_sha1sum": "A" * 40})}
    docs.put("doc", {"a": 1})
    docs.scope = {"agent": json.dumps({"name": "Wang", "mbox_sha1sum": "a" * 40})}
    assert docs.get("doc").status_code == 200
    docs.scope = {"agent": json.dumps({"objectType": "Agent", "mbox_sha1sum": "b" * 40})}
    assert docs.get("doc").status_code == 404


# --- parameters ----------------------------------------------------------------

INVALID_IRIS = ["1", "true", '{"key": "value"}', "undefined", ""]
INVALID_AGENTS = [
    "1",
    "true",
    "not JSON",
    '{"not_actor": "yup"}',
    '{"objectType": "Group", "mbox": "mailto:g@example.com"}',
    '{"mbox": "mailto:a@example.com", "openid": "http://example.com/a"}',
    '{"mbox": "wang@example.com"}',
    "",
]


def _bad_params(resource: str) -> list[tuple[str, dict]]:
    """(method, parameters that replace/drop scope parameters) → 400."""
    path, scope, id_param, kind = RESOURCES[resource]
    cases = []
    for method in ("PUT", "POST", "GET", "DELETE"):
        for name in scope:
            cases.append((method, {name: None}))
        if "activityId" in scope:
            cases += [(method, {"activityId": bad}) for bad in INVALID_IRIS]
        if "agent" in scope:
            cases += [(method, {"agent": bad}) for bad in INVALID_AGENTS]
        if resource == "state":
            cases += [(method, {"registration": bad}) for bad in ("1", "true", "not UUID")]
        else:
            cases.append((method, {"registration": REGISTRATION}))
        cases.append((method, {"unknown": "x"}))
    for method in ("PUT", "POST", "DELETE"):
        cases.append((method, {"since": "2026-01-01T00:00:00Z"}))
    cases += [("GET", {"since": bad}) for bad in ("not a timestamp", "true", "1")]
    if "agent" not in scope:
        cases += [(method, {"agent": json.dumps(AGENT)}) for method in ("GET", "POST")]
    return cases


BAD_PARAMS = [
    (resource, method, params) for resource in RESOURCES for method, params in _bad_params(resource)
]


@pytest.mark.parametrize(("resource", "method", "params"), BAD_PARAMS)
def test_invalid_parameters_are_400_and_store_nothing(client, lrs, resource, method, params):
    docs = Docs(client, resource)
    docs.put("existing", {"keep": 1})
    before = snapshot()
    headers = {"HTTP_IF_NONE_MATCH": "*"} if method == "PUT" else {}
    response = docs.send(method, "doc", {"a": 1}, headers=headers, **params)
    assert response.status_code == 400, (params, response.content)
    assert response.json()["error"]
    assert snapshot() == before


@pytest.mark.parametrize("resource", list(RESOURCES))
@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_missing_document_id_on_a_write_is_400(client, lrs, resource, method):
    docs = Docs(client, resource)
    response = docs.send(method, None, {"a": 1}, headers={"HTTP_IF_NONE_MATCH": "*"})
    assert response.status_code == 400
    assert XAPIDocument.objects.count() == 0


@pytest.mark.parametrize("resource", PROFILES)
def test_profile_delete_needs_a_profile_id(client, lrs, resource):
    docs = Docs(client, resource)
    docs.put("doc", {"a": 1})
    assert docs.delete().status_code == 400
    assert XAPIDocument.objects.count() == 1


def test_repeated_parameter_is_400(docs):
    url = docs.url("doc") + "&" + urlencode({docs.id_param: "again"})
    response = docs.client.put(
        url, data="{}", content_type="application/json", HTTP_IF_NONE_MATCH="*", **basic()
    )
    assert response.status_code == 400
    assert XAPIDocument.objects.count() == 0


# --- clients ------------------------------------------------------------------


def test_documents_are_partitioned_per_client(docs):
    client_make(key="union", secret="other")
    other = basic("union", "other")
    docs.put("doc", {"mine": 1})
    assert docs.get("doc", auth=other).status_code == 404
    assert docs.get(auth=other).json() == []
    assert (
        docs.send(
            "PUT", "doc", {"theirs": 1}, auth=other, headers={"HTTP_IF_NONE_MATCH": "*"}
        ).status_code
        == 204
    )
    assert json.loads(docs.get("doc").content) == {"mine": 1}
    assert json.loads(docs.get("doc", auth=other).content) == {"theirs": 1}
    assert XAPIDocument.objects.count() == 2


def test_a_client_that_may_not_write_gets_403_and_nothing_is_stored(docs):
    client_make(key="reader", secret="r", can_write=False)
    auth = basic("reader", "r")
    response = docs.send("PUT", "doc", {"a": 1}, auth=auth, headers={"HTTP_IF_NONE_MATCH": "*"})
    assert response.status_code == 403
    assert docs.send("POST", "doc", {"a": 1}, auth=auth).status_code == 403
    assert XAPIDocument.objects.count() == 0
    assert docs.get("doc", auth=auth).status_code == 404


def test_requests_need_credentials_and_version(docs):
    assert docs.client.get(docs.url("doc"), **VERSION).status_code == 401
    auth = basic()
    del auth["HTTP_X_EXPERIENCE_API_VERSION"]
    assert docs.client.get(docs.url("doc"), **auth).status_code == 400


def test_alternate_request_syntax_reaches_the_document_resources(docs):
    """A form POST with ?method=PUT (Communication 1.3) stores a document."""
    form = {
        **docs.scope,
        docs.id_param: "alt",
        "content": '{"alt": true}',
        "If-None-Match": "*",
        "X-Experience-API-Version": "1.0.3",
        "Authorization": basic()["HTTP_AUTHORIZATION"],
    }
    response = docs.client.post(
        f"{docs.path}?method=PUT",
        data=urlencode(form),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 204, response.content
    assert json.loads(docs.get("alt").content) == {"alt": True}


def test_unsupported_method_is_405(docs):
    response = docs.client.patch(docs.url("doc"), **basic())
    assert response.status_code == 405


def test_document_key_is_stable_for_an_id_and_differs_per_resource():
    """One canonical hash per key: the kind, scope and id all count."""
    from progress.xapi.selectors import document_hashes

    base = DocumentRequest(kind="state", activity_id=ACTIVITY, agent_key="k", document_id="d")
    assert document_hashes(base) == document_hashes(DocumentRequest(**base.__dict__))
    others = [
        DocumentRequest(**{**base.__dict__, "kind": "activity_profile"}),
        DocumentRequest(**{**base.__dict__, "document_id": "e"}),
        DocumentRequest(**{**base.__dict__, "registration": REGISTRATION}),
        DocumentRequest(**{**base.__dict__, "agent_key": "k2"}),
    ]
    keys = {document_hashes(request)[1] for request in [base, *others]}
    assert len(keys) == 5
    # The registration narrows the key, not the scope.
    assert document_hashes(others[2])[0] == document_hashes(base)[0]
    uuid.UUID(REGISTRATION)
