import pytest
from django.test import TestCase

from courses import selectors
from courses.services import trade_courses_reindex

pytestmark = pytest.mark.django_db


def test_renaming_a_trade_reindexes_its_courses(make_course, welder, electrician):
    """Given a course under 焊工, when the trade is renamed 熔接工 and
    published, then searching the new name finds the course."""
    course = make_course(parent=welder, title="手工电弧焊入门", slug="arc")
    make_course(parent=electrician, title="低压电气安装", slug="wiring")
    assert list(selectors.course_search(query="熔接")) == []

    welder.title = "熔接工"
    with TestCase.captureOnCommitCallbacks(execute=True):
        welder.save_revision().publish()

    assert [c.pk for c in selectors.course_search(query="熔接")] == [course.pk]


def test_trade_courses_reindex_counts_the_courses(make_course, welder, electrician):
    """Re-indexing a trade covers its courses (drafts included) and no other trade's."""
    make_course(parent=welder, slug="a")
    make_course(parent=welder, slug="b", publish=False)
    make_course(parent=electrician, slug="c")
    assert trade_courses_reindex(trade=welder) == 2
