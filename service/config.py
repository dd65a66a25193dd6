"""Settings from the environment.

Every setting is read from an environment variable prefixed ``TALENTFLOW_`` (for example
``TALENTFLOW_PORT``), except ``DATABASE_URL``, which keeps its conventional name. A bad value is a
``ConfigError`` naming the variable and what was wrong with it.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

import platformdirs
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from service.errors import ConfigError

ENV_PREFIX = "TALENTFLOW_"


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

    # Server
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    trusted_hosts: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["*"])
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "text"] = "text"

    # GraphQL limits
    graphql_introspection: bool = True
    graphql_max_depth: int = Field(default=10, ge=1, le=100)
    graphql_max_aliases: int = Field(default=30, ge=1, le=1000)
    graphql_max_tokens: int = Field(default=5000, ge=10)
    graphql_max_cost: int = Field(default=50_000, ge=1)
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
    rate_limit_per_minute: int = Field(
        default=0, ge=0, description="Requests per minute per client on /api/v1; 0 is off."
    )
    schedule_file: Path | None = Field(
        default=None, description="TOML file of scheduled ingestion runs for the worker."
    )
    worker_concurrency: int = Field(default=2, ge=1, le=64)
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
    ingest_batch_size: int = Field(default=1000, ge=1, le=100_000)
    ingest_idle_timeout_s: float = Field(
        default=900.0,
        gt=0,
        description="A run fails when its plugin yields nothing for this long (a hung source).",
    )
    ingest_config_dir: Path | None = None

    # Move inference (bibliometric rules; see service/domain/moves.py)
    inference_allowed_overlap_years: int = Field(default=1, ge=0, le=10)
    inference_min_stay_years: int = Field(default=1, ge=1, le=10)
    inference_provisional_years: int = Field(default=2, ge=0, le=10)
    small_number_threshold: int = Field(default=5, ge=1)

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

    @field_validator("cors_origins", "trusted_hosts", mode="before")
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
