"""Rules of xAPI 1.0.3 that the LRS conformance review (issue 5) found
missing or loose, resource by resource, each as a table of requests and the
answers the specification asks for. Run against PostgreSQL over HTTP with
Django's test client and HTTP Basic credentials."""

import json
import uuid
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_started
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.urls import set_script_prefix

from progress.xapi.models import XAPIStatement
from tests.progress.factories import worker_create
from tests.progress.test_xapi_statements import basic, client_make

COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
MEETING = "http://www.example.com/meetings/occurances/34534"
CATEGORY = "http://www.example.com/test/array/statements/pri"


def meeting(**definition) -> dict:
    return {"objectType": "Activity", "id": MEETING, "definition": definition}


def sent(target: dict, **extra) -> dict:
    return {
        "actor": {"objectType": "Agent", "name": "xAPI mbox", "mbox": "mailto:xapi@adlnet.gov"},
        "verb": {"id": COMPLETED, "display": {"en-GB": "completed", "en-US": "completed"}},
        "object": target,
        **extra,
    }


@pytest.fixture
def lrs(db):
    return client_make(can_read_all=True)


@pytest.fixture
def post(client, lrs):
    def send(*statements):
        response = client.post(
            "/xapi/statements",
            data=json.dumps(list(statements)),
            content_type="application/json",
            **basic(),
        )
        assert response.status_code == 200, response.content
        return response.json()

    return send


@pytest.fixture
def get(client, lrs):
    def send(path="/xapi/statements", language=None, auth=None, **params):
        headers = {"HTTP_ACCEPT_LANGUAGE": language} if language is not None else {}
        return client.get(path, params, **(auth or basic()), **headers)

    return send


# --- format=canonical (Communication 2.1.3 "format", XAPI-00169, XAPI-00172) ----


def test_canonical_returns_the_lrs_definition_not_the_one_sent(post, get):
    """canonical: Activity Objects are "populated with the canonical
    definition ... as determined by the LRS": a statement sent with a short
    definition comes back with what the LRS learnt of that Activity since."""
    (first,) = post(sent(meeting(name={"en-US": "example meeting"})))
    post(
        sent(
            meeting(
                name={"zh-CN": "示例会议"},
                description={"en-US": "An example meeting.", "zh-CN": "一次示例会议。"},
                type="http://adlnet.gov/expapi/activities/meeting",
            )
        )
    )
    got = get(statementId=first, format="canonical", language="zh-CN").json()
    assert got["object"]["definition"] == {
        "name": {"zh-CN": "示例会议"},
        "description": {"zh-CN": "一次示例会议。"},
        "type": "http://adlnet.gov/expapi/activities/meeting",
    }
    exact = get(statementId=first).json()
    assert exact["object"]["definition"] == {"name": {"en-US": "example meeting"}}


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en-GB", "en-GB"),
        ("en-gb", "en-GB"),
        ("zh-CN,zh;q=0.9,en;q=0.5", "zh-CN"),
        ("fr;q=0.2, zh-TW;q=0.5", "zh-CN"),
        ("fr", "en-US"),
        ("zh-CN;q=0, en-GB;q=0.1", "en-GB"),
        ("zh;q=0", "en-US"),
        ("", "en-US"),
        (None, "en-US"),
    ],
)
def test_canonical_keeps_the_one_language_accept_language_prefers(post, get, language, expected):
    """Communication 2.1.3: with format=canonical the LRS applies
    Accept-Language to every language map and returns one language; without
    a usable preference it falls back to en-US."""
    names = {"en-GB": "meeting (GB)", "en-US": "meeting (US)", "zh-CN": "会议"}
    (statement_id,) = post(sent(meeting(name=names)))
    got = get(statementId=statement_id, format="canonical", language=language).json()
    assert got["object"]["definition"]["name"] == {expected: names[expected]}
    assert list(got["verb"]["display"]) in (["en-GB"], ["en-US"])


def test_canonical_definitions_reach_context_and_substatement_activities(post, get):
    """The conformance suite's statement with a category context Activity,
    read back in canonical form with Accept-Language: en-GB, has no en-US
    left in the verb display or in that Activity's name and description
    (XAPI-00172); the same holds inside a SubStatement."""
    category = {
        "objectType": "Activity",
        "id": CATEGORY,
        "definition": {
            "name": {"en-GB": "example meeting", "en-US": "example meeting"},
            "description": {"en-GB": "An example meeting.", "en-US": "An example meeting."},
        },
    }
    context = {"contextActivities": {"category": category}}
    bare = {"objectType": "Activity", "id": CATEGORY}
    inner = sent(
        {"objectType": "Activity", "id": MEETING},
        context={"contextActivities": {"category": [bare]}},
    )
    substatement = {"objectType": "SubStatement", **inner}
    first, second = post(
        sent({"objectType": "Activity", "id": MEETING}, context=context), sent(substatement)
    )
    for statement_id, path in ((first, ()), (second, ("object",))):
        got = get(statementId=statement_id, format="canonical", language="en-GB").json()
        for step in path:
            got = got[step]
        definition = got["context"]["contextActivities"]["category"][0]["definition"]
        assert definition == {
            "name": {"en-GB": "example meeting"},
            "description": {"en-GB": "An example meeting."},
        }
        assert got["verb"]["display"] == {"en-GB": "completed"}
    # Without format, the statement is returned exactly as it was sent.
    exact = get(statementId=first, language="en-GB").json()
    assert exact["verb"]["display"] == {"en-GB": "completed", "en-US": "completed"}


def test_canonical_reads_the_definitions_of_a_page_in_one_query(post, get):
    """The canonical definitions of every Activity on a page are read with
    one query, whatever the number of statements on it."""
    post(*(sent(meeting(name={"en-US": f"meeting {n}"})) for n in range(5)))
    counts = {}
    for limit in (1, 5):
        with CaptureQueriesContext(connection) as queries:
            response = get(format="canonical", limit=limit)
        counts[limit] = len(queries.captured_queries)
        assert len(response.json()["statements"]) == limit
    assert counts[1] == counts[5]
    # Every statement shows the canonical name, the newest one sent.
    names = [s["object"]["definition"]["name"] for s in response.json()["statements"]]
    assert names == [{"en-US": "meeting 4"}] * 5


def test_exact_and_ids_are_unchanged_by_canonical_definitions(post, get):
    (statement_id,) = post(sent(meeting(name={"en-US": "a"})))
    post(sent(meeting(name={"en-US": "b"})))
    assert get(statementId=statement_id).json()["object"]["definition"] == {"name": {"en-US": "a"}}
    assert get(statementId=statement_id, format="ids").json()["object"] == {
        "objectType": "Activity",
        "id": MEETING,
    }
    assert uuid.UUID(statement_id)


# --- Language Maps have at least one entry (Data 4.2, XAPI-00001) ----------------

ATTACHMENT = {
    "usageType": "http://example.com/attachment-usage/test",
    "display": {"en-US": "A test attachment"},
    "contentType": "text/plain; charset=ascii",
    "length": 27,
    "sha2": "495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a",
    "fileUrl": "http://over.there.com/file.txt",
}


def _empty_map(where: str) -> dict:
    """A statement whose language map at ``where`` is empty."""
    statement = sent(meeting(name={"en-US": "example meeting"}))
    inner = {"objectType": "SubStatement", **sent(meeting(name={"en-US": "m"}))}
    inner["actor"].pop("name")
    if where == "verb display":
        statement["verb"]["display"] = {}
    elif where == "activity name":
        statement["object"]["definition"]["name"] = {}
    elif where == "activity description":
        statement["object"]["definition"]["description"] = {}
    elif where == "attachment display":
        statement["attachments"] = [{**ATTACHMENT, "display": {}}]
    elif where == "attachment description":
        statement["attachments"] = [{**ATTACHMENT, "description": {}}]
    elif where == "interaction component description":
        statement["object"]["definition"].update(
            interactionType="choice", choices=[{"id": "a", "description": {}}]
        )
    elif where == "substatement verb display":
        inner["verb"]["display"] = {}
        statement["object"] = inner
    elif where == "substatement activity name":
        inner["object"]["definition"]["name"] = {}
        statement["object"] = inner
    return statement


@pytest.mark.parametrize(
    "where",
    [
        "verb display",
        "activity name",
        "activity description",
        "attachment display",
        "attachment description",
        "interaction component description",
        "substatement verb display",
        "substatement activity name",
    ],
)
def test_an_empty_language_map_is_400_and_nothing_is_stored(client, lrs, where):
    response = client.post(
        "/xapi/statements",
        data=json.dumps(_empty_map(where)),
        content_type="application/json",
        **basic(),
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]
    assert not XAPIStatement.objects.exists()


def test_a_language_map_with_one_entry_is_accepted(post):
    statement = sent(meeting(name={"tlh": "ghom"}))
    statement["verb"]["display"] = {"en-US": "completed"}
    assert len(post(statement)) == 1


# --- Agents resource: a Person combining what is known (Communication 2.4) ------

HOMEPAGE = "https://jiangxue.example/"


def person_of(get, agent: dict, auth=None) -> dict:
    response = get("/xapi/agents", agent=json.dumps(agent), **({"auth": auth} if auth else {}))
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def worker(db, settings):
    settings.XAPI_ACCOUNT_HOMEPAGE = HOMEPAGE
    return worker_create(email="wang@example.com")


def actor_statement(actor: dict, **extra) -> dict:
    return {**sent({"objectType": "Activity", "id": MEETING}), "actor": actor, **extra}


@pytest.mark.parametrize(
    ("stored", "asked", "expected"),
    [
        (
            # Names the Agent was given in stored statements join the one asked with.
            [{"name": "Wang", "mbox": "mailto:li@example.com"}, {"mbox": "mailto:li@example.com"}],
            {"name": "Li", "mbox": "mailto:li@example.com"},
            {"objectType": "Person", "name": ["Li", "Wang"], "mbox": ["mailto:li@example.com"]},
        ),
        (
            # A name is listed once however often it was sent.
            [{"name": "Li", "mbox": "mailto:li@example.com"}] * 2,
            {"mbox": "mailto:li@example.com"},
            {"objectType": "Person", "name": ["Li"], "mbox": ["mailto:li@example.com"]},
        ),
        (
            # An Agent as a Group member is the same Agent.
            [
                {
                    "objectType": "Group",
                    "name": "Team",
                    "member": [{"name": "Li Si", "mbox": "mailto:li@example.com"}],
                }
            ],
            {"mbox": "mailto:li@example.com"},
            {"objectType": "Person", "name": ["Li Si"], "mbox": ["mailto:li@example.com"]},
        ),
        (
            # Nothing stored: the Person holds only what was asked (2.4.s3.b3).
            [],
            {"openid": "http://openid.example.com/li"},
            {"objectType": "Person", "openid": ["http://openid.example.com/li"]},
        ),
    ],
)
def test_person_combines_the_names_of_stored_statements(post, get, stored, asked, expected):
    if stored:
        post(*(actor_statement(actor) for actor in stored))
    assert person_of(get, asked) == expected


def test_person_of_a_worker_joins_the_e_mail_and_the_platform_account(post, get, worker):
    """A client's statements about a worker's e-mail and the platform's own
    (an account named by the user's id on XAPI_ACCOUNT_HOMEPAGE) are one
    Person, asked for by either identifier."""
    account = {"homePage": HOMEPAGE, "name": str(worker.pk)}
    post(
        actor_statement({"name": "王师傅", "mbox": "mailto:Wang@example.com"}),
        actor_statement({"account": account}),
    )
    by_mbox = person_of(get, {"mbox": "mailto:Wang@example.com"})
    assert by_mbox == {
        "objectType": "Person",
        "name": ["王师傅"],
        "mbox": ["mailto:Wang@example.com"],
        "account": [account],
    }
    by_account = person_of(get, {"account": account})
    assert by_account == {
        "objectType": "Person",
        "name": ["王师傅"],
        "mbox": ["mailto:Wang@example.com"],
        "account": [account],
    }


def test_person_tells_a_client_only_what_it_may_read(client, post, get, worker):
    """A client that may read only its own statements learns nothing from
    another client's: the Person is what it asked with."""
    post(actor_statement({"name": "王师傅", "mbox": "mailto:wang@example.com"}))
    client_make(key="union", secret="other")
    asked = {"mbox": "mailto:wang@example.com"}
    assert person_of(get, asked, auth=basic("union", "other")) == {
        "objectType": "Person",
        "mbox": ["mailto:wang@example.com"],
    }


def test_person_reads_a_bounded_number_of_statements(post, get):
    post(*(actor_statement({"name": f"Li {n}", "mbox": "mailto:li@example.com"}) for n in range(3)))
    with CaptureQueriesContext(connection) as queries:
        person_of(get, {"mbox": "mailto:li@example.com"})
    assert len(queries.captured_queries) <= 3


# --- more (Data 2.5.s2.table1.row2) ---------------------------------------------


def _wsgi_get(path: str, query: str, script_name: str) -> tuple[int, dict]:
    """GET through Django's real WSGI handler (the test client sets no
    script prefix), as a server mounting the site under ``script_name``
    calls it."""
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query}
    setup_testing_defaults(environ)
    environ.update(
        SCRIPT_NAME=script_name,
        HTTP_HOST="testserver",
        **basic(),
    )
    status = []
    # As Django's test client does: keep the test's database connection (and
    # its transaction) open across the request.
    request_started.disconnect(close_old_connections)
    try:
        body = b"".join(WSGIHandler()(environ, lambda code, headers: status.append(code)))
    finally:
        request_started.connect(close_old_connections)
        set_script_prefix("/")
    return int(status[0].split()[0]), json.loads(body)


def test_more_is_an_irl_that_holds_under_a_script_prefix(post):
    """The suite resolves ``more`` against the URL it asked and follows it:
    under a SCRIPT_NAME prefix the link carries the prefix, and following it
    returns the next page with statements and more of its own."""
    post(sent(meeting(name={"en-US": "a"})), sent(meeting(name={"en-US": "b"})))
    status, first = _wsgi_get("/xapi/statements", "limit=1", "/lms")
    assert status == 200
    assert first["more"].startswith("/lms/xapi/statements/more/")
    path, _sep, query = first["more"].removeprefix("/lms").partition("?")
    status, second = _wsgi_get(path, query, "/lms")
    assert status == 200
    assert len(second["statements"]) == 1 and second["more"] == ""
    assert second["statements"][0]["id"] != first["statements"][0]["id"]


# --- About resource (Communication 2.8) -----------------------------------------


def test_about_lists_only_versions_the_suite_accepts(client):
    """The version property is an array of strings, includes 1.0.1 (the
    suite's XAPI-00317) and holds only 0.9, 0.95 or 1.0.x values, the newest
    first; no credentials or version header are needed, and HEAD has no
    body."""
    response = client.get("/xapi/about")
    assert response.status_code == 200
    versions = response.json()["version"]
    assert versions[0] == response["X-Experience-API-Version"] == "1.0.3"
    assert "1.0.1" in versions
    assert set(versions) <= {"0.9", "0.95", "1.0.0", "1.0.1", "1.0.2", "1.0.3"}
    head = client.head("/xapi/about")
    assert head.status_code == 200 and head.content == b""


# --- each property once, and JSON only (Data 2.2.s2.b2) ----------------------------

ONE = (
    '{"actor": {"mbox": "mailto:xapi@adlnet.gov"},'
    ' "verb": {"id": "http://adlnet.gov/expapi/verbs/attended"},'
    ' "object": {"id": "http://www.example.com/meetings/occurances/34534"}%s}'
)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (ONE % ', "id": "%s", "id": "%s"' % (uuid.uuid4(), uuid.uuid4()), "more than once"),
        (
            ONE.replace('"verb": {', '"verb": {"id": "http://example.com/v", ', 1),
            "more than once",
        ),
        (ONE % ', "result": {"score": {"raw": NaN}}', "not valid JSON"),
        (ONE % ', "result": {"score": {"raw": Infinity}}', "not valid JSON"),
        ("[" + ONE % "" + ", " + ONE % ', "timestamp": 1, "timestamp": 2' + "]", "more than once"),
    ],
)
def test_a_property_used_twice_or_a_non_json_number_is_400(client, lrs, body, reason):
    """A Statement MUST use each property no more than one time: a body that
    repeats one, at any depth or in any statement of a batch, is refused
    rather than silently keeping the last value; so are NaN and Infinity,
    which are not JSON. Nothing is stored."""
    response = client.post(
        "/xapi/statements",
        data=body,
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
        **basic(),
    )
    assert response.status_code == 400, response.content
    assert reason in response.json()["error"]
    assert not XAPIStatement.objects.exists()


def test_a_property_used_twice_in_a_multipart_statement_part_is_400(client, lrs):
    boundary = "xapi-boundary"
    body = (
        f"--{boundary}\r\nContent-Type: application/json\r\n\r\n"
        + ONE % ', "version": "1.0.0", "version": "1.0.3"'
        + f"\r\n--{boundary}--\r\n"
    ).encode()
    response = client.post(
        "/xapi/statements",
        data=body,
        content_type=f"multipart/mixed; boundary={boundary}",
        HTTP_ACCEPT_LANGUAGE="en",
        **basic(),
    )
    assert response.status_code == 400, response.content
    assert "more than once" in response.json()["error"]
    assert not XAPIStatement.objects.exists()
