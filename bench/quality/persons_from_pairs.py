"""Convert the older person-pair set (``tests/data/person_pairs.jsonl``, records scored by
``service.domain.resolution.score_pair``) into the "persons" evaluation format: each side becomes
what one source would show, as ingestion observations.

    python bench/quality/persons_from_pairs.py   # writes bench/quality/sets/persons_dev.jsonl

A side becomes its own ``document_seen`` (a URL unique to the side), one ``researcher_seen``
(names, native name, ids, topics) and one ``affiliation_seen`` per stint (the years of a closed
stint, or its start/end when one end is open). The older set's "same source document" field
cannot be expressed when each side has its own document: such pairs are tagged
``shared-document-dropped`` and keep only the rest of their context. Tags are derived from the
records (ids, native script, initials, common surname, same or different institution).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "tests" / "data" / "person_pairs.jsonl"
TARGET = ROOT / "bench" / "quality" / "sets" / "persons_dev.jsonl"

# Frequent family names across the sets' populations (a label for the breakdown only).
COMMON = {
    "wang",
    "li",
    "zhang",
    "liu",
    "chen",
    "yang",
    "huang",
    "zhao",
    "wu",
    "zhou",
    "xu",
    "sun",
    "ma",
    "zhu",
    "hu",
    "guo",
    "he",
    "lin",
    "gao",
    "luo",
    "kim",
    "lee",
    "park",
    "choi",
    "jung",
    "nguyen",
    "tran",
    "le",
    "pham",
    "kumar",
    "singh",
    "sharma",
    "patel",
    "gupta",
    "smith",
    "johnson",
    "williams",
    "brown",
    "jones",
    "garcia",
    "miller",
    "davis",
    "wei",
    "yu",
    "song",
}
HAN = re.compile(r"[\u3400-\u9fff]")


def side(data: dict[str, Any], url: str) -> list[dict[str, Any]]:
    names: list[str] = list(data["names"])
    ids: dict[str, str] = {}
    if data.get("orcid"):
        ids["orcid"] = data["orcid"]
    if data.get("openalex_id"):
        ids["openalex"] = data["openalex_id"]
    ids.update(data.get("other_ids", {}))
    native = data.get("native_name")
    name = next((n for n in names if not HAN.search(n)), names[0])
    aliases = [n for n in names if n != name and n != native]
    out: list[dict[str, Any]] = [
        {"type": "document_seen", "url": url, "kind": "profile", "title": f"{name}: profile"}
    ]
    seen: dict[str, Any] = {"type": "researcher_seen", "name": name, "document_url": url}
    if native:
        seen["native_name"] = native
    if aliases:
        seen["aliases"] = aliases
    if ids:
        seen["ids"] = ids
    if data.get("topics"):
        seen["topics"] = list(data["topics"])
    out.append(seen)
    person: dict[str, Any] = {"name": name}
    if native:
        person["native_name"] = native
    if ids:
        person["ids"] = ids
    for slug, start, end in data.get("stints", ()):
        aff: dict[str, Any] = {
            "type": "affiliation_seen",
            "person": person,
            "institution": {"slug": slug},
            "document_url": url,
        }
        if start is not None and end is not None:
            aff["years"] = list(range(start, end + 1))
        elif start is not None:
            aff["start"] = str(start)
        elif end is not None:
            aff["end"] = str(end)
        else:
            continue
        out.append(aff)
    return out


def tags(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    out: set[str] = set()
    for d in (a, b):
        if d.get("orcid") or d.get("openalex_id") or d.get("other_ids"):
            out.add("ids")
        if d.get("native_name") or any(HAN.search(n) for n in d["names"]):
            out.add("native-script")
        for n in d["names"]:
            tokens = n.replace(".", ". ").replace("-", " ").split()
            if any(t.endswith(".") or len(t) == 1 for t in tokens):
                out.add("initials")
            if any(t.strip(".").lower() in COMMON for t in tokens):
                out.add("common-surname")
    if a.get("documents") and b.get("documents") and set(a["documents"]) & set(b["documents"]):
        out.add("shared-document-dropped")
    sa = {s[0] for s in a.get("stints", ())}
    sb = {s[0] for s in b.get("stints", ())}
    if sa and sb:
        out.add("same-institution" if sa & sb else "different-institutions")
    return sorted(out)


def main() -> int:
    rows = [json.loads(line) for line in SOURCE.read_text(encoding="utf-8").splitlines() if line]
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    with TARGET.open("w", encoding="utf-8") as out:
        for i, row in enumerate(rows, 1):
            cid = f"dev-{i:03d}"
            case = {
                "id": cid,
                "label": "same" if row["same"] else "different",
                "tags": tags(row["a"], row["b"]),
                "note": row.get("note", ""),
                "a": side(row["a"], f"https://pairs.example/{cid}/a"),
                "b": side(row["b"], f"https://pairs.example/{cid}/b"),
            }
            out.write(json.dumps(case, ensure_ascii=False) + "\n")
    print(f"wrote {len(rows)} cases to {TARGET.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
