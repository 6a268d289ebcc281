"""Every read of the Learning Record Store (re-exported from its modules)."""

from .statements import *  # noqa: F403
