"""The curated seed list of institutions: parsing and validation.

The seed file (``service/data/institutions.toml``) lists the labs, companies and universities
that matter for AI talent flows, with their countries, parents and the names they appear under
in the press and in publication affiliations. This module reads it and checks it; it does no
other I/O. Loading it into the database is the job of a store module.

Every problem is reported as a :class:`SeedError` naming the file, the entry (1-based position
of its ``[[institution]]`` table), its slug and the offending field, so a curator can fix the
file without reading a traceback.
"""

from __future__ import annotations

import functools
import logging
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import pycountry
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from service.errors import ConfigError

logger = logging.getLogger(__name__)

DEFAULT_SEED_PATH = Path(__file__).resolve().parent.parent / "data" / "institutions.toml"

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX_LENGTH = 100
NAME_MAX_LENGTH = 500
# ROR ids: a leading 0, six Crockford base32 characters (no i, l, o, u), two check digits.
ROR_PATTERN = re.compile(r"^0[0-9a-hjkmnp-tv-z]{6}[0-9]{2}$")
OPENALEX_INSTITUTION_PATTERN = re.compile(r"^I[1-9][0-9]*$")
WEBSITE_PATTERN = re.compile(r"^https?://[^\s/$.?#][^\s]*$")
_CROCKFORD_BASE32 = "0123456789abcdefghjkmnpqrstvwxyz"
_TOML_POSITION = re.compile(r"\(at line (?P<line>\d+), column (?P<column>\d+)\)")


class InstitutionKind(StrEnum):
    """What sort of organisation an institution is."""

    COMPANY = "company"
    LAB = "lab"
    UNIVERSITY = "university"
    GOVERNMENT = "government"
    NONPROFIT = "nonprofit"
    OTHER = "other"


class SeedError(ConfigError):
    """The seed file is unreadable or breaks a rule.

    ``entry_index`` is the 1-based position of the offending ``[[institution]]`` table (None
    for file-level problems such as malformed TOML); ``line`` and ``column`` are set only for
    TOML syntax errors. ``message`` is one line: file, entry, slug, then what is wrong.
    """

    def __init__(
        self,
        detail: str,
        *,
        path: Path,
        entry_index: int | None = None,
        slug: str | None = None,
        field: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        where = path.name
        if entry_index is not None:
            where += f": entry {entry_index}"
            where += f" (slug {slug!r})" if slug else " (no slug)"
        super().__init__(
            f"{where}: {detail}",
            path=str(path),
            entry_index=entry_index,
            slug=slug,
            field=field,
        )
        self.detail = detail
        self.path = path
        self.entry_index = entry_index
        self.slug = slug
        self.field = field
        self.line = line
        self.column = column


def normalise_name(name: str) -> str:
    """Fold a name for comparison: NFKC, case-folded, inner whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def ror_checksum_ok(ror: str) -> bool:
    """Whether a bare ROR id's two trailing digits match its ISO 7064 mod 97-10 checksum."""
    value = 0
    for char in ror[:7]:
        value = value * 32 + _CROCKFORD_BASE32.index(char)
    return 98 - (value * 100) % 97 == int(ror[7:])


def _dedupe(names: Iterable[str], *, exclude: Iterable[str] = ()) -> list[str]:
    """Strip names, drop blanks and repeats (compared normalised), keep first spellings."""
    seen = {normalise_name(name) for name in exclude}
    kept: list[str] = []
    for raw in names:
        name = " ".join(raw.split())
        key = normalise_name(name)
        if key and key not in seen:
            seen.add(key)
            kept.append(name)
    return kept


NonEmptyStr = Annotated[StrictStr, Field(min_length=1, max_length=NAME_MAX_LENGTH)]
Name = Annotated[StrictStr, Field(max_length=NAME_MAX_LENGTH)]


class SeedInstitution(BaseModel):
    """One ``[[institution]]`` table of the seed file."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    slug: StrictStr
    name: NonEmptyStr
    kind: InstitutionKind
    country: StrictStr
    city: NonEmptyStr | None = None
    parent: StrictStr | None = None
    site: StrictBool = False
    aliases: list[Name] = Field(default_factory=list)
    native_names: list[Name] = Field(default_factory=list)
    website: StrictStr | None = None
    ror: StrictStr | None = None
    openalex: StrictStr | None = None

    @field_validator("slug", "parent")
    @classmethod
    def _check_slug(cls, value: str | None) -> str | None:
        if value is not None and len(value) > SLUG_MAX_LENGTH:
            raise ValueError(f"{value[:20]!r}... is longer than {SLUG_MAX_LENGTH} characters")
        if value is not None and not SLUG_PATTERN.fullmatch(value):
            raise ValueError(
                f"{value!r} is not a slug (lowercase a-z, 0-9 and single '-' between words)"
            )
        return value

    @field_validator("kind", mode="before")
    @classmethod
    def _check_kind(cls, value: Any) -> Any:
        allowed = [kind.value for kind in InstitutionKind]
        if value not in allowed:
            raise ValueError(f"kind {value!r} is not one of {', '.join(allowed)}")
        return value

    @field_validator("country")
    @classmethod
    def _check_country(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Z]{2}", value) or pycountry.countries.get(alpha_2=value) is None:
            raise ValueError(f"country {value!r} is not an ISO 3166-1 alpha-2 code")
        return value

    @field_validator("website")
    @classmethod
    def _check_website(cls, value: str | None) -> str | None:
        if value is not None and not WEBSITE_PATTERN.fullmatch(value):
            raise ValueError(f"website {value!r} is not an http(s) URL")
        return value

    @field_validator("ror")
    @classmethod
    def _check_ror(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if value.startswith(("http://", "https://", "ror.org/")):
            raise ValueError(f"ror {value!r} must be the bare id, without https://ror.org/")
        if not ROR_PATTERN.fullmatch(value):
            raise ValueError(f"ror {value!r} is not a ROR id (like 00jmfr291)")
        if not ror_checksum_ok(value):
            raise ValueError(f"ror {value!r} fails its check digits (mistyped?)")
        return value

    @field_validator("openalex")
    @classmethod
    def _check_openalex(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if value.startswith(("http://", "https://", "openalex.org/")):
            raise ValueError(f"openalex {value!r} must be the bare id, without the URL")
        if not OPENALEX_INSTITUTION_PATTERN.fullmatch(value):
            raise ValueError(
                f"openalex {value!r} is not an OpenAlex institution id (like I27837315)"
            )
        return value

    @field_validator("aliases", "native_names")
    @classmethod
    def _tidy_names(cls, value: list[str], info: ValidationInfo) -> list[str]:
        name = info.data.get("name")
        return _dedupe(value, exclude=[name] if isinstance(name, str) else [])

    def all_names(self) -> list[str]:
        """The name, aliases and native names, in that order."""
        return [self.name, *self.aliases, *self.native_names]


def load_seed(path: Path | None = None) -> list[SeedInstitution]:
    """Read and validate the seed file; return its entries with parents before children.

    Raises :class:`SeedError` on the first problem found.
    """
    path = DEFAULT_SEED_PATH if path is None else path
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SeedError(f"cannot read the file: {exc.strerror or exc}", path=path) from exc
    except UnicodeDecodeError as exc:
        raise SeedError(f"not UTF-8 text: {exc.reason}", path=path) from exc
    return parse_seed(text, path=path)


def parse_seed(text: str, *, path: Path = DEFAULT_SEED_PATH) -> list[SeedInstitution]:
    """Validate seed TOML already in memory; ``path`` is used only in error messages."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        reason = str(exc)
        match = _TOML_POSITION.search(reason)
        line = int(match["line"]) if match else None
        column = int(match["column"]) if match else None
        raise SeedError(f"malformed TOML: {reason}", path=path, line=line, column=column) from exc

    unknown = sorted(set(document) - {"institution"})
    if unknown:
        raise SeedError(
            f"unexpected top-level key(s) {', '.join(map(repr, unknown))}; "
            "only [[institution]] tables are allowed",
            path=path,
            field=unknown[0],
        )
    raw_entries = document.get("institution", [])
    if not isinstance(raw_entries, list):
        raise SeedError("'institution' must be an array of tables", path=path, field="institution")

    entries = [_parse_entry(raw, index, path) for index, raw in enumerate(raw_entries, start=1)]
    _check_unique(entries, path)
    _check_parents(entries, path)
    ordered = _parents_first(entries, path)
    logger.debug("loaded %d seed institutions from %s", len(ordered), path.name)
    return ordered


def _parse_entry(raw: Any, index: int, path: Path) -> SeedInstitution:
    raw_slug = raw.get("slug") if isinstance(raw, dict) else None
    slug = raw_slug if isinstance(raw_slug, str) and raw_slug else None
    if not isinstance(raw, dict):
        raise SeedError("must be a table", path=path, entry_index=index)
    try:
        entry = SeedInstitution.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        field = ".".join(str(part) for part in error["loc"]) or None
        raise SeedError(
            _describe(error, field), path=path, entry_index=index, slug=slug, field=field
        ) from exc
    if entry.site and (entry.parent is None or entry.city is None):
        raise SeedError(
            "a site row (site = true) needs a parent and a city",
            path=path,
            entry_index=index,
            slug=entry.slug,
            field="parent" if entry.parent is None else "city",
        )
    return entry


def _describe(error: Any, field: str | None) -> str:
    """Turn one pydantic error into a short sentence that names the field."""
    if error["type"] == "value_error":
        detail = str(error["ctx"]["error"])
        # Validators that already name their field say so first; the rest get it prefixed.
        if field is None or detail.startswith(field.split(".")[0]):
            return detail
        return f"{field}: {detail}"
    if error["type"] == "missing":
        return f"{field} is required"
    if error["type"] == "extra_forbidden":
        return f"unknown field {field!r}"
    return f"{field}: {error['msg'].lower()} (got {error['input']!r})"


def _check_unique(entries: Sequence[SeedInstitution], path: Path) -> None:
    """Slugs, ROR ids, OpenAlex ids and folded names must each belong to one entry."""
    owners: dict[tuple[str, str], tuple[int, str]] = {}
    for index, entry in enumerate(entries, start=1):
        keys: list[tuple[str, str, str]] = [("slug", entry.slug, entry.slug)]
        if entry.ror:
            keys.append(("ror", entry.ror, entry.ror))
        if entry.openalex:
            keys.append(("openalex", entry.openalex, entry.openalex))
        fields = ["name"] + ["aliases"] * len(entry.aliases)
        fields += ["native_names"] * len(entry.native_names)
        for field, name in zip(fields, entry.all_names(), strict=True):
            keys.append((field, normalise_name(name), name))
        for field, key, shown in keys:
            kind = "name" if field in ("name", "aliases", "native_names") else field
            owner_index, owner = owners.setdefault((kind, key), (index, entry.slug))
            if owner_index != index:
                what = "slug" if kind == "slug" else f"{field} value"
                raise SeedError(
                    f"duplicate {what} {shown!r}, already used by {owner!r}",
                    path=path,
                    entry_index=index,
                    slug=entry.slug,
                    field=field,
                )


def _check_parents(entries: Sequence[SeedInstitution], path: Path) -> None:
    by_slug = {entry.slug: entry for entry in entries}
    for index, entry in enumerate(entries, start=1):
        if entry.parent is not None and entry.parent not in by_slug:
            raise SeedError(
                f"parent {entry.parent!r} is not the slug of any entry",
                path=path,
                entry_index=index,
                slug=entry.slug,
                field="parent",
            )
    for index, entry in enumerate(entries, start=1):
        chain = [entry.slug]
        current = entry.parent
        while current is not None:
            if current in chain:
                cycle = " -> ".join([*chain[chain.index(current) :], current])
                raise SeedError(
                    f"parent cycle: {cycle}",
                    path=path,
                    entry_index=index,
                    slug=entry.slug,
                    field="parent",
                )
            chain.append(current)
            current = by_slug[current].parent


def _parents_first(entries: Sequence[SeedInstitution], path: Path) -> list[SeedInstitution]:
    """Order entries so every parent precedes its children; otherwise keep file order."""
    by_slug = {entry.slug: entry for entry in entries}
    placed: set[str] = set()
    ordered: list[SeedInstitution] = []
    for entry in entries:
        lineage: list[SeedInstitution] = []
        current: SeedInstitution | None = entry
        while current is not None and current.slug not in placed:
            lineage.append(current)
            current = by_slug[current.parent] if current.parent is not None else None
        for ancestor in reversed(lineage):
            placed.add(ancestor.slug)
            ordered.append(ancestor)
    if len(ordered) != len(entries):  # pragma: no cover - guarded by _check_parents
        raise SeedError("could not order entries parents-first", path=path)
    return ordered


# ------------------------------------------------------------------------------- relations

DEFAULT_RELATIONS_PATH = DEFAULT_SEED_PATH.parent / "institution_relations.toml"
RELATION_KINDS = ("rename", "merger", "spin_out", "acquisition")
_RELATION_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


class SeedRelation(BaseModel):
    """One ``[[relation]]`` table: ``predecessor`` became (part of) ``successor`` on ``date``."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    predecessor: StrictStr
    successor: StrictStr
    kind: StrictStr
    date: StrictStr
    note: StrictStr | None = None

    @field_validator("kind")
    @classmethod
    def _check_kind(cls, value: str) -> str:
        if value not in RELATION_KINDS:
            raise ValueError(f"kind {value!r} is not one of {', '.join(RELATION_KINDS)}")
        return value

    @field_validator("date")
    @classmethod
    def _check_date(cls, value: str) -> str:
        from service.domain.dates import PartialDate

        if not _RELATION_DATE.fullmatch(value):
            raise ValueError(f"date {value!r} is not like 2023, 2023-04 or 2023-04-20")
        try:
            PartialDate.parse(value)
        except ValueError as exc:
            raise ValueError(f"date {value!r}: {exc}") from None
        return value


def load_relations(
    path: Path | None = None, slugs: Iterable[str] | None = None
) -> list[SeedRelation]:
    """Read and validate the relations file; every slug must be a seed institution's (of
    ``slugs``, default: the seed file's). Raises :class:`SeedError` naming the entry."""
    path = DEFAULT_RELATIONS_PATH if path is None else path
    known = set(slugs) if slugs is not None else {e.slug for e in load_seed()}
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SeedError(f"cannot read the file: {exc.strerror or exc}", path=path) from exc
    except tomllib.TOMLDecodeError as exc:
        raise SeedError(f"malformed TOML: {exc}", path=path) from exc
    unknown = sorted(set(document) - {"relation"})
    if unknown:
        raise SeedError(
            f"unexpected top-level key(s) {', '.join(map(repr, unknown))}; "
            "only [[relation]] tables are allowed",
            path=path,
            field=unknown[0],
        )
    relations: list[SeedRelation] = []
    seen: set[tuple[str, str, str]] = set()
    for index, raw in enumerate(document.get("relation", []), start=1):
        if not isinstance(raw, dict):
            raise SeedError("must be a table", path=path, entry_index=index)
        label = f"{raw.get('predecessor')}->{raw.get('successor')}"
        try:
            rel = SeedRelation.model_validate(raw)
        except ValidationError as exc:
            error = exc.errors(include_url=False)[0]
            field = ".".join(str(part) for part in error["loc"]) or None
            raise SeedError(
                _describe(error, field), path=path, entry_index=index, slug=label, field=field
            ) from exc
        for field in ("predecessor", "successor"):
            if getattr(rel, field) not in known:
                raise SeedError(
                    f"{field} {getattr(rel, field)!r} is not the slug of any seed institution",
                    path=path,
                    entry_index=index,
                    slug=label,
                    field=field,
                )
        if rel.predecessor == rel.successor:
            raise SeedError(
                "an institution cannot succeed itself", path=path, entry_index=index, slug=label
            )
        key = (rel.predecessor, rel.successor, rel.kind)
        if key in seen:
            raise SeedError("duplicate relation", path=path, entry_index=index, slug=label)
        seen.add(key)
        relations.append(rel)
    return relations


@functools.cache
def seed_names() -> Mapping[str, tuple[str, ...]]:
    """Every name the packaged seed file gives each institution (name, aliases, native names),
    by slug. The alias table keeps one name per normalised key; these are the others a seeded
    institution is also known by (a company's short name beside its full one)."""
    try:
        entries = load_seed()
    except SeedError:
        return {}
    return {e.slug: tuple(dict.fromkeys([e.name, *e.aliases, *e.native_names])) for e in entries}
