"""GraphQL during a database outage: a stable, retryable error code, never a masked 500."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import httpx

from tests.api.rest.conftest import make_settings
from tests.outage import outage_control

QUERY = {"query": "{ moves(first: 5) { totalCount edges { node { id } } } }"}


async def test_outage_is_database_unavailable_and_recovers(
    db_url: str, server_url: str, seeded: object, tmp_path: Path
) -> None:
    from service.api.app import create_app

    settings = make_settings(db_url, tmp_path, db_acquire_timeout_s=1.0, pool_min_size=1)
    app = create_app(settings, database_url=db_url)
    name = urlsplit(db_url).path.strip("/")
    async with outage_control(server_url, db_url) as outage, app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            ok = await c.post("/graphql", json=QUERY)
            total = ok.json()["data"]["moves"]["totalCount"]
            assert total > 0
            await outage.begin()
            for _ in range(2):
                r = await c.post("/graphql", json=QUERY)
                assert r.status_code == 503 and r.headers["retry-after"] == "5"
                errors = r.json()["errors"]
                assert {e["extensions"]["code"] for e in errors} == {"DATABASE_UNAVAILABLE"}
                assert "retry" in errors[0]["message"]
                assert name not in r.text  # no connection details leak
            await outage.end()
            again = await c.post("/graphql", json=QUERY)
            assert again.json()["data"]["moves"]["totalCount"] == total
