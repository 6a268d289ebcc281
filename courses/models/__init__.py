"""The courses app's tables, one module per subject, re-exported here so that
``from courses.models import X`` works for all of them:

- ``pages``: the Wagtail page tree HomePage → CatalogueIndexPage → TradePage
  → CoursePage → LessonPage;
- ``practical``: a lesson's practical task and its rubric (fields of LessonPage);
- ``questions``: question banks (a snippet: bank → questions → options);
- ``quizzes``: quizzes and exams (a snippet: quiz → draws from banks).
"""

from .pages import *  # noqa: F403
from .practical import *  # noqa: F403
from .questions import *  # noqa: F403
from .quizzes import *  # noqa: F403
