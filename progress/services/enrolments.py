"""Enrolment writes: a worker enrols in a free course, an organisation assigns
workers (one at a time or from a CSV/XLSX in a background job), the voucher
app enrols with ``source=Enrolment.Source.VOUCHER``, a worker withdraws.

Every enrolment and withdrawal is a ledger entry (chain "progress") written
in the same transaction, and a signal (``progress.signals``) sent after
commit.
"""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lms import identity
from lms.exceptions import ApplicationError
from lms.ledger import ledger_append
from lms.models import User, WorkerProfile
from lms.selectors import user_is_platform_admin
from progress import signals
from progress.models import AssignmentJob, Enrolment
from progress.selectors.enrolments import (
    assignable_workers,
    assignment_organisations_for,
    enrolment_get_open,
    user_is_worker,
)
from progress.xapi.services.outbox import enrolment_statement_record

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from courses.models import CoursePage
    from lms.models import Organisation

__all__ = [
    "ASSIGNMENT_MAX_BYTES",
    "ASSIGNMENT_MAX_ROWS",
    "assignment_job_create",
    "assignment_job_fail",
    "assignment_job_run",
    "enrolment_create",
    "enrolment_withdraw",
]

LEDGER_CHAIN = "progress"
ASSIGNMENT_MAX_BYTES = 10 * 2**20
ASSIGNMENT_MAX_ROWS = 20_000
ASSIGNMENT_EXTENSIONS = (".csv", ".xlsx")
# How often (rows) a running job publishes its counters.
_PROGRESS_EVERY = 50


def _error(message: str, *, code: str, status: int = 400, **extra) -> ApplicationError:
    """The domain error with a machine-readable ``code`` and the HTTP status a
    view should answer with."""
    return ApplicationError(message, extra={"code": code, "status": status, **extra})


def _join_titles(titles: list[str]) -> str:
    separator = "、" if (translation.get_language() or "").startswith("zh") else ", "
    return separator.join(f"“{title}”" for title in titles)


def _subject(user_id: int) -> str:
    return f"user:{user_id}"


# --- One enrolment ---------------------------------------------------------------


@transaction.atomic
def enrolment_create(
    *,
    user: User,
    course: CoursePage,
    source: str = Enrolment.Source.SELF,
    assigned_by: Organisation | None = None,
    actor: User | None = None,
) -> Enrolment:
    """Put ``user`` on ``course``.

    Refused (``ApplicationError``) when the user is not a worker, the course is
    not live, a paid course is enrolled in without a voucher, or a
    prerequisite course is not completed. An open enrolment that already
    exists is refused for ``self`` and ``voucher`` (a voucher must not be
    spent twice) and returned as it is for ``assigned`` (assignment is
    idempotent)."""
    if not course.live:
        raise _error(_("This course is not open for enrolment."), code="course_not_live")
    if not user_is_worker(user=user):
        raise _error(
            _(
                "Only workers can enrol in courses. "
                "Add your real-name identity on your profile first."
            ),
            code="not_worker",
            status=403,
        )
    existing = enrolment_get_open(user=user, course=course)
    if existing is not None:
        if source == Enrolment.Source.ASSIGNED:
            return existing
        raise _error(
            _("You are already enrolled in this course."),
            code="already_enrolled",
            status=409,
            enrolment_id=str(existing.pk),
        )
    if source == Enrolment.Source.SELF and not course.is_free:
        raise _error(
            _("This course is paid with a training voucher: enrol with your voucher code."),
            code="voucher_required",
            status=403,
        )
    completed = Enrolment.objects.filter(
        user=user, course=OuterRef("pk"), status=Enrolment.Status.COMPLETED
    )
    missing = list(
        course.prerequisites.filter(~Exists(completed))
        .order_by("path")
        .values_list("title", flat=True)
    )
    if missing:
        raise _error(
            _("Complete these courses first: %(titles)s.") % {"titles": _join_titles(missing)},
            code="prerequisites_missing",
            status=409,
        )
    enrolment = Enrolment(user=user, course=course, source=source, assigned_by=assigned_by)
    try:
        enrolment.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise _error(" ".join(exc.messages), code="invalid") from exc
    try:
        with transaction.atomic():
            enrolment.save()
    except IntegrityError:
        # A concurrent request enrolled the same worker between the check and
        # the insert: the same outcome as finding it above.
        existing = enrolment_get_open(user=user, course=course)
        if existing is not None and source == Enrolment.Source.ASSIGNED:
            return existing
        raise _error(
            _("You are already enrolled in this course."), code="already_enrolled", status=409
        ) from None
    ledger_append(
        chain=LEDGER_CHAIN,
        kind="progress.enrolled",
        subject=_subject(user.pk),
        actor_id=(actor or user).pk,
        payload={
            "enrolment": str(enrolment.pk),
            "course": str(course.pk),
            "source": source,
            "assigned_by": str(assigned_by.pk) if assigned_by else None,
        },
    )
    enrolment_statement_record(enrolment=enrolment)
    transaction.on_commit(
        lambda: signals.enrolment_created.send(sender=Enrolment, enrolment=enrolment)
    )
    return enrolment


@transaction.atomic
def enrolment_withdraw(*, enrolment: Enrolment, actor: User, reason: str = "") -> Enrolment:
    """Withdraw an active enrolment (by the worker, or a platform admin). The
    records stay; the worker may enrol again later and starts afresh."""
    if actor.pk != enrolment.user_id and not user_is_platform_admin(user=actor):
        raise _error(
            _("You can only withdraw from your own courses."), code="forbidden", status=403
        )
    enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
    if enrolment.status == Enrolment.Status.WITHDRAWN:
        raise _error(
            _("You have already withdrawn from this course."), code="already_withdrawn", status=409
        )
    if enrolment.status == Enrolment.Status.COMPLETED:
        raise _error(
            _("This course is completed: there is nothing to withdraw from."),
            code="completed",
            status=409,
        )
    reason = reason.strip()[:500]
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.withdrawn_at = timezone.now()
    enrolment.full_clean(validate_unique=False, validate_constraints=False)
    enrolment.save(update_fields=["status", "withdrawn_at"])
    ledger_append(
        chain=LEDGER_CHAIN,
        kind="progress.withdrawn",
        subject=_subject(enrolment.user_id),
        actor_id=actor.pk,
        payload={
            "enrolment": str(enrolment.pk),
            "course": str(enrolment.course_id),
            "reason": reason,
        },
    )
    enrolment_statement_record(enrolment=enrolment, withdrawn=True)
    transaction.on_commit(
        lambda: signals.enrolment_withdrawn.send(
            sender=Enrolment, enrolment=enrolment, reason=reason
        )
    )
    return enrolment


# --- Bulk assignment ---------------------------------------------------------------


@transaction.atomic
def assignment_job_create(
    *, organisation: Organisation, file: UploadedFile, actor: User
) -> AssignmentJob:
    """Store an uploaded CSV/XLSX of workers and courses and run it in the
    background (after commit). Platform admins may assign for any
    organisation; union auditors and funders for their organisations and
    everything under them."""
    if not assignment_organisations_for(user=actor).filter(pk=organisation.pk).exists():
        raise _error(
            _("You may not assign courses for this organisation."), code="forbidden", status=403
        )
    name = PurePath(file.name or "").name
    extension = PurePath(name).suffix.lower()
    if extension not in ASSIGNMENT_EXTENSIONS:
        raise _error(_("Upload a CSV or XLSX file."), code="file_type")
    if not file.size:
        raise _error(_("The file is empty."), code="file_empty")
    if file.size > ASSIGNMENT_MAX_BYTES:
        raise _error(
            _("The file is too large: the limit is %(mb)s MB.")
            % {"mb": ASSIGNMENT_MAX_BYTES >> 20},
            code="file_size",
        )
    file.seek(0)
    head = file.read(4)
    file.seek(0)
    if extension == ".xlsx" and head != b"PK\x03\x04":
        raise _error(_("This file is not an XLSX workbook."), code="file_type")
    job = AssignmentJob(organisation=organisation, created_by=actor, file_name=name[:255])
    # A random stored name: the upload holds personal data.
    job.file.save(f"{uuid.uuid4().hex}{extension}", file, save=False)
    job.full_clean()
    job.save()
    from progress import tasks

    transaction.on_commit(lambda: tasks.assignment_job_run.delay(job.pk))
    return job


def assignment_job_fail(*, job_id: int, reason: str) -> None:
    """Mark a job failed (a file that cannot be read, or a crash)."""
    AssignmentJob.objects.filter(pk=job_id).exclude(status=AssignmentJob.Status.DONE).update(
        status=AssignmentJob.Status.FAILED, error=reason[:2000], finished_at=timezone.now()
    )


_HEADERS = {
    "phone": {"mobile", "mobilenumber", "phone", "手机", "手机号", "手机号码", "电话"},
    "id_number": {"idnumber", "id", "residentid", "身份证", "身份证号", "身份证号码"},
    "course": {"course", "courseid", "courseslug", "课程", "课程id", "课程编号", "课程号"},
}


def _header_key(value: str) -> str | None:
    cleaned = "".join(value.split()).lower().replace("_", "").replace("-", "").lstrip("\ufeff")
    for key, aliases in _HEADERS.items():
        if cleaned in aliases:
            return key
    return None


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _error(_("The file is not UTF-8 or GB18030 text."), code="file_encoding")


def _read_table(data: bytes, extension: str) -> list[list[str]]:
    if extension == ".xlsx":
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise _error(_("This file is not an XLSX workbook."), code="file_type") from exc
        try:
            rows = []
            for values in workbook.worksheets[0].iter_rows(values_only=True):
                rows.append([_cell(value) for value in values])
                if len(rows) > ASSIGNMENT_MAX_ROWS + 1:
                    break
            return rows
        finally:
            workbook.close()
    text = _decode(data)
    # Excel writes commas, or semicolons in some locales; tabs from a paste.
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count) if first_line else ","
    try:
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        return [[_cell(value) for value in row] for row in reader]
    except csv.Error as exc:
        raise _error(
            _("This CSV file cannot be read: %(reason)s") % {"reason": exc}, code="csv"
        ) from exc


@dataclass
class _Row:
    number: int  # as the spreadsheet numbers it (the header is row 1)
    phone: str
    id_number: str
    course_key: str
    user_id: int | None = None
    worker_label: str = ""
    course: CoursePage | None = None
    result: str = ""
    message: str = ""


def _rows_parse(table: list[list[str]]) -> list[_Row]:
    if not table:
        raise _error(_("The file is empty."), code="file_empty")
    columns = {}
    for index, title in enumerate(table[0]):
        key = _header_key(title)
        if key and key not in columns:
            columns[key] = index
    if "course" not in columns or not ({"phone", "id_number"} & columns.keys()):
        raise _error(
            _(
                "The first row must name the columns: “mobile number” or “ID number”, "
                "and “course” (the course's page id or slug)."
            ),
            code="file_columns",
        )

    def value(row: list[str], key: str) -> str:
        index = columns.get(key)
        return row[index] if index is not None and index < len(row) else ""

    rows = []
    for number, row in enumerate(table[1:], start=2):
        if not any(row):
            continue
        rows.append(
            _Row(
                number=number,
                phone=value(row, "phone"),
                id_number=value(row, "id_number"),
                course_key=value(row, "course"),
            )
        )
    if len(rows) > ASSIGNMENT_MAX_ROWS:
        raise _error(
            _("The file has more than %(max)s rows: split it into smaller files.")
            % {"max": ASSIGNMENT_MAX_ROWS},
            code="file_rows",
        )
    return rows


def _rows_resolve(rows: list[_Row], organisation: Organisation) -> None:
    """Find every row's worker and course in a few bulk queries; rows that
    cannot be resolved get their error."""
    from courses.models import CoursePage

    phones, hashes = {}, {}
    for row in rows:
        try:
            if row.phone:
                row.phone = identity.normalise_mainland_mobile(row.phone)
                row.worker_label = identity.mask_phone(row.phone)
                phones[row.phone] = None
            elif row.id_number:
                resident_id = identity.parse_resident_id(row.id_number)
                row.worker_label = resident_id.masked
                row.id_number = identity.hash_id_number(resident_id.number)
                hashes[row.id_number] = None
            else:
                row.result, row.message = "error", _("No mobile number or ID number.")
        except ValidationError as exc:
            row.result, row.message = "error", " ".join(exc.messages)
            row.worker_label = ""
    phones.update(User.objects.filter(phone__in=phones).values_list("phone", "pk"))
    hashes.update(
        WorkerProfile.objects.filter(id_number_hash__in=hashes).values_list(
            "id_number_hash", "user_id"
        )
    )
    known = {pk for pk in [*phones.values(), *hashes.values()] if pk is not None}
    visible = set(
        assignable_workers(organisation=organisation)
        .filter(pk__in=known)
        .values_list("pk", flat=True)
    )

    keys = {row.course_key for row in rows if not row.result and row.course_key}
    ids = {int(key) for key in keys if key.isdigit()}
    slugs = {key for key in keys if not key.isdigit()}
    courses = list(CoursePage.objects.filter(Q(pk__in=ids) | Q(slug__in=slugs)))
    by_pk = {course.pk: course for course in courses}
    by_slug: dict[str, list[CoursePage]] = {}
    for course in courses:
        by_slug.setdefault(course.slug, []).append(course)

    for row in rows:
        if row.result:
            continue
        row.user_id = phones.get(row.phone) if row.phone else hashes.get(row.id_number)
        if row.user_id is None:
            row.result = "error"
            row.message = (
                _("No worker with this mobile number is registered.")
                if row.phone
                else _("No worker with this ID number is registered.")
            )
            continue
        if row.user_id not in visible:
            row.result = "error"
            row.message = _("This worker is not registered under %(organisation)s.") % {
                "organisation": organisation.name
            }
            continue
        if not row.course_key:
            row.result, row.message = "error", _("No course given.")
            continue
        if row.course_key.isdigit():
            row.course = by_pk.get(int(row.course_key))
        else:
            matches = by_slug.get(row.course_key, [])
            if len(matches) > 1:
                row.result = "error"
                row.message = _("Several courses have this slug: use the course's page id.")
                continue
            row.course = matches[0] if matches else None
        if row.course is None:
            row.result = "error"
            row.message = _("No course with the id or slug “%(key)s”.") % {"key": row.course_key}


def _report_csv(rows: list[_Row]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Row"), _("Worker"), _("Course"), _("Result"), _("Message")])
    for row in rows:
        course = row.course.title if row.course is not None else row.course_key
        writer.writerow([row.number, row.worker_label, course, row.result, row.message])
    # With a BOM, Excel opens the UTF-8 report with its Chinese intact.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def assignment_job_run(*, job_id: int) -> AssignmentJob | None:
    """Assign the rows of a queued job, each in its own transaction, and write
    the row-by-row report. Workers and courses are looked up in bulk first.
    The uploaded file (which may hold ID numbers) is deleted afterwards."""
    with transaction.atomic():
        job = AssignmentJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status in (AssignmentJob.Status.DONE, AssignmentJob.Status.FAILED):
            return job
        job.status = AssignmentJob.Status.RUNNING
        job.started_at = timezone.now()
        job.total = job.ok = job.failed = 0
        job.save(update_fields=["status", "started_at", "total", "ok", "failed"])
    organisation, actor = job.organisation, job.created_by
    try:
        with job.file.open("rb") as handle:
            data = handle.read(ASSIGNMENT_MAX_BYTES + 1)
        rows = _rows_parse(_read_table(data, PurePath(job.file.name).suffix.lower()))
    except ApplicationError as exc:
        assignment_job_fail(job_id=job.pk, reason=exc.message)
        job.file.delete(save=False)
        AssignmentJob.objects.filter(pk=job.pk).update(file="")
        job.refresh_from_db()
        return job
    AssignmentJob.objects.filter(pk=job.pk).update(total=len(rows))
    _rows_resolve(rows, organisation)

    pending = [row for row in rows if not row.result]
    open_pairs = set(
        Enrolment.objects.filter(
            user_id__in={row.user_id for row in pending},
            course_id__in={row.course.pk for row in pending},
        )
        .exclude(status=Enrolment.Status.WITHDRAWN)
        .values_list("user_id", "course_id")
    )
    users = User.objects.in_bulk({row.user_id for row in pending})
    seen: dict[tuple[int, int], int] = {}
    ok = failed = 0
    for done, row in enumerate(rows, start=1):
        if not row.result:
            pair = (row.user_id, row.course.pk)
            if pair in seen:
                row.result = "error"
                row.message = _("Same worker and course as row %(row)s.") % {"row": seen[pair]}
            elif pair in open_pairs:
                seen[pair] = row.number
                row.result, row.message = "ok", _("Already enrolled: nothing changed.")
            else:
                seen[pair] = row.number
                try:
                    enrolment_create(
                        user=users[row.user_id],
                        course=row.course,
                        source=Enrolment.Source.ASSIGNED,
                        assigned_by=organisation,
                        actor=actor,
                    )
                    row.result, row.message = "ok", _("Enrolled.")
                except ApplicationError as exc:
                    row.result, row.message = "error", exc.message
        if row.result == "ok":
            ok += 1
        else:
            failed += 1
        if done % _PROGRESS_EVERY == 0:
            AssignmentJob.objects.filter(pk=job.pk).update(ok=ok, failed=failed)

    job.report.save(f"{uuid.uuid4().hex}.csv", ContentFile(_report_csv(rows)), save=False)
    job.file.delete(save=False)
    AssignmentJob.objects.filter(pk=job.pk).update(
        ok=ok,
        failed=failed,
        status=AssignmentJob.Status.DONE,
        report=job.report.name,
        file="",
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job
