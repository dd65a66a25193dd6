"""The ``mpidr`` ingester: MPIDR's country-level scholarly migration estimates, as a baseline.

The Max Planck Institute for Demographic Research publishes yearly in-, out- and net migration
counts and rates of scholars for 210 countries and areas, estimated from OpenAlex
(``openalex_2024_V1_scholarlymigration_country_enriched.csv`` in the repository
MPIDR/Global-flows-and-rates-of-international-migration-of-scholars, and on
scholarlymigration.org). The processed data is licensed CC BY 4.0; each stored row carries the
attribution:

    Aliakbar Akbaritabar, Tom Theile and Emilio Zagheni, "Bilateral flows and rates of
    international migration of scholars for 210 countries and areas for the period
    1998-2020", Scientific Data 11:816 (2024), doi:10.1038/s41597-024-03655-9. CC BY 4.0.

Rows become ``baseline_rate_seen`` observations of the series ``mpidr_openalex_2024`` (or the
configured name), so one query sets Talentflow's rates beside all scholars'. The columns read
are ``year``, ``iso2code``, ``padded_population_of_researchers``, ``number_of_inmigrations``,
``number_of_outmigrations``, ``inmigrationrate``, ``outmigrationrate`` and
``netmigrationrate``; others are ignored. A row that cannot be read is rejected with its line
number and the run goes on.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, Field, ValidationError, model_validator

from talentflow import (
    BaselineRateSeen,
    Checkpoint,
    DocumentSeen,
    FatalIngestError,
    IngestContext,
    Ingester,
    IngesterConfig,
    Observation,
    SkippableRecordError,
    __version__,
    hookimpl,
)

SERIES = "mpidr_openalex_2024"
LICENSE = "CC BY 4.0"
ATTRIBUTION = (
    'Aliakbar Akbaritabar, Tom Theile and Emilio Zagheni, "Bilateral flows and rates of '
    "international migration of scholars for 210 countries and areas for the period "
    '1998-2020", Scientific Data 11:816 (2024), doi:10.1038/s41597-024-03655-9. '
    "Data: Max Planck Institute for Demographic Research, CC BY 4.0 "
    "(https://creativecommons.org/licenses/by/4.0/)."
)
DATASET_URL = (
    "https://github.com/MPIDR/Global-flows-and-rates-of-international-migration-of-scholars/"
    "blob/main/data_processed/openalex_2024_V1_scholarlymigration_country_enriched.csv"
)
TITLE = "MPIDR scholarly migration estimates from OpenAlex, by country and year (2024 V1)"
REQUIRED = (
    "year",
    "iso2code",
    "padded_population_of_researchers",
    "number_of_inmigrations",
    "number_of_outmigrations",
)


class MpidrConfig(IngesterConfig):
    path: str | None = Field(default=None, description="A local copy of the country CSV.")
    url: str | None = Field(default=None, description="The country CSV over HTTP(S).")
    series: str = Field(
        default=SERIES, pattern=r"^[a-z0-9][a-z0-9_-]*$", description="Name of the series."
    )
    document_url: str = Field(default=DATASET_URL, description="Where the dataset is published.")

    @model_validator(mode="after")
    def _exactly_one_source(self) -> MpidrConfig:
        if (self.path is None) == (self.url is None):
            raise ValueError("give exactly one of path or url")
        return self


def _int(value: str, column: str) -> int | None:
    text = value.strip()
    if text in ("", "NA", "nan", "NaN"):
        return None
    number = float(text)
    if number != int(number):
        raise ValueError(f"{column} {value!r} is not a whole number")
    return int(number)


def _float(value: str) -> float | None:
    text = value.strip()
    return None if text in ("", "NA", "nan", "NaN") else float(text)


def rate_rows(text: str, config: MpidrConfig) -> Iterator[BaselineRateSeen | SkippableRecordError]:
    """One observation per CSV row, or an error naming the line and the problem."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        raise FatalIngestError(
            f"ingester 'mpidr': the CSV lacks the column(s) {', '.join(missing)}"
        )
    for row in reader:
        line = reader.line_num
        try:
            year = _int(row["year"], "year")
            yield BaselineRateSeen(
                series=config.series,
                title=TITLE,
                license=LICENSE,
                attribution=ATTRIBUTION,
                country_code=row["iso2code"].strip().upper(),
                year=year if year is not None else 0,
                population=_int(row["padded_population_of_researchers"], "population"),
                in_migrations=_int(row["number_of_inmigrations"], "number_of_inmigrations"),
                out_migrations=_int(row["number_of_outmigrations"], "number_of_outmigrations"),
                in_rate=_float(row.get("inmigrationrate") or ""),
                out_rate=_float(row.get("outmigrationrate") or ""),
                net_rate=_float(row.get("netmigrationrate") or ""),
                document_url=config.document_url,
            )
        except ValidationError as exc:
            reason = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
            yield _bad_row(row, line, reason)
        except ValueError as exc:
            yield _bad_row(row, line, str(exc))


def _bad_row(row: dict[str, str], line: int, reason: str) -> SkippableRecordError:
    where = f"{row.get('countrycode', '?')} {row.get('year', '?')}"
    return SkippableRecordError(
        f"line {line}: invalid row ({where}): {reason}",
        position=f"line {line}",
        record=",".join(str(v) for v in row.values())[:300],
    )


class MpidrIngester(Ingester):
    name: ClassVar[str] = "mpidr"
    version: ClassVar[str] = __version__
    Config: ClassVar[type[BaseModel]] = MpidrConfig
    description: ClassVar[str] = (
        "MPIDR country-level scholarly migration estimates (CSV, CC BY 4.0) as a baseline series."
    )

    async def fetch(
        self, ctx: IngestContext, state: dict[str, Any] | None
    ) -> AsyncIterator[Observation | Checkpoint | SkippableRecordError]:
        config = self.config
        assert isinstance(config, MpidrConfig)
        if config.path is not None:
            read = await asyncio.to_thread(_read_file, Path(config.path))
            if read is None:
                raise FatalIngestError(f"ingester 'mpidr': file not found: {config.path}")
            text = read
        else:
            assert config.url is not None
            response = await ctx.http.get(config.url, conditional=True)
            if response.not_modified:
                return
            response.raise_for_status()
            text = response.content.decode("utf-8-sig")
        yield DocumentSeen(
            url=config.document_url,
            kind="dataset",
            title=TITLE,
            publisher="Max Planck Institute for Demographic Research (CC BY 4.0)",
        )
        count = 0
        for item in rate_rows(text, config):
            count += isinstance(item, BaselineRateSeen)
            yield item
        ctx.logger.info("read %d rows of series %s", count, config.series)
        yield Checkpoint({"source": config.path or config.url, "rows": count})


def _read_file(path: Path) -> str | None:
    return path.read_text(encoding="utf-8-sig") if path.is_file() else None


@hookimpl
def register_ingesters() -> list[type[Ingester]]:
    return [MpidrIngester]
