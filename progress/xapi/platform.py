"""The platform's own learning facts as xAPI 1.0.3 statements: pure functions
from a fact (the values of a ledger entry) to a statement dict.

Every fact the progress app appends to the ledger becomes one statement, in
the same transaction (``services.outbox``). Verbs and activity types come
from the ADL vocabulary (http://adlnet.gov/expapi/verbs/…,
http://adlnet.gov/expapi/activities/…):

============================  ========  ==========================  =====================
ledger fact (``progress.``)   actor     verb                        object (type)
============================  ========  ==========================  =====================
``enrolled``                  worker    ``registered``              course page (course)
``withdrawn``                 worker    ``exited``                  course page (course)
``study.credited``            worker    ``progressed`` + duration   lesson page (lesson)
``presence.asked``            platform  ``asked``                   the worker (Agent)
``presence.answered``         worker    ``answered``                the prompt (question)
``checkin.daily``             worker    ``attended``                daily check-in page
``checkin.class``             worker    ``attended``                class (meeting)
``completed``                 worker    ``completed`` (+ ``passed``  course page (course)
                                        with a final exam's score)
``quiz_submitted``            worker    ``passed`` / ``failed``     quiz (assessment)
``practical.submitted``       worker    ``attempted``               lesson's task (performance)
``practical.graded``          worker    ``passed`` / ``failed``     lesson's task (performance)
============================  ========  ==========================  =====================

Why these: ``registered`` is "officially enrolled"; ``exited`` is "intentionally
departed from the activity" (``voided`` only ever targets statements);
``progressed`` carries how far the worker advanced (``result.duration`` is the
credited study time; ``experienced`` would claim no more than an encounter);
a presence prompt is a question the platform *asks the worker*, so the worker
is the object there (the prompt is a context activity), and the worker's
reply is ``answered``; a check-in records presence, which is ``attended``.

The worker is an Agent identified by an ``account`` on
``XAPI_ACCOUNT_HOMEPAGE`` named by the user's primary key (never a name or a
phone number). Activity ids are the site's absolute page URLs
(``WAGTAILADMIN_BASE_URL``); lesson facts name the course as parent;
``context.registration`` is the enrolment's UUID.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings

ADL_VERB = "http://adlnet.gov/expapi/verbs/"
ADL_ACTIVITY = "http://adlnet.gov/expapi/activities/"

REGISTERED = ADL_VERB + "registered"
EXITED = ADL_VERB + "exited"
PROGRESSED = ADL_VERB + "progressed"
ASKED = ADL_VERB + "asked"
ANSWERED = ADL_VERB + "answered"
ATTENDED = ADL_VERB + "attended"

COURSE = ADL_ACTIVITY + "course"
LESSON = ADL_ACTIVITY + "lesson"
MEETING = ADL_ACTIVITY + "meeting"
QUESTION = ADL_ACTIVITY + "question"

PLATFORM = "Jiangxue"
# The platform's own account name: never all digits, so never a user's.
PLATFORM_ACCOUNT = "jiangxue"

_DISPLAY = {
    REGISTERED: {"en-US": "registered", "zh-CN": "报名了"},
    EXITED: {"en-US": "exited", "zh-CN": "退出了"},
    PROGRESSED: {"en-US": "progressed", "zh-CN": "学习了"},
    ASKED: {"en-US": "asked", "zh-CN": "提问了"},
    ANSWERED: {"en-US": "answered", "zh-CN": "回答了"},
    ATTENDED: {"en-US": "attended", "zh-CN": "签到了"},
}


def homepage() -> str:
    return settings.XAPI_ACCOUNT_HOMEPAGE


def site_url(path: str) -> str:
    """An absolute IRI on the site for a root-relative path (or a URL that is
    already absolute, as Wagtail gives for a page of another site)."""
    if "://" in path:
        return path
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/" + path.lstrip("/")


def worker_agent(user_id: int) -> dict:
    """The worker as an xAPI Agent: an account on the platform, no PII."""
    return {"objectType": "Agent", "account": {"homePage": homepage(), "name": str(user_id)}}


def platform_agent() -> dict:
    """The platform itself: the authority of its statements, and the one
    asking presence prompts."""
    return {
        "objectType": "Agent",
        "name": PLATFORM,
        "account": {"homePage": homepage(), "name": PLATFORM_ACCOUNT},
    }


def verb(verb_id: str) -> dict:
    return {"id": verb_id, "display": _DISPLAY[verb_id]}


def activity(*, url: str, name: str, activity_type: str | None = None) -> dict:
    """An Activity with a definition; titles are written in Chinese."""
    definition: dict = {"name": {"zh-CN": name}}
    if activity_type:
        definition["type"] = activity_type
    return {"objectType": "Activity", "id": site_url(url), "definition": definition}


def duration(seconds: float) -> str:
    """ISO 8601 duration to the hundredth of a second: ``PT1M30S``,
    ``PT1H0M2.5S``."""
    centis = max(0, round(seconds * 100))
    hours, centis = divmod(centis, 360_000)
    minutes, centis = divmod(centis, 6_000)
    whole, fraction = divmod(centis, 100)
    second = f"{whole}.{fraction:02d}".rstrip("0").rstrip(".") if fraction else str(whole)
    if hours:
        return f"PT{hours}H{minutes}M{second}S"
    if minutes:
        return f"PT{minutes}M{second}S"
    return f"PT{second}S"


def timestamp(moment: dt.datetime) -> str:
    """An instant as statements carry it: UTC, microseconds, ``Z``."""
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _context(*, registration=None, parent: dict | None = None, grouping: dict | None = None,
             other: dict | None = None, with_platform: bool = True) -> dict:  # fmt: skip
    context: dict = {}
    if registration is not None:
        context["registration"] = str(uuid.UUID(str(registration)))
    activities = {
        key: [value]
        for key, value in (("parent", parent), ("grouping", grouping), ("other", other))
        if value
    }
    if activities:
        context["contextActivities"] = activities
    if with_platform:
        # Data 2.4.6: "platform" only when the object is an Activity.
        context["platform"] = PLATFORM
    return context


def _statement(*, actor: dict, verb_id: str, target: dict, when: dt.datetime, **parts) -> dict:
    statement = {
        "id": str(uuid.uuid4()),
        "actor": actor,
        "verb": verb(verb_id),
        "object": target,
        "timestamp": timestamp(when),
    }
    statement.update({key: value for key, value in parts.items() if value})
    return statement


# --- one builder per fact ------------------------------------------------------------


def enrolled(*, user_id: int, enrolment_id, course: dict, when: dt.datetime) -> dict:
    """``progress.enrolled``: the worker registered for the course."""
    return _statement(
        actor=worker_agent(user_id),
        verb_id=REGISTERED,
        target=course,
        when=when,
        context=_context(registration=enrolment_id),
    )


def withdrawn(*, user_id: int, enrolment_id, course: dict, when: dt.datetime) -> dict:
    """``progress.withdrawn``: the worker left the course before completing it."""
    return _statement(
        actor=worker_agent(user_id),
        verb_id=EXITED,
        target=course,
        when=when,
        context=_context(registration=enrolment_id),
    )


def study_credited(
    *, user_id: int, enrolment_id, lesson: dict, course: dict | None, seconds: float,
    when: dt.datetime,
) -> dict:  # fmt: skip
    """``progress.study.credited``: credited study time of one play session
    of a lesson, as ``result.duration``."""
    return _statement(
        actor=worker_agent(user_id),
        verb_id=PROGRESSED,
        target=lesson,
        when=when,
        result={"duration": duration(seconds)},
        context=_context(registration=enrolment_id, parent=course),
    )


# --- completion (``progress.completed``) ------------------------------------------

COMPLETED = ADL_VERB + "completed"
_DISPLAY[COMPLETED] = {"en-US": "completed", "zh-CN": "完成了"}


def course_completed(
    *, user_id: int, enrolment_id, course: dict, seconds: float, when: dt.datetime
) -> dict:
    """``progress.completed``: the worker met the course's completion rule;
    ``result.duration`` is the credited study time."""
    return _statement(
        actor=worker_agent(user_id),
        verb_id=COMPLETED,
        target=course,
        when=when,
        result={"completion": True, "success": True, "duration": duration(seconds)},
        context=_context(registration=enrolment_id),
    )


def course_passed(
    *, user_id: int, enrolment_id, course: dict, score: float, when: dt.datetime
) -> dict:
    """With ``progress.completed`` of a course that has a final exam: the
    worker passed the course, with the final exam's score (percent)."""
    return _statement(
        actor=worker_agent(user_id),
        verb_id=PASSED,
        target=course,
        when=when,
        result={
            "score": {"scaled": round(score / 100, 4), "raw": score, "min": 0, "max": 100},
            "success": True,
            "completion": True,
        },
        context=_context(registration=enrolment_id),
    )


def prompt_activity(*, lesson_url: str, prompt_id) -> dict:
    """A presence prompt (防挂机) as a question Activity, under its lesson's
    URL so that the id stays on the site."""
    return activity(
        url=f"{site_url(lesson_url)}#presence-{prompt_id}",
        name="在线确认",
        activity_type=QUESTION,
    )


def presence_asked(
    *, user_id: int, enrolment_id, lesson: dict, course: dict | None, prompt_id,
    when: dt.datetime,
) -> dict:  # fmt: skip
    """``progress.presence.asked``: the platform asked the worker to confirm
    presence during a lesson."""
    return _statement(
        actor=platform_agent(),
        verb_id=ASKED,
        target=worker_agent(user_id),
        when=when,
        context=_context(
            registration=enrolment_id,
            parent=lesson,
            grouping=course,
            other=prompt_activity(lesson_url=lesson["id"], prompt_id=prompt_id),
            with_platform=False,
        ),
    )


def presence_answered(
    *, user_id: int, enrolment_id, lesson: dict, course: dict | None, prompt_id,
    when: dt.datetime,
) -> dict:  # fmt: skip
    """``progress.presence.answered``: the worker confirmed presence."""
    return _statement(
        actor=worker_agent(user_id),
        verb_id=ANSWERED,
        target=prompt_activity(lesson_url=lesson["id"], prompt_id=prompt_id),
        when=when,
        context=_context(registration=enrolment_id, parent=lesson, grouping=course),
    )


def daily_checkin(*, user_id: int, url: str, when: dt.datetime) -> dict:
    """``progress.checkin.daily``: the worker's daily study check-in (签到)."""
    return _statement(
        actor=worker_agent(user_id),
        verb_id=ATTENDED,
        target=activity(url=url, name="每日学习打卡"),
        when=when,
        context=_context(),
    )


def class_checkin(
    *, user_id: int, session: dict, course: dict, enrolment_id=None, when: dt.datetime
) -> dict:
    """``progress.checkin.class``: the worker attended an offline class of a
    course (checked in with the rotating QR code)."""
    return _statement(
        actor=worker_agent(user_id),
        verb_id=ATTENDED,
        target=session,
        when=when,
        context=_context(registration=enrolment_id, parent=course),
    )


# --- quizzes and exams (``progress.quiz_submitted``) ------------------------------

PASSED = ADL_VERB + "passed"
FAILED = ADL_VERB + "failed"
ASSESSMENT = ADL_ACTIVITY + "assessment"
_DISPLAY[PASSED] = {"en-US": "passed", "zh-CN": "通过了"}
_DISPLAY[FAILED] = {"en-US": "failed", "zh-CN": "未通过"}


def quiz_submitted(
    *, user_id: int, enrolment_id, quiz: dict, parent: dict | None, course: dict | None,
    passed: bool, raw: float, maximum: float, seconds: float, when: dt.datetime,
) -> dict:  # fmt: skip
    """``progress.quiz_submitted``: the worker passed or failed a section
    quiz or final exam (an attempt that ran out of time fails with 0);
    ``quiz`` is the quiz page's Activity (type assessment), ``parent`` its
    lesson (or the course for a final exam)."""
    scaled = round(raw / maximum, 4) if maximum else 0.0
    return _statement(
        actor=worker_agent(user_id),
        verb_id=PASSED if passed else FAILED,
        target=quiz,
        when=when,
        result={
            "score": {"scaled": scaled, "raw": raw, "min": 0, "max": maximum},
            "success": passed,
            "completion": True,
            "duration": duration(seconds),
        },
        context=_context(
            registration=enrolment_id,
            parent=parent,
            grouping=course if course is not parent else None,
        ),
    )


# --- practical tasks (``progress.practical.submitted`` / ``.graded``) -------------
# The task is a performance Activity under its lesson's URL; submitting it is
# ``attempted`` (nothing judged yet), the instructor's grade is ``passed`` or
# ``failed`` with the rubric's points as the score.

ATTEMPTED = ADL_VERB + "attempted"
PERFORMANCE = ADL_ACTIVITY + "performance"
_DISPLAY[ATTEMPTED] = {"en-US": "attempted", "zh-CN": "提交了"}
_DISPLAY.setdefault(ADL_VERB + "passed", {"en-US": "passed", "zh-CN": "通过了"})
_DISPLAY.setdefault(ADL_VERB + "failed", {"en-US": "failed", "zh-CN": "未通过"})


def practical_activity(*, lesson_url: str, title: str) -> dict:
    """A lesson's practical task (实操作业) as a performance Activity."""
    return activity(
        url=f"{site_url(lesson_url)}#practical", name=f"{title} · 实操作业",
        activity_type=PERFORMANCE,
    )  # fmt: skip


def practical_submitted(
    *, user_id: int, enrolment_id, task: dict, lesson: dict, course: dict | None,
    when: dt.datetime,
) -> dict:  # fmt: skip
    """``progress.practical.submitted``: the worker handed in photos or a
    video of their work for a lesson's practical task."""
    return _statement(
        actor=worker_agent(user_id),
        verb_id=ATTEMPTED,
        target=task,
        when=when,
        context=_context(registration=enrolment_id, parent=lesson, grouping=course),
    )


def practical_graded(
    *, user_id: int, enrolment_id, task: dict, lesson: dict, course: dict | None,
    passed: bool, raw: int, maximum: int, instructor_id: int, when: dt.datetime,
) -> dict:  # fmt: skip
    """``progress.practical.graded``: an instructor (``context.instructor``)
    graded the submission against the rubric: ``passed`` or ``failed`` with
    the points as score."""
    context = _context(registration=enrolment_id, parent=lesson, grouping=course)
    context["instructor"] = worker_agent(instructor_id)
    return _statement(
        actor=worker_agent(user_id),
        verb_id=ADL_VERB + ("passed" if passed else "failed"),
        target=task,
        when=when,
        result={
            "score": {
                "scaled": round(raw / maximum, 4) if maximum else 0.0,
                "raw": raw,
                "min": 0,
                "max": maximum,
            },
            "success": passed,
            "completion": True,
        },
        context=context,
    )
