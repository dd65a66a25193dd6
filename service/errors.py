"""The error hierarchy. One root, ``TalentflowError``; subclasses grouped by remedy.

Each error carries a user-facing ``message`` (safe to show to a client) and optional structured
attributes; internal detail goes to logs, never to clients.
"""

from __future__ import annotations

from typing import Any


class TalentflowError(Exception):
    """Root of every error this package raises on purpose."""

    code = "INTERNAL"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def __repr__(self) -> str:
        extra = "".join(f", {k}={v!r}" for k, v in self.details.items())
        return f"{type(self).__name__}({self.message!r}{extra})"


class ConfigError(TalentflowError):
    """A setting or a configuration file is wrong; the operator must fix it."""

    code = "CONFIG"


class DatabaseError(TalentflowError):
    """The database cannot be reached or is not in the state we need."""

    code = "DATABASE"


class DatabaseUnavailable(DatabaseError):
    """The database is down or unreachable; retrying later may work."""

    code = "DATABASE_UNAVAILABLE"


class SchemaOutOfDate(DatabaseError):
    """The database is not at the migration head this code expects."""

    code = "SCHEMA_OUT_OF_DATE"


class UserError(TalentflowError):
    """The request is wrong; the message says what and where. Safe to show to clients."""

    code = "BAD_REQUEST"


class NotFound(UserError):
    code = "NOT_FOUND"


class Conflict(UserError):
    code = "CONFLICT"


class PermissionDenied(UserError):
    code = "FORBIDDEN"


class Unauthenticated(UserError):
    code = "UNAUTHENTICATED"


class LimitExceeded(UserError):
    code = "LIMIT_EXCEEDED"


class BadUserInput(UserError):
    """A value no request may carry (too long, too many terms, a byte PostgreSQL cannot store,
    a number out of range); the message names the field."""

    code = "BAD_USER_INPUT"


class QueryTimeout(DatabaseError):
    """A request's time budget ran out before its statements finished; narrowing the request
    or retrying later may work."""

    code = "QUERY_TIMEOUT"
