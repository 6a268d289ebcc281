"""Catalogue and course pages with 1,000 courses in the database.

Grows the catalogue on this machine's PostgreSQL from a baseline of 10
courses to 1,000 and, at both sizes in the same run, renders each page
through the full Django stack (middleware, Wagtail routing, templates):
median server time per request and the number of SQL queries. The query
count must not grow with the number of courses.

    .venv/bin/python bench/catalogue.py [--requests 30]
"""

import argparse
import time
from decimal import Decimal

from common import median_ms, setup_django, table

SIZES = (10, 1000)


def ensure_tree():
    from wagtail.models import Page, Site

    from courses.models import CatalogueIndexPage, HomePage, TradePage
    from lms.services import organisation_create

    site = Site.objects.get(is_default_site=True)
    home = site.root_page.specific
    if not isinstance(home, HomePage):
        root = Page.get_first_root_node()
        home = root.add_child(instance=HomePage(title="匠学", slug="bench-home"))
        site.root_page = home
        site.save()
    catalogue = CatalogueIndexPage.objects.child_of(home).first()
    if catalogue is None:
        catalogue = home.add_child(instance=CatalogueIndexPage(title="课程目录", slug="courses"))
    provider = organisation_create(name="基准培训机构", kind="provider", code="bench-provider")
    trades = []
    for i, name in enumerate(["焊工", "电工"]):
        trade = TradePage.objects.child_of(catalogue).filter(slug=f"bench-trade-{i}").first()
        if trade is None:
            trade = catalogue.add_child(
                instance=TradePage(
                    title=name,
                    slug=f"bench-trade-{i}",
                    occupation_name=name,
                    occupation_code=f"9-99-99-{i:02d}",
                )
            )
        trades.append(trade)
    return catalogue, trades, provider


def grow_to(n: int, trades, provider) -> None:
    from courses.models import CoursePage, LessonPage

    have = CoursePage.objects.count()
    for i in range(have, n):
        trade = trades[i % len(trades)]
        course = trade.add_child(
            instance=CoursePage(
                title=f"焊接安全与操作 第{i}期",
                slug=f"bench-course-{i}",
                provider=provider,
                level=5 - i % 5,
                study_hours=Decimal("12.0"),
                voucher_price=Decimal("380.00"),
                summary="焊条电弧焊的安全防护、设备检查与平焊操作要领。",
                featured=i % 50 == 0,
            )
        )
        lessons = 10 if i == 0 else 1
        for j in range(lessons):
            course.add_child(
                instance=LessonPage(title=f"第{j + 1}课", slug=f"lesson-{j}", summary="安全要点")
            )


def measure(client, url: str, requests: int) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(10):
        assert client.get(url).status_code == 200, url
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    query_count = len(queries)  # before the next request resets the query log
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200
    return median_ms(samples), query_count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    setup_django(fresh=True)
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from courses.models import CoursePage

    catalogue, trades, provider = ensure_tree()
    client = Client()
    results = {}
    for size in SIZES:
        grow_to(size, trades, provider)
        # A steady-state database has fresh planner statistics (autovacuum);
        # measure against that, not against the moment after a bulk insert.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        cache.clear()
        first_course = CoursePage.objects.get(slug="bench-course-0")
        pages = {
            "catalogue": catalogue.url,
            "catalogue, trade filter": f"{catalogue.url}?trade={trades[0].slug}",
            "catalogue, search 焊接": f"{catalogue.url}?q=焊接",
            "course page (10 lessons)": first_course.url,
            "home": "/",
        }
        for name, url in pages.items():
            results[(name, size)] = measure(client, url, args.requests)

    rows = []
    for name in pages:
        (t_small, q_small), (t_big, q_big) = results[(name, SIZES[0])], results[(name, SIZES[1])]
        rows.append([name, t_small, t_big, f"{t_big / t_small:.2f}×", q_small, q_big])
    print(
        table(
            [
                "page",
                f"median ms, {SIZES[0]} courses",
                f"median ms, {SIZES[1]} courses",
                "ratio",
                f"queries, {SIZES[0]}",
                f"queries, {SIZES[1]}",
            ],
            rows,
        )
    )


if __name__ == "__main__":
    main()
