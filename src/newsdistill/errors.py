"""Why an input was skipped: one exception type, carried to the user as a reason."""


class SkipInput(Exception):
    """Raised by a stage when an input cannot be processed; the batch goes on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ModelFileError(RuntimeError):
    """A shipped model's files are missing or unreadable; the message names the file and the command
    that rebuilds it. Never a silent fallback to another model."""


class OptionError(ValueError):
    """Options that cannot go together (`train`'s, say); the message names them. A usage error: one line."""
