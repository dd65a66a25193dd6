"""A database outage for one test's database: new connections refused, existing ones cut."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import asyncpg


class Outage:
    def __init__(self, admin: asyncpg.Connection, name: str) -> None:
        self.admin = admin
        self.name = name

    async def begin(self) -> None:
        await self.admin.execute(f'ALTER DATABASE "{self.name}" WITH ALLOW_CONNECTIONS false')
        await self.admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid()",
            self.name,
        )

    async def end(self) -> None:
        await self.admin.execute(f'ALTER DATABASE "{self.name}" WITH ALLOW_CONNECTIONS true')


@asynccontextmanager
async def outage_control(server_url: str, db_url: str) -> AsyncIterator[Outage]:
    """Yields an Outage to begin and end; the database always accepts connections after."""
    admin = await asyncpg.connect(server_url)
    outage = Outage(admin, urlsplit(db_url).path.strip("/"))
    try:
        yield outage
    finally:
        await outage.end()
        await admin.close()
