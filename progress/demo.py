"""Demo learning records for ``manage.py load_demo`` (the ``load_demo`` hook):
every demo worker is enrolled in the first two free courses, so a newcomer
who logs in as one can play a lesson and see study time credited, and can
still enrol in another course."""

from courses.models import CoursePage
from lms.models import Membership

from .models import Enrolment
from .services import enrolment_create


def load_demo(*, users: dict, stdout) -> None:
    workers = [
        user
        for user in users.values()
        if user.memberships.filter(role=Membership.Role.WORKER).exists()
    ]
    courses = [c for c in CoursePage.objects.live().order_by("path") if c.is_free][:2]
    created = 0
    for worker in workers:
        for course in courses:
            if Enrolment.objects.filter(user=worker, course=course).exists():
                continue
            enrolment_create(user=worker, course=course)
            created += 1
    stdout.write(f"Enrolments: {created} created for {len(workers)} demo workers.")
