"""Demo certificate for ``manage.py load_demo`` (the ``load_demo`` hook, after
the enrolments): the worker 林美华 has studied the fitting course "钳工基本
操作" to the end and holds its certificate, so a newcomer can open a PDF, a
signed credential and a verification page at once.

Her study goes through the real path: the course's video lessons are played
as heartbeats (one a second, an hour ago) folded by the flusher's own
function, whose completion check completes the course and issues the
certificate, once the demo's videos are transcoded. Running the command
again changes nothing.
"""

from __future__ import annotations

import time

from django.db import transaction

from courses.models import CoursePage
from courses.selectors import course_lesson_list

from .crediting import Beat
from .models import Certificate, Enrolment
from .selectors import enrolment_get_open
from .services import completion_evaluate, enrolment_create, heartbeats_fold, play_session_start

DEMO_WORKER = "lin.meihua@demo.jiangxue.example"
DEMO_COURSE_SLUG = "marking-sawing-filing"


def _play_through(*, enrolment: Enrolment, lesson, duration: float) -> None:
    start = play_session_start(
        user=enrolment.user, lesson=lesson, enrolment=enrolment, duration=duration
    )
    session_id, began = str(start.session.pk), time.time() - duration - 3600
    seconds = int(duration)
    positions = [float(second) for second in range(seconds + 1)]
    if positions[-1] < duration:
        positions.append(duration)
    events = [
        (
            session_id,
            Beat(
                seq=n,
                at=began + position,
                position=position,
                event="play" if n == 1 else ("ended" if position >= duration else "tick"),
                playing=position < duration,
            ),
        )
        for n, position in enumerate(positions, start=1)
    ]
    heartbeats_fold(events=events)


def load_demo_certificate(*, users: dict, stdout) -> None:
    """Complete the demo course for the demo worker once the demo's
    transaction has committed: the lesson videos are transcoded on commit
    (at once with the embedded default's eager tasks), and their length is
    what the worker plays."""
    worker = users.get(DEMO_WORKER)
    course = CoursePage.objects.live().filter(slug=DEMO_COURSE_SLUG).first()
    if worker is None or course is None:
        return
    transaction.on_commit(lambda: _complete(worker=worker, course=course, stdout=stdout))


def _complete(*, worker, course: CoursePage, stdout) -> None:
    enrolment = enrolment_get_open(user=worker, course=course) or enrolment_create(
        user=worker, course=course
    )
    if enrolment.status != Enrolment.Status.COMPLETED:
        lessons = course_lesson_list(course=course).filter(video__isnull=False)
        for lesson in lessons.select_related("video"):
            if lesson.video.duration:
                _play_through(enrolment=enrolment, lesson=lesson, duration=lesson.video.duration)
        # Normally the flusher's own check has completed it by now.
        completion_evaluate(
            enrolment=Enrolment.objects.select_related("course").get(pk=enrolment.pk)
        )
    certificate = Certificate.objects.filter(enrolment=enrolment).first()
    if certificate is None:
        stdout.write(
            f"Certificates: {worker} has not completed “{course.title}” yet "
            "(its videos are still being processed: run load_demo again later)."
        )
        return
    stdout.write(
        f"Certificates: {worker} holds the certificate of “{course.title}”, "
        f"verifiable at /verify/{certificate.code}/."
    )
