"""A new institution takes the first free slug from its base, without a runaway series."""

from __future__ import annotations

import asyncpg

from service.db.stores.institution_writes import create_unreviewed


async def _create(conn: asyncpg.Connection, base: str) -> str:
    _, slug, _, _, _ = await create_unreviewed(
        conn,
        base_slug=base,
        name=base.title(),
        kind="company",
        country_code=None,
        city=None,
        website=None,
        parent_id=None,
        search_text=base,
        aliases=[],
        pairs=[],
        source="test",
    )
    return slug


async def test_a_taken_slug_gets_the_first_free_suffix_at_once(db_url: str) -> None:
    conn = await asyncpg.connect(db_url)
    try:
        # The old statement materialised generate_series(2, 2^31) whenever the base slug was
        # taken, which ran into any statement timeout.
        await conn.execute("SET statement_timeout = '3s'")
        assert await _create(conn, "acme-labs") == "acme-labs"
        assert await _create(conn, "acme-labs") == "acme-labs-2"
        await conn.execute(
            "INSERT INTO institution (slug, name, search_text) "
            "VALUES ('acme-labs-3', 'x', 'x'), ('acme-labs-5', 'y', 'y')"
        )
        assert await _create(conn, "acme-labs") == "acme-labs-4"
        assert await _create(conn, "acme-labs") == "acme-labs-6"
    finally:
        await conn.close()


async def test_an_institution_stored_meanwhile_is_found_not_created_again(
    pool: asyncpg.Pool,
) -> None:
    """Another ingester instance stored the institution after this run loaded its index: the
    same name (as an alias, in a compatible country), the same external id, or the same slug
    the reference gives, answers with the stored row instead of a second one."""
    options = {
        "kind": "company",
        "city": None,
        "website": None,
        "parent_id": None,
        "search_text": "x",
        "source": "test",
    }
    async with pool.acquire() as conn:
        first = await create_unreviewed(
            conn, base_slug="acme-ai", name="Acme AI", country_code="US",
            aliases=[("Acme AI", "acme ai")], pairs=[("ror", "012345678")], **options,
        )  # fmt: skip
        assert first[4] is False
        by_name = await create_unreviewed(
            conn, base_slug="acme-ai", name="ACME AI", country_code=None,
            aliases=[("ACME AI", "acme ai")], pairs=[], **options,
        )  # fmt: skip
        by_id = await create_unreviewed(
            conn, base_slug="other", name="Other", country_code="US",
            aliases=[("Other", "other")], pairs=[("ror", "012345678")], **options,
        )  # fmt: skip
        by_slug = await create_unreviewed(
            conn, base_slug="acme-ai", name="Something", country_code="US",
            aliases=[("Something", "something")], pairs=[], explicit_slug=True, **options,
        )  # fmt: skip
        assert by_name == by_id == by_slug == (first[0], "acme-ai", 0, 0, True)
        # The same name in another country is another institution.
        elsewhere = await create_unreviewed(
            conn, base_slug="acme-ai", name="Acme AI", country_code="FR",
            aliases=[("Acme AI", "acme ai")], pairs=[], **options,
        )  # fmt: skip
        assert elsewhere[1] == "acme-ai-2" and elsewhere[4] is False
        count = await conn.fetchval("SELECT count(*) FROM institution WHERE slug LIKE 'acme-ai%'")
        assert count == 2
