"""The Statement resource of the LRS over HTTP (xAPI 1.0.3 Communication 2.1),
through Django's test client with HTTP Basic credentials."""

import base64
import json
import uuid

import pytest

from progress.models import CreditedInterval, LessonProgress
from progress.xapi.models import XAPIClient, XAPIStatement
from tests.progress import factories
from tests.progress.factories import worker_create

globals().update(factories.fixtures())

VERSION = {"HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
ATTEMPTED = "http://adlnet.gov/expapi/verbs/attempted"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
ARC = "http://example.com/activities/arc-welding"
GAS = "http://example.com/activities/gas-welding"
COURSE = "http://example.com/courses/welding"


def client_make(*, key="warehouse", secret="s3cret", **fields) -> XAPIClient:
    client = XAPIClient(name=key.title(), key=key, **fields)
    client.set_secret(secret)
    client.save()
    return client


def basic(key="warehouse", secret="s3cret") -> dict:
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}", **VERSION}


def agent(email="wang@example.com") -> dict:
    return {"objectType": "Agent", "mbox": f"mailto:{email}"}


def statement(*, email="wang@example.com", verb=COMPLETED, activity=ARC, **extra) -> dict:
    return {
        "actor": agent(email),
        "verb": {"id": verb, "display": {"en-US": "completed", "zh-CN": "完成了"}},
        "object": {
            "objectType": "Activity",
            "id": activity,
            "definition": {"name": {"en-US": "Arc welding", "zh-CN": "手工电弧焊"}},
        },
        **extra,
    }


@pytest.fixture
def lrs(db):
    return client_make(can_read_all=True)


@pytest.fixture
def http(client, lrs):
    """Django's test client with helpers that send the xAPI headers."""

    class HTTP:
        def post(self, body, auth=None, **params):
            query = "?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""
            return client.post(
                f"/xapi/statements{query}",
                data=json.dumps(body),
                content_type="application/json",
                **(auth or basic()),
            )

        def put(self, body, statement_id, auth=None):
            return client.put(
                f"/xapi/statements?statementId={statement_id}",
                data=json.dumps(body),
                content_type="application/json",
                **(auth or basic()),
            )

        def client_put_with(self, query):
            return client.put(
                f"/xapi/statements?{query}",
                data=json.dumps(statement()),
                content_type="application/json",
                **basic(),
            )

        def get(self, auth=None, path="/xapi/statements", headers=None, **params):
            return client.get(path, params, **(auth or basic()), **(headers or {}))

        def ids(self, **params):
            response = self.get(**params)
            assert response.status_code == 200, response.content
            return [s["id"] for s in response.json()["statements"]]

    return HTTP()


def test_about_answers_without_version_header_or_credentials(client):
    """GET /xapi/about needs neither credentials nor the version header."""
    response = client.get("/xapi/about")
    assert response.status_code == 200
    assert response.json()["version"][0] == "1.0.3"
    assert response["X-Experience-API-Version"] == "1.0.3"


def test_missing_or_unsupported_version_header_is_400(client, lrs):
    auth = basic()
    del auth["HTTP_X_EXPERIENCE_API_VERSION"]
    assert client.get("/xapi/statements", **auth).status_code == 400
    assert (
        client.get(
            "/xapi/statements", **{**auth, "HTTP_X_EXPERIENCE_API_VERSION": "2.0.0"}
        ).status_code
        == 400
    )


def test_statement_responses_carry_consistent_through_whatever_the_status(client, lrs):
    auth = basic()
    del auth["HTTP_X_EXPERIENCE_API_VERSION"]
    response = client.get("/xapi/statements", **auth)
    assert response.status_code == 400
    assert "X-Experience-API-Consistent-Through" in response
    response = client.get("/xapi/statements", **basic())
    assert response.status_code == 200
    assert response.json() == {"statements": [], "more": ""}
    assert response["X-Experience-API-Consistent-Through"].endswith("Z")


def test_requests_without_valid_credentials_are_401(client, lrs):
    response = client.get("/xapi/statements", **VERSION)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="xapi"'
    assert client.get("/xapi/statements", **basic(secret="wrong")).status_code == 401
    lrs.active = False
    lrs.save()
    assert client.get("/xapi/statements", **basic()).status_code == 401


def test_put_then_get_exact_round_trip(http):
    """PUT stores the statement (204); GET by statementId returns it with the
    LRS's stored, authority, version and a timestamp defaulting to stored."""
    statement_id = str(uuid.uuid4())
    sent = statement()
    response = http.put(sent, statement_id)
    assert response.status_code == 204
    assert response["X-Experience-API-Version"] == "1.0.3"
    response = http.get(statementId=statement_id)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "Last-Modified" in response
    assert "X-Experience-API-Consistent-Through" in response
    got = response.json()
    assert got["id"] == statement_id
    assert {k: got[k] for k in sent} == sent
    assert got["timestamp"] == got["stored"]
    assert got["version"] == "1.0.0"
    assert got["authority"]["account"]["name"] == "warehouse"
    assert got["stored"].endswith("Z") and len(got["stored"]) == len("2026-11-22T03:06:26.123456Z")


def test_put_same_id_same_statement_is_204_and_different_is_409(http):
    statement_id = str(uuid.uuid4())
    sent = statement(timestamp="2026-11-22T11:06:26+08:00")
    assert http.put(sent, statement_id).status_code == 204
    stored = http.get(statementId=statement_id).json()
    # The same statement, with the timestamp written in another offset.
    assert http.put({**sent, "timestamp": "2026-11-22T03:06:26Z"}, statement_id).status_code == 204
    assert http.put(statement(verb=ATTEMPTED), statement_id).status_code == 409
    assert XAPIStatement.objects.count() == 1
    assert http.get(statementId=statement_id).json() == stored


def test_statement_comparison_ignores_what_the_spec_says_is_not_significant():
    """Data 2.3.1: member order, Activity definitions, UUID case, timestamp
    notation, and the LRS-set properties do not make two statements differ."""
    from progress.xapi.services import statements_equivalent

    group = {"objectType": "Group", "member": [agent("a@x.example"), agent("b@x.example")]}
    ref = {"objectType": "StatementRef", "id": "9E13CEFD-53D3-4EAC-B5ED-2CF6693903BB"}
    first = statement(actor=group, context={"statement": ref}, timestamp="2026-11-22T03:00:00Z")
    second = statement(
        actor={**group, "member": list(reversed(group["member"]))},
        context={"statement": {**ref, "id": ref["id"].lower()}},
        timestamp="2026-11-22T11:00:00+08:00",
        stored="2026-11-22T03:00:01Z",
        version="1.0.3",
    )
    second["object"]["definition"] = {"name": {"en": "Other name"}}
    assert statements_equivalent(first, second)
    assert not statements_equivalent(first, {**second, "result": {"success": True}})
    assert not statements_equivalent(first, {**second, "timestamp": "2026-11-22T03:00:01Z"})


def test_put_id_mismatch_is_400(http):
    response = http.put({**statement(), "id": str(uuid.uuid4())}, str(uuid.uuid4()))
    assert response.status_code == 400
    assert XAPIStatement.objects.count() == 0


def test_post_array_returns_ids_in_order(http):
    given = str(uuid.uuid4())
    response = http.post(
        [statement(), {**statement(verb=ATTEMPTED), "id": given}, statement(activity=GAS)]
    )
    assert response.status_code == 200
    ids = response.json()
    assert len(ids) == 3 and ids[1] == given
    assert http.ids(ascending="true") == ids


def test_post_batch_of_50_runs_a_fixed_number_of_queries(http, django_assert_max_num_queries):
    """Storing a batch costs the same few queries whatever its size (client
    lookup, id check, actor users, two inserts, voiding checks)."""
    batch = [statement(email=f"w{n}@example.com", activity=f"{ARC}/{n}") for n in range(50)]
    with django_assert_max_num_queries(12):
        response = http.post(batch)
    assert response.status_code == 200
    assert XAPIStatement.objects.count() == 50


def test_unknown_parameters_on_put_and_post_are_400(http):
    statement_id = str(uuid.uuid4())
    response = http.client_put_with(f"StatementId={statement_id}")
    assert response.status_code == 400
    assert http.post(statement(), verb=COMPLETED).status_code == 400
    assert XAPIStatement.objects.count() == 0


def test_post_single_statement_returns_one_id(http):
    response = http.post(statement())
    assert response.status_code == 200
    assert len(response.json()) == 1


def test_post_batch_with_duplicate_id_is_400_and_stores_nothing(http):
    same = str(uuid.uuid4())
    response = http.post(
        [statement(), {**statement(), "id": same}, {**statement(verb=ATTEMPTED), "id": same}]
    )
    assert response.status_code == 400
    assert XAPIStatement.objects.count() == 0


def test_post_batch_with_an_invalid_statement_stores_nothing(http):
    response = http.post([statement(), {**statement(), "verb": {"display": {"en": "x"}}}])
    assert response.status_code == 400
    assert "id" in response.json()["error"]
    assert XAPIStatement.objects.count() == 0


def test_post_batch_conflicting_with_stored_id_is_409_and_stores_nothing(http):
    existing = str(uuid.uuid4())
    http.put(statement(), existing)
    response = http.post([statement(activity=GAS), {**statement(verb=ATTEMPTED), "id": existing}])
    assert response.status_code == 409
    assert XAPIStatement.objects.count() == 1


def test_post_same_statement_again_is_a_no_op(http):
    """Re-sending stored statements changes nothing and answers 204, like a
    repeated PUT; a batch with one new statement answers 200 with all ids."""
    sent = {**statement(), "id": str(uuid.uuid4())}
    assert http.post([sent]).status_code == 200
    assert http.post([sent]).status_code == 204
    assert XAPIStatement.objects.count() == 1
    response = http.post([sent, statement()])
    assert response.status_code == 200 and response.json()[0] == sent["id"]
    assert XAPIStatement.objects.count() == 2


def test_attachments_without_file_url_need_their_data_as_multipart(http):
    """Communication 1.5.2.s3.b5: as application/json, an attachment without a
    fileUrl has no data, so the statement is refused (multipart/mixed bodies
    are covered in test_xapi_attachments)."""
    attachment = {
        "usageType": "http://example.com/usage",
        "display": {"en": "Report"},
        "contentType": "text/plain",
        "length": 5,
        "sha2": "a" * 64,
    }
    english = {**basic(), "HTTP_ACCEPT_LANGUAGE": "en"}
    response = http.post(statement(attachments=[attachment]), auth=english)
    assert response.status_code == 400
    assert "multipart/mixed" in response.json()["error"]
    assert XAPIStatement.objects.count() == 0


def test_attachments_true_answers_multipart_with_the_json_first(http):
    statement_id = http.post(statement()).json()[0]
    response = http.get(statementId=statement_id, attachments="true")
    assert response.status_code == 200
    content_type, boundary = response["Content-Type"].split("; boundary=")
    assert content_type == "multipart/mixed"
    part = response.content.decode().split(f"--{boundary}")[1]
    headers, body = part.split("\r\n\r\n", 1)
    assert "Content-Type: application/json" in headers
    assert json.loads(body)["id"] == statement_id
    response = http.get(attachments="true")
    assert response["Content-Type"].startswith("multipart/mixed; boundary=")
    assert http.get(statementId=statement_id, attachments="false")["Content-Type"] == (
        "application/json"
    )


def test_voiding_hides_the_target_and_voided_statement_id_returns_it(http):
    target = str(uuid.uuid4())
    http.put(statement(), target)
    voiding = {"actor": agent("lin@example.com"), "verb": {"id": VOIDED}}
    voiding["object"] = {"objectType": "StatementRef", "id": target}
    [voiding_id] = http.post(voiding).json()
    assert http.get(statementId=target).status_code == 404
    response = http.get(voidedStatementId=target)
    assert response.status_code == 200 and response.json()["id"] == target
    assert http.get(voidedStatementId=voiding_id).status_code == 404
    assert http.ids() == [voiding_id]


def test_a_statement_whose_voiding_statement_came_first_is_voided(http):
    """The LRS accepts a voiding statement whose target it does not hold yet;
    the target is voided when it arrives."""
    target = str(uuid.uuid4())
    voiding = {"actor": agent(), "verb": {"id": VOIDED}}
    voiding["object"] = {"objectType": "StatementRef", "id": target}
    assert http.post(voiding).status_code == 200
    http.put(statement(), target)
    assert http.get(statementId=target).status_code == 404
    assert http.get(voidedStatementId=target).status_code == 200


def test_voiding_a_voiding_statement_has_no_effect(http):
    target = str(uuid.uuid4())
    http.put(statement(), target)
    [first] = http.post(
        {
            "actor": agent(),
            "verb": {"id": VOIDED},
            "object": {"objectType": "StatementRef", "id": target},
        }
    ).json()
    [second] = http.post(
        {
            "actor": agent(),
            "verb": {"id": VOIDED},
            "object": {"objectType": "StatementRef", "id": first},
        }
    ).json()
    assert http.get(statementId=first).status_code == 200
    assert http.get(voidedStatementId=target).status_code == 200
    assert set(http.ids()) == {first, second}


def test_statement_id_with_other_filters_is_400(http):
    assert http.get(statementId=str(uuid.uuid4()), verb=COMPLETED).status_code == 400
    assert (
        http.get(statementId=str(uuid.uuid4()), voidedStatementId=str(uuid.uuid4())).status_code
        == 400
    )
    assert http.get(nonsense="1").status_code == 400
    assert http.get(statementId=str(uuid.uuid4())).status_code == 404


def test_filters_agent_verb_activity_registration(http):
    registration = str(uuid.uuid4())
    ids = http.post(
        [
            statement(),
            statement(email="li@example.com"),
            statement(verb=ATTEMPTED),
            statement(activity=GAS, context={"registration": registration}),
        ]
    ).json()
    assert http.ids(agent=json.dumps(agent("li@example.com"))) == [ids[1]]
    assert http.ids(verb=ATTEMPTED) == [ids[2]]
    assert http.ids(activity=GAS) == [ids[3]]
    assert http.ids(registration=registration) == [ids[3]]
    assert http.ids(agent=json.dumps(agent()), verb=COMPLETED, ascending="true") == [ids[0], ids[3]]
    assert http.get(agent="not json").status_code == 400
    assert http.get(agent=json.dumps({"name": "no ifi"})).status_code == 400


def test_agent_filter_matches_group_members_and_object_agents(http):
    in_group = statement(email="x@example.com")
    in_group["actor"] = {
        "objectType": "Group",
        "member": [agent("zhao@example.com"), agent("qian@example.com")],
    }
    as_object = statement()
    as_object["object"] = agent("zhao@example.com")
    ids = http.post([in_group, as_object, statement()]).json()
    assert http.ids(agent=json.dumps(agent("zhao@example.com")), ascending="true") == ids[:2]


def test_since_until_ascending_limit(http):
    first = http.post(statement()).json()[0]
    middle = http.post(statement()).json()[0]
    last = http.post(statement()).json()[0]
    stored = {s["id"]: s["stored"] for s in http.get().json()["statements"]}
    assert http.ids() == [last, middle, first]
    assert http.ids(ascending="true") == [first, middle, last]
    assert http.ids(since=stored[first]) == [last, middle]
    assert http.ids(until=stored[middle]) == [middle, first]
    assert http.ids(since=stored[first], until=stored[middle]) == [middle]
    assert http.ids(limit="1") == [last]
    assert http.get(limit="-1").status_code == 400
    assert http.get(since="yesterday").status_code == 400


def test_related_activities_and_related_agents(http):
    with_context = statement(
        activity=GAS,
        context={
            "contextActivities": {"parent": {"id": COURSE}},
            "instructor": agent("lin@example.com"),
        },
    )
    sub = statement()
    sub["object"] = {
        "objectType": "SubStatement",
        "actor": agent("lin@example.com"),
        "verb": {"id": ATTEMPTED},
        "object": {"id": COURSE},
    }
    ids = http.post([with_context, sub, statement()]).json()
    assert http.ids(activity=COURSE) == []
    assert http.ids(activity=COURSE, related_activities="true", ascending="true") == ids[:2]
    lin = json.dumps(agent("lin@example.com"))
    assert http.ids(agent=lin) == []
    assert http.ids(agent=lin, related_agents="true", ascending="true") == ids[:2]
    # The authority (this client) is a related agent of every statement.
    authority = json.dumps(
        {"account": {"homePage": "http://testserver/xapi/", "name": "warehouse"}}
    )
    assert len(http.ids(agent=authority, related_agents="true")) == 3


def test_statements_targeting_a_match_are_returned_with_it(http):
    """Filter conditions for StatementRefs (Communication 2.1.3.s3): a
    statement referring to a matching one matches too, recursively."""
    original = http.post(statement(email="ben@example.com")).json()[0]
    confirm = statement(email="andrew@example.com", verb="http://example.com/verbs/confirmed")
    confirm["object"] = {"objectType": "StatementRef", "id": original}
    confirmed = http.post(confirm).json()[0]
    again = {**confirm, "object": {"objectType": "StatementRef", "id": confirmed}}
    again_id = http.post(again).json()[0]
    http.post(statement(email="other@example.com"))
    ben = json.dumps(agent("ben@example.com"))
    assert http.ids(agent=ben, ascending="true") == [original, confirmed, again_id]


def test_more_pages_return_every_statement_once_in_order(http):
    """Keyset paging: statements stored between pages neither repeat nor are
    skipped among the ones that existed."""
    ids = http.post([statement() for _ in range(5)]).json()
    seen = []
    response = http.get(limit="2")
    while True:
        body = response.json()
        seen += [s["id"] for s in body["statements"]]
        if not body["more"]:
            break
        http.post(statement(activity=GAS))  # arrives between pages
        response = http.get(path=body["more"])
        assert response.status_code == 200
    assert seen == list(reversed(ids))


def test_more_pages_ascending_with_filter(http):
    ids = http.post([statement(verb=ATTEMPTED) for _ in range(3)] + [statement()]).json()
    first = http.get(verb=ATTEMPTED, ascending="true", limit="2").json()
    second = http.get(path=first["more"]).json()
    assert [s["id"] for s in first["statements"] + second["statements"]] == ids[:3]
    assert second["more"] == ""
    assert http.get(path="/xapi/statements/more/forged").status_code == 400


def test_format_ids_reduces_agents_activities_and_verbs(http):
    sent = statement()
    sent["actor"]["name"] = "王师傅"
    http.post(sent)
    got = http.get(format="ids").json()["statements"][0]
    assert got["actor"] == {"objectType": "Agent", "mbox": "mailto:wang@example.com"}
    assert got["object"] == {"objectType": "Activity", "id": ARC}
    assert got["verb"] == {"id": COMPLETED}


def test_format_canonical_picks_one_language(http):
    http.post(statement())
    response = http.get(
        format="canonical", headers={"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9,en;q=0.5"}
    )
    got = response.json()["statements"][0]
    assert got["verb"]["display"] == {"zh-CN": "完成了"}
    assert got["object"]["definition"]["name"] == {"zh-CN": "手工电弧焊"}
    exact = http.get().json()["statements"][0]
    assert exact["verb"]["display"] == {"en-US": "completed", "zh-CN": "完成了"}


def test_scoped_client_reads_only_its_workers_and_its_own(
    http, client, enterprise, other_union, worker
):
    """A client scoped to an organisation sees statements about workers in its
    subtree and those it stored itself, nothing else."""
    outsider = worker_create(organisation=other_union)
    scoped = client_make(key="union-dw", organisation=enterprise.get_parent(), can_read_all=False)
    about_worker = http.post(statement(email=worker.email.upper())).json()[0]
    http.post(statement(email=outsider.email))
    http.post(statement(email="stranger@example.com"))
    own = http.post(statement(email="stranger@example.com"), auth=basic("union-dw")).json()[0]
    assert set(http.ids(auth=basic("union-dw"))) == {about_worker, own}
    outsider_id = XAPIStatement.objects.get(actor_user=outsider).statement_id
    assert http.get(auth=basic("union-dw"), statementId=str(outsider_id)).status_code == 404
    assert scoped.statements.count() == 1


def test_head_answers_like_get_without_a_body(client, http):
    http.post(statement())
    response = client.head("/xapi/statements", **basic())
    assert response.status_code == 200
    assert response.content == b""
    assert "X-Experience-API-Consistent-Through" in response
    assert client.head("/xapi/about").status_code == 200


def test_other_methods_are_405(client, lrs):
    assert client.delete("/xapi/statements", **basic()).status_code == 405


def test_authority_group_must_be_an_anonymous_pair(http):
    sent = statement(authority={"objectType": "Group", "member": [agent("a@x.example")]})
    assert http.post(sent).status_code == 400


def test_client_create_returns_a_working_secret(client, enterprise):
    from progress.xapi.services import xapi_client_create

    created, secret = xapi_client_create(name="Union warehouse", organisation=enterprise)
    assert secret not in created.secret_hash
    response = client.get("/xapi/statements", **basic(created.key, secret))
    assert response.status_code == 200
    wrong = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    assert client.get("/xapi/statements", **basic(created.key, wrong)).status_code == 401


def test_a_client_registered_with_a_password_hash_still_signs_in(client, enterprise):
    """Clients stored before secrets were kept as SHA-256 digests carry a
    Django password hash; their secret keeps working."""
    from django.contrib.auth.hashers import make_password

    from progress.xapi.services import xapi_client_create

    created, secret = xapi_client_create(name="Old warehouse", organisation=enterprise)
    created.secret_hash = make_password(secret)
    created.save()
    assert client.get("/xapi/statements", **basic(created.key, secret)).status_code == 200
    assert client.get("/xapi/statements", **basic(created.key, "guess")).status_code == 401


def test_client_without_write_permission_cannot_store(http):
    client_make(key="reader", can_write=False)
    assert http.post(statement(), auth=basic("reader")).status_code == 403
    assert XAPIStatement.objects.count() == 0


def test_client_statements_never_touch_credited_time_or_progress(http, worker, lessons):
    """Statements are records only: completing a lesson in xAPI credits
    nothing and completes nothing."""
    http.post(
        [
            statement(email=worker.email, activity=f"http://example.com/lessons/{lesson.pk}")
            for lesson in lessons
        ]
    )
    assert XAPIStatement.objects.count() == 3
    assert CreditedInterval.objects.count() == 0
    assert LessonProgress.objects.count() == 0
