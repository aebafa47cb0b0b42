"""The one exception domain rules raise: bad input, not allowed, or a workflow conflict."""

from __future__ import annotations


class DomainError(Exception):
    """A refusal the user can act on; nothing has been written when it is raised.

    ``code`` is stable (the API and sync conflicts use it); ``message`` names the field or
    rule in words a person understands; ``field`` names the input at fault, if one is.
    """

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def __repr__(self) -> str:
        return f"DomainError({self.code!r}, {self.message!r}, field={self.field!r})"


# Stable error codes, grouped by the HTTP status the server will map them to.
NOT_FOUND = "not_found"  # 404: also for what the actor may not see
NOT_VISIBLE = "not_visible"  # 404
FORBIDDEN = "forbidden"  # 403
NOT_OWNER = "not_owner"  # 409
INVALID_TRANSITION = "invalid_transition"  # 409
LOCKED = "locked"  # 409
GROUP_LIMIT = "group_limit"  # 409
VALIDATION = "validation"  # 422
DUPLICATE = "duplicate"  # 409
