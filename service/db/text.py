"""Text as PostgreSQL can store it."""

from __future__ import annotations


def storable_text(text: str) -> str:
    """``text`` as PostgreSQL can store it: a NUL shown as ``\\u0000``, a lone surrogate as
    U+FFFD. For text the service writes about what it read (rejected records, reasons, errors),
    which must be stored even when what was read could not be."""
    if "\x00" in text:
        text = text.replace("\x00", "\\u0000")
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)
    return text
