"""Every write of the progress app (re-exported from its modules)."""

from .certificates import *  # noqa: F403
from .checkins import *  # noqa: F403
from .completion import *  # noqa: F403
from .enrolments import *  # noqa: F403
from .practical import *  # noqa: F403
from .quizzes import *  # noqa: F403
from .study import *  # noqa: F403
