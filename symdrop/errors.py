"""The one small hierarchy of errors symdrop reports to its users."""


class SymdropError(Exception):
    """Anything symdrop reports as one clear line, with exit status 2 on the command line."""


class SpecError(SymdropError):
    """A problem spec that is missing, unreadable or malformed; names the field at fault."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}" if field else message)


class RenderError(SymdropError):
    """A document that could not be rendered or compiled."""


def describe(value) -> str:
    """A short, readable name for a wrong value in an error message."""
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, list):
        return "a list" if value else "an empty list"
    if isinstance(value, dict):
        return "a mapping"
    return repr(value)
