"""The read query layer shared by GraphQL and REST.

Plain async functions over an :class:`~service.db.queries.executor.Executor` (an asyncpg
connection or pool) and typed filter dataclasses; every list is keyset-paginated in SQL.
"""
