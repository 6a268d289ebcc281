"""Errors of the media pipeline.

``MediaError`` is the project's one domain error (``ApplicationError``): the
input is bad and retrying will not help; its message is shown to the
instructor. ``TransientError`` means "try again later" (storage or network
trouble) and is what the Celery task retries on.
"""

from lms.exceptions import ApplicationError


class MediaError(ApplicationError):
    """The file cannot be turned into a video; ``message`` says why."""


class TransientError(Exception):
    """A temporary failure (storage, network); the task retries with back-off."""
