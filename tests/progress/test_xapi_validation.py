"""Statement validation against xAPI 1.0.3 (Data part two): table-driven
valid and invalid statements, each invalid one with the reason the spec gives."""

import copy

import pytest
from django.utils import translation

from progress.xapi.validation import (
    XAPIValidationError,
    statement_validate,
    timestamp_parse,
    version_header_validate,
)

AGENT = {"objectType": "Agent", "name": "王师傅", "mbox": "mailto:wang@example.com"}
VERB = {
    "id": "http://adlnet.gov/expapi/verbs/completed",
    "display": {"en-US": "completed", "zh-CN": "完成"},
}
ACTIVITY = {"objectType": "Activity", "id": "http://example.com/activities/arc-welding"}
BASE = {"actor": AGENT, "verb": VERB, "object": ACTIVITY}


@pytest.fixture(autouse=True)
def _english():
    """Reasons are compared with their English msgids (the site's default is Chinese)."""
    with translation.override("en"):
        yield


def make(**changes):
    """BASE with top-level changes; a value of ... deletes the key."""
    statement = copy.deepcopy(BASE)
    for key, value in changes.items():
        if value is ...:
            statement.pop(key, None)
        else:
            statement[key] = copy.deepcopy(value)
    return statement


SUBSTATEMENT = {"objectType": "SubStatement", "actor": AGENT, "verb": VERB, "object": ACTIVITY}

VALID = {
    "minimal": make(),
    "agent without objectType": make(actor={"mbox": "mailto:a@example.com"}),
    "mbox_sha1sum": make(actor={"mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9"}),
    "openid": make(actor={"openid": "http://openid.example.org/12345"}),
    "account": make(actor={"account": {"homePage": "https://jiangxue.example", "name": "42"}}),
    "identified group without members": make(
        actor={"objectType": "Group", "mbox": "mailto:team@example.com"}
    ),
    "anonymous group": make(
        actor={"objectType": "Group", "member": [AGENT, {"mbox": "mailto:b@example.com"}]}
    ),
    "agent object": make(object={"objectType": "Agent", "mbox": "mailto:b@example.com"}),
    "statement ref object": make(
        object={"objectType": "StatementRef", "id": "9e13cefd-53d3-4eac-b5ed-2cf6693903bb"}
    ),
    "substatement": make(object=SUBSTATEMENT),
    "uuid id": make(id="fd41c918-b88b-4b20-a0a5-a4c32391aaa0"),
    "version 1.0.3": make(version="1.0.3"),
    "version 1.0.0": make(version="1.0.0"),
    "timestamp Z": make(timestamp="2026-11-22T03:06:26.123Z"),
    "timestamp +08:00": make(timestamp="2026-11-22T11:06:26+08:00"),
    "timestamp without offset": make(timestamp="2026-11-22T03:06:26.1234567"),
    "score": make(result={"score": {"scaled": -1, "raw": 5, "min": 0, "max": 10}, "success": True}),
    "duration": make(result={"duration": "PT1H30M5.25S", "completion": True, "response": "A"}),
    "context": make(
        context={
            "registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
            "revision": "2",
            "platform": "jiangxue",
            "language": "zh-Hans-CN",
            "instructor": AGENT,
            "team": {"objectType": "Group", "member": [AGENT]},
            "contextActivities": {"parent": [ACTIVITY], "grouping": ACTIVITY},
            "statement": {
                "objectType": "StatementRef",
                "id": "9e13cefd-53d3-4eac-b5ed-2cf6693903bb",
            },
            "extensions": {"http://example.com/ext": {"any": ["json", None]}},
        }
    ),
    "choice interaction": make(
        object={
            "id": "http://example.com/q1",
            "definition": {
                "name": {"en": "Q1"},
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                "interactionType": "choice",
                "correctResponsesPattern": ["a[,]b"],
                "choices": [{"id": "a", "description": {"en": "A"}}, {"id": "b"}],
            },
        }
    ),
    "matching interaction": make(
        object={
            "id": "http://example.com/q2",
            "definition": {
                "interactionType": "matching",
                "source": [{"id": "1"}],
                "target": [{"id": "x"}],
            },
        }
    ),
    "voiding": make(
        verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
        object={"objectType": "StatementRef", "id": "9e13cefd-53d3-4eac-b5ed-2cf6693903bb"},
    ),
    "extension value null": make(result={"extensions": {"http://example.com/null": None}}),
    "authority anonymous group of two": make(
        authority={"objectType": "Group", "member": [AGENT, AGENT]}
    ),
    "stored and authority accepted (LRS overwrites)": make(
        stored="2026-11-22T03:06:26Z", authority={"mbox": "mailto:lrs@example.com"}
    ),
}

INVALID = {
    "two IFIs": (
        make(actor={"mbox": "mailto:a@example.com", "openid": "http://x.example"}),
        "exactly one",
    ),
    "no IFI": (make(actor={"name": "nobody"}), "exactly one"),
    "bad mbox": (make(actor={"mbox": "wang@example.com"}), "mailto"),
    "bad mbox_sha1sum": (make(actor={"mbox_sha1sum": "xyz"}), "SHA-1"),
    "account without homePage": (make(actor={"account": {"name": "42"}}), "homePage"),
    "account homePage not IRI": (
        make(actor={"account": {"homePage": "jiangxue", "name": "4"}}),
        "IRI",
    ),
    "anonymous group without members": (make(actor={"objectType": "Group"}), "members"),
    "group member is a group": (
        make(
            actor={
                "objectType": "Group",
                "member": [{"objectType": "Group", "mbox": "mailto:g@example.com"}],
            }
        ),
        "objectType must be Agent",
    ),
    "group with two IFIs": (
        make(
            actor={
                "objectType": "Group",
                "mbox": "mailto:g@example.com",
                "openid": "http://x.example",
            }
        ),
        "at most one",
    ),
    "actor missing": (make(actor=...), "actor is required"),
    "verb without id": (make(verb={"display": {"en": "did"}}), "must have an id"),
    "verb id not IRI": (make(verb={"id": "completed"}), "IRI"),
    "display not a language map": (
        make(verb={"id": VERB["id"], "display": "completed"}),
        "JSON object",
    ),
    "display bad language tag": (
        make(verb={"id": VERB["id"], "display": {"english!": "x"}}),
        "language tag",
    ),
    "display value not a string": (make(verb={"id": VERB["id"], "display": {"en": 1}}), "string"),
    "activity without id": (make(object={"objectType": "Activity"}), "must have an id"),
    "agent object without objectType is an activity": (
        make(object={"mbox": "mailto:b@example.com"}),
        "unknown",
    ),
    "unknown objectType": (
        make(object={"objectType": "Thing", "id": "http://x.example"}),
        "unknown objectType",
    ),
    "bad interactionType": (
        make(object={"id": "http://x.example", "definition": {"interactionType": "essay"}}),
        "interactionType",
    ),
    "choices with likert": (
        make(
            object={
                "id": "http://x.example",
                "definition": {"interactionType": "likert", "choices": [{"id": "a"}]},
            }
        ),
        "choices is not allowed",
    ),
    "duplicate component ids": (
        make(
            object={
                "id": "http://x.example",
                "definition": {"interactionType": "choice", "choices": [{"id": "a"}, {"id": "a"}]},
            }
        ),
        "unique",
    ),
    "correctResponsesPattern without interactionType": (
        make(object={"id": "http://x.example", "definition": {"correctResponsesPattern": ["a"]}}),
        "interactionType",
    ),
    "score.scaled 1.5": (make(result={"score": {"scaled": 1.5}}), "between -1 and 1"),
    "raw above max": (make(result={"score": {"raw": 11, "min": 0, "max": 10}}), "above max"),
    "raw below min": (make(result={"score": {"raw": -1, "min": 0}}), "below min"),
    "min above max": (make(result={"score": {"min": 5, "max": 1}}), "less than max"),
    "score not a number": (make(result={"score": {"raw": "5"}}), "number"),
    "success not boolean": (make(result={"success": "true"}), "true or false"),
    "bad duration": (make(result={"duration": "1 hour"}), "duration"),
    "revision with agent object": (
        make(
            object={"objectType": "Agent", "mbox": "mailto:b@example.com"},
            context={"revision": "1"},
        ),
        "revision is only allowed",
    ),
    "platform with statement ref object": (
        make(
            object={"objectType": "StatementRef", "id": "9e13cefd-53d3-4eac-b5ed-2cf6693903bb"},
            context={"platform": "x"},
        ),
        "platform is only allowed",
    ),
    "registration not UUID": (make(context={"registration": "abc"}), "UUID"),
    "team not a group": (make(context={"team": AGENT}), "objectType must be Group"),
    "unknown contextActivities key": (
        make(context={"contextActivities": {"sibling": [ACTIVITY]}}),
        "unknown",
    ),
    "context language bad": (make(context={"language": "not a tag"}), "language tag"),
    "extension key not IRI": (make(result={"extensions": {"key": 1}}), "IRI"),
    "timestamp -00:00": (make(timestamp="2026-11-22T03:06:26-00:00"), "-00:00"),
    "timestamp -0000": (make(timestamp="2026-11-22T03:06:26-0000"), "-00:00"),
    "timestamp -00": (make(timestamp="2026-11-22T03:06:26-00"), "-00:00"),
    "timestamp date only": (make(timestamp="2026-11-22"), "ISO 8601"),
    "timestamp basic -0000": (make(timestamp="20261122T030626-0000"), "-00:00"),
    "timestamp US date": (make(timestamp="01/011/2015"), "ISO 8601"),
    "timestamp hour 25": (make(timestamp="2026-11-22T25:00:00Z"), "ISO 8601"),
    "timestamp impossible date": (make(timestamp="2026-02-30T00:00:00Z"), "ISO 8601"),
    "unknown top-level property": (make(foo="bar"), "unknown property foo"),
    "unknown nested property": (
        make(verb={"id": VERB["id"], "label": "x"}),
        "unknown property label",
    ),
    "null value": (make(result={"success": None}), "null"),
    "substatement with id": (
        make(object={**SUBSTATEMENT, "id": "9e13cefd-53d3-4eac-b5ed-2cf6693903bb"}),
        "id",
    ),
    "substatement with stored": (
        make(object={**SUBSTATEMENT, "stored": "2026-11-22T03:06:26Z"}),
        "stored",
    ),
    "substatement with version": (make(object={**SUBSTATEMENT, "version": "1.0.0"}), "version"),
    "substatement with authority": (make(object={**SUBSTATEMENT, "authority": AGENT}), "authority"),
    "nested substatement": (make(object={**SUBSTATEMENT, "object": SUBSTATEMENT}), "SubStatement"),
    "statement ref without UUID": (
        make(object={"objectType": "StatementRef", "id": "nope"}),
        "UUID",
    ),
    "invalid UUID id": (make(id="not-a-uuid"), "UUID"),
    "version 2.0": (make(version="2.0.0"), "1.0.x"),
    "version 0.95": (make(version="0.95"), "1.0.x"),
    "voiding with activity object": (
        make(verb={"id": "http://adlnet.gov/expapi/verbs/voided"}),
        "StatementRef",
    ),
    "attachment without sha2": (
        make(
            attachments=[
                {
                    "usageType": "http://x.example/u",
                    "display": {"en": "x"},
                    "contentType": "text/plain",
                    "length": 1,
                }
            ]
        ),
        "sha2",
    ),
    "not an object": ([BASE], "JSON object"),
    "authority identified group": (
        make(
            authority={
                "objectType": "Group",
                "mbox": "mailto:g@example.com",
                "member": [AGENT, AGENT],
            }
        ),
        "exactly two members",
    ),
    "authority group of three": (
        make(authority={"objectType": "Group", "member": [AGENT, AGENT, AGENT]}),
        "exactly two members",
    ),
    "language tag de-419-DE": (
        make(verb={"id": VERB["id"], "display": {"de-419-DE": "x"}}),
        "language tag",
    ),
    "statement id numeric": (make(id=12345), "UUID"),
    "statement id too many digits": (make(id="AA97B177-9383-4934-8543-0F91A7A028368"), "UUID"),
    "key with wrong case": (make(Actor=AGENT), "unknown property Actor"),
    "interactionType wrong case": (
        make(object={"id": "http://x.example", "definition": {"interactionType": "choiCe"}}),
        "interactionType",
    ),
    "account name not a string": (
        make(actor={"account": {"homePage": "http://x.example", "name": {}}}),
        "string",
    ),
}


@pytest.mark.parametrize("statement", VALID.values(), ids=VALID.keys())
def test_valid_statements_pass(statement):
    """Every statement the spec allows validates."""
    statement_validate(copy.deepcopy(statement))


@pytest.mark.parametrize(("statement", "reason"), INVALID.values(), ids=INVALID.keys())
def test_invalid_statements_fail_with_reason(statement, reason):
    """Every statement the spec forbids is refused, and the message says why."""
    with pytest.raises(XAPIValidationError) as error:
        statement_validate(copy.deepcopy(statement))
    assert reason in error.value.message


def test_single_context_activity_is_normalised_to_an_array():
    """A contextActivities entry given as one object is stored as a
    one-element array (Data 2.4.6.2)."""
    statement = statement_validate(make(context={"contextActivities": {"parent": ACTIVITY}}))
    assert statement["context"]["contextActivities"]["parent"] == [ACTIVITY]


def test_statement_id_is_normalised_to_lower_case():
    statement = statement_validate(make(id="FD41C918-B88B-4B20-A0A5-A4C32391AAA0"))
    assert statement["id"] == "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"


def test_timestamp_offsets_are_instants():
    """+08:00 and Z forms of one instant parse to the same moment."""
    assert timestamp_parse("2026-11-22T11:06:26+08:00") == timestamp_parse("2026-11-22T03:06:26Z")
    assert timestamp_parse("2026-11-22T03:06:26.5Z").microsecond == 500000
    # ISO 8601 basic format is ISO 8601 too.
    assert timestamp_parse("20261122T110626+0800") == timestamp_parse("2026-11-22T03:06:26Z")


@pytest.mark.parametrize("header", ["1.0.3", "1.0.0", "1.0"])
def test_supported_version_headers(header):
    assert version_header_validate(header) == header


@pytest.mark.parametrize("header", [None, "", "0.95", "2.0.0", "1.1.0"])
def test_unsupported_version_headers(header):
    with pytest.raises(XAPIValidationError):
        version_header_validate(header)
