"""Comparing what Hygie shows with the text it came from."""

from __future__ import annotations


def plain(text: str) -> str:
    """French typography's no-break spaces as plain spaces: pages, emails and PDFs in
    French carry them (see hygie.lib.typography), the source texts do not."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")
