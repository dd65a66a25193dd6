"""Buffering a request body in ASGI layers that look at it before handing it on."""

from __future__ import annotations

from starlette.types import Message, Receive


async def read_body(
    receive: Receive, max_bytes: int | None = None
) -> tuple[list[Message], bytes] | None:
    """Every message of a request body and the body itself, or None once it passes
    ``max_bytes``: for layers that look at the body before handing it on (see ``replaying``)."""
    messages: list[Message] = []
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if max_bytes is not None and size > max_bytes:
            return None
        if not message.get("more_body", False):
            break
    return messages, b"".join(chunks)


def replaying(messages: list[Message], receive: Receive) -> Receive:
    """A ``receive`` that hands over the buffered ``messages`` again, then the rest."""

    async def replay() -> Message:
        if messages:
            return messages.pop(0)
        return await receive()

    return replay
