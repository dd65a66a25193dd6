"""Opaque global ids ("Type:id" in base64) and references by slug or external id."""

from __future__ import annotations

import re
from collections.abc import Iterable

from strawberry import relay
from strawberry.relay.types import GlobalIDValueError

from service.api.graphql.context import Info
from service.api.graphql.errors import InvalidInput
from service.errors import NotFound

MAX_ID = 2**63 - 1  # PostgreSQL bigint
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")


def encode_id(type_name: str, pk: int) -> str:
    return str(relay.GlobalID(type_name, str(pk)))


def decode_id(value: str | relay.GlobalID, expected: str, field: str = "id") -> int:
    """The database id inside a global id of type ``expected``."""
    try:
        gid = value if isinstance(value, relay.GlobalID) else relay.GlobalID.from_id(value)
    except GlobalIDValueError:
        raise InvalidInput(f"`{field}`: {value!r} is not a valid id", field=field) from None
    if gid.type_name != expected:
        raise InvalidInput(
            f"`{field}`: expected the id of a {expected}, got one of a {gid.type_name}",
            field=field,
        )
    try:
        pk = int(gid.node_id)
    except ValueError:
        raise InvalidInput(
            f"`{field}`: {str(value)[:100]!r} is not a valid id", field=field
        ) from None
    if not 0 < pk <= MAX_ID:
        raise InvalidInput(f"`{field}`: no {expected} has the id {pk}", field=field)
    return pk


async def institution_ref(info: Info, value: str, field: str) -> int:
    """An institution given by global id or by slug (``openai``)."""
    if SLUG.match(value):
        found = await info.context.loaders.institution_id_by_slug.load(value)
        if found is None:
            raise NotFound(f"`{field}`: no institution with slug {value!r}", field=field)
        return found
    return decode_id(value, "Institution", field)


def node_pks(node_ids: Iterable[str]) -> list[int]:
    """The primary keys of a loader's node ids, refusing what is not a bigint."""
    try:
        pks = [int(i) for i in node_ids]
    except ValueError:
        raise InvalidInput("not a valid id") from None
    for pk in pks:
        if not 0 < pk < 2**63:  # beyond PostgreSQL's bigint: nothing has it
            raise InvalidInput(f"no object has the id {pk}", field="id")
    return pks
