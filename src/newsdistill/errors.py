"""Why an input was skipped: one exception type, carried to the user as a reason."""


class SkipInput(Exception):
    """Raised by a stage when an input cannot be processed; the batch goes on."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
