"""Values PostgreSQL cannot store, found before a batch is written.

PostgreSQL's ``text`` and ``jsonb`` refuse the NUL character (``\\u0000``); text must encode as
UTF-8 (a lone surrogate such as ``\\ud800`` does not); the observation counts and offsets are
``integer`` columns (32 bits); ``real`` and ``jsonb`` take no NaN or infinity. One such value
used to fail its whole batch, and the run, and every re-run at the same place: the pipeline
now rejects that one record, with its position, and goes on.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import BaseModel

from service.db.text import storable_text

__all__ = ["storable_text", "unstorable", "unstorable_observation"]

INT_MIN, INT_MAX = -(2**31), 2**31 - 1


def _text_problem(text: str) -> str | None:
    if "\x00" in text:
        return "contains a NUL character (\\u0000), which PostgreSQL cannot store"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "is not valid Unicode text (a lone surrogate such as \\ud800)"
    return None


def unstorable(value: Any, path: str = "", *, json: bool = False) -> str | None:
    """``"where: what"`` for the first value under ``value`` that PostgreSQL cannot store, or
    None when every value can be stored. ``json``: for a ``jsonb`` value (a checkpoint's
    state), where integers of any size are fine."""
    where = path or "(record)"
    if isinstance(value, str):
        problem = _text_problem(value)
        return f"{where} {problem}" if problem else None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        if not json and not INT_MIN <= value <= INT_MAX:
            return f"{where} is out of range ({INT_MIN}..{INT_MAX})"
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else f"{where} is not a finite number"
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            found = unstorable(getattr(value, name), f"{path}.{name}" if path else name, json=json)
            if found:
                return found
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            label = f"{path}.{key}" if path else str(key)
            if isinstance(key, str):
                problem = _text_problem(key)
                if problem:
                    return f"{path or '(record)'}: a key {problem}"
            found = unstorable(item, label, json=json)
            if found:
                return found
        return None
    if isinstance(value, list | tuple | set | frozenset):
        for n, item in enumerate(value):
            found = unstorable(item, f"{path}[{n}]", json=json)
            if found:
                return found
    return None


def unstorable_observation(observation: BaseModel) -> str | None:
    """``unstorable`` for a validated observation, fast when all is well (the common case):
    its JSON form is searched for an escaped NUL first, and only then is it walked. (The models
    themselves refuse lone surrogates, integers past 32 bits and non-finite confidences.)"""
    if b"\\u0000" not in type(observation).__pydantic_serializer__.to_json(observation):
        return None
    return unstorable(observation)
