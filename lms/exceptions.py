"""The one domain error type that crosses layers."""


class ApplicationError(Exception):
    """A business rule refused the operation. ``message`` is already
    translated for the user; ``extra`` carries field-level details."""

    def __init__(self, message, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.extra = extra or {}
