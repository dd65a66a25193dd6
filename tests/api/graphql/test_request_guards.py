"""Both GraphQL executors run one list of request guards: a guard (or an extension) added in
one place is run by strawberry and by the fast path, and none can be added to one alone."""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from functools import partial
from typing import Any

import httpx
import pytest
import pytest_asyncio
from graphql import DocumentNode, GraphQLSchema
from strawberry.extensions import SchemaExtension

from service.api.graphql import app as graphql_app
from service.api.graphql import fast_path, request_guards
from service.api.graphql.context import Context
from service.api.graphql.limits import ExtensionFactory
from service.api.graphql.request_guards import RequestGuard, RequestGuards
from service.api.graphql.schema import build_schema
from service.config import load_settings
from tests.api.graphql.seed import Seeded

PLAIN = "{ moves(first: 2) { nodes { id kind } } }"
STRAWBERRY = {"accept": "application/graphql-response+json"}  # the fast path declines it


def _described(factory: ExtensionFactory) -> tuple[Any, ...]:
    if isinstance(factory, partial):
        return (factory.func, factory.args, tuple(sorted(factory.keywords.items())))
    return (factory, (), ())


def test_the_schema_runs_exactly_the_guards_extensions() -> None:
    settings = load_settings()
    guards = request_guards.request_guards(settings)
    schema = build_schema(settings, guards)
    assert [_described(f) for f in schema.extensions] == [
        _described(f) for f in guards.extensions()
    ]
    # Without the guards given, the schema builds the same list for its settings.
    default = build_schema(settings)
    assert [getattr(f, "func", f) for f in default.extensions] == [
        getattr(f, "func", f) for f in guards.extensions()
    ]


def test_every_guard_states_both_forms() -> None:
    """A guard that leaves a fast-path hook out cannot be built (every hook is abstract)."""
    hooks = {"extensions", "refuse_text", "refuse_document", "refuse_request", "enter", "leave"}
    assert RequestGuard.__abstractmethods__ == hooks

    class OnlyAnExtension(RequestGuard):
        def extensions(self) -> Sequence[ExtensionFactory]:
            return ()

    with pytest.raises(TypeError):
        OnlyAnExtension()  # type: ignore[abstract]
    for guard in request_guards.request_guards(load_settings()):
        assert guard.name, guard
        assert not inspect.isabstract(type(guard))


class Recorder(RequestGuard):
    """Records each hook as it runs; refuses requests when told to."""

    name = "recorder"

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.refuse = False

    def extensions(self) -> Sequence[ExtensionFactory]:
        calls = self.calls

        class Recording(SchemaExtension):
            def on_operation(self) -> Iterator[None]:
                calls.append("extension")
                yield

        return (Recording,)

    def refuse_text(self, query: str) -> str | None:
        self.calls.append("text")
        return None

    def refuse_document(self, schema: GraphQLSchema, document: DocumentNode) -> str | None:
        self.calls.append("document")
        return None

    def refuse_request(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any],
    ) -> str | None:
        self.calls.append("request")
        return "refused by the recorder" if self.refuse else None

    def enter(self, context: Context) -> None:
        self.calls.append("enter")

    async def leave(self, context: Context, *, completed: bool) -> None:
        self.calls.append(f"leave:{completed}")


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    found = Recorder()
    default = request_guards.request_guards

    def with_recorder(settings: Any) -> RequestGuards:
        return RequestGuards((*default(settings), found))

    monkeypatch.setattr(graphql_app, "request_guards", with_recorder)
    return found


@pytest_asyncio.fixture
async def recorded_client(
    recorder: Recorder, settings_env: str, seeded: Seeded
) -> AsyncIterator[httpx.AsyncClient]:
    from service.api.app import create_app

    application = create_app(load_settings())
    async with application.router.lifespan_context(application):
        transport = httpx.ASGITransport(app=application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c


def _served() -> float:
    for metric in fast_path.FAST_PATH.collect():
        for sample in metric.samples:
            if sample.name.endswith("_total") and sample.labels["outcome"] == "served":
                return sample.value
    return 0.0


async def test_a_guard_added_to_the_list_runs_on_both_paths(
    recorded_client: httpx.AsyncClient, recorder: Recorder
) -> None:
    served = _served()
    fast = await recorded_client.post("/graphql", json={"query": PLAIN})
    assert fast.status_code == 200 and "errors" not in fast.json()
    assert _served() == served + 1
    assert recorder.calls == ["text", "document", "request", "enter", "leave:True"]

    recorder.calls.clear()
    normal = await recorded_client.post("/graphql", json={"query": PLAIN}, headers=STRAWBERRY)
    assert normal.json() == fast.json()
    assert recorder.calls == ["extension"]


async def test_a_refusal_hands_the_request_to_the_normal_path(
    recorded_client: httpx.AsyncClient, recorder: Recorder
) -> None:
    recorder.refuse = True
    served = _served()
    r = await recorded_client.post("/graphql", json={"query": PLAIN})
    assert r.status_code == 200 and r.json()["data"]["moves"]["nodes"]
    assert _served() == served
    assert recorder.calls == ["text", "document", "request", "extension"]
