"""The benchmark generator's education stints: their shape, and that they load and feed the
pipeline (a small scale, so it runs in the suite)."""

from __future__ import annotations

import asyncpg

from tests import bench_scripts


def test_doctorates_end_when_the_first_stint_starts() -> None:
    gen = bench_scripts.load("generate")
    ds = gen.generate(7, 0.001)
    first: dict[int, int] = {}
    for aff in ds.rows["affiliation"]:
        first[aff[1]] = min(first.get(aff[1], 9999), aff[4].year)
    edu = ds.rows["education"]
    phds = {row[1]: row for row in edu if row[3] == "doctorate"}
    bachelors = [row for row in edu if row[3] == "bachelor"]
    researchers = len(ds.rows["researcher"])
    assert 0.6 * researchers < len(phds) < 0.8 * researchers
    assert 0.7 * len(phds) < len(bachelors) < 0.9 * len(phds)
    for rid, phd in phds.items():
        assert phd[6].year == first[rid] and phd[4].year == first[rid] - 5
    for ba in bachelors:
        assert ba[6].year == phds[ba[1]][4].year  # the bachelor's ends as the doctorate starts
    kinds = {i.id: i.kind for i in ds.institutions}
    assert {kinds[row[2]] for row in edu} == {"university"}
    # its own random stream: the same seed gives the same rows
    assert gen.generate(7, 0.001).rows["education"] == edu


async def test_the_educations_load(db_url: str) -> None:
    gen = bench_scripts.load("generate")
    ds = gen.generate(7, 0.001)
    counts = await gen.load(db_url, ds, reset=False)
    assert counts["education"] == len(ds.rows["education"])
    conn = await asyncpg.connect(db_url)
    try:
        stored = await conn.fetchval("SELECT count(*) FROM education WHERE degree = 'doctorate'")
        next_id = await conn.fetchval(
            "INSERT INTO education (researcher_id, institution_id, degree, source) "
            "SELECT 1, institution_id, 'postdoc', 'test' FROM education LIMIT 1 RETURNING id"
        )
    finally:
        await conn.close()
    assert stored == sum(1 for row in ds.rows["education"] if row[3] == "doctorate")
    assert next_id == len(ds.rows["education"]) + 1  # the identity follows the COPYed ids
