"""Every write of the Learning Record Store (re-exported from its modules)."""

from .documents import *  # noqa: F403
from .forwarding import *  # noqa: F403
from .outbox import *  # noqa: F403
from .statements import *  # noqa: F403
