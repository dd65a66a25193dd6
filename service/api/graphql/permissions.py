"""Scope checks for mutations, as strawberry permission classes.

A key comes from ``Authorization: Bearer <key>``; ``admin`` implies every scope. A failed check
does not raise: the field resolves to a ``PermissionError`` member of its result union.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, ClassVar

from strawberry.permission import BasePermission

from service.api.graphql.context import Info
from service.api.graphql.errors import PermissionDeniedError
from service.db.stores.api_keys import ApiKey

_failure: ContextVar[tuple[str, str]] = ContextVar("permission_failure")


def actor(key: ApiKey) -> str:
    """How the audit log names the caller."""
    return f"api_key:{key.id}:{key.name}"


class _ScopePermission(BasePermission):
    scope: ClassVar[str]

    async def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        key = await info.context.api_key()
        if key is None:
            _failure.set(
                (
                    "UNAUTHENTICATED",
                    f"this operation needs an API key with the {self.scope!r} scope, passed as "
                    "`Authorization: Bearer <key>`; none was given or it is invalid or revoked",
                )
            )
            return False
        if not key.allows(self.scope):
            _failure.set(
                (
                    "FORBIDDEN",
                    f"the API key {key.name!r} lacks the {self.scope!r} scope this operation needs",
                )
            )
            return False
        return True

    def on_unauthorized(self) -> PermissionDeniedError:  # type: ignore[override]
        code, message = _failure.get(("FORBIDDEN", f"needs the {self.scope!r} scope"))
        return PermissionDeniedError(message=message, code=code)


class CanCurate(_ScopePermission):
    scope = "curate"
    message = "needs the 'curate' scope"


class CanIngest(_ScopePermission):
    scope = "ingest"
    message = "needs the 'ingest' scope"


async def require_key(info: Info) -> ApiKey:
    """The caller's key (a permission class has already checked it)."""
    key = await info.context.api_key()
    assert key is not None
    return key
