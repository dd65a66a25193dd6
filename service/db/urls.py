"""Database URL handling: one URL format in settings, the right flavour for each driver."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from service.errors import ConfigError

SCHEMES = ("postgresql", "postgres", "postgresql+asyncpg")


def check_database_url(url: str) -> str:
    """Return ``url`` if it is a PostgreSQL URL, else raise ConfigError saying what is wrong."""
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise ConfigError(
            f"DATABASE_URL: scheme {parts.scheme or '(none)'!r} is not PostgreSQL; "
            "expected postgresql://user:password@host:port/database"
        )
    if not parts.path.strip("/") and "dbname=" not in parts.query:
        raise ConfigError("DATABASE_URL: no database name; expected postgresql://…/database")
    return url


def to_asyncpg_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(("postgresql", *parts[1:]))


def to_sqlalchemy_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(("postgresql+asyncpg", *parts[1:]))


def with_database(url: str, database: str) -> str:
    """The same server URL pointing at another database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, parts.fragment))


def redact(url: str) -> str:
    """The URL without its password, for logs and messages."""
    parts = urlsplit(url)
    if not parts.password:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
