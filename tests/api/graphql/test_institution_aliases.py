"""``Institution.aliases`` is every name seen for an institution, seeded ones included, even
a seeded name that normalises like another (a company's short name beside its full one)."""

from __future__ import annotations

import asyncpg

from service.db.stores.institutions import seed_institutions
from tests.api.graphql.conftest import Gql
from tests.api.graphql.seed import data_of


async def test_seeded_aliases_that_normalise_alike_are_all_listed(
    gql: Gql, pool: asyncpg.Pool
) -> None:
    async with pool.acquire() as conn:
        await seed_institutions(conn)
        stored = await conn.fetchval(
            "SELECT count(*) FROM institution_alias a JOIN institution i "
            "ON i.id = a.institution_id WHERE i.slug = 'alphabet'"
        )
    out = data_of(await gql('{ institution(slug: "alphabet") { aliases } }'))
    aliases = out["institution"]["aliases"]
    assert {"Alphabet", "Alphabet Inc."} <= set(aliases)
    assert len(aliases) > stored  # more names than the alias table keeps
