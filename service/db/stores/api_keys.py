"""API keys: shown once at creation, stored as a SHA-256 hash, compared in constant time.

A key looks like ``tf_<prefix>_<secret>``. The prefix (8 characters) finds the row; the hash of
the whole key is compared with ``hmac.compare_digest``. Keys are high-entropy random strings, so a
plain SHA-256 is the right tool (a slow password hash would only slow every request).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from service.errors import NotFound, UserError

SCOPES = ("read", "curate", "ingest", "admin")


@dataclass(frozen=True)
class ApiKey:
    id: int
    name: str
    prefix: str
    scopes: frozenset[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def allows(self, scope: str) -> bool:
        return not self.revoked and (scope in self.scopes or "admin" in self.scopes)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def check_scopes(scopes: list[str] | tuple[str, ...]) -> list[str]:
    cleaned = sorted({s.strip().lower() for s in scopes if s.strip()})
    if not cleaned:
        raise UserError("a key needs at least one scope: " + ", ".join(SCOPES))
    unknown = [s for s in cleaned if s not in SCOPES]
    if unknown:
        raise UserError(
            f"unknown scope {unknown[0]!r}; known scopes: " + ", ".join(SCOPES), field="scopes"
        )
    return cleaned


def _row(r: asyncpg.Record) -> ApiKey:
    return ApiKey(
        id=r["id"],
        name=r["name"],
        prefix=r["prefix"],
        scopes=frozenset(r["scopes"]),
        created_at=r["created_at"],
        last_used_at=r["last_used_at"],
        revoked_at=r["revoked_at"],
    )


async def create_key(conn: asyncpg.Connection, name: str, scopes: list[str]) -> tuple[ApiKey, str]:
    """Create a key; return the stored record and the key itself (the only time it is shown)."""
    cleaned = check_scopes(scopes)
    if not name.strip():
        raise UserError("a key needs a name", field="name")
    prefix = secrets.token_hex(4)
    key = f"tf_{prefix}_{secrets.token_urlsafe(32)}"
    row = await conn.fetchrow(
        """INSERT INTO api_key (name, prefix, key_hash, scopes) VALUES ($1, $2, $3, $4)
           RETURNING *""",
        name.strip(),
        prefix,
        hash_key(key),
        cleaned,
    )
    assert row is not None
    return _row(row), key


async def list_keys(conn: asyncpg.Connection, include_revoked: bool = True) -> list[ApiKey]:
    rows = await conn.fetch(
        "SELECT * FROM api_key WHERE $1 OR revoked_at IS NULL ORDER BY id", include_revoked
    )
    return [_row(r) for r in rows]


async def revoke_key(conn: asyncpg.Connection, key_id_or_prefix: str) -> ApiKey:
    ident = key_id_or_prefix.strip()
    if ident.isdigit():
        row = await conn.fetchrow(
            "UPDATE api_key SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING *",
            int(ident),
        )
    else:
        row = await conn.fetchrow(
            """UPDATE api_key SET revoked_at = coalesce(revoked_at, now())
               WHERE prefix = $1 RETURNING *""",
            ident.removeprefix("tf_").split("_")[0],
        )
    if row is None:
        raise NotFound(f"no API key with id or prefix {ident!r}")
    return _row(row)


async def verify_key(conn: asyncpg.Connection, token: str) -> ApiKey | None:
    """The key for ``token`` if it exists and is not revoked; None otherwise."""
    parts = token.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != "tf" or len(parts[1]) != 8:
        return None
    row = await conn.fetchrow("SELECT * FROM api_key WHERE prefix = $1", parts[1])
    if row is None:
        # Compare anyway so a wrong prefix costs the same as a wrong secret.
        hmac.compare_digest(hash_key(token), "0" * 64)
        return None
    if not hmac.compare_digest(hash_key(token), row["key_hash"]):
        return None
    key = _row(row)
    if key.revoked:
        return None
    await conn.execute("UPDATE api_key SET last_used_at = now() WHERE id = $1", key.id)
    return key
