"""Cursor pages shared by every list of the API: rows by id, the cursor is the last id."""

from __future__ import annotations

from django.db.models import QuerySet
from ninja import Field, Schema

MAX_PAGE = 200
# `next_cursor` of the previous page: digits only, so that every value the schema allows
# is one the server accepts.
CURSOR_PATTERN = r"^[0-9]{1,18}$"


class Page(Schema):
    cursor: str | None = Field(
        None, pattern=CURSOR_PATTERN, description="`next_cursor` of the previous page."
    )
    limit: int = Field(50, ge=1, le=MAX_PAGE)


def paged(rows: QuerySet, *, cursor: str | None, limit: int) -> tuple[list, str | None]:  # type: ignore[type-arg]
    """Rows after the cursor, oldest first, and the next cursor (None on the last page)."""
    found = list(rows.filter(pk__gt=int(cursor or 0)).order_by("pk")[: limit + 1])
    more = len(found) > limit
    found = found[:limit]
    return found, (str(found[-1].pk) if more and found else None)
