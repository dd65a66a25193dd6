"""The end-to-end hiring-signal harness (``bench/quality_jobs_e2e.py``): it reads a set in the
``jobs`` format, refuses a malformed one clearly, and scores what GraphQL returns after a real
ingest from boards served on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests import bench_scripts


@pytest.fixture
def harness() -> ModuleType:
    return bench_scripts.load("quality_jobs_e2e")


def _write_set(folder: Path, boards: list[dict[str, Any]], labels: list[dict[str, Any]]) -> Path:
    (folder / "boards").mkdir(parents=True, exist_ok=True)
    entries = []
    for board in boards:
        name = f"boards/{board['kind']}_{board['token']}.json"
        (folder / name).write_text(json.dumps(board["payload"], ensure_ascii=False))
        entries.append({k: v for k, v in board.items() if k != "payload"} | {"file": name})
    (folder / "boards.json").write_text(json.dumps(entries, ensure_ascii=False))
    (folder / "labels.jsonl").write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in labels)
    )
    return folder


GREENHOUSE = {
    "kind": "greenhouse",
    "token": "lab",
    "company": "Lab",
    "institution": "anthropic",
    "country_code": "US",
    "payload": {
        "jobs": [
            {
                "id": 1,
                "title": "Research Scientist, Pretraining",
                "location": {"name": "London, UK"},
                "departments": [{"id": 1, "name": "Research", "parent_id": None}],
                "content": "&lt;p&gt;Train models.&lt;/p&gt;",
            },
            {
                "id": 2,
                "title": "Backend Engineer",
                "location": {"name": "Remote"},
                "departments": [{"id": 2, "name": "R&D", "parent_id": None}],
                "content": "&lt;p&gt;APIs.&lt;/p&gt;",
            },
        ]
    },
}
LEVER = {
    "kind": "lever",
    "token": "cnsite",
    "company": "CN Site",
    "institution": "Fictional Model Co",
    "country_code": "CN",
    "payload": [
        {
            "id": f"l-{n}",
            "text": title,
            "categories": {"department": "研发", "location": place},
            "createdAt": 1767312000000,
            "descriptionPlain": "负责研发。",
        }
        for n, (title, place) in enumerate(
            [("大模型算法工程师", "北京"), ("财务经理", "上海"), ("视觉生成方向研究员", "新加坡")]
        )
    ],
}
ASHBY = {
    "kind": "ashby",
    "token": "start",
    "company": "Start",
    "institution": "openai",
    "country_code": "US",
    "payload": {
        "apiVersion": "1",
        "jobs": [
            {
                "id": "a-1",
                "title": "Member of Technical Staff",
                "team": "Post-Training",
                "location": "San Francisco",
                "isListed": True,
                "descriptionPlain": "Reasoning.",
            }
        ],
    },
}
LABELS = [
    {"board": "greenhouse:lab", "id": "1", "research": True, "category": "research_scientist",
     "country": "GB"},
    {"board": "greenhouse:lab", "id": "2", "research": False, "country": "US"},
    {"board": "lever:cnsite", "id": "l-0", "research": True, "country": "CN", "topics": ["llm"]},
    {"board": "lever:cnsite", "id": "l-1", "research": False, "country": "CN"},
    # deliberately wrong labels, so the harness must count one error of each kind
    {"board": "lever:cnsite", "id": "l-2", "research": True, "country": "CN"},
    {"board": "ashby:start", "id": "a-1", "research": False, "country": "US"},
]  # fmt: skip


@pytest.fixture
def restore_database_url(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The harness points this process's settings at its own database; undo that."""
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    yield
    from service.config import get_settings

    get_settings.cache_clear()


def test_end_to_end_scores_what_graphql_returns(
    harness: ModuleType, tmp_path: Path, server_url: str, restore_database_url: None
) -> None:
    folder = _write_set(tmp_path / "set", [GREENHOUSE, LEVER, ASHBY], LABELS)
    scores, info = harness.run(folder, server_url, False)
    assert info["stored_postings"] == 6 and info["unlabelled_payload_postings"] == 0
    assert info["ingest_failures"] == []
    whole = scores["all"]
    # research: the MTS labelled non-research counts as a false positive; the researcher in
    # Singapore labelled CN is a true positive with a wrong country
    assert (whole.tp, whole.fp, whole.fn) == (3, 1, 0)
    assert whole.precision == pytest.approx(0.75) and whole.recall == 1.0
    assert whole.countries_ok == 5  # 新加坡 is SG, not the label's CN
    assert scores["lever:cnsite"].country_accuracy == pytest.approx(2 / 3)
    assert scores["greenhouse:lab"].precision == 1.0
    assert scores["ashby:start"].precision == 0.0
    assert whole.topic_tp == 1 and whole.topic_fp == 0
    errors = "\n".join(whole.errors)
    assert "false +   ashby:start a-1 'Member of Technical Staff'" in errors
    assert "country   lever:cnsite l-2 '视觉生成方向研究员'" in errors
    report = harness.report(scores, info, 10)
    assert "lever:cnsite" in report and "errors (2):" in report


def test_a_malformed_set_is_refused_with_where(harness: ModuleType, tmp_path: Path) -> None:
    with pytest.raises(harness.SetError, match=r"boards\.json"):
        harness.load_set(tmp_path)
    folder = _write_set(tmp_path / "s", [GREENHOUSE], [{"board": "lever:x", "id": "1"}])
    with pytest.raises(harness.SetError, match=r"labels.jsonl:1: board 'lever:x'"):
        harness.load_set(folder)
    folder = _write_set(
        tmp_path / "t", [GREENHOUSE], [{"board": "greenhouse:lab", "id": "1", "research": "y"}]
    )
    with pytest.raises(harness.SetError, match="'research' must be true or false"):
        harness.load_set(folder)
    bad = dict(LEVER, payload={"jobs": []})
    with pytest.raises(harness.SetError, match="Lever payload is a JSON array"):
        harness.load_set(_write_set(tmp_path / "u", [bad], []))


def test_boards_are_served_under_their_real_paths(harness: ModuleType) -> None:
    boards, _ = harness.Board, None
    gh = boards("greenhouse", "lab", "Lab", "anthropic", "US", {"jobs": []})
    lv = boards("lever", "site", "Site", "x", None, [])
    ab = boards("ashby", "start", "Start", "x", None, {"jobs": []})
    assert (gh.path, lv.path, ab.path) == (
        "/v1/boards/lab/jobs",
        "/v0/postings/site",
        "/posting-api/job-board/start",
    )
    configs = harness.board_configs([gh, lv, ab], "http://127.0.0.1:1")
    assert configs["greenhouse"]["boards"] == [
        {"token": "lab", "institution": "anthropic", "country": "US"}
    ]
    assert configs["lever"]["boards"] == [{"site": "site", "institution": {"name": "x"}}]


CJK_GREENHOUSE = {
    "kind": "greenhouse",
    "token": "hksite",
    "company": "HK Site",
    "institution": "sensetime",
    "country_code": "HK",
    "payload": {
        "jobs": [
            {
                "id": 21,
                "title": "多模態大模型研究員",
                "location": {"name": "臺北市"},
                "departments": [{"id": 1, "name": "研發", "parent_id": None}],
                "content": "&lt;p&gt;多模態研究。&lt;/p&gt;",
            },
            {
                "id": 22,
                "title": "大模型推理部署工程師",
                "location": {"name": "香港"},
                "departments": [{"id": 1, "name": "研發", "parent_id": None}],
                "content": "&lt;p&gt;部署。&lt;/p&gt;",
            },
        ]
    },
}
CJK_ASHBY = {
    "kind": "ashby",
    "token": "jplab",
    "company": "JP Lab",
    "institution": "sakana-ai",
    "country_code": "JP",
    "payload": {
        "apiVersion": "1",
        "jobs": [
            {"id": "j-1", "title": "リサーチエンジニア（大規模言語モデル）", "location": "東京",
             "isListed": True, "descriptionPlain": "研究開発。"},
            {"id": "j-2", "title": "ソフトウェアエンジニア（バックエンド）", "location": "東京",
             "isListed": True, "descriptionPlain": "API。"},
            {"id": "j-3", "title": "Community Manager", "location": "Remote", "isRemote": True,
             "isListed": True, "descriptionPlain": "You can work from any country."},
        ],
    },
}  # fmt: skip
CJK_LEVER = {
    "kind": "lever",
    "token": "krsite",
    "company": "KR Site",
    "institution": "upstage",
    "country_code": "KR",
    "payload": [
        {"id": "k-1", "text": "AI 연구원 - 컴퓨터 비전",
         "categories": {"department": "연구", "location": "원격 근무"}, "workplaceType": "remote",
         "createdAt": 1767312000000, "descriptionPlain": "근무지: 서울"},
        {"id": "k-2", "text": "Research Scientist, Document AI",
         "categories": {"department": "Research", "location": "Remote, within 4 hours of PT"},
         "createdAt": 1767312000000, "descriptionPlain": "Documents."},
        {"id": "k-3", "text": "백엔드 엔지니어", "categories": {"location": "서울"},
         "createdAt": 1767312000000, "descriptionPlain": "API."},
    ],
}  # fmt: skip
CJK_LABELS = [
    {"board": "greenhouse:hksite", "id": "21", "research": True, "country": "TW"},
    {"board": "greenhouse:hksite", "id": "22", "research": False, "country": "HK"},
    {"board": "ashby:jplab", "id": "j-1", "research": True, "country": "JP", "topics": ["llm"]},
    {"board": "ashby:jplab", "id": "j-2", "research": False, "country": "JP"},
    {"board": "ashby:jplab", "id": "j-3", "research": False, "country": None},
    {"board": "lever:krsite", "id": "k-1", "research": True, "country": "KR",
     "topics": ["vision"]},
    {"board": "lever:krsite", "id": "k-2", "research": True, "country": "US"},
    {"board": "lever:krsite", "id": "k-3", "research": False, "country": "KR"},
]  # fmt: skip


def test_traditional_japanese_and_korean_boards_end_to_end(
    harness: ModuleType, tmp_path: Path, server_url: str, restore_database_url: None
) -> None:
    folder = _write_set(tmp_path / "cjk", [CJK_GREENHOUSE, CJK_ASHBY, CJK_LEVER], CJK_LABELS)
    scores, info = harness.run(folder, server_url, False)
    assert info["stored_postings"] == 8 and info["ingest_failures"] == []
    whole = scores["all"]
    assert (whole.tp, whole.fp, whole.fn) == (4, 0, 0), whole.errors
    assert whole.countries_ok == 8, whole.errors
    assert whole.topic_tp == 2 and whole.topic_fp == 0, whole.errors
