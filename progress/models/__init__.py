"""The progress app's tables, one module per subject, re-exported here so that
``from progress.models import X`` works for all of them:

- ``learning``: enrolments, play sessions, credited intervals, lesson
  progress, presence prompts, check-ins and bulk assignment jobs;
- ``certificates``: course completions and their certificates;
- ``practical``: practical task submissions (photos, video) and their grades;
- ``quizzes``: quiz and exam attempts and the questions they drew;
- ``progress.xapi.models``: the Learning Record Store.
"""

from progress.xapi.models import *  # noqa: F403

from .certificates import *  # noqa: F403
from .learning import *  # noqa: F403
from .learning import _class_session_secret  # noqa: F401  (migration 0002 refers to it)
from .practical import *  # noqa: F403
from .quizzes import *  # noqa: F403
