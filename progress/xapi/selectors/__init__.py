"""Every read of the Learning Record Store (re-exported from its modules)."""

from .agents import *  # noqa: F403
from .attachments import *  # noqa: F403
from .documents import *  # noqa: F403
from .statements import *  # noqa: F403
