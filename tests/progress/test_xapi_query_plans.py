"""The statement query's shape (selectors.statements_query): the agent and
activity lookups are bounded by the query's stored range, the StatementRef
lookup is not, and the organisation scope still applies. Correctness at the
edges of that range, never timing (bench/xapi.py measures)."""

import pytest

from progress.xapi import selectors
from progress.xapi.models import XAPIClient, XAPIStatement
from progress.xapi.services import statements_store
from progress.xapi.services.statements import iso
from tests.progress import factories
from tests.progress.factories import worker_create

globals().update(factories.fixtures())

COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
ATTEMPTED = "http://adlnet.gov/expapi/verbs/attempted"
ARC = "http://example.com/activities/arc-welding"
COURSE = "http://example.com/courses/welding"
AUTHORITY = {"objectType": "Agent", "account": {"homePage": "http://lrs/", "name": "t"}}


def client_make(*, key="warehouse", **fields) -> XAPIClient:
    client = XAPIClient(name=key, key=key, **fields)
    client.set_secret("s3cret")
    client.save()
    return client


def agent(email: str) -> dict:
    return {"objectType": "Agent", "mbox": f"mailto:{email}"}


def statement(*, email="wang@example.com", verb=COMPLETED, **extra) -> dict:
    return {"actor": agent(email), "verb": {"id": verb}, "object": {"id": ARC}, **extra}


def store(client: XAPIClient, *statements: dict) -> list[str]:
    """One batch: every statement in it gets the same ``stored``."""
    return statements_store(statements=list(statements), client=client, authority=AUTHORITY).ids


def stored_of(statement_id: str) -> str:
    return iso(XAPIStatement.objects.get(statement_id=statement_id).stored)


def ids(client: XAPIClient, **params) -> list[str]:
    """Every statement id the query returns, following the more cursor. The
    client is read afresh, as each request does (an organisation's tree path
    moves when a sibling is added before it)."""
    client = XAPIClient.objects.select_related("organisation").get(pk=client.pk)
    query = selectors.statement_query_parse(params=params)
    found, after = [], None
    while True:
        rows, token = selectors.statements_query(client=client, query=query, after=after)
        found += [str(row.statement_id) for row in rows]
        if token is None:
            return found
        query, after = selectors.more_token_read(token=token)


@pytest.fixture
def lrs(db):
    return client_make(can_read_all=True)


def test_agent_verb_since_until_keep_exactly_the_statements_inside_the_range(lrs):
    """since is exclusive and until inclusive, for the agent lookup too."""
    wang = '{"mbox": "mailto:wang@example.com"}'
    (before,) = store(lrs, statement())
    (at_since,) = store(lrs, statement())
    inside, _other_verb, _other_agent = store(
        lrs, statement(), statement(verb=ATTEMPTED), statement(email="li@example.com")
    )
    (at_until,) = store(lrs, statement())
    (after_until,) = store(lrs, statement())
    since, until = stored_of(at_since), stored_of(at_until)

    assert ids(lrs, agent=wang, verb=COMPLETED, since=since) == [after_until, at_until, inside]
    assert ids(lrs, agent=wang, verb=COMPLETED, since=since, until=until) == [at_until, inside]
    assert ids(lrs, agent=wang, verb=COMPLETED, until=since, ascending="true") == [
        before,
        at_since,
    ]


def test_paging_an_agent_filter_through_one_instant_returns_each_statement_once(lrs):
    """A batch shares one stored instant: the cursor's tie-break on id must
    still reach every statement, with the relation lookup bounded by it."""
    batch = store(lrs, *[statement() for _ in range(5)], statement(email="li@example.com"))
    wang = '{"mbox": "mailto:wang@example.com"}'
    assert ids(lrs, agent=wang, limit="2") == list(reversed(batch[:5]))
    assert ids(lrs, agent=wang, limit="2", ascending="true") == batch[:5]


def test_related_agent_and_activity_lookups_are_bounded_by_since_too(lrs):
    with_context = statement(
        email="li@example.com",
        context={
            "instructor": agent("lin@example.com"),
            "contextActivities": {"parent": {"id": COURSE}},
        },
    )
    (old,) = store(lrs, with_context)
    (new,) = store(lrs, with_context)
    lin = '{"mbox": "mailto:lin@example.com"}'
    assert ids(lrs, agent=lin, related_agents="true") == [new, old]
    assert ids(lrs, agent=lin, related_agents="true", since=stored_of(old)) == [new]
    assert ids(lrs, activity=COURSE, related_activities="true", since=stored_of(old)) == [new]
    assert ids(lrs, activity=COURSE, since=stored_of(old)) == []


def test_a_statement_targeting_one_stored_before_since_is_returned(lrs):
    """since applies to the targeting statement, not to the one it targets
    (Communication 2.1.3.s3): the StatementRef lookup is not bounded by it."""
    (original,) = store(lrs, statement(email="ben@example.com"))
    (unrelated,) = store(lrs, statement(email="other@example.com"))
    confirm = statement(email="andrew@example.com", verb="http://example.com/verbs/confirmed")
    (confirmed,) = store(lrs, {**confirm, "object": {"objectType": "StatementRef", "id": original}})
    (again,) = store(lrs, {**confirm, "object": {"objectType": "StatementRef", "id": confirmed}})
    ben = '{"mbox": "mailto:ben@example.com"}'

    assert ids(lrs, agent=ben, since=stored_of(unrelated), ascending="true") == [confirmed, again]
    assert ids(lrs, agent=ben, since=stored_of(confirmed)) == [again]
    assert ids(lrs, agent=ben, until=stored_of(unrelated), ascending="true") == [original]


def test_scoped_client_with_agent_verb_since_sees_its_workers_and_its_own_only(
    lrs, enterprise, other_union, worker
):
    outsider = worker_create(organisation=other_union)
    scoped = client_make(key="union-dw", organisation=enterprise.get_parent())
    (start,) = store(lrs, statement(email="nobody@example.com"))
    about_worker, about_outsider = store(
        lrs, statement(email=worker.email), statement(email=outsider.email)
    )
    (own_about_stranger,) = store(scoped, statement(email="stranger@example.com"))
    (ownabout_outsider,) = store(scoped, statement(email=outsider.email))
    since = stored_of(start)

    def visible(email: str) -> list[str]:
        return ids(scoped, agent=f'{{"mbox": "mailto:{email}"}}', verb=COMPLETED, since=since)

    assert visible(worker.email) == [about_worker]
    assert visible(outsider.email) == [ownabout_outsider]
    assert visible("stranger@example.com") == [own_about_stranger]
    assert ids(lrs, agent=f'{{"mbox": "mailto:{outsider.email}"}}', since=since) == [
        ownabout_outsider,
        about_outsider,
    ]


def test_a_voided_statement_is_left_out_of_an_agent_verb_since_query(lrs):
    (start,) = store(lrs, statement(email="nobody@example.com"))
    kept, voided = store(lrs, statement(), statement())
    voiding = {
        "actor": agent("admin@example.com"),
        "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
        "object": {"objectType": "StatementRef", "id": voided},
    }
    (voiding_id,) = store(lrs, voiding)
    wang = '{"mbox": "mailto:wang@example.com"}'
    # The voiding statement targets a match, so it matches (2.1.3.s3).
    assert ids(lrs, agent=wang, verb=COMPLETED, since=stored_of(start)) == [voiding_id, kept]
    assert voided not in ids(lrs, since=stored_of(start))


def test_a_full_page_walks_down_from_the_statement_refs_stored_within_it(lrs):
    """When the direct matches alone fill a page, only StatementRefs stored
    up to the last of them are walked (down their chain), that instant
    included; the result is the same as walking up from every StatementRef,
    in both orders and at any page size."""
    (original,) = store(lrs, statement(email="ben@example.com"))
    confirm = statement(email="andrew@example.com", verb="http://example.com/verbs/confirmed")
    # One instant: a StatementRef first (lower id), then two direct matches.
    batch = store(
        lrs,
        {**confirm, "object": {"objectType": "StatementRef", "id": original}},
        statement(email="ben@example.com"),
        statement(email="ben@example.com"),
    )
    (again,) = store(lrs, {**confirm, "object": {"objectType": "StatementRef", "id": batch[0]}})
    (elsewhere,) = store(lrs, {**confirm, "object": {"objectType": "StatementRef", "id": batch[2]}})
    store(lrs, statement(email="other@example.com"))
    ben = '{"mbox": "mailto:ben@example.com"}'

    expected = [original, *batch, again, elsewhere]
    for limit in ("1", "2", "3", "0"):
        assert ids(lrs, agent=ben, limit=limit, ascending="true") == expected
        assert ids(lrs, agent=ben, limit=limit) == list(reversed(expected))
