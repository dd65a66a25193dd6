"""Settings from the environment.

Every setting is read from an environment variable prefixed ``TALENTFLOW_`` (for example
``TALENTFLOW_PORT``), except ``DATABASE_URL``, which keeps its conventional name. A bad value is a
``ConfigError`` naming the variable and what was wrong with it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal
from urllib.parse import urlsplit

import platformdirs
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from service.errors import ConfigError

if TYPE_CHECKING:
    from service.ingest.netguard import IPNetwork

ENV_PREFIX = "TALENTFLOW_"


LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")
"""Host names a request from the machine itself carries; answered beside the public host."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, extra="ignore", case_sensitive=False, populate_by_name=True
    )

    # Database
    database_url: str | None = Field(
        default=None,
        validation_alias="DATABASE_URL",
        description="PostgreSQL URL; unset means an embedded PostgreSQL in data_dir.",
    )
    data_dir: Path = Field(
        default_factory=lambda: Path(platformdirs.user_data_dir("talentflow")),
        description="Where the embedded PostgreSQL keeps its data.",
    )
    pool_min_size: int = Field(default=2, ge=0, le=100)
    pool_max_size: int = Field(default=10, ge=1, le=500)
    statement_timeout_ms: int = Field(default=15_000, ge=0)
    connect_timeout_s: float = Field(default=5.0, gt=0)
    database_read_urls: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Streaming replicas of DATABASE_URL (comma-separated URLs) that serve the "
        "API's read-only queries; empty sends every statement to DATABASE_URL.",
    )
    database_replica_max_lag_ms: int = Field(
        default=5_000,
        ge=0,
        description="A replica whose replay is further behind than this is skipped.",
    )
    database_replica_check_interval_s: float = Field(
        default=1.0, gt=0, description="How often each replica's health and lag are checked."
    )

    # Server
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    trusted_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Host headers the service answers (comma-separated; `*.example.org` "
        "matches subdomains). Unset: the host of public_base_url plus the loopback names, "
        "or any host when public_base_url is unset too.",
    )
    public_base_url: str | None = Field(
        default=None,
        description="The service's public URL (https://talentflow.example.org); links in "
        "responses are built from it, never from the request's Host header, and it names the "
        "host the service answers unless trusted_hosts is set. Unset: links are relative.",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "text"] = "text"

    # GraphQL limits
    graphql_introspection: bool = True
    graphql_max_depth: int = Field(default=10, ge=1, le=100)
    graphql_max_aliases: int = Field(default=30, ge=1, le=1000)
    graphql_max_tokens: int = Field(
        default=2000,
        ge=10,
        description="Most tokens a document may hold; parsing costs ~20 µs a token, so the "
        "limit bounds the time any document takes to be accepted or refused.",
    )
    graphql_max_cost: int = Field(default=50_000, ge=1)
    graphql_max_query_chars: int = Field(
        default=100_000,
        ge=100,
        description="Longest query text accepted (QUERY_TOO_LARGE above), checked before "
        "parsing: the lexer reads every character, comments included (~0.5 µs each).",
    )
    graphql_max_selections: int = Field(
        default=2000,
        ge=1,
        description="Most selections a document may hold once its fragments are spread "
        "(QUERY_TOO_LARGE above), checked in linear time before any other rule.",
    )
    graphql_max_repeated_fields: int = Field(
        default=50,
        ge=1,
        description="Most fields sharing one response key in one selection set.",
    )
    graphql_fast_path: bool = Field(
        default=True,
        description="Answer plain JSON POST queries from compiled plans (same answers; off "
        "sends every request through strawberry's pipeline).",
    )
    gc_freeze: bool = Field(
        default=True,
        description="`talentflow serve` moves what a worker holds once started (modules, the "
        "schema) out of the cyclic garbage collector's reach, so a full collection scans only "
        "what requests made since (a pause of ~100 ms otherwise, on every worker, a few times "
        "a minute under load).",
    )
    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    page_size_default: int = Field(default=20, ge=1)
    page_size_max: int = Field(default=100, ge=1)

    # REST and operations
    db_acquire_timeout_s: float = Field(
        default=3.0, gt=0, description="How long a request waits for a database connection."
    )
    retry_after_s: int = Field(default=5, ge=1, description="Retry-After sent with a 503.")
    read_budget_s: float = Field(
        default=5.0,
        gt=0,
        description="Time a public read may spend on the database (all the statements of a "
        "GraphQL request or batch, a REST GET), waiting for a connection included; kept "
        "below the statement timeout so one slow kind of request cannot hold the pool.",
    )
    analysis_budget_s: float = Field(
        default=60.0,
        gt=0,
        description="Time an analysis (populations, net flows with rates, pipeline, stay "
        "rates) may spend computing an answer, in place of read_budget_s: over a million "
        "stints a cache miss takes seconds. Each runs in a lane of its own, at most "
        "analysis_concurrency at once per process, so they cannot take the pool from the "
        "other reads.",
    )
    analysis_concurrency: int = Field(
        default=2, ge=1, le=50, description="Analyses computed at once per process."
    )
    export_pool_size: int = Field(
        default=2, ge=1, le=50, description="Connections of the pool CSV exports stream from."
    )
    export_send_timeout_s: float = Field(
        default=10.0,
        gt=0,
        description="An export whose client takes no data for this long is ended.",
    )
    rate_limit_per_minute: int = Field(
        default=0,
        ge=0,
        description="Requests per minute per client on /api/v1 and /graphql together; 0 is off.",
    )
    schedule_file: Path | None = Field(
        default=None, description="TOML file of scheduled ingestion runs for the worker."
    )
    worker_concurrency: int = Field(default=2, ge=1, le=64)
    in_process_worker: bool = Field(
        default=False,
        description="Run the ingestion worker inside each API process (what `talentflow demo` "
        "does); deployments run `talentflow worker` instead.",
    )
    rescore_candidates_cron: str = Field(
        default="",
        description="Cron of the worker's re-scoring of open candidate matches with what has "
        'been learnt since (for example "17 * * * *", hourly); empty: not scheduled.',
    )
    worker_shutdown_timeout_s: float = Field(
        default=300.0, ge=0, description="How long a stopping worker lets a running job finish."
    )

    # Ingestion
    contact_email: str = Field(
        default="", description="Contact put in the User-Agent, as polite API use asks."
    )
    http_timeout_s: float = Field(default=30.0, gt=0)
    http_retries: int = Field(default=4, ge=0, le=20)
    http_rate_per_host: float = Field(default=5.0, gt=0, description="Requests per second.")
    http_max_response_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=1024,
        description="Largest response body an ingester may download, on the wire and once "
        "decompressed; an ingester may set its own (http_max_response_bytes).",
    )
    http_deadline_s: float = Field(
        default=120.0,
        gt=0,
        description="Total time for one HTTP exchange of an ingester (connect, redirects, the "
        "whole body); an ingester may set its own (http_deadline_s).",
    )
    ingest_allowed_networks: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Comma-separated CIDRs ingesters may reach although not public (private, "
        "loopback, link-local); empty: public addresses only.",
    )
    ingest_dir: Path | None = Field(
        default=None,
        description="Folder under which a local file given to an ingester through the API "
        "must lie (the jsonl path); unset: the API accepts no local paths.",
    )
    ingest_batch_size: int = Field(default=1000, ge=1, le=100_000)
    ingest_idle_timeout_s: float = Field(
        default=900.0,
        gt=0,
        description="A run fails when its plugin yields nothing for this long (a hung source).",
    )
    ingest_config_dir: Path | None = None

    # Move inference (bibliometric rules; see service/domain/moves.py)
    inference_allowed_overlap_years: int = Field(
        default=2,
        ge=0,
        le=10,
        description="A new affiliation that started at most this many years before it became "
        "primary dates the move from its start (the old place's papers lag); a longer overlap "
        "is a dual appointment, dated from when it became primary.",
    )
    inference_min_stay_years: int = Field(default=1, ge=1, le=10)
    inference_provisional_years: int = Field(default=2, ge=0, le=10)
    inference_visit_max_years: int = Field(
        default=1,
        ge=0,
        le=5,
        description="A stint of at most this many active years between or inside stints at "
        "one home is a visit, not two moves (0: no visits).",
    )
    inference_visit_max_documents: int = Field(
        default=2,
        ge=0,
        le=100,
        description="A stay of up to 3 active years whose years all have document counts "
        "(OpenAlex works per affiliation-year) and that add up to at most this many documents, "
        "between or inside stints at one home, is a visit, not two moves (0: off).",
    )
    inference_leave_max_years: int = Field(
        default=2,
        ge=0,
        le=5,
        description="A stay of at most this many years of papers away from an established "
        "home (see inference_leave_min_home_years), between two stints there, is a leave of "
        "absence (sabbatical, fellowship, secondment): a visit, not two moves (0: off).",
    )
    inference_leave_min_home_years: int = Field(
        default=7,
        ge=1,
        le=30,
        description="The active years at home, before the stay, that make it an established "
        "post one takes leave from; a shorter first stint (a doctorate, a first contract) ends "
        "with a real move even when the person comes back.",
    )
    inference_continuity_years: int = Field(
        default=1,
        ge=0,
        le=5,
        description="A change from a predecessor to its successor (rename, merger, spin-out, "
        "acquisition) within this many years of the relation's date is continuity, not a move.",
    )
    small_number_threshold: int = Field(default=5, ge=1)
    flow_rollups: bool = Field(
        default=True,
        description="Answer flows, net flows and institution series from the rollup tables "
        "when they cover the filter (false: always count the moves themselves).",
    )

    @field_validator("database_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is None or value.strip() == "":
            return None
        from service.db.urls import check_database_url

        try:
            return check_database_url(value.strip())
        except ConfigError as exc:
            raise ValueError(exc.message) from None

    @field_validator("public_base_url")
    @classmethod
    def _check_public_base_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                f"{value!r} is not an http(s) URL with a host (e.g. https://talentflow.example.org)"
            )
        if parts.query or parts.fragment:
            raise ValueError(f"{value!r} must not carry a query or a fragment")
        return value.strip().rstrip("/")

    def allowed_hosts(self) -> list[str]:
        """The Host headers to answer: ``trusted_hosts`` when set; else the public URL's host
        and the loopback names (health checks and the operator's own shell); else any host,
        since links are then relative and no response repeats the client's Host."""
        if self.trusted_hosts:
            return list(self.trusted_hosts)
        if self.public_base_url:
            host = urlsplit(self.public_base_url).hostname or ""
            return [host, *LOOPBACK_HOSTS]
        return ["*"]

    @field_validator("ingest_allowed_networks")
    @classmethod
    def _check_networks(cls, value: list[str]) -> list[str]:
        from service.ingest.netguard import parse_networks

        parse_networks(value)  # a ValueError naming the bad entry
        return value

    def allowed_networks(self) -> tuple[IPNetwork, ...]:
        """``ingest_allowed_networks`` as networks."""
        from service.ingest.netguard import parse_networks

        return parse_networks(self.ingest_allowed_networks)

    @field_validator("database_read_urls", mode="after")
    @classmethod
    def _check_read_urls(cls, value: list[str]) -> list[str]:
        from service.db.urls import check_database_url

        checked = []
        for i, url in enumerate(value):
            try:
                checked.append(check_database_url(url))
            except ConfigError as exc:
                raise ValueError(
                    f"URL {i + 1}: {exc.message.removeprefix('DATABASE_URL: ')}"
                ) from None
        return checked

    @field_validator(
        "cors_origins",
        "trusted_hosts",
        "ingest_allowed_networks",
        "database_read_urls",
        mode="before",
    )
    @classmethod
    def _split_list(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip().startswith("["):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning validation errors into one clear ``ConfigError``."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else "?"
            var = (
                "DATABASE_URL"
                if field in {"database_url", "DATABASE_URL"}
                else (ENV_PREFIX + field.upper())
            )
            problems.append(f"{var}: {err['msg']}")
        raise ConfigError("invalid settings: " + "; ".join(problems)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
