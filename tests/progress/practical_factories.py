"""Fixtures and helpers for practical tasks: a lesson with a task and its
rubric, and photos as a phone takes them. Test modules take the fixtures
with ``globals().update(practical_factories.fixtures())``."""

import io
from decimal import Decimal

import pytest
from PIL import ExifTags, Image

from courses.models import PracticalKinds, RubricCriterion


@pytest.fixture
def task_lesson(course, make_lesson):
    """A live lesson whose practical task takes up to 2 photos or a video,
    with a rubric of 10 + 5 points and a pass mark of 60 %. The course asks
    for study hours too, so that passing the task does not complete it."""
    course.completion_min_study_hours = Decimal("1")
    course.save(update_fields=["completion_min_study_hours"])
    lesson = make_lesson(
        parent=course,
        title="平焊实操",
        slug="arc-practical",
        practical_enabled=True,
        practical_instructions="在 6 mm 钢板上焊一条 100 mm 平焊缝，拍下焊缝正面。",
        practical_kinds=PracticalKinds.PHOTO_OR_VIDEO,
        practical_max_photos=2,
        practical_pass_mark=60,
    )
    RubricCriterion.objects.create(
        lesson=lesson, sort_order=0, title="焊缝成形", description="鱼鳞纹均匀", max_points=10
    )
    RubricCriterion.objects.create(
        lesson=lesson, sort_order=1, title="无咬边", description="", max_points=5
    )
    return lesson


def photo_bytes(*, size=(40, 20), fmt="JPEG", gps=True) -> bytes:
    """A photo as a phone takes it: EXIF with the camera, an orientation
    (rotated 90°) and the GPS position of the workshop."""
    image = Image.new("RGB", size, (200, 40, 30))
    out = io.BytesIO()
    if fmt == "JPEG":
        exif = Image.Exif()
        exif[ExifTags.Base.Make] = "HUAWEI"
        exif[ExifTags.Base.Orientation] = 6
        if gps:
            location = exif.get_ifd(ExifTags.IFD.GPSInfo)
            location[ExifTags.GPS.GPSLatitudeRef] = "N"
            location[ExifTags.GPS.GPSLatitude] = (26.0, 4.0, 30.0)
            location[ExifTags.GPS.GPSLongitudeRef] = "E"
            location[ExifTags.GPS.GPSLongitude] = (119.0, 18.0, 0.0)
        image.save(out, fmt, exif=exif)
    else:
        image.save(out, fmt)
    return out.getvalue()


def fixtures() -> dict:
    return {"task_lesson": task_lesson}
