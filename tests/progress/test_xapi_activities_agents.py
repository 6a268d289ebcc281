"""The Activities and Agents resources of the LRS over HTTP (xAPI 1.0.3
Communication 2.4, 2.5) and the canonical Activity definitions the LRS keeps
from the statements it stores."""

import base64
import json
import uuid

import pytest

from progress.xapi.models import XAPIActivity, XAPIClient
from progress.xapi.services import definition_merge

VERSION = {"HTTP_X_EXPERIENCE_API_VERSION": "1.0.3"}
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
MEETING = "http://www.example.com/verify/complete/34534"
COURSE = "http://example.com/courses/welding"


def client_make(*, key="warehouse", secret="s3cret", **fields) -> XAPIClient:
    client = XAPIClient(name=key.title(), key=key, **fields)
    client.set_secret(secret)
    client.save()
    return client


def basic(key="warehouse", secret="s3cret") -> dict:
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}", **VERSION}


def activity(activity_id=MEETING, **definition) -> dict:
    found = {"objectType": "Activity", "id": activity_id}
    if definition:
        found["definition"] = definition
    return found


def statement(target: dict, **extra) -> dict:
    return {
        "actor": {"objectType": "Agent", "mbox": "mailto:wang@example.com"},
        "verb": {"id": COMPLETED, "display": {"en-US": "completed"}},
        "object": target,
        **extra,
    }


MEETING_DEFINITION = {
    "type": "http://adlnet.gov/expapi/activities/meeting",
    "name": {"en-GB": "example meeting", "en-US": "example meeting"},
    "description": {"en-US": "An example meeting."},
    "moreInfo": "http://virtualmeeting.example.com/345256",
    "extensions": {
        "http://example.com/profiles/meetings/extension/location": "X:\\meetings\\one",
        "http://example.com/profiles/meetings/extension/reporter": {"name": "Thomas"},
    },
}


@pytest.fixture
def lrs(db):
    return client_make()


@pytest.fixture
def post(client, lrs):
    def send(*statements, expect=200):
        response = client.post(
            "/xapi/statements",
            data=json.dumps(list(statements)),
            content_type="application/json",
            **basic(),
        )
        assert response.status_code == expect, response.content
        return response

    return send


@pytest.fixture
def get(client, lrs):
    def send(path, auth=None, **params):
        return client.get(path, params, **(auth or basic()))

    return send


# --- Activities resource --------------------------------------------------------


def test_unknown_activity_is_a_bare_activity_object(get):
    """Communication 2.5.s2.b1: without a canonical definition the LRS still
    returns an Activity object."""
    response = get("/xapi/activities", activityId=MEETING)
    assert response.status_code == 200
    assert response.json() == {"objectType": "Activity", "id": MEETING}
    assert response["X-Experience-API-Version"] == "1.0.3"
    assert response["ETag"].startswith('"') and len(response["ETag"]) == 42
    assert XAPIActivity.objects.count() == 0


def test_activity_is_returned_complete_as_stored(post, get):
    """The conformance suite compares the returned Activity with the
    statement's object exactly."""
    sent = activity(**MEETING_DEFINITION)
    post(statement(sent))
    assert get("/xapi/activities", activityId=MEETING).json() == sent


def test_later_definitions_merge_language_maps_and_replace_the_rest(post, get):
    post(statement(activity(**MEETING_DEFINITION)))
    post(
        statement(
            activity(
                name={"zh-CN": "会议", "en-US": "a meeting"},
                type="http://adlnet.gov/expapi/activities/lesson",
                extensions={"http://example.com/ext/room": "B2"},
            )
        )
    )
    definition = get("/xapi/activities", activityId=MEETING).json()["definition"]
    assert definition["name"] == {"en-GB": "example meeting", "en-US": "a meeting", "zh-CN": "会议"}
    assert definition["type"] == "http://adlnet.gov/expapi/activities/lesson"
    assert definition["description"] == MEETING_DEFINITION["description"]
    assert definition["moreInfo"] == MEETING_DEFINITION["moreInfo"]
    assert definition["extensions"] == {
        **MEETING_DEFINITION["extensions"],
        "http://example.com/ext/room": "B2",
    }
    assert XAPIActivity.objects.count() == 1


def test_context_and_substatement_activities_get_definitions(post, get):
    parent = activity(COURSE, name={"en-US": "Welding"})
    inner = activity("http://example.com/activities/inner", name={"en-US": "Inner"})
    sub = {
        "objectType": "SubStatement",
        "actor": {"mbox": "mailto:li@example.com"},
        "verb": {"id": COMPLETED},
        "object": inner,
    }
    post(statement(sub, context={"contextActivities": {"parent": parent}}))
    assert get("/xapi/activities", activityId=COURSE).json() == parent
    assert get("/xapi/activities", activityId=inner["id"]).json() == inner


def test_repeating_a_known_definition_writes_nothing(post):
    post(statement(activity(**MEETING_DEFINITION)))
    before = XAPIActivity.objects.get().updated
    post(statement(activity(**MEETING_DEFINITION)))
    post(statement(activity()))
    row = XAPIActivity.objects.get()
    assert row.updated == before
    assert row.definition == MEETING_DEFINITION


def test_a_refused_batch_leaves_definitions_unchanged(post, get):
    """The definitions commit with the statements or not at all."""
    statement_id = str(uuid.uuid4())
    post({**statement(activity(name={"en-US": "first"})), "id": statement_id})
    post(
        statement(activity(name={"en-US": "second"})),
        {**statement(activity(name={"en-US": "third"})), "verb": {"id": "not an iri"}},
        expect=400,
    )
    post(
        statement(activity(name={"en-US": "fourth"})),
        {**statement(activity(COURSE)), "id": statement_id},
        expect=409,
    )
    assert get("/xapi/activities", activityId=MEETING).json()["definition"] == {
        "name": {"en-US": "first"}
    }


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"activityId": "1"},
        {"activityId": "true"},
        {"activityId": '{"key": "value"}'},
        {"activityId": ""},
        {"activityId": MEETING, "agent": '{"mbox": "mailto:a@example.com"}'},
    ],
)
def test_activities_resource_rejects_bad_parameters(get, params):
    response = get("/xapi/activities", **params)
    assert response.status_code == 400
    assert response.json()["error"]


def test_activities_resource_needs_credentials(client, lrs):
    assert client.get("/xapi/activities", {"activityId": MEETING}, **VERSION).status_code == 401


def test_definition_merge_is_by_language_and_extension_key():
    stored = {"name": {"en": "a", "de": "b"}, "choices": [{"id": "x"}], "type": "http://t/1"}
    incoming = {"name": {"en": "A"}, "choices": [{"id": "y"}], "interactionType": "choice"}
    assert definition_merge(stored, incoming) == {
        "name": {"en": "A", "de": "b"},
        "choices": [{"id": "y"}],
        "type": "http://t/1",
        "interactionType": "choice",
    }
    assert stored["name"] == {"en": "a", "de": "b"}


# --- Agents resource ----------------------------------------------------------


@pytest.mark.parametrize(
    ("agent", "person"),
    [
        (
            {"objectType": "Agent", "name": "Wang Wei", "mbox": "mailto:wang@example.com"},
            {"objectType": "Person", "name": ["Wang Wei"], "mbox": ["mailto:wang@example.com"]},
        ),
        (
            {"mbox_sha1sum": "a" * 40},
            {"objectType": "Person", "mbox_sha1sum": ["a" * 40]},
        ),
        (
            {"openid": "http://openid.example.com/wang"},
            {"objectType": "Person", "openid": ["http://openid.example.com/wang"]},
        ),
        (
            {
                "name": "xAPI account",
                "account": {"homePage": "http://www.example.com", "name": "x"},
            },
            {
                "objectType": "Person",
                "name": ["xAPI account"],
                "account": [{"homePage": "http://www.example.com", "name": "x"}],
            },
        ),
    ],
)
def test_agents_resource_returns_a_person(get, agent, person):
    """Communication 2.4: a Person object whose properties are arrays; an
    Agent the LRS knows nothing more about gives back what was asked."""
    response = get("/xapi/agents", agent=json.dumps(agent))
    assert response.status_code == 200
    assert response.json() == person
    assert "ETag" in response


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"agent": ""},
        {"agent": "not JSON"},
        {"agent": "1"},
        {"agent": '{"not_actor": "yup"}'},
        {"agent": '{"objectType": "Group", "mbox": "mailto:g@example.com"}'},
        {"agent": '{"mbox": "mailto:a@example.com", "openid": "http://example.com/a"}'},
        {"agent": '{"mbox": "mailto:a@example.com"}', "activityId": MEETING},
    ],
)
def test_agents_resource_rejects_bad_parameters(get, params):
    response = get("/xapi/agents", **params)
    assert response.status_code == 400
    assert response.json()["error"]


def test_agents_and_activities_answer_head_and_refuse_writes(client, lrs):
    agent = json.dumps({"mbox": "mailto:a@example.com"})
    response = client.head("/xapi/agents", {"agent": agent}, **basic())
    assert response.status_code == 200
    assert response.content == b""
    assert client.post(f"/xapi/activities?activityId={MEETING}", **basic()).status_code == 405
    assert client.put(f"/xapi/agents?agent={agent}", **basic()).status_code == 405
