"""Practical tasks: a worker hands in photos (or a short video) of their own
work, an instructor of the course's provider grades it against the rubric,
the worker sees the feedback. Files go to moto's S3 server over HTTP (or a
fresh local MEDIA_ROOT), videos through real ffmpeg."""

import hashlib
import io
import json
import subprocess
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import translation
from PIL import Image
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from courses.models import PracticalKinds, RubricCriterion
from lms.exceptions import ApplicationError
from lms.models import LedgerEntry
from media_pipeline.models import VideoAsset
from progress import selectors, services
from progress.models import PracticalPhoto, PracticalSubmission, XAPIStatement
from tests.courses.conftest import staff_login
from tests.courses.factories import ProviderFactory, instructor_create
from tests.media_pipeline import clips
from tests.media_pipeline import conftest as media_conftest
from tests.progress import factories, practical_factories
from tests.progress.factories import worker_create
from tests.progress.practical_factories import photo_bytes

pytestmark = pytest.mark.django_db

globals().update(factories.fixtures())  # provider, course, lessons, worker, instructor, …
globals().update(practical_factories.fixtures())  # task_lesson
# The media tests' storage: moto's S3 server over HTTP, or a fresh MEDIA_ROOT.
globals().update(
    {
        name: getattr(media_conftest, name)
        for name in ("local_media", "moto_endpoint", "s3_bucket", "s3_settings")
    }
)

VERB = "http://adlnet.gov/expapi/verbs/"


# --- fixtures and helpers --------------------------------------------------------------


@pytest.fixture
def enrolment(worker, course):
    return services.enrolment_create(user=worker, course=course)


@pytest.fixture
def other_instructor(db):
    other = ProviderFactory(name="厦门技师学院", code="xm-jsxy")
    return instructor_create(organisation=other, username="other-teacher")


def criterion_ids(lesson) -> list[int]:
    return list(lesson.rubric_criteria.order_by("sort_order").values_list("pk", flat=True))


def upload(name="weld.jpg", data=None, content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, photo_bytes() if data is None else data, content_type)


def bucket_keys(s3_bucket) -> list[str]:
    client, bucket = s3_bucket
    listing = client.list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def facts(kind: str) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(chain="progress", kind=kind).order_by("position"))


def worker_client(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def submit(user, lesson, **kwargs) -> PracticalSubmission:
    kwargs.setdefault("photos", [upload()])
    return services.practical_submission_create(user=user, lesson=lesson, **kwargs)


def grade(submission, actor, points, comment="") -> PracticalSubmission:
    ids = criterion_ids(submission.lesson)
    return services.practical_submission_grade(
        submission=submission, actor=actor, scores=dict(zip(ids, points, strict=True)),
        comment=comment,
    )  # fmt: skip


# --- the task as course content ---------------------------------------------------------


def test_task_snapshot_freezes_the_rubric(task_lesson):
    """The snapshot a submission keeps holds the criteria in their order and
    the total, as plain JSON."""
    ids = criterion_ids(task_lesson)
    assert task_lesson.practical_task_snapshot() == {
        "instructions": "在 6 mm 钢板上焊一条 100 mm 平焊缝，拍下焊缝正面。",
        "kinds": "photo_or_video",
        "max_photos": 2,
        "pass_mark": 60,
        "criteria": [
            {"id": ids[0], "title": "焊缝成形", "description": "鱼鳞纹均匀", "max_points": 10},
            {"id": ids[1], "title": "无咬边", "description": "", "max_points": 5},
        ],
        "max_total": 15,
    }


def test_task_needs_instructions(task_lesson):
    from django.core.exceptions import ValidationError

    task_lesson.practical_instructions = "  "
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            task_lesson.full_clean()
        assert caught.value.message_dict["practical_instructions"] == [
            "Describe the task for the worker."
        ]


# --- submitting photos -------------------------------------------------------------------


def test_photos_go_to_s3_upright_and_without_exif_or_gps(s3_bucket, worker, enrolment, task_lesson):
    """Two phone photos handed in through the lesson page's form: stored in
    the bucket as JPEGs turned upright, with no EXIF at all (no GPS, no
    camera); the ledger holds their SHA-256 and an xAPI ``attempted``
    statement is recorded in the enrolment's registration."""
    client = worker_client(worker)
    response = client.post(
        reverse("progress:practical-submit", args=[task_lesson.pk]),
        {"photos": [upload("a.jpg"), upload("b.jpg")], "note": "第一次焊"},
    )
    assert response.status_code == 302
    assert response["Location"] == task_lesson.url + "#practical"

    submission = PracticalSubmission.objects.get()
    assert (submission.enrolment, submission.user, submission.lesson_id) == (
        enrolment, worker, task_lesson.pk
    )  # fmt: skip
    assert submission.status == PracticalSubmission.Status.SUBMITTED
    assert submission.note == "第一次焊"
    assert submission.task == task_lesson.practical_task_snapshot()
    photos = list(submission.photos.order_by("position"))
    assert [p.original_name for p in photos] == ["a.jpg", "b.jpg"]
    assert bucket_keys(s3_bucket) == sorted(p.file.name for p in photos)
    client_s3, bucket = s3_bucket
    digests = []
    for photo in photos:
        assert photo.file.name.startswith(f"practical/{submission.pk}/")
        obj = client_s3.get_object(Bucket=bucket, Key=photo.file.name)
        assert obj["ContentType"] == "image/jpeg"
        data = obj["Body"].read()
        digests.append(hashlib.sha256(data).hexdigest())
        stored = Image.open(io.BytesIO(data))
        assert stored.format == "JPEG"
        assert stored.size == (20, 40) == (photo.width, photo.height)  # turned upright
        assert dict(stored.getexif()) == {}
        assert b"HUAWEI" not in data and b"Exif" not in data
    [fact] = facts("progress.practical.submitted")
    assert fact.subject == f"user:{worker.pk}"
    assert fact.payload == {
        "submission": str(submission.pk),
        "enrolment": str(enrolment.pk),
        "course": str(task_lesson.get_parent().pk),
        "lesson": str(task_lesson.pk),
        "photos": digests,
        "video": None,
    }
    [statement] = XAPIStatement.objects.filter(verb_id=VERB + "attempted")
    assert statement.registration == enrolment.pk
    assert statement.actor_user == worker
    assert statement.data["object"]["definition"]["type"] == (
        "http://adlnet.gov/expapi/activities/performance"
    )
    assert statement.data["object"]["id"].endswith(task_lesson.url + "#practical")


def test_png_and_webp_are_accepted_as_jpeg(local_media, worker, enrolment, task_lesson):
    submission = submit(
        worker,
        task_lesson,
        photos=[
            upload("a.png", photo_bytes(fmt="PNG"), "image/png"),
            upload("b.webp", photo_bytes(fmt="WEBP"), "image/webp"),
        ],
    )
    for photo in submission.photos.all():
        with photo.file.open("rb") as handle:
            assert Image.open(handle).format == "JPEG"


def _truncated_jpeg() -> bytes:
    data = photo_bytes(size=(400, 300))
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([], "Add photos or a video of your work."),
        (
            [("notes.jpg", b"this is a text file, not a photo", "image/jpeg")],
            "“notes.jpg” is not a photo we can read (JPEG, PNG or WebP), or it is damaged.",
        ),
        (
            [("weld.jpg", None, "image/jpeg"), ("cut.jpg", "truncated", "image/jpeg")],
            "“cut.jpg” is not a photo we can read (JPEG, PNG or WebP), or it is damaged.",
        ),
        (
            [("weld.gif", "gif", "image/gif")],
            "“weld.gif” is not a photo we can read (JPEG, PNG or WebP), or it is damaged.",
        ),
        ([("empty.jpg", b"", "image/jpeg")], "“empty.jpg” is empty."),
        (
            [("big.jpg", "big", "image/jpeg")],
            "“big.jpg” is too large: a photo may have at most 1 MB.",
        ),
        ([("a.jpg", None, "image/jpeg")] * 3, "Upload at most 2 photos."),
    ],
    ids=["none", "text", "truncated", "gif", "empty", "too-large", "too-many"],
)
def test_bad_photos_are_refused_and_nothing_is_stored(
    settings, s3_bucket, worker, enrolment, task_lesson, files, message
):
    """A 400 with the reason; no submission, no photo row, no object in the
    bucket, no ledger fact, no statement (a good photo beside a bad one is
    not kept either)."""
    settings.PROGRESS_PRACTICAL_MAX_PHOTO_BYTES = 2**20
    payload = []
    for name, data, content_type in files:
        if data is None:
            data = photo_bytes()
        elif data == "truncated":
            data = _truncated_jpeg()
        elif data == "gif":
            out = io.BytesIO()
            Image.new("RGB", (8, 8)).save(out, "GIF")
            data = out.getvalue()
        elif data == "big":
            data = photo_bytes() + b"\0" * 2**20
        payload.append(SimpleUploadedFile(name, data, content_type))
    ledger_before = LedgerEntry.objects.count()
    statements_before = XAPIStatement.objects.count()

    response = worker_client(worker).post(
        reverse("progress:practical-submit", args=[task_lesson.pk]), {"photos": payload}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert PracticalSubmission.objects.count() == 0
    assert PracticalPhoto.objects.count() == 0
    assert bucket_keys(s3_bucket) == []
    assert LedgerEntry.objects.count() == ledger_before
    assert XAPIStatement.objects.count() == statements_before


def test_a_later_failure_removes_the_files_already_stored(
    settings, s3_bucket, tmp_path, worker, enrolment, task_lesson
):
    """Photos and the video are stored before the media asset takes the
    video; when that step refuses (the pipeline's own size limit is lower),
    the objects already in the bucket are deleted and no row is left."""
    settings.MEDIA_PIPELINE_MAX_UPLOAD_BYTES = 1000
    clip = clips.video(tmp_path / "weld.mp4", seconds=1, width=160, height=120)
    video = SimpleUploadedFile("weld.mp4", clip.read_bytes(), "video/mp4")
    response = worker_client(worker).post(
        reverse("progress:practical-submit", args=[task_lesson.pk]),
        {"photos": [upload("a.jpg")], "video": video},
    )
    assert response.status_code == 400
    assert "larger than the limit" in response.content.decode()
    assert bucket_keys(s3_bucket) == []
    assert PracticalSubmission.objects.count() == 0
    assert VideoAsset.objects.count() == 0


def test_kinds_the_task_does_not_take_are_refused(local_media, worker, enrolment, task_lesson):
    task_lesson.practical_kinds = PracticalKinds.VIDEO
    task_lesson.save()
    with pytest.raises(ApplicationError) as caught:
        submit(worker, task_lesson)
    assert caught.value.message == "This task asks for a video, not photos."
    task_lesson.practical_kinds = PracticalKinds.PHOTO
    task_lesson.save()
    with pytest.raises(ApplicationError) as caught:
        submit(worker, task_lesson, photos=[], video=upload("clip.mp4", b"x", "video/mp4"))
    assert caught.value.message == "This task asks for photos, not a video."
    assert PracticalSubmission.objects.count() == 0


def test_only_enrolled_workers_submit(local_media, worker, course, task_lesson, lessons):
    """Not enrolled: 403. A lesson without a task: 404."""
    with pytest.raises(ApplicationError) as caught:
        submit(worker, task_lesson)
    assert (caught.value.message, caught.value.extra["status"]) == (
        "Enrol in this course to hand in its practical tasks.", 403
    )  # fmt: skip
    services.enrolment_create(user=worker, course=course)
    with pytest.raises(ApplicationError) as caught:
        submit(worker, lessons[0])
    assert caught.value.extra["status"] == 404
    assert PracticalSubmission.objects.count() == 0


# --- a short video ----------------------------------------------------------------------


def phone_video(tmp_path):
    """A 1 s portrait phone video (rotated 90°) that carries the GPS position
    where it was filmed and the phone's make."""
    plain = clips.video(tmp_path / "plain.mp4", seconds=1, width=160, height=120, rotate=90)
    path = tmp_path / "weld.mp4"
    clips._run(
        "-i", str(plain), "-c", "copy", "-metadata", "location=+26.0750+119.3000/",
        "-metadata", "make=HUAWEI", str(path),
    )  # fmt: skip
    assert format_tags(path)["location"] == "+26.0750+119.3000/"
    return path


def format_tags(path) -> dict:
    """The container's metadata tags, as ffprobe reads them."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format_tags", "-of", "json", str(path)],
        capture_output=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout)["format"].get("tags", {})


def test_video_is_stripped_of_its_location_and_processed_by_the_media_pipeline(
    s3_bucket, tmp_path, worker, enrolment, task_lesson
):
    """A short phone video becomes a VideoAsset whose source in the bucket is
    a copy without metadata (no GPS position, still upright), and which real
    ffmpeg turns into a published HLS ladder."""
    clip = phone_video(tmp_path)
    video = SimpleUploadedFile("weld.mp4", clip.read_bytes(), "video/mp4")
    with TestCase.captureOnCommitCallbacks(execute=True):
        submission = submit(worker, task_lesson, photos=[], video=video)
    asset = VideoAsset.objects.get(pk=submission.video_id)
    assert asset.source == f"practical/{submission.pk}/video.mp4"
    assert asset.status == VideoAsset.Status.READY
    assert asset.is_playable
    assert asset.rotation == 90
    keys = bucket_keys(s3_bucket)
    assert asset.source in keys
    assert f"hls/{asset.pk}/{asset.published_version}/master.m3u8" in keys
    client, bucket = s3_bucket
    stored = tmp_path / "stored.mp4"
    stored.write_bytes(client.get_object(Bucket=bucket, Key=asset.source)["Body"].read())
    tags = format_tags(stored)
    assert not {"location", "location-eng", "make"} & set(tags)
    assert b"loci" not in stored.read_bytes()
    [fact] = facts("progress.practical.submitted")
    assert fact.payload["video"] == str(asset.pk)


def test_worker_plays_back_their_own_video_and_nobody_else_does(
    local_media, tmp_path, worker, enrolment, task_lesson, enterprise, course
):
    """The lesson page plays the worker's processed video (its playlist is
    served to them); another worker of the same course is refused (403)."""
    clip = clips.video(tmp_path / "weld.mp4", seconds=1, width=160, height=120)
    video = SimpleUploadedFile("weld.mp4", clip.read_bytes(), "video/mp4")
    with TestCase.captureOnCommitCallbacks(execute=True):
        submission = submit(worker, task_lesson, photos=[], video=video)
    asset = VideoAsset.objects.get(pk=submission.video_id)
    master = reverse(
        "media_pipeline:hls",
        kwargs={"asset_id": asset.pk, "version": asset.published_version, "name": "master.m3u8"},
    )
    html = worker_client(worker).get(task_lesson.url).content.decode()
    assert f'data-hls-src="{master}"' in html
    assert html.count("media_pipeline/player.js") == 1
    assert worker_client(worker).get(master).status_code == 200
    other = worker_create(organisation=enterprise)
    services.enrolment_create(user=other, course=course)
    assert worker_client(other).get(master).status_code == 403


def test_a_file_that_is_not_a_video_is_refused(s3_bucket, worker, enrolment, task_lesson):
    video = SimpleUploadedFile("weld.mp4", b"\0\0\0 ftypisom not really a video", "video/mp4")
    with pytest.raises(ApplicationError) as caught:
        submit(worker, task_lesson, photos=[], video=video)
    assert caught.value.extra["status"] == 400
    assert VideoAsset.objects.count() == 0
    assert bucket_keys(s3_bucket) == []


# --- grading ------------------------------------------------------------------------------


def test_grade_passes_and_records_ledger_xapi(
    local_media, worker, enrolment, task_lesson, instructor
):
    """9 + 0 of 15 points is 60 %: passed. The grade is in the ledger and as
    an xAPI ``passed`` statement with the score."""
    submission = submit(worker, task_lesson)
    graded = grade(submission, instructor, [9, 0], "成形不错，注意收弧。")
    assert (graded.status, graded.total, graded.passed) == ("graded", 9, True)
    assert graded.graded_by == instructor and graded.graded_at is not None
    ids = criterion_ids(task_lesson)
    assert graded.scores == [{"criterion": ids[0], "points": 9}, {"criterion": ids[1], "points": 0}]
    [fact] = facts("progress.practical.graded")
    assert fact.actor_id == instructor.pk
    assert fact.payload == {
        "submission": str(submission.pk),
        "enrolment": str(enrolment.pk),
        "course": str(enrolment.course_id),
        "lesson": str(task_lesson.pk),
        "scores": graded.scores,
        "total": 9,
        "max_total": 15,
        "pass_mark": 60,
        "passed": True,
    }
    [statement] = XAPIStatement.objects.filter(verb_id=VERB + "passed")
    assert statement.registration == enrolment.pk
    assert statement.data["result"] == {
        "score": {"scaled": 0.6, "raw": 9, "min": 0, "max": 15},
        "success": True,
        "completion": True,
    }
    assert statement.data["context"]["instructor"]["account"]["name"] == str(instructor.pk)


def test_grade_fails_below_the_pass_mark(local_media, worker, enrolment, task_lesson, instructor):
    submission = submit(worker, task_lesson)
    graded = grade(submission, instructor, [5, 3], "咬边明显，重新焊一次。")
    assert (graded.total, graded.passed) == (8, False)
    [statement] = XAPIStatement.objects.filter(verb_id=VERB + "failed")
    assert statement.data["result"]["success"] is False


@pytest.mark.parametrize(
    ("points", "comment", "message"),
    [
        ([11, 0], "", "The score of “焊缝成形” must be between 0 and 10."),
        ([5, -1], "x", "The score of “无咬边” must be between 0 and 5."),
        ([None, 5], "x", "Score “焊缝成形”."),
        (["7", 5], "x", "The score of “焊缝成形” must be a whole number."),
        ([2, 2], "  ", "Tell the worker what to improve: a failed grade needs a comment."),
    ],
    ids=["above-max", "negative", "missing", "not-int", "fail-without-comment"],
)
def test_bad_grades_are_refused_and_nothing_changes(
    local_media, worker, enrolment, task_lesson, instructor, points, comment, message
):
    submission = submit(worker, task_lesson)
    ids = criterion_ids(task_lesson)
    scores = {cid: p for cid, p in zip(ids, points, strict=True) if p is not None}
    with pytest.raises(ApplicationError) as caught:
        services.practical_submission_grade(
            submission=submission, actor=instructor, scores=scores, comment=comment
        )
    assert caught.value.message == message
    assert caught.value.extra["status"] == 400
    submission.refresh_from_db()
    assert (submission.status, submission.total, submission.scores) == ("submitted", None, [])
    assert facts("progress.practical.graded") == []


def test_unknown_criterion_is_refused(local_media, worker, enrolment, task_lesson, instructor):
    submission = submit(worker, task_lesson)
    ids = criterion_ids(task_lesson)
    with pytest.raises(ApplicationError) as caught:
        services.practical_submission_grade(
            submission=submission, actor=instructor, scores={ids[0]: 1, ids[1]: 1, 999999: 1}
        )
    assert caught.value.message == "These criteria are not part of this task's rubric: 999999."


def test_rubric_edits_after_submission_do_not_change_the_grading(
    local_media, worker, enrolment, task_lesson, instructor
):
    submission = submit(worker, task_lesson)
    task_lesson.rubric_criteria.filter(title="无咬边").update(max_points=50)
    graded = grade(submission, instructor, [10, 5])
    assert (graded.total, graded.max_total, graded.passed) == (15, 15, True)


def test_only_instructors_of_the_courses_provider_grade(
    local_media, worker, enrolment, task_lesson, instructor, other_instructor
):
    """An instructor of another provider gets 403 from the service; a worker
    cannot grade either; a graded submission is not graded twice (409)."""
    submission = submit(worker, task_lesson)
    for actor in (other_instructor, worker):
        with pytest.raises(ApplicationError) as caught:
            grade(submission, actor, [10, 5])
        assert caught.value.extra["status"] == 403
    submission.refresh_from_db()
    assert submission.status == "submitted"
    grade(submission, instructor, [10, 5])
    with pytest.raises(ApplicationError) as caught:
        grade(submission, instructor, [0, 0], "again")
    assert caught.value.extra["status"] == 409


# --- resubmission ---------------------------------------------------------------------------


def test_one_open_submission_then_resubmit_after_a_fail(
    local_media, worker, enrolment, task_lesson, instructor
):
    first = submit(worker, task_lesson)
    with pytest.raises(ApplicationError) as caught:
        submit(worker, task_lesson)
    assert (caught.value.message, caught.value.extra["status"]) == (
        "Your last submission is waiting for the instructor's grade.", 409
    )  # fmt: skip
    grade(first, instructor, [3, 1], "焊缝太宽。")
    second = submit(worker, task_lesson)
    assert second.pk != first.pk
    grade(second, instructor, [10, 4])
    with pytest.raises(ApplicationError) as caught:
        submit(worker, task_lesson)
    assert caught.value.message == "You have already passed this task."
    assert PracticalSubmission.objects.filter(enrolment=enrolment).count() == 2


# --- outcomes for the completion rule -------------------------------------------------------


def test_practical_outcomes_count_live_tasks_and_passes(
    local_media, worker, course, enrolment, task_lesson, make_lesson, instructor, lessons
):
    second = make_lesson(
        parent=course, title="立焊实操", slug="arc-practical-2",
        practical_enabled=True, practical_instructions="立焊一条焊缝。",
    )  # fmt: skip
    RubricCriterion.objects.create(lesson=second, title="成形", max_points=10)
    # A draft lesson's task does not count, nor a task without a rubric.
    make_lesson(
        parent=course, title="无评分标准", slug="no-rubric",
        practical_enabled=True, practical_instructions="…",
    )  # fmt: skip
    make_lesson(
        parent=course, title="草稿", slug="draft", publish=False,
        practical_enabled=True, practical_instructions="…",
    )  # fmt: skip
    assert selectors.practical_outcomes_for(enrolment=enrolment) == selectors.PracticalOutcomes(
        tasks=2, tasks_passed=0
    )
    failed = submit(worker, task_lesson)
    grade(failed, instructor, [1, 1], "再练练。")
    assert selectors.practical_outcomes_for(enrolment=enrolment).tasks_passed == 0
    grade(submit(worker, task_lesson), instructor, [10, 5])
    assert selectors.practical_outcomes_for(enrolment=enrolment) == selectors.PracticalOutcomes(
        tasks=2, tasks_passed=1
    )


def test_passing_the_last_task_completes_the_course(
    local_media, worker, course, enrolment, task_lesson, instructor
):
    """A grade asks the completion rule: a failed grade leaves the enrolment
    studying; passing the course's only task (nothing else required)
    completes it."""
    course.completion_min_study_hours = Decimal("0")
    course.save(update_fields=["completion_min_study_hours"])
    grade(submit(worker, task_lesson), instructor, [2, 1], "再来。")
    enrolment.refresh_from_db()
    assert enrolment.status == "active"
    grade(submit(worker, task_lesson), instructor, [10, 5])
    enrolment.refresh_from_db()
    assert enrolment.status == "completed"


def test_outcomes_of_a_course_without_tasks(enrolment, lessons):
    assert selectors.practical_outcomes_for(enrolment=enrolment) == selectors.PracticalOutcomes()


# --- the worker's lesson page ----------------------------------------------------------------


def test_lesson_page_offers_the_task_and_a_camera_upload(
    local_media, worker, enrolment, task_lesson
):
    html = worker_client(worker).get(task_lesson.url).content.decode()
    assert "Practical task" in html
    assert "在 6 mm 钢板上焊一条 100 mm 平焊缝" in html
    assert "焊缝成形" in html and "鱼鳞纹均匀" in html
    assert f'action="{reverse("progress:practical-submit", args=[task_lesson.pk])}"' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'name="photos" accept="image/*" capture="environment" multiple' in html
    assert 'name="video" accept="video/*" capture="environment"' in html


def test_worker_sees_scores_and_comment(local_media, worker, enrolment, task_lesson, instructor):
    """After grading, the lesson page shows the points per criterion, the
    result and the instructor's comment, and offers to hand in again."""
    submission = submit(worker, task_lesson)
    client = worker_client(worker)
    html = client.get(task_lesson.url).content.decode()
    assert "Waiting for the instructor's grade." in html
    assert "Hand in your work" not in html
    grade(submission, instructor, [6, 2], "咬边明显，电流调小一点。")
    html = client.get(task_lesson.url).content.decode()
    assert "Not passed yet" in html and "8 of 15 points" in html
    assert "<td>焊缝成形</td><td>6 / 10</td>" in html
    assert "<td>无咬边</td><td>2 / 5</td>" in html
    assert "咬边明显，电流调小一点。" in html
    assert "林师傅" in html
    assert "Hand in again" in html
    photo = submission.photos.get()
    assert f'src="{reverse("progress:practical-photo", args=[photo.pk])}"' in html


def test_photos_are_served_to_their_worker_and_graders_only(
    local_media, worker, enrolment, task_lesson, instructor, other_instructor, enterprise
):
    photo = submit(worker, task_lesson).photos.get()
    url = reverse("progress:practical-photo", args=[photo.pk])
    response = worker_client(worker).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == photo.file.open("rb").read()
    assert worker_client(instructor).get(url).status_code == 200
    assert worker_client(other_instructor).get(url).status_code == 404
    assert worker_client(worker_create(organisation=enterprise)).get(url).status_code == 404


def test_photo_on_s3_is_a_signed_redirect(s3_bucket, worker, enrolment, task_lesson):
    photo = submit(worker, task_lesson).photos.get()
    response = worker_client(worker).get(reverse("progress:practical-photo", args=[photo.pk]))
    assert response.status_code == 302
    assert photo.file.name in response["Location"]
    assert "X-Amz-Signature=" in response["Location"]


# --- the instructor's review queue in the admin -------------------------------------------------


def test_review_queue_and_grading_page(
    local_media, client, worker, enrolment, task_lesson, instructor
):
    submission = submit(worker, task_lesson)
    staff_login(client, instructor)
    # The admin menu has the queue.
    assert reverse("progress_practical:queue") in client.get("/admin/").content.decode()
    queue = client.get(reverse("progress_practical:queue"))
    assert queue.status_code == 200
    review_url = reverse("progress_practical:review", args=[submission.pk])
    assert review_url in queue.content.decode()

    page = client.get(review_url).content.decode()
    ids = criterion_ids(task_lesson)
    assert f'name="criterion_{ids[0]}"' in page and f'name="criterion_{ids[1]}"' in page
    assert reverse("progress:practical-photo", args=[submission.photos.get().pk]) in page

    refused = client.post(review_url, {f"criterion_{ids[0]}": 11, f"criterion_{ids[1]}": 5})
    assert refused.status_code == 400
    submission.refresh_from_db()
    assert submission.status == "submitted"

    response = client.post(
        review_url,
        {f"criterion_{ids[0]}": 8, f"criterion_{ids[1]}": 4, "comment": "很好。"},
    )
    assert (response.status_code, response["Location"]) == (
        302, reverse("progress_practical:queue")
    )  # fmt: skip
    submission.refresh_from_db()
    assert (submission.status, submission.total, submission.passed) == ("graded", 12, True)
    assert submission.comment == "很好。"


def test_another_providers_instructor_sees_nothing(
    local_media, client, worker, enrolment, task_lesson, other_instructor
):
    """Their queue is empty and the grading page is a 404 (GET and POST)."""
    submission = submit(worker, task_lesson)
    staff_login(client, other_instructor)
    queue = client.get(reverse("progress_practical:queue"))
    assert queue.status_code == 200
    assert str(submission.pk) not in queue.content.decode()
    review_url = reverse("progress_practical:review", args=[submission.pk])
    assert client.get(review_url).status_code == 404
    ids = criterion_ids(task_lesson)
    assert client.post(review_url, {f"criterion_{i}": 1 for i in ids}).status_code == 404
    submission.refresh_from_db()
    assert submission.status == "submitted"


def test_review_queue_is_for_instructors(client, worker, union):
    auditor = factories.staff_create(organisation=union, role="auditor")
    staff_login(client, auditor)
    assert reverse("progress_practical:queue") not in client.get("/admin/").content.decode()
    response = client.get(reverse("progress_practical:queue"))
    # Wagtail answers a refused admin page with a redirect to the dashboard.
    assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))


# --- the task in the lesson editor -----------------------------------------------------------


def lesson_form(lesson, **changes) -> dict:
    data = {
        "title": lesson.title,
        "slug": lesson.slug,
        "summary": lesson.summary,
        "duration_minutes": str(lesson.duration_minutes),
        "body": streamfield([]),
        "attachments": streamfield([]),
        "practical_instructions": "",
        "practical_kinds": "photo",
        "practical_max_photos": "3",
        "practical_pass_mark": "60",
        "rubric_criteria": inline_formset([]),
        "comments": inline_formset([]),
    }
    data.update(changes)
    return nested_form_data(data)


def test_instructor_writes_the_task_and_rubric_in_the_lesson_editor(
    client, course, lessons, instructor
):
    """The lesson editor's "Practical task" panel with its rubric inline: a
    draft with two criteria is saved as a revision; a task without
    instructions is refused."""
    course.instructors.set([instructor])
    course.save_revision().publish()
    lesson = lessons[2]
    staff_login(client, instructor, language="en")
    url = reverse("wagtailadmin_pages:edit", args=[lesson.pk])
    assert "Practical task" in client.get(url).content.decode()

    criteria = [
        {"title": "焊缝宽度", "description": "8-10 mm", "max_points": "10"},
        {"title": "无气孔", "description": "", "max_points": "5"},
    ]
    refused = client.post(
        url,
        lesson_form(lesson, practical_enabled="on", rubric_criteria=inline_formset(criteria)),
    )
    assert refused.status_code == 200
    assert "Describe the task for the worker." in refused.content.decode()
    refused = client.post(
        url, lesson_form(lesson, practical_enabled="on", practical_instructions="焊一条焊缝。")
    )
    assert refused.status_code == 200
    assert "Add at least one rubric criterion to grade the task by." in refused.content.decode()
    lesson.refresh_from_db()
    assert not lesson.get_latest_revision_as_object().practical_enabled

    response = client.post(
        url,
        lesson_form(
            lesson,
            practical_enabled="on",
            practical_instructions="焊一条平焊缝并拍照。",
            practical_max_photos="2",
            rubric_criteria=inline_formset(criteria),
        ),
    )
    assert (response.status_code, response["Location"]) == (302, url)
    lesson.refresh_from_db()
    draft = lesson.get_latest_revision_as_object()
    assert draft.practical_enabled and draft.practical_max_photos == 2
    assert [(c.title, c.max_points) for c in draft.rubric_criteria.all()] == [
        ("焊缝宽度", 10),
        ("无气孔", 5),
    ]
