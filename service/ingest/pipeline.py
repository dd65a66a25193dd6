"""Running an ingester: validate → batch → resolve → write with provenance → commit with the
checkpoint, exactly once.

One run of one ingester *instance* at a time (a PostgreSQL advisory lock). Each batch is one
transaction holding its observations, their evidence, the rejected records, the plugin's latest
checkpoint and the HTTP validators learnt so far; a crash loses only the uncommitted batch, and a
re-run resumes from the committed checkpoint. Re-running over the same data changes nothing.

Runs of different instances (several workers) go at once: each reads, validates and prepares
its own observations in parallel, and their batch transactions take turns on one transaction
advisory lock (``WRITE_LOCK_CLASS``). A batch therefore resolves against everything the other
runs committed before it (no two runs create the same researcher or institution, and no two
batches wait on each other's rows: no deadlocks), and a run's in-memory institution index
learns, on a miss, what another run stored since it was loaded
(``institution_writes.create_unreviewed``).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg
import pluggy
from pydantic import BaseModel, ValidationError

from service.config import Settings
from service.db.ordered import send_ahead
from service.db.stores import ingest_runs, institution_writes, plugin_state, rollups
from service.domain.names import normalize_institution
from service.errors import ConfigError
from service.ingest.context import IngestContext, PluginSettings
from service.ingest.errors import (
    FatalIngestError,
    IngestError,
    RetriableIngestError,
    RunLocked,
    SkippableRecordError,
)
from service.ingest.http import HttpClient, ValidatorCache, Validators
from service.ingest.ingester import Checkpoint, Ingester
from service.ingest.manager import call_hookimpl, get_ingester, get_plugin_manager
from service.ingest.notifications import RecordedMove
from service.ingest.observations import (
    OBSERVATION_TYPES,
    AffiliationSeen,
    DocumentSeen,
    MoveReported,
    observation_adapter,
)
from service.ingest.resolver import Resolver
from service.ingest.storable import storable_text, unstorable, unstorable_observation
from service.ingest.writer import BatchItem, BatchWriter
from service.metrics import record_ingest_run, record_observations

logger = logging.getLogger(__name__)

LOCK_CLASS = 0x7466  # "tf": the advisory-lock namespace of ingest runs
WRITE_LOCK_CLASS = 0x7477  # "tw": the batch transactions of all runs take turns on it

# The tables a run grows and looks rows up in, batch after batch. Their lookups join a batch's
# keys to indexes; planned with statistics from when a table was a tenth of its size (or never
# analysed: a fresh database, or autovacuum off or behind), they become sequential scans that
# cost more with every batch. A run analyses them each time its observations written since the
# last ANALYZE outnumber what came before (the rows these tables held when the run started,
# plus what the run wrote until then): a handful of times, and never in a small run into a
# large database.
GROWING_TABLES = (
    "researcher",
    "researcher_alias",
    "researcher_external_id",
    "affiliation",
    "document",
    "evidence",
    "move",
)
ANALYZE_MIN_OBSERVATIONS = 5_000

# While a run is in progress the cyclic garbage collector starts a collection after this many
# allocations instead of Python's 700 (see ``_fewer_collections``).
GC_GEN0_THRESHOLD = 50_000


class _GcRelaxation:
    """Fewer cyclic garbage collections while any run is in progress in this process.

    A run allocates millions of short-lived objects and keeps large caches, next to large
    static tables (name readings, pinyin); with the default threshold the collector ran
    thousands of times a run, and each full collection traversed every long-lived object:
    about a tenth of a run's time. Reference counting still frees almost everything at once;
    only cyclic garbage waits longer. The thresholds in force before the first concurrent run
    come back when the last one ends, and a collector switched off stays off.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.runs = 0
        self.saved: tuple[int, int, int] | None = None

    @contextlib.contextmanager
    def during_run(self) -> Iterator[None]:
        with self.lock:
            if self.runs == 0:
                self.saved = gc.get_threshold()
                first, *rest = self.saved
                if 0 < first < GC_GEN0_THRESHOLD:
                    gc.set_threshold(GC_GEN0_THRESHOLD, *rest)
            self.runs += 1
        try:
            yield
        finally:
            with self.lock:
                self.runs -= 1
                if self.runs == 0 and self.saved is not None:
                    gc.set_threshold(*self.saved)
                    self.saved = None


_gc_relaxation = _GcRelaxation()


@dataclass(frozen=True)
class Reject:
    position: str
    reason: str
    record: str | None = None


@dataclass
class RunResult:
    run_id: int
    ingester: str
    instance: str
    status: str
    dry_run: bool
    seen: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    extracted: int = 0
    rejects: list[Reject] = field(default_factory=list)
    cursor_before: Any = None
    cursor_after: Any = None
    error: str | None = None
    new_move_ids: list[int] = field(default_factory=list)
    # Seconds the run's batches waited for their turn on the write lock (``WRITE_LOCK_CLASS``),
    # and held it (from their turn to their commit): with several workers, the share of a
    # run's time spent queueing behind the others' writes.
    write_lock_wait_s: float = 0.0
    write_lock_held_s: float = 0.0

    def counts(self) -> dict[str, int]:
        return {
            "seen": self.seen,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }

    def labelled_counts(self) -> dict[str, int]:
        """The counts as a person reads them: a dry run wrote nothing, so what it would have
        written is "would create", "would update"."""
        if not self.dry_run:
            return self.counts()
        return {
            "seen": self.seen,
            "would create": self.created,
            "would update": self.updated,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
        }

    def summary(self) -> str:
        """One line: ``run 3 of openalex succeeded: seen 10, created 8, ...`` (``dry run of
        openalex succeeded: seen 10, would create 8, ...`` for a dry run)."""
        counts = ", ".join(f"{k} {v}" for k, v in self.labelled_counts().items())
        tail = f" ({self.error})" if self.error else ""
        run = f"dry run {self.run_id}" if self.dry_run else f"run {self.run_id}"
        return f"{run} of {self.instance} {self.status}: {counts}{tail}"

    @property
    def ok(self) -> bool:
        return self.status == "succeeded"


def validate_config(ingester_cls: type[Ingester], config: dict[str, Any]) -> BaseModel:
    """The ingester's Config, or a ConfigError naming the plugin and each wrong field."""
    try:
        return ingester_cls.Config.model_validate(config)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "(config)"
            problems.append(f"{where}: {err['msg']}")
        raise ConfigError(
            f"invalid config for ingester {ingester_cls.name!r}: " + "; ".join(problems),
            ingester=ingester_cls.name,
        ) from None


def api_config(
    ingester_cls: type[Ingester], config: dict[str, Any], settings: Settings
) -> dict[str, Any]:
    """``config`` as a run started through the API may use it: every local path the ingester
    reads (``local_path_fields``) resolved, symlinks followed, under ``settings.ingest_dir``
    (relative paths are taken from there). A ConfigError naming the field, never the path,
    otherwise: an API caller learns nothing about the files on the server."""
    validated = validate_config(ingester_cls, config)
    out = dict(config)
    for name in ingester_cls.local_path_fields:
        value = getattr(validated, name, None)
        if value is None:
            continue
        where = f"invalid config for ingester {ingester_cls.name!r}: {name}"
        if settings.ingest_dir is None:
            raise ConfigError(
                f"{where}: local files cannot be ingested through the API on this server "
                "(no ingest directory is configured: TALENTFLOW_INGEST_DIR)",
                ingester=ingester_cls.name,
            )
        root = settings.ingest_dir.resolve()
        try:
            target = (root / str(value)).resolve()
        except (OSError, RuntimeError, ValueError):
            target = None
        if target is None or not target.is_relative_to(root) or target == root:
            raise ConfigError(
                f"{where}: must name a file under the server's ingest directory",
                ingester=ingester_cls.name,
            )
        out[name] = str(target)
    validate_config(ingester_cls, out)
    return out


def _describe(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or '(record)'}: {err['msg']}"
        for err in exc.errors()
    )


ProgressCallback = Callable[[RunResult], None]


@dataclass
class _Batch:
    """One batch's observations and what commits with them, taken when the batch was cut."""

    items: list[BatchItem]
    rejects: list[Reject]
    validators: dict[str, Any]
    state: Any
    counts: dict[str, int]  # the run's counts when the batch was cut, then with its outcomes
    rejects_at: int  # where its rejected observations go in the run's list of rejects
    seqs: list[int] = field(default_factory=list)  # each item's place in the stream
    covered: int = 0  # the place in the stream up to which the batch's state covers


@dataclass
class _Writing:
    """The batch being written, by ``task``, and the run it belongs to."""

    task: asyncio.Task[None]
    batch: _Batch
    result: RunResult


class _Run:
    def __init__(
        self,
        *,
        pool: asyncpg.Pool,
        pm: pluggy.PluginManager,
        ingester_cls: type[Ingester],
        config: BaseModel,
        instance: str,
        dry_run: bool,
        limit: int | None,
        settings: Settings,
        progress: ProgressCallback | None,
        http: HttpClient | None,
    ) -> None:
        self.pool = pool
        self.pm = pm
        self.cls = ingester_cls
        self.config = config
        self.instance = instance
        self.dry_run = dry_run
        self.limit = limit
        self.settings = settings
        self.progress = progress
        self.http_override = http
        self.name = ingester_cls.name
        self.buffer: list[BatchItem] = []
        self.buffer_seqs: list[int] = []  # each buffered item's place in the stream
        # Rejects wait, with their place in the stream, until a checkpoint covers them (or the
        # stream ends): one stored past the committed state would be stored again by the re-run
        # that reads that record again after a crash.
        self.pending_rejects: list[tuple[int, Reject]] = []
        self.covered = 0  # the place in the stream of the latest checkpoint
        self.state: Any = None
        self.committed_state: Any = None
        self.position = 0
        # HTTP validators become safe to store only once a checkpoint (or the end of the stream)
        # covers the data fetched with them; until then a crash must make the re-run fetch again.
        self.ready_validators: dict[str, Any] = {}
        self.rows_at_start = 0.0  # rows of the smallest growing table when the run started
        self.written = 0  # observations written by this run
        self.written_at_analyze = 0
        self.flushing: _Writing | None = None  # the batch being written
        self.lock_conn: asyncpg.Connection  # the connection holding the run's lock

    # -- bookkeeping ---------------------------------------------------------------------------
    def reject(self, result: RunResult, position: str, reason: str, record: Any = None) -> None:
        text = record if isinstance(record, str) or record is None else repr(record)
        item = Reject(position, reason, ingest_runs.excerpt(text))
        result.rejected += 1
        result.rejects.append(item)
        self.pending_rejects.append((self.position, item))
        logger.info("%s: rejected %s: %s", self.name, position, reason)

    def _take_batch(self, result: RunResult, *, ended: bool = False) -> _Batch:
        """The buffered observations and everything their transaction commits with them, as of
        now: the stream may run on while they are written. Its rejects are those the state
        covers (all of them once the stream has ``ended``)."""
        items, self.buffer = self.buffer, []
        seqs, self.buffer_seqs = self.buffer_seqs, []
        covered = self.position if ended else self.covered
        rejects = [r for seq, r in self.pending_rejects if seq <= covered]
        self.pending_rejects = [(seq, r) for seq, r in self.pending_rejects if seq > covered]
        validators, self.ready_validators = self.ready_validators, {}
        if self.dry_run:
            validators = {}
        return _Batch(
            items,
            rejects,
            validators,
            self.state,
            result.counts(),
            len(result.rejects),
            seqs,
            covered,
        )

    async def settle(self) -> None:
        """Wait for the batch being written, if any; its failure is raised here, and then the
        run ends as if the stream had not been read past that batch."""
        writing, self.flushing = self.flushing, None
        if writing is None:
            return
        try:
            await writing.task
        except BaseException:
            self._unread(writing.batch, writing.result)
            raise

    def _unread(self, batch: _Batch, result: RunResult) -> None:
        """Forget what was read after ``batch`` was cut: a run whose batch failed (or that was
        stopped after it) never read on, as when batches were written before reading on."""
        self.buffer, self.pending_rejects, self.ready_validators = [], [], {}
        self.buffer_seqs = []
        self.state = batch.state
        result.seen = batch.counts["seen"]
        result.rejected -= len(result.rejects) - batch.rejects_at
        del result.rejects[batch.rejects_at :]

    async def flush(
        self,
        conn: asyncpg.Connection,
        writer: BatchWriter,
        result: RunResult,
        *,
        ended: bool = False,
    ) -> None:
        """Write the buffered batch, after the one being written, and return when it is."""
        await self.settle()
        await self._write(conn, writer, result, self._take_batch(result, ended=ended))

    async def flush_behind(
        self, conn: asyncpg.Connection, writer: BatchWriter, result: RunResult
    ) -> None:
        """Start writing the buffered batch, after the one being written, and return at once.

        The caller reads and validates the next observations while PostgreSQL works on this
        batch's statements (``_pull`` lets the write go on between items). One batch is written
        at a time, in order, on the one connection, so each batch resolves against everything
        the batches before it wrote, as when they were written one after the other.
        """
        await self.settle()
        batch = self._take_batch(result)
        task = asyncio.create_task(self._write(conn, writer, result, batch))
        self.flushing = _Writing(task, batch, result)

    async def drop_flush(self, cancel: bool) -> None:
        """Leave the batch being written: cancelled (its transaction rolls back) when the run
        itself is cancelled, else let it finish (as it would have before the stream went on)."""
        writing, self.flushing = self.flushing, None
        if writing is None:
            return
        if cancel:
            writing.task.cancel()
        try:
            await writing.task
        except BaseException:  # the error that ends the run is being raised already
            if not cancel:
                logger.exception("%s: writing a batch failed while the run was ending", self.name)

    async def _write(
        self, conn: asyncpg.Connection, writer: BatchWriter, result: RunResult, batch: _Batch
    ) -> None:
        items, rejects, validators, counts = (
            batch.items,
            batch.rejects,
            batch.validators,
            batch.counts,
        )
        async with conn.transaction():
            asked = time.perf_counter()
            await conn.execute("SELECT pg_advisory_xact_lock($1, 0)", WRITE_LOCK_CLASS)
            turn = time.perf_counter()
            result.write_lock_wait_s += turn - asked
            outcome = await writer.write(items)
            for n, (item, status) in enumerate(zip(items, outcome.statuses, strict=True)):
                derived = "/extract_moves:" in item.position
                if status.startswith("rejected: "):
                    if derived:
                        logger.info("%s: %s", item.position, status)
                        continue
                    reason = f"ingester {self.name!r}: {status.removeprefix('rejected: ')}"
                    record = item.observation.model_dump_json()
                    result.rejected += 1
                    counts["rejected"] += 1
                    # before the rejects of observations read after this batch
                    result.rejects.insert(
                        batch.rejects_at, Reject(item.position, reason, record[:2048])
                    )
                    batch.rejects_at += 1
                    if batch.seqs[n] <= batch.covered:
                        rejects.append(Reject(item.position, reason, record))
                    else:  # stored with a later batch, once a checkpoint covers it
                        self.pending_rejects.append(
                            (batch.seqs[n], Reject(item.position, reason, record))
                        )
                elif derived:
                    result.extracted += 1 if status == "created" else 0
                else:
                    setattr(result, status, getattr(result, status) + 1)
                    counts[status] += 1
            if not self.dry_run:
                await ingest_runs.add_rejects(
                    conn, result.run_id, [(r.position, r.reason, r.record) for r in rejects]
                )
                if batch.state != self.committed_state:
                    await plugin_state.save(
                        conn, self.instance, self.name, batch.state, result.run_id
                    )
                await plugin_state.save_validators(
                    conn,
                    self.instance,
                    {k: (v.etag, v.last_modified) for k, v in validators.items()},
                )
                await ingest_runs.set_counts(conn, result.run_id, counts)
        result.write_lock_held_s += time.perf_counter() - turn
        self.committed_state = batch.state
        if not self.dry_run:
            self.written += len(items)
            await self.analyze_if_grown()
            await send_ahead(self.lock_conn, self._compact_rollups(self.lock_conn))
            self.http.validators.mark_committed(validators)
            new = [m["id"] for m in outcome.new_moves]
            result.new_move_ids.extend(new)
            self.notify(outcome.new_moves, result.run_id)
        if self.progress:
            self.progress(result)

    @staticmethod
    async def table_size(conn: asyncpg.Connection) -> float:
        """Rows of the smallest growing table as of its last ANALYZE (0 if never analysed)."""
        value = await conn.fetchval(
            "SELECT min(greatest(reltuples, 0)) FROM pg_class WHERE oid = ANY($1::regclass[])",
            list(GROWING_TABLES),
        )
        return float(value or 0)

    async def analyze_if_grown(self) -> None:
        """ANALYZE the growing tables when the run has about doubled them (``GROWING_TABLES``).

        It runs on the run's other connection (the one holding its lock), sent ahead: the next
        batch is written meanwhile (ANALYZE reads only committed rows, and does not block
        inserts), and the next statement on that connection waits for it (the next ANALYZE, or
        the run's end).
        """
        since = self.written - self.written_at_analyze
        if since < max(ANALYZE_MIN_OBSERVATIONS, self.rows_at_start + self.written_at_analyze):
            return
        self.written_at_analyze = self.written
        await send_ahead(self.lock_conn, self._analyze(self.lock_conn))

    async def _analyze(self, conn: asyncpg.Connection) -> None:
        try:
            await conn.execute("ANALYZE " + ", ".join(GROWING_TABLES))
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
            # Statistics only guide the plans of later lookups: the run goes on without them.
            logger.warning("%s: ANALYZE of the growing tables failed: %s", self.name, exc)

    async def _compact_rollups(self, conn: asyncpg.Connection) -> None:
        """Fold the flow rollups' pending deltas (``stores.rollups``) after a batch, on the
        run's other connection: the next batch is written meanwhile."""
        try:
            await rollups.compact(conn)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
            # Reads sum the deltas anyway: only their number grows until the next compaction.
            logger.warning("%s: compacting the flow rollups failed: %s", self.name, exc)

    def notify(self, moves: list[dict[str, Any]], run_id: int) -> None:
        impls = self.pm.hook.on_move_recorded.get_hookimpls()
        if not impls:
            return  # no plugin listens: no RecordedMove to build for each new move
        for row in moves:
            move = RecordedMove(
                id=row["id"],
                researcher_id=row["researcher_id"],
                from_institution_id=row["from_institution_id"],
                to_institution_id=row["to_institution_id"],
                from_country=row["from_country"],
                to_country=row["to_country"],
                move_date=row["move_date"],
                date_precision=row["date_precision"],
                kind=row["kind"],
                status=row["status"],
                confidence=float(row["confidence"]),
                origin=row["origin"],
                provisional=row["provisional"],
                run_id=run_id,
            )
            for impl in impls:
                try:
                    call_hookimpl(impl, move=move)
                except Exception:
                    logger.exception("on_move_recorded of plugin %r failed", impl.plugin_name)

    def extracted_moves(self, doc: DocumentSeen, position: str) -> list[BatchItem]:
        out: list[BatchItem] = []
        for impl in self.pm.hook.extract_moves.get_hookimpls():
            try:
                found = call_hookimpl(impl, document=doc) or []
            except Exception as exc:
                logger.warning(
                    "extract_moves of plugin %r failed on %s: %s", impl.plugin_name, doc.url, exc
                )
                continue
            for n, move in enumerate(found):
                where = f"{position}/extract_moves:{impl.plugin_name}#{n}"
                if not isinstance(move, MoveReported | AffiliationSeen):
                    logger.warning(
                        "%s: not a MoveReported or AffiliationSeen but %s",
                        where,
                        type(move).__name__,
                    )
                    continue
                try:
                    checked = type(move).model_validate(move.model_dump())
                except ValidationError as exc:
                    logger.warning("%s: invalid move: %s", where, _describe(exc))
                    continue
                problem = unstorable_observation(checked)
                if problem is not None:
                    logger.warning("%s: move not stored: %s", where, problem)
                    continue
                out.append(BatchItem(where, checked, impl.plugin_name, None))
        return out

    async def add_institution_aliases(self, conn: asyncpg.Connection) -> None:
        pairs: list[tuple[str, str, str]] = []
        for impl in self.pm.hook.institution_aliases.get_hookimpls():
            try:
                for alias, slug in call_hookimpl(impl) or []:
                    if normalize_institution(alias):
                        pairs.append((alias, normalize_institution(alias), slug))
            except Exception:
                logger.exception("institution_aliases of plugin %r failed", impl.plugin_name)
        if pairs:
            _, unknown = await institution_writes.add_alias_by_slug(conn, pairs, "plugin")
            for slug in unknown:
                logger.warning("institution_aliases: no institution with slug %r", slug)

    # -- the run -------------------------------------------------------------------------------
    async def run(self) -> RunResult:
        with _gc_relaxation.during_run():
            return await self._run()

    async def _run(self) -> RunResult:
        async with self.pool.acquire() as lock_conn:
            got = await lock_conn.fetchval(
                "SELECT pg_try_advisory_lock($1, hashtext($2))", LOCK_CLASS, self.instance
            )
            if not got:
                running = await ingest_runs.running(lock_conn, self.instance)
                if running:
                    since: datetime = running["started_at"]
                    raise RunLocked(
                        f"run {running['id']} of instance {self.instance!r} is in progress "
                        f"since {since.isoformat(timespec='seconds')}",
                        instance=self.instance,
                    )
                raise RunLocked(f"instance {self.instance!r} is being ingested by another process")
            try:
                return await self._locked(lock_conn)
            finally:
                await lock_conn.execute(
                    "SELECT pg_advisory_unlock($1, hashtext($2))", LOCK_CLASS, self.instance
                )

    async def _locked(self, lock_conn: asyncpg.Connection) -> RunResult:
        self.lock_conn = lock_conn
        abandoned = await ingest_runs.fail_abandoned(lock_conn, self.instance)
        if abandoned:
            logger.warning("marked abandoned run(s) %s of %s as failed", abandoned, self.instance)
        self.state = await plugin_state.load(lock_conn, self.instance)
        self.committed_state = self.state
        run_id = await ingest_runs.start(
            lock_conn, self.name, self.instance, self.dry_run, self.state
        )
        result = RunResult(
            run_id, self.name, self.instance, "running", self.dry_run, cursor_before=self.state
        )
        cache = ValidatorCache(
            {
                url: Validators(e, lm)
                for url, (e, lm) in (
                    await plugin_state.load_validators(lock_conn, self.instance)
                ).items()
            }
        )
        self.http = self.http_override or HttpClient.from_settings(
            self.settings, ingester=self.name, validators=cache, **self.cls.http_limits()
        )
        if self.http_override is not None:
            self.http.validators = cache
        try:
            async with self.pool.acquire() as conn:
                if self.dry_run:
                    tx = conn.transaction()
                    await tx.start()
                    try:
                        await self._pull(conn, result)
                    finally:
                        await tx.rollback()
                else:
                    self.rows_at_start = await self.table_size(conn)
                    await self.add_institution_aliases(conn)
                    await self._pull(conn, result)
        except Exception as exc:
            result.status = "failed"
            result.error = result.error or _error_text(self.name, exc)
            if not isinstance(exc, IngestError | asyncpg.PostgresError):
                logger.exception("run %s of %s failed", run_id, self.instance)
        finally:
            if self.http_override is None:
                await self.http.aclose()
        if result.status == "running":
            result.status = "succeeded"
        result.cursor_after = self.committed_state if not self.dry_run else self.state
        await ingest_runs.finish(
            lock_conn,
            run_id,
            status=result.status,
            counts=result.counts(),
            cursor_after=result.cursor_after,
            # stored whole for the operator; the API strips local paths for callers without
            # the admin scope (run_error_for)
            error=storable_text(result.error) if result.error is not None else None,
        )
        if self.dry_run or not result.ok:
            pass
        record_ingest_run(self.name, result.status)
        for outcome in ("created", "updated", "unchanged", "rejected"):
            record_observations(self.name, outcome, getattr(result, outcome))
        logger.info("%s", result.summary())
        return result

    async def _pull(self, conn: asyncpg.Connection, result: RunResult) -> None:
        ctx = IngestContext(
            http=self.http,
            config=self.config,
            logger=IngestContext.ingester_logger(self.name),
            instance=self.instance,
            settings=PluginSettings.for_ingester(self.settings, self.name, self.http.user_agent),
            limit=self.limit,
            run_id=result.run_id,
            id_lookup=lambda scheme: self._known_ids(conn, scheme),
        )
        writer = BatchWriter(
            conn, self.name, self.instance, self.settings, Resolver(conn, self.name)
        )
        ingester = self.cls(self.config)
        stream = ingester.fetch(ctx, self.state)
        try:
            await self._pull_items(conn, result, writer, stream)
        except BaseException as exc:
            await self.drop_flush(cancel=isinstance(exc, asyncio.CancelledError))
            raise

    async def _known_ids(self, conn: asyncpg.Connection, scheme: str) -> list[str]:
        await self.settle()  # the connection is free, and the ids of every batch so far stored
        return await _known_researcher_ids(conn, scheme)

    async def _pull_items(
        self,
        conn: asyncpg.Connection,
        result: RunResult,
        writer: BatchWriter,
        stream: AsyncIterator[Any],
    ) -> None:
        batch_size = self.settings.ingest_batch_size
        parsed = self.cls.yields_parsed_observations
        storable = parsed and self.cls.yields_storable_observations
        failure: BaseException | None = None
        ended = True  # read to its end (not stopped at the limit)
        try:
            async for item in _guard(stream, self.name, self.settings.ingest_idle_timeout_s):
                if isinstance(item, Checkpoint):
                    problem = unstorable(item.state, "state", json=True)
                    if problem:
                        raise FatalIngestError(
                            f"ingester {self.name!r} yielded a Checkpoint that cannot be "
                            f"stored: {problem}"
                        )
                    self.state = item.state
                    self.covered = self.position
                    self.ready_validators.update(self.http.validators.take_pending())
                    continue
                self.position += 1
                result.seen += 1
                where = f"#{self.position}"
                if isinstance(item, SkippableRecordError):
                    self.reject(
                        result,
                        item.position or where,
                        f"ingester {self.name!r}: {item.message}",
                        item.record,
                    )
                elif isinstance(item, OBSERVATION_TYPES):
                    try:
                        # Validating is idempotent, so a fresh parse_observation result is
                        # what validating it again would give.
                        checked = (
                            item
                            if parsed and type(item) in OBSERVATION_TYPES
                            else observation_adapter.validate_python(item.model_dump())
                        )
                    except ValidationError as exc:
                        self.reject(
                            result,
                            where,
                            f"ingester {self.name!r}: invalid {type(item).__name__}: "
                            f"{_describe(exc)}",
                            item,
                        )
                    else:
                        # a value PostgreSQL cannot store rejects this record, not the batch
                        problem = None if storable else unstorable_observation(checked)
                        if problem is not None:
                            self.reject(
                                result,
                                where,
                                f"ingester {self.name!r}: {type(checked).__name__}: {problem}",
                                item,
                            )
                        else:
                            batch_item = BatchItem(where, checked, self.name, self.cls.version)
                            writer.prepare(batch_item)
                            self.buffer.append(batch_item)
                            self.buffer_seqs.append(self.position)
                            if isinstance(checked, DocumentSeen) and checked.text:
                                moves = self.extracted_moves(checked, where)
                                self.buffer.extend(moves)
                                self.buffer_seqs.extend([self.position] * len(moves))
                else:
                    self.reject(
                        result,
                        where,
                        f"ingester {self.name!r} yielded a {type(item).__name__}, not an "
                        "observation, a Checkpoint or a SkippableRecordError",
                        item,
                    )
                if len(self.buffer) >= batch_size:
                    await self.flush_behind(conn, writer, result)
                elif self.flushing is not None:
                    if self.flushing.task.done():
                        await self.settle()  # a failed write (or a stop) ends the run now
                    else:
                        # While a batch is being written the stream is read on, and after each
                        # item the write gets its turn (its answer handled, its next statement
                        # sent). The write is the run's critical path and the reading has time
                        # to spare: every 50 µs of reading instead made each answer wait about
                        # that long (about 2% of the run at 50,000 authors).
                        await asyncio.sleep(0)
                if self.limit is not None and result.seen >= self.limit:
                    ended = False
                    break
        except _PluginRaised as raised:
            failure = raised.error
        finally:
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                with contextlib.suppress(Exception):
                    await aclose()
        if failure is not None:
            if isinstance(failure, SkippableRecordError):
                self.position += 1
                result.seen += 1
                self.reject(
                    result,
                    failure.position or f"#{self.position}",
                    f"ingester {self.name!r}: {failure.message}",
                    failure.record,
                )
            elif isinstance(failure, ValidationError):
                self.position += 1
                result.seen += 1
                self.reject(
                    result,
                    f"#{self.position}",
                    f"ingester {self.name!r} built an invalid observation: {_describe(failure)}",
                )
            # Keep what came before the failure: it is valid and the state covers only it.
            await self.flush(conn, writer, result)
            raise failure
        self.ready_validators.update(self.http.validators.take_pending())
        await self.flush(conn, writer, result, ended=ended)


class _PluginRaised(Exception):
    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


async def _known_researcher_ids(conn: asyncpg.Connection, scheme: str) -> list[str]:
    rows = await conn.fetch(
        """SELECT x.value FROM researcher_external_id x
           JOIN researcher r ON r.id = x.researcher_id
           WHERE x.scheme = $1 AND r.merged_into_id IS NULL ORDER BY x.value""",
        scheme,
    )
    return [r["value"] for r in rows]


async def _guard(
    stream: AsyncIterator[Any], name: str, idle_timeout_s: float
) -> AsyncIterator[Any]:
    """Iterate a plugin's stream, wrapping whatever it raises so the caller knows the source.

    A plugin that yields nothing for ``idle_timeout_s`` is taken as hung: the run fails (what
    was committed stays, the next run resumes from the last checkpoint) and the instance's lock
    is released, instead of holding it until someone kills the process.
    """
    iterator = stream.__aiter__()
    watchdog = _IdleWatchdog(idle_timeout_s)
    try:
        while True:
            watchdog.waiting()
            try:
                item = await iterator.__anext__()
            except StopAsyncIteration:
                return
            except asyncio.CancelledError:
                if not watchdog.fired():
                    raise
                raise _PluginRaised(
                    RetriableIngestError(
                        f"ingester {name!r} yielded nothing for {idle_timeout_s:g}s; the run "
                        "was stopped as hung (TALENTFLOW_INGEST_IDLE_TIMEOUT_S)"
                    )
                ) from TimeoutError()
            except Exception as exc:
                raise _PluginRaised(exc) from exc
            finally:
                watchdog.idle()
            yield item
    finally:
        watchdog.close()


class _IdleWatchdog:
    """``asyncio.timeout`` around each wait for a plugin's next item, without a timer per item.

    A stream yields thousands of items a second; arming and cancelling a timer for each was a
    visible share of a run. Here one timer is armed at a time: when it fires it cancels the
    task only if the current wait began ``timeout_s`` ago, and otherwise re-arms itself for when
    the current (or next) wait could have lasted that long.
    """

    def __init__(self, timeout_s: float) -> None:
        self.timeout_s = timeout_s
        self.loop = asyncio.get_running_loop()
        self.task = asyncio.current_task()
        self.since: float | None = None
        self.handle: asyncio.TimerHandle | None = None
        self.cancelled = False
        self.cancelling = 0

    def waiting(self) -> None:
        self.since = self.loop.time()
        if self.handle is None:
            self.handle = self.loop.call_at(self.since + self.timeout_s, self._check)

    def idle(self) -> None:
        self.since = None

    def _check(self) -> None:
        self.handle = None
        if self.since is None or self.task is None:
            return  # not waiting: the next wait arms the timer again
        due = self.since + self.timeout_s
        if self.loop.time() < due:
            self.handle = self.loop.call_at(due, self._check)
            return
        self.cancelled = True
        self.cancelling = self.task.cancelling()
        self.task.cancel()

    def fired(self) -> bool:
        """True if the cancellation being delivered is this watchdog's alone (then absorbed,
        as ``asyncio.timeout`` absorbs its own into a TimeoutError)."""
        if not self.cancelled or self.task is None:
            return False
        self.cancelled = False
        return self.task.uncancel() <= self.cancelling

    def close(self) -> None:
        if self.handle is not None:
            self.handle.cancel()
            self.handle = None


def _error_text(name: str, exc: BaseException) -> str:
    if isinstance(exc, SkippableRecordError):
        return (
            f"ingester {name!r} raised SkippableRecordError ({exc.message}); the record was "
            "rejected but the stream cannot go on after raising: yield the error to skip a "
            "record and continue"
        )
    if isinstance(exc, ValidationError):
        return f"ingester {name!r} built an invalid observation: {_describe(exc)}"
    if isinstance(exc, FatalIngestError | RetriableIngestError):
        return exc.message if name in exc.message else f"ingester {name!r}: {exc.message}"
    if isinstance(exc, IngestError):
        return exc.message
    if isinstance(exc, asyncpg.PostgresError):
        return f"database error while writing a batch of ingester {name!r}: {exc}"
    return f"ingester {name!r} raised {type(exc).__name__}: {exc}"


async def run_ingester(
    pool: asyncpg.Pool,
    ingester_name: str,
    config: dict[str, Any],
    *,
    instance: str | None = None,
    dry_run: bool = False,
    limit: int | None = None,
    settings: Settings,
    pm: pluggy.PluginManager | None = None,
    progress: ProgressCallback | None = None,
    http: HttpClient | None = None,
) -> RunResult:
    """Run one ingester instance to the end (or ``limit`` observations) and report."""
    pm = pm or get_plugin_manager()
    ingester_cls = get_ingester(pm, ingester_name)
    validated = validate_config(ingester_cls, config)
    if limit is not None and limit < 1:
        raise ConfigError("limit must be at least 1")
    run = _Run(
        pool=pool,
        pm=pm,
        ingester_cls=ingester_cls,
        config=validated,
        instance=instance or ingester_name,
        dry_run=dry_run,
        limit=limit,
        settings=settings,
        progress=progress,
        http=http,
    )
    return await run.run()
