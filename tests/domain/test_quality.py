"""The measured quality of entity resolution must not fall below the level reached.

Figures come from bench/quality_domain.py on tests/data/*.jsonl; the floors are the measured
values rounded down to two decimals (see docs/quality.md)."""

from __future__ import annotations

from types import ModuleType

import pytest

from tests import bench_scripts

PRECISION_FLOOR = 1.00
RECALL_FLOOR = 0.91
INSTITUTION_ACCURACY_FLOOR = 1.00


def _bench() -> ModuleType:
    return bench_scripts.load("quality_domain")


@pytest.fixture(scope="module")
def figures() -> object:
    bench = _bench()
    if not bench.SEED.exists():
        pytest.skip("seed file not present")
    return bench.measure()


def test_set_sizes(figures: object) -> None:
    assert figures.pairs >= 320  # type: ignore[attr-defined]
    assert figures.strings >= 160  # type: ignore[attr-defined]


def test_precision(figures: object) -> None:
    assert figures.precision >= PRECISION_FLOOR, figures.pair_misses  # type: ignore[attr-defined]


def test_recall(figures: object) -> None:
    assert figures.recall >= RECALL_FLOOR  # type: ignore[attr-defined]


def test_institution_accuracy(figures: object) -> None:
    accuracy = figures.institution_accuracy  # type: ignore[attr-defined]
    assert accuracy >= INSTITUTION_ACCURACY_FLOOR, figures.string_misses  # type: ignore[attr-defined]
