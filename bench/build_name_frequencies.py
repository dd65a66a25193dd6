"""Build the world part of identity resolution's name-frequency table.

    pip download names-dataset==3.1.0 --no-deps && tar xzf names-dataset-3.1.0.tar.gz
    python bench/build_name_frequencies.py names-dataset-3.1.0/names_dataset/v3

``service/data/name_frequencies.tsv`` is written by hand for the naming traditions whose names
are most shared in the field (Chinese, Korean, Vietnamese, a few Indian and English ones); it
wins wherever it has an entry. This script writes ``service/data/name_frequencies_world.tsv``
for every other tradition from the names-dataset (first and last names ranked per country,
from 105 countries). The dataset gives ranks, not shares, so a share is estimated:

    share(name) = sum over traditions t of  FIELD[t] * TOP[t] * rank_t(name) ** -ZIPF

``rank_t`` is the name's best rank among the countries of tradition ``t``, ``TOP[t]`` the share
of the commonest family name in that tradition (Smith ~0.8 % in the US, Müller ~1 % in Germany,
Satō ~1.5 % in Japan, Silva ~5 % in Brazil), ``ZIPF`` = 0.75 fits the published US surname
counts within a factor of two over ranks 1-1,000, and ``FIELD[t]`` is roughly the share of the
field's researchers from that tradition. Given names use the same form without ``FIELD``
(identity.py multiplies a family-name share by a given-name share within its tradition).
Only names commoner than identity.py's defaults are written: a name absent from both tables
keeps the default, which already treats it as common. An estimate, not data.
"""

from __future__ import annotations

import json
import sys
import unicodedata
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "service" / "data" / "name_frequencies_world.tsv"
ZIPF = 0.75
SURNAME_FLOOR = 0.00002  # identity.DEFAULT_SURNAME["other"]
GIVEN_FLOOR = 0.003  # identity.DEFAULT_GIVEN["other"]
# The hand-written table covers these (the dataset's romanisations there are poor).
SKIP = {"CN", "TW", "HK", "MO", "SG", "MY", "KR", "VN"}
# tradition: (countries, field share, top family-name share, top given-name share)
TRADITIONS: dict[str, tuple[tuple[str, ...], float, float, float]] = {
    "english": (("US", "GB", "CA", "AU", "IE", "NZ", "ZA"), 0.20, 0.008, 0.02),
    "german": (("DE", "AT", "CH"), 0.04, 0.01, 0.02),
    "french": (("FR", "BE", "LU"), 0.03, 0.005, 0.02),
    "italian": (("IT",), 0.02, 0.004, 0.03),
    "spanish": (("ES", "MX", "AR", "CO", "CL", "PE", "UY", "CR", "GT", "PA"), 0.03, 0.03, 0.03),
    "portuguese": (("BR", "PT"), 0.01, 0.05, 0.03),
    "indian": (("IN",), 0.08, 0.05, 0.02),
    "japanese": (("JP",), 0.03, 0.015, 0.01),
    "russian": (("RU", "UA", "BY", "KZ"), 0.02, 0.013, 0.04),
    "iranian": (("IR",), 0.02, 0.02, 0.03),
    "turkish": (("TR",), 0.01, 0.04, 0.03),
    "arabic": (
        ("EG", "SA", "AE", "JO", "LB", "MA", "TN", "DZ", "IQ", "QA", "KW", "OM"),
        0.01,
        0.01,
        0.04,
    ),
    "nordic": (("SE", "NO", "DK", "FI", "IS"), 0.01, 0.03, 0.02),
    "dutch": (("NL",), 0.01, 0.005, 0.02),
    "polish": (("PL",), 0.01, 0.005, 0.04),
    "israeli": (("IL",), 0.01, 0.01, 0.02),
    "greek": (("GR", "CY"), 0.005, 0.005, 0.04),
}


def fold(name: str) -> str:
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.casefold().replace("-", " ").replace("'", "").split())


def _ranks(archive: Path, member: str) -> dict[str, dict[str, int]]:
    with zipfile.ZipFile(archive) as zf:
        data = json.loads(zf.read(member))
    out: dict[str, dict[str, int]] = {}
    for name, info in data.items():
        ranks = {c: r for c, r in ((info or {}).get("rank") or {}).items() if r and c not in SKIP}
        key = fold(name)
        if not ranks or not key or " " in key or not key.isascii():
            continue
        best = out.setdefault(key, {})
        for country, rank in ranks.items():
            best[country] = min(rank, best.get(country, rank))
    return out


def _share(ranks: dict[str, int], *, family: bool) -> float:
    total = 0.0
    for countries, field, top_family, top_given in TRADITIONS.values():
        found = [ranks[c] for c in countries if c in ranks]
        if not found:
            continue
        base = min(found) ** -ZIPF
        if family:
            total += field * top_family * base
        else:
            total = max(total, top_given * base)
    return total


def build(folder: Path) -> None:
    rows: list[str] = []
    for kind, archive, member, floor in (
        ("surname", "last_names.zip", "last_names.json", SURNAME_FLOOR),
        ("given", "first_names.zip", "first_names.json", GIVEN_FLOOR),
    ):
        names = _ranks(folder / archive, member)
        kept = 0
        for name in sorted(names):
            share = _share(names[name], family=kind == "surname")
            if share > floor:
                rows.append(f"{kind}\t{name}\t{share:.2g}")
                kept += 1
        print(f"{kind}: {kept} of {len(names)}")
    head = (
        "# Written by bench/build_name_frequencies.py from names-dataset 3.1.0 (ranks per\n"
        "# country); shares estimated as that script's docstring says. Do not edit by hand:\n"
        "# service/data/name_frequencies.tsv wins wherever it has an entry.\n"
        "# kind\tname (folded)\tshare\n"
    )
    OUT.write_text(head + "\n".join(rows) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    build(Path(sys.argv[1]))
