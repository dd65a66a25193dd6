"""``service/data/demo.jsonl`` is what ``bench/demo_data.py`` writes, and says it is fictional."""

from __future__ import annotations

import json

from service.cli import DEMO_DATA
from tests.bench_scripts import load


def test_the_committed_demo_data_is_what_the_script_writes() -> None:
    assert DEMO_DATA.read_text(encoding="utf-8") == load("demo_data").render(), (
        "service/data/demo.jsonl is out of date: run `python bench/demo_data.py`"
    )


def test_every_demo_document_says_it_is_fictional() -> None:
    lines = [json.loads(line) for line in DEMO_DATA.read_text(encoding="utf-8").splitlines()]
    documents = [x for x in lines if x["type"] == "document_seen"]
    assert documents
    for doc in documents:
        assert "fictional" in doc["title"], doc["url"]
        assert ".demo.talentflow.example/" in doc["url"] or doc["url"].startswith(
            "https://demo.talentflow.example/"
        )
    cited = {x["document_url"] for x in lines if x.get("document_url")}
    assert cited <= {d["url"] for d in documents}, "every claim cites a fictional document"
    postings = [x for x in lines if x["type"] == "job_posting_seen"]
    assert all(p["url"].startswith("https://jobs.demo.talentflow.example/") for p in postings)
