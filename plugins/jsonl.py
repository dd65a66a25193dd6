"""The ``jsonl`` ingester: observations from any language, one JSON object per line.

Each line is one observation with a ``type`` field (``schema/observation.schema.json``). A line
that is not JSON or not a valid observation is rejected with its line number and reason, and the
run goes on. The checkpoint is the byte offset and line number reached, so a run that crashed
resumes where the last committed batch ended.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, ClassVar

import orjson
from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from talentflow import (
    Checkpoint,
    Cursor,
    FatalIngestError,
    IngestContext,
    Ingester,
    IngesterConfig,
    Observation,
    SkippableRecordError,
    __version__,
    hookimpl,
    parse_observation,
    parse_observation_json,
    unstorable,
)

EXCERPT_BYTES = 300


class JsonlConfig(IngesterConfig):
    path: str | None = Field(default=None, description="A local .jsonl file.")
    url: str | None = Field(default=None, description="A .jsonl file over HTTP(S).")
    checkpoint_every: int = Field(default=500, ge=1, description="Lines between checkpoints.")

    @field_validator("url")
    @classmethod
    def _http_only(cls, value: str | None) -> str | None:
        if value is not None:
            scheme = value.strip().split(":", 1)[0].lower() if ":" in value else ""
            if scheme not in ("http", "https"):
                raise ValueError("only http and https URLs are fetched (use path for a file)")
        return value

    @model_validator(mode="after")
    def _exactly_one_source(self) -> JsonlConfig:
        if (self.path is None) == (self.url is None):
            raise ValueError("give exactly one of path or url")
        return self


def describe_validation_error(exc: ValidationError) -> str:
    """``field.path: message`` for each problem, ``; ``-separated."""
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(record)"
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)


class JsonlIngester(Ingester):
    name: ClassVar[str] = "jsonl"
    version: ClassVar[str] = __version__
    Config: ClassVar[type[BaseModel]] = JsonlConfig
    description: ClassVar[str] = "Observations from a JSON Lines file or URL."
    local_path_fields: ClassVar[tuple[str, ...]] = ("path",)
    # Each observation is parse_observation's result for one line, yielded and forgotten.
    yields_parsed_observations: ClassVar[bool] = True
    # _parse_line rejects, with its line number, any line holding a NUL (it can only come as
    # the escape \u0000), the one value a validated observation may hold that PostgreSQL
    # cannot store.
    yields_storable_observations: ClassVar[bool] = True
    # The byte offset read up to, for the file or URL it was read from; the state also keeps the
    # line number there ({"source": ..., "offset": ..., "line": ...}).
    cursor: ClassVar[Cursor[int]] = Cursor("offset", int, initial=0, scope_key="source")

    async def fetch(
        self, ctx: IngestContext, state: dict[str, Any] | None
    ) -> AsyncIterator[Observation | Checkpoint | SkippableRecordError]:
        config = self.config
        assert isinstance(config, JsonlConfig)
        source = config.path or config.url or ""
        cursor = self.cursor.resume(state, scope=source)
        offset = cursor.value or 0
        line_no = int(cursor.state.get("line", 0)) if cursor.resumed else 0
        if config.path is not None:
            path = Path(config.path)
            size = _file_size(path)
            if size is None:
                # The operator sees the path (the CLI, the log); the run's stored error,
                # readable by anyone through the API, has it replaced by <path>.
                raise FatalIngestError(f"ingester 'jsonl': file not found: {config.path}")
            if size < offset:
                ctx.logger.warning("%s is shorter than the saved offset; starting over", path)
                offset, line_no = 0, 0
            data_lines = _file_lines(path, offset)
        else:
            assert config.url is not None
            response = await ctx.http.get(config.url, conditional=offset == 0)
            if response.not_modified:
                return
            response.raise_for_status()
            if len(response.content) < offset:
                offset, line_no = 0, 0
            data_lines = _bytes_lines(response.content, offset)
        since_checkpoint = 0
        for raw in data_lines:
            offset += len(raw)
            line_no += 1
            since_checkpoint += 1
            item = _parse_line(raw, line_no)
            if item is not None:
                yield item
            if since_checkpoint >= config.checkpoint_every:
                since_checkpoint = 0
                cursor.advance(offset)
                yield cursor.checkpoint({"line": line_no})
        cursor.advance(offset)
        yield cursor.checkpoint({"line": line_no})


def _file_size(path: Path) -> int | None:
    return path.stat().st_size if path.is_file() else None


def _file_lines(path: Path, offset: int) -> Iterator[bytes]:
    with path.open("rb") as fh:
        fh.seek(offset)
        yield from fh


def _bytes_lines(content: bytes, offset: int) -> Iterator[bytes]:
    yield from content[offset:].splitlines(keepends=True)


def _parse_line(raw: bytes, line_no: int) -> Observation | SkippableRecordError | None:
    text = raw.strip()
    if not text:
        return None
    position = f"line {line_no}"
    try:
        # Parse and validate in one pass, with no Python dict in between. A line this refuses
        # goes the long way below, which tells malformed JSON, a value that is not an object
        # and an invalid observation apart (anything accepted here is accepted there, equal).
        observation: Observation = parse_observation_json(text)
    except ValidationError:
        pass
    else:
        # A NUL can only come escaped (raw control characters are not JSON): when the line
        # holds the escape, find which value carries it, and reject the line (not the batch).
        problem = unstorable(observation) if b"\\u0000" in text else None
        if problem is None:
            return observation
        return SkippableRecordError(
            f"line {line_no}: {observation.type}: {problem}",
            position=position,
            record=text[:EXCERPT_BYTES].decode("utf-8", errors="replace"),
        )
    excerpt = text[:EXCERPT_BYTES].decode("utf-8", errors="replace")
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        return SkippableRecordError(
            f"line {line_no}: malformed JSON: {exc}", position=position, record=excerpt
        )
    if not isinstance(data, dict):
        return SkippableRecordError(
            f"line {line_no}: expected a JSON object, got {type(data).__name__}",
            position=position,
            record=excerpt,
        )
    try:
        parsed = parse_observation(data)
    except ValidationError as exc:
        return SkippableRecordError(
            f"line {line_no}: invalid {data.get('type', 'observation')}: "
            f"{describe_validation_error(exc)}",
            position=position,
            record=excerpt,
        )
    problem = unstorable(parsed)
    if problem is not None:
        return SkippableRecordError(
            f"line {line_no}: {parsed.type}: {problem}", position=position, record=excerpt
        )
    return parsed


@hookimpl
def register_ingesters() -> list[type[Ingester]]:
    return [JsonlIngester]
