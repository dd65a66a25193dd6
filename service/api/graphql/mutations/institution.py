# mypy: disable-error-code="untyped-decorator"
"""Mutations on institutions: add an alias, create or update one by slug."""

from __future__ import annotations

from typing import Annotated

import asyncpg
import strawberry

from service.api.graphql.context import Info
from service.api.graphql.errors import (
    ConflictError,
    InvalidInput,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
    invalid,
    not_found,
)
from service.api.graphql.ids import SLUG, institution_ref
from service.api.graphql.mutations.base import forget, write
from service.api.graphql.permissions import CanCurate, actor, require_key
from service.api.graphql.types.common import InstitutionKind
from service.api.graphql.types.filters import countries
from service.api.graphql.types.institution import Institution
from service.db.stores import curation
from service.domain.urls import web_url
from service.errors import NotFound

InstitutionResult = Annotated[
    Institution | NotFoundError | PermissionDeniedError | ValidationError | ConflictError,
    strawberry.union("InstitutionResult"),
]


@strawberry.input(description="An institution, created or updated by its slug.")
class InstitutionInput:
    slug: str
    name: str
    kind: InstitutionKind = InstitutionKind.OTHER
    country: str | None = None
    city: str | None = None
    parent: strawberry.ID | None = strawberry.field(
        default=None, description="A global id or a slug."
    )
    native_name: str | None = None
    website: str | None = None
    is_site: bool = False
    ror: str | None = None


async def _institution(info: Info, pk: int) -> Institution | NotFoundError:
    loader = info.context.loaders.institution_by_id
    forget(loader, pk)
    row = await loader.load(pk)
    return Institution.from_row(row) if row else not_found(f"no institution with id {pk}")


@strawberry.type
class InstitutionMutations:
    @strawberry.mutation(
        permission_classes=[CanCurate],
        description="Add a name the institution goes by (scope curate).",
    )
    async def add_institution_alias(
        self, info: Info, institution: strawberry.ID, alias: str, lang: str | None = None
    ) -> InstitutionResult:
        try:
            pk = await institution_ref(info, institution, "institution")
        except InvalidInput as exc:
            return invalid(exc.message, "institution")
        except NotFound as exc:
            return not_found(exc.message)
        who = actor(await require_key(info))

        async def run(conn: asyncpg.Connection) -> int:
            return await curation.add_institution_alias(conn, pk, alias, lang, actor=who)

        done = await write(info, run)
        return done if not isinstance(done, int) else await _institution(info, done)

    @strawberry.mutation(
        permission_classes=[CanCurate],
        description="Create the institution with this slug, or update it (scope curate).",
    )
    async def upsert_institution(self, info: Info, input: InstitutionInput) -> InstitutionResult:
        if not SLUG.match(input.slug):
            return invalid(
                "slug: lowercase letters, digits and hyphens, starting with a letter or digit",
                "slug",
            )
        if not input.name.strip():
            return invalid("name is empty", "name")
        website = input.website.strip() if input.website else None
        if website:
            try:
                website = web_url(website)
            except ValueError as exc:
                return invalid(f"website: {exc}", "website")
        try:
            country = countries([input.country], "country")[0] if input.country else None
            parent = await institution_ref(info, input.parent, "parent") if input.parent else None
        except InvalidInput as exc:
            field = exc.details.get("field")
            return invalid(exc.message, field if isinstance(field, str) else None)
        except NotFound as exc:
            return not_found(exc.message)
        data = curation.InstitutionUpsert(
            slug=input.slug,
            name=input.name.strip(),
            kind=input.kind.value,
            country_code=country,
            city=input.city,
            parent_id=parent,
            native_name=input.native_name,
            website=website or None,
            is_site=input.is_site,
            ror=input.ror,
        )
        who = actor(await require_key(info))

        async def run(conn: asyncpg.Connection) -> int:
            return await curation.upsert_institution(conn, data, actor=who)

        done = await write(info, run)
        return done if not isinstance(done, int) else await _institution(info, done)
