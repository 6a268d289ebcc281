"""Bulk assignment of workers to courses from CSV or XLSX, in a Celery job
(eager in tests) with a row-by-row report."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import Workbook

from lms.exceptions import ApplicationError
from lms.models import LedgerEntry, Membership, Organisation
from progress import services
from progress.models import AssignmentJob, Enrolment
from tests.lms.factories import OrganisationFactory, make_id_number
from tests.progress import factories
from tests.progress.factories import staff_create, worker_create

pytestmark = pytest.mark.django_db

globals().update(factories.fixtures())  # union, worker, course, lessons, …


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def auditor(union):
    return staff_create(organisation=union, role=Membership.Role.AUDITOR)


@pytest.fixture
def gas(make_course, welder):
    return make_course(parent=welder, title="气焊", slug="gas")


@pytest.fixture
def people(enterprise, other_union):
    return {
        "by_phone": worker_create(organisation=enterprise, phone="13912345678"),
        "by_id": worker_create(organisation=enterprise, id_number="11010519491231002X"),
        "enrolled": worker_create(organisation=enterprise, phone="13700000000"),
        "outsider": worker_create(organisation=other_union, phone="13600000000"),
    }


def run(*, organisation, actor, name, content, capture) -> AssignmentJob:
    upload = SimpleUploadedFile(name, content)
    with capture(execute=True):
        job = services.assignment_job_create(organisation=organisation, file=upload, actor=actor)
    job.refresh_from_db()
    return job


def report_rows(job) -> list[list[str]]:
    with job.report.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


CSV_ROWS = [
    ["手机号", "身份证号", "课程"],
    ["139 1234 5678", "", "arc"],  # 2: enrolled
    ["", "11010519491231002x", "{gas}"],  # 3: by ID number and page id
    ["13999999999", "", "arc"],  # 4: nobody has this number
    ["13600000000", "", "arc"],  # 5: a worker of another union
    ["13912345678", "", "no-such-course"],  # 6
    ["+86 13912345678", "", "arc"],  # 7: the same as row 2
    ["", "", ""],  # blank lines are skipped
    ["13700000000", "", "arc"],  # 9: already enrolled
    ["12345", "", "arc"],  # 10: not a mobile number
    ["", "110105194912310021", "arc"],  # 11: bad check digit
]


def csv_bytes(rows, *, encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def fill(rows, gas):
    return [[cell.replace("{gas}", str(gas.pk)) for cell in row] for row in rows]


def test_csv_assignment_reports_every_row(
    union, auditor, course, gas, people, django_capture_on_commit_callbacks
):
    """Good rows are enrolled (source "assigned", by the union, with the
    auditor as the actor in the ledger); bad rows are reported with their
    reason; the counts add up and the upload is deleted."""
    services.enrolment_create(user=people["enrolled"], course=course)
    job = run(
        organisation=union,
        actor=auditor,
        name="名单.csv",
        content=csv_bytes(fill(CSV_ROWS, gas)),
        capture=django_capture_on_commit_callbacks,
    )

    assert job.status == AssignmentJob.Status.DONE
    assert (job.total, job.ok, job.failed) == (9, 3, 6)
    assert job.finished_at is not None
    assert not job.file
    assert job.file_name == "名单.csv"
    assert report_rows(job) == [
        ["Row", "Worker", "Course", "Result", "Message"],
        ["2", "+86139****5678", "手工电弧焊入门", "ok", "Enrolled."],
        ["3", "110***********002X", "气焊", "ok", "Enrolled."],
        ["4", "+86139****9999", "arc", "error", "No worker with this mobile number is registered."],
        ["5", "+86136****0000", "arc", "error", "This worker is not registered under 福州市总工会."],  # noqa: E501
        ["6", "+86139****5678", "no-such-course", "error", "No course with the id or slug “no-such-course”."],  # noqa: E501
        ["7", "+86139****5678", "手工电弧焊入门", "error", "Same worker and course as row 2."],
        ["9", "+86137****0000", "手工电弧焊入门", "ok", "Already enrolled: nothing changed."],
        ["10", "", "arc", "error", "Enter an 11-digit mainland mobile number, e.g. 13800138000."],
        ["11", "", "arc", "error", "This ID number's last character does not match: please check every digit."],  # noqa: E501
    ]  # fmt: skip

    assigned = Enrolment.objects.filter(source=Enrolment.Source.ASSIGNED)
    assert {(e.user_id, e.course_id) for e in assigned} == {
        (people["by_phone"].pk, course.pk),
        (people["by_id"].pk, gas.pk),
    }
    assert {e.assigned_by_id for e in assigned} == {union.pk}
    enrolled = LedgerEntry.objects.filter(chain="progress", kind="progress.enrolled")
    assert enrolled.filter(actor_id=auditor.pk).count() == 2
    assert not Enrolment.objects.filter(user=people["outsider"]).exists()


def test_xlsx_assignment(union, auditor, course, people, django_capture_on_commit_callbacks):
    """An XLSX (first sheet) works the same, with numbers typed as numbers."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Mobile number", "Course"])
    sheet.append([13912345678, "arc"])
    sheet.append([13999999999, "arc"])
    sheet.append([None, None])
    sheet.append([13600000000, course.pk])
    out = io.BytesIO()
    workbook.save(out)

    job = run(
        organisation=union,
        actor=auditor,
        name="list.xlsx",
        content=out.getvalue(),
        capture=django_capture_on_commit_callbacks,
    )
    assert (job.status, job.total, job.ok, job.failed) == ("done", 3, 1, 2)
    assert [row[3:] for row in report_rows(job)[1:]] == [
        ["ok", "Enrolled."],
        ["error", "No worker with this mobile number is registered."],
        ["error", "This worker is not registered under 福州市总工会."],
    ]
    assert Enrolment.objects.get(user=people["by_phone"]).course_id == course.pk


def test_gb18030_csv_from_excel(union, auditor, course, people, django_capture_on_commit_callbacks):
    """Excel on Chinese Windows saves CSV in GB18030."""
    content = csv_bytes([["手机号码", "课程"], ["13912345678", "arc"]], encoding="gb18030")
    job = run(
        organisation=union,
        actor=auditor,
        name="名单.csv",
        content=content,
        capture=django_capture_on_commit_callbacks,
    )
    assert (job.status, job.ok, job.failed) == ("done", 1, 0)


def test_file_without_the_columns_fails_the_job(
    union, auditor, course, people, django_capture_on_commit_callbacks
):
    job = run(
        organisation=union,
        actor=auditor,
        name="list.csv",
        content=csv_bytes([["name", "phone number?"], ["王", "13912345678"]]),
        capture=django_capture_on_commit_callbacks,
    )
    assert job.status == AssignmentJob.Status.FAILED
    assert job.error.startswith("The first row must name the columns")
    assert not job.file
    assert Enrolment.objects.count() == 0


def test_corrupt_xlsx_fails_the_job(union, auditor, django_capture_on_commit_callbacks):
    job = run(
        organisation=union,
        actor=auditor,
        name="list.xlsx",
        content=b"PK\x03\x04 but not a workbook",
        capture=django_capture_on_commit_callbacks,
    )
    assert (job.status, job.error) == ("failed", "This file is not an XLSX workbook.")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("list.txt", b"13912345678,arc", "Upload a CSV or XLSX file."),
        ("list.csv", b"", "The file is empty."),
        ("list.xlsx", b"not a zip", "This file is not an XLSX workbook."),
    ],
)
def test_bad_uploads_are_refused_at_once(union, auditor, name, content, message):
    with pytest.raises(ApplicationError) as excinfo:
        services.assignment_job_create(
            organisation=union, file=SimpleUploadedFile(name, content), actor=auditor
        )
    assert excinfo.value.message == message
    assert AssignmentJob.objects.count() == 0


def test_who_may_assign(union, enterprise, other_union, people, auditor):
    """Platform admins for anyone; auditors and funders for their organisation
    and those under it; nobody else."""
    upload = SimpleUploadedFile("list.csv", csv_bytes([["手机号", "课程"], ["13912345678", "arc"]]))
    refused_actors = [
        (people["by_phone"], union),  # a worker
        (staff_create(organisation=other_union, role=Membership.Role.AUDITOR), union),
        (auditor, other_union),
    ]
    for actor, organisation in refused_actors:
        with pytest.raises(ApplicationError) as excinfo:
            services.assignment_job_create(organisation=organisation, file=upload, actor=actor)
        assert excinfo.value.message == "You may not assign courses for this organisation."
        assert excinfo.value.extra["status"] == 403
    assert AssignmentJob.objects.count() == 0

    funder = staff_create(organisation=enterprise, role=Membership.Role.FUNDER)
    platform = OrganisationFactory(kind=Organisation.Kind.PLATFORM, code="platform")
    admin = staff_create(organisation=platform, role=Membership.Role.PLATFORM_ADMIN)
    for actor, organisation in [(auditor, enterprise), (funder, enterprise), (admin, other_union)]:
        upload.seek(0)
        services.assignment_job_create(organisation=organisation, file=upload, actor=actor)
    assert AssignmentJob.objects.count() == 3


def test_thousands_of_rows_in_bulk(union, auditor, course, enterprise,
                                   django_capture_on_commit_callbacks):  # fmt: skip
    """Workers and courses are looked up in bulk: rows that need no
    enrolment cost no queries of their own, and an enrolled row a bounded few."""
    workers = [worker_create(organisation=enterprise) for _ in range(30)]
    rows = [["手机号", "身份证号", "课程"]]
    rows += [[w.phone, "", "arc"] for w in workers]
    rows += [["", make_id_number(), "arc"] for _ in range(2000)]  # nobody's ID numbers
    upload = SimpleUploadedFile("big.csv", csv_bytes(rows))
    with CaptureQueriesContext(connection) as queries:
        job = run(
            organisation=union,
            actor=auditor,
            name="big.csv",
            content=upload.read(),
            capture=django_capture_on_commit_callbacks,
        )
    assert (job.total, job.ok, job.failed) == (2030, 30, 2000)
    # About 14 queries per enrolled row (checks, insert, ledger append), none
    # per row that needs no enrolment.
    assert len(queries) < 30 * 16 + 100
