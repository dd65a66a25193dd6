"""The ingest counters are counted by whichever process runs the pipeline: a run made in the
API's process shows up in its ``/metrics``."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from prometheus_client.parser import text_string_to_metric_families

from service.config import load_settings
from service.db.pool import create_pool
from service.ingest.pipeline import run_ingester

OBSERVATIONS = [
    {"type": "researcher_seen", "name": "Ada Lovelace", "ids": {"openalex": "A7000000001"}},
    {"type": "researcher_seen", "name": "Alan Turing", "ids": {"openalex": "A7000000002"}},
    {"type": "researcher_seen", "name": "", "ids": {}},  # rejected: a name is required
]


def counters(text: str) -> dict[tuple[str, str, str], float]:
    """``(metric, plugin, outcome) -> value`` of the ingest counters."""
    out: dict[tuple[str, str, str], float] = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name.startswith("talentflow_ingest_") and s.name.endswith("_total"):
                out[(s.name, s.labels["plugin"], s.labels["outcome"])] = s.value
    return out


def delta(
    before: dict[tuple[str, str, str], float], after: dict[tuple[str, str, str], float]
) -> dict[tuple[str, str, str], float]:
    return {k: v - before.get(k, 0) for k, v in after.items() if v - before.get(k, 0)}


async def test_an_ingest_run_is_counted_in_the_metrics_of_its_process(
    db_url: str, tmp_path: Path
) -> None:
    from service.api.app import create_app

    path = tmp_path / "people.jsonl"
    path.write_text("".join(json.dumps(o) + "\n" for o in OBSERVATIONS), encoding="utf-8")
    settings = load_settings(database_url=db_url, data_dir=tmp_path)
    app = create_app(settings, database_url=db_url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            before = counters((await c.get("/metrics")).text)
            pool = await create_pool(db_url, min_size=1, max_size=2)
            try:
                first = await run_ingester(pool, "jsonl", {"path": str(path)}, settings=settings)
                again = await run_ingester(
                    pool, "jsonl", {"path": str(path)}, instance="jsonl-again", settings=settings
                )
            finally:
                await pool.close()
            r = await c.get("/metrics")
    assert r.status_code == 200
    assert first.status == again.status == "succeeded"
    runs = "talentflow_ingest_runs_finished_total"
    seen = "talentflow_ingest_observations_processed_total"
    assert delta(before, counters(r.text)) == {
        (runs, "jsonl", "succeeded"): 2,
        (seen, "jsonl", "created"): 2,
        (seen, "jsonl", "unchanged"): 2,  # the second instance finds both already there
        (seen, "jsonl", "rejected"): 2,
    }
