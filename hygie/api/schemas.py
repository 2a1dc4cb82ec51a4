"""Shapes of the API's requests and answers (the OpenAPI schema is generated from them)."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

MAX_BULK_ROWS = 10_000


class ErrorOut(Schema):
    detail: str


class FieldError(Schema):
    field: str = Field(..., description="The value refused, as written: `rows.3.email`.")
    message: str = Field(..., description="Why, in the language of `Accept-Language`.")
    type: str = Field(
        ..., description="The kind of error, for programs (pydantic's: `string_too_long`)."
    )
    loc: list[str | int] = Field(
        ..., description="Where the value was: `body`, `query` or `path`, then its path."
    )


class ValidationErrorOut(Schema):
    detail: str
    errors: list[FieldError]


class PersonOut(Schema):
    id: int
    email: str | None
    civility: str
    first_name: str
    last_name: str
    mobile_phone: str
    rpps: str | None
    profession: str
    specialty: str
    departement: str
    commune: str
    language: str
    status: str
    tags: list[str]
    created_at: datetime
    updated_at: datetime


class PersonPage(Schema):
    items: list[PersonOut]
    next_cursor: str | None = Field(
        None, description="Pass it as `cursor` to read the next page; absent on the last."
    )


class PersonIn(Schema):
    """The import's columns. Optional values that are wrong are reported, as in an import."""

    email: str = Field(..., max_length=254)
    civility: str | None = Field(None, max_length=40)
    first_name: str | None = Field(None, max_length=150)
    last_name: str | None = Field(None, max_length=150)
    mobile_phone: str | None = Field(None, max_length=40)
    rpps: str | None = Field(None, max_length=20)
    profession: str | None = Field(None, max_length=60)
    specialty: str | None = Field(None, max_length=120)
    departement: str | None = Field(None, max_length=60)
    postcode: str | None = Field(None, max_length=10)
    commune: str | None = Field(None, max_length=120)
    practice_name: str | None = Field(None, max_length=200)
    practice_address: str | None = Field(None, max_length=300)
    language: str | None = Field(None, max_length=10)
    tags: list[str] = Field(default_factory=list, max_length=50)


class PersonPatch(Schema):
    civility: str | None = Field(None, max_length=40)
    first_name: str | None = Field(None, max_length=150)
    last_name: str | None = Field(None, max_length=150)
    mobile_phone: str | None = Field(None, max_length=40)
    rpps: str | None = Field(None, max_length=20)
    profession: str | None = Field(None, max_length=60)
    specialty: str | None = Field(None, max_length=120)
    departement: str | None = Field(None, max_length=60)
    postcode: str | None = Field(None, max_length=10)
    commune: str | None = Field(None, max_length=120)
    language: str | None = Field(None, max_length=10)
    tags: list[str] = Field(default_factory=list, max_length=50)


class BulkIn(Schema):
    rows: list[PersonIn] = Field(..., min_length=1, max_length=MAX_BULK_ROWS)


class RowError(Schema):
    row: int = Field(..., description="Position of the row in `rows`, from 1.")
    reason: str


class BulkOut(Schema):
    new: int
    updated: int
    unchanged: int
    rejected: int
    warned: int = Field(0, description="Rows kept without one of their values.")
    total: int
    errors: list[RowError] = Field(..., description="Rows refused, with the reason.")
    warnings: list[RowError] = Field(
        default_factory=list, description="Values left out of a kept row, with the reason."
    )


class SegmentOut(Schema):
    id: int
    name: str
    description: str
    filters: dict[str, object]
    people: int
