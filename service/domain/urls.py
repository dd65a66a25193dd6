"""Which URLs Talentflow stores and shows as links: ``http`` and ``https`` only.

A URL is stored to be followed by people (the explorer renders it as a link, analysts open it):
a ``javascript:``, ``data:`` or ``vbscript:`` URL would run script when clicked, and a browser
reads a scheme after removing tabs and newlines and ignoring case (``JaVa\tScRiPt:``). So a URL
is accepted only when, as given, its scheme is http or https, it has a host, and it holds no
control character (a tab, a newline, a NUL) anywhere.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

WEB_SCHEMES = frozenset({"http", "https"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def web_url(value: str) -> str:
    """``value`` without surrounding spaces if it is an http(s) URL with a host; else a
    ValueError saying what is wrong (without echoing a possibly hostile value)."""
    url = value.strip(" ")
    if _CONTROL.search(url):
        raise ValueError("not an http(s) URL: it contains a control character (tab, newline, NUL)")
    try:
        parts = urlsplit(url)
    except ValueError:
        raise ValueError("not a valid URL") from None
    scheme = parts.scheme.lower()
    if scheme not in WEB_SCHEMES:
        shown = f"{scheme!r}" if scheme.isalnum() and len(scheme) <= 20 else "another scheme"
        raise ValueError(
            f"only http and https URLs are stored (got {shown if scheme else 'no scheme'})"
        )
    if not parts.hostname:
        raise ValueError("an http(s) URL needs a host")
    return url


def is_web_url(value: str | None) -> bool:
    if not value:
        return False
    try:
        web_url(value)
    except ValueError:
        return False
    return True
