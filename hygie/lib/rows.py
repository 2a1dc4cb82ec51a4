"""One model row, with some of its forward relations, read by a unique column through
SQL written once per process.

On the busiest public endpoints (tracked links) building the ORM's SELECT cost more
than running it: the query compiler walks every field of every joined model on each
call. A `RowReader` writes the same statement once, then builds the instances as the
ORM does (`Model.from_db`, the same column conversions, related objects cached on
their parent as `select_related` would), so the rest of the code cannot tell the
difference. On PostgreSQL the statement is also planned once per connection
(see prepared.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from django.db import connection
from django.db.models import Field, ForeignKey, Model
from django.db.models.expressions import Col

from hygie.lib import prepared

Converter = Callable[[Any, Any, Any], Any]


@dataclass(frozen=True)
class _Part:
    """One model of the statement: where its columns are in the row, how each is
    converted, and (for a related model) the relation that leads to it."""

    model: type[Model]
    attnames: list[str]
    columns: slice
    pk_index: int
    converters: list[tuple[int, list[Converter], Col]]
    parent: int | None = None  # index of the part holding the relation
    relation: ForeignKey[Any, Any] | None = None


class RowReader[M: Model]:
    """`RowReader(Delivery, "token", "person__practice").get(token)`: the delivery
    with its person and the person's practice, or None.

    `extra`: SQL expressions computed in the same statement, over the row's table
    aliased `t0` (`read` gives their values)."""

    def __init__(self, model: type[M], by: str, *related: str, extra: Sequence[str] = ()) -> None:
        self.model = model
        self.by = by
        self.related = related
        self.extra = list(extra)
        self._by = cast(Field[Any, Any], model._meta.get_field(by))
        self._built: tuple[str, list[_Part]] | None = None

    def get(self, value: object) -> M | None:
        found = self.read(value)
        return None if found is None else found[0]

    def read(
        self, value: object, extra_params: Sequence[Any] = ()
    ) -> tuple[M, tuple[Any, ...]] | None:
        """The instance and the values of the `extra` expressions, or None."""
        sql, parts = self._statement()
        with connection.cursor() as cursor:
            params = [*extra_params, self._by.get_db_prep_value(value, connection)]
            prepared.execute(cursor, sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        instances: list[Model | None] = []
        for part in parts:
            values = list(row[part.columns])
            for index, converters, col in part.converters:
                for convert in converters:
                    values[index] = convert(values[index], col, connection)
            instance = None
            if values[part.pk_index] is not None:  # a nullable relation's LEFT JOIN found nothing
                instance = part.model.from_db(connection.alias, part.attnames, values)
            instances.append(instance)
            if part.relation is not None and part.parent is not None:
                parent = instances[part.parent]
                if parent is not None:
                    part.relation.set_cached_value(parent, instance)
        return cast(M, instances[0]), tuple(row[parts[-1].columns.stop :])

    def _statement(self) -> tuple[str, list[_Part]]:
        if self._built is None:
            self._built = self._build()
        return self._built

    def _build(self) -> tuple[str, list[_Part]]:
        quote = connection.ops.quote_name
        selected: list[str] = []
        parts: list[_Part] = []
        joins: list[str] = []
        aliases: dict[str, tuple[int, type[Model]]] = {"": (0, self.model)}

        def add(
            model: type[Model],
            alias: str,
            parent: int | None,
            relation: ForeignKey[Any, Any] | None,
        ) -> int:
            fields = cast(Sequence[Field[Any, Any]], model._meta.concrete_fields)
            start = len(selected)
            converters = []
            for index, field in enumerate(fields):
                selected.append(f"{alias}.{quote(str(field.column))}")
                col = field.get_col(alias)
                found = [
                    *connection.ops.get_db_converters(col),
                    *col.get_db_converters(connection),
                ]
                if found:
                    converters.append((index, found, col))
            parts.append(
                _Part(
                    model=model,
                    attnames=[field.attname for field in fields],
                    columns=slice(start, len(selected)),
                    pk_index=next(i for i, field in enumerate(fields) if field.primary_key),
                    converters=converters,
                    parent=parent,
                    relation=relation,
                )
            )
            return len(parts) - 1

        add(self.model, "t0", None, None)
        for path in self.related:
            walked = ""
            for name in path.split("__"):
                parent_index, parent_model = aliases[walked]
                walked = f"{walked}__{name}" if walked else name
                if walked in aliases:
                    continue
                relation = parent_model._meta.get_field(name)
                if not isinstance(relation, ForeignKey):  # OneToOneField is one too
                    raise TypeError(f"{parent_model.__name__}.{name} is not a forward relation")
                target = relation.related_model
                alias = f"t{len(aliases)}"
                parent_alias = f"t{parent_index}"
                target_pk = target._meta.pk
                joins.append(
                    f" LEFT JOIN {quote(target._meta.db_table)} {alias}"
                    f" ON {alias}.{quote(str(target_pk.column))}"
                    f" = {parent_alias}.{quote(str(relation.column))}"
                )
                aliases[walked] = (add(target, alias, parent_index, relation), target)
        # Names from the models; the values are parameters.
        columns = ", ".join([*selected, *self.extra])
        sql = (
            f"SELECT {columns} FROM {quote(self.model._meta.db_table)} t0"  # noqa: S608
            f"{''.join(joins)} WHERE t0.{quote(str(self._by.column))} = %s"
        )
        return sql, parts
