"""One model row with the rows some of its foreign keys name, in a statement written once per
process.

The ORM compiles a queryset's SQL each time it runs. For the two reads nearly every request
makes (the signed-in user with their agency; on every case address, the case with its agency,
region, place, district, village and case manager) the compiling cost as much as running the
statement and building the instances: 1.25 of 2.65 ms for the case, 0.49 of 1.28 ms for the
user (bench/README.md, "The case page's action forms on demand, and its two reads").
`JoinedRow` writes the SELECT once per process (LEFT JOINs on the foreign keys) and builds the
instances as the ORM does: each field's database converters, `Model.from_db`, and every
related instance (or None) cached on its field as `select_related` caches it, so `case.agency`
reads no row again. `tests/ppa/test_rows.py` compares it with the ORM, field by field.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from django.db import connections, router
from django.db.models import ForeignKey, Model

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class _Block:
    """The columns of one model in the joined row: [start, end), with their converters."""

    model: type[Model]
    names: list[str]
    converters: list[tuple[int, list[Callable[..., Any]], Any]]
    start: int
    end: int
    pk_index: int
    field: ForeignKey | None  # None for the main model


class JoinedRow(Generic[M]):
    """`JoinedRow(Case, ("agency", "region"), 't."code" = %s').get(code)`: the row of `model`
    (alias `t`) matching `where`, with the rows its foreign keys `related` name, or None."""

    def __init__(self, model: type[M], related: tuple[str, ...], where: str) -> None:
        self.model = model
        self.related = related
        self.where = where

    @functools.cached_property
    def _plan(self) -> tuple[str, list[_Block]]:
        quote = connections["default"].ops.quote_name
        columns: list[str] = []
        joins: list[str] = []
        blocks: list[_Block] = []

        def add(model: type[Model], alias: str, field: ForeignKey | None) -> None:
            fields = model._meta.concrete_fields
            start = len(columns)
            columns.extend(f"{alias}.{quote(cast(str, f.column))}" for f in fields)
            converters = []
            for i, f in enumerate(fields):
                found = f.get_db_converters(connections["default"])
                if found:
                    converters.append((i, found, f.get_col(alias)))
            pk_index = [f.attname for f in fields].index(model._meta.pk.attname)
            names = [f.attname for f in fields]
            blocks.append(_Block(model, names, converters, start, len(columns), pk_index, field))

        add(self.model, "t", None)
        for i, name in enumerate(self.related):
            field = self.model._meta.get_field(name)
            assert isinstance(field, ForeignKey), name
            target = field.related_model
            alias = f"r{i}"
            joins.append(
                f"LEFT JOIN {quote(target._meta.db_table)} {alias} "
                f"ON {alias}.{quote(cast(str, field.target_field.column))} "
                f"= t.{quote(field.column)}"
            )
            add(target, alias, field)
        sql = (
            f"SELECT {', '.join(columns)} FROM {quote(self.model._meta.db_table)} t "  # noqa: S608 (names from the models, `where` from the code; values are parameters)
            f"{' '.join(joins)} WHERE {self.where} LIMIT 1"
        )
        return sql, blocks

    def get(self, *params: Any) -> M | None:
        sql, blocks = self._plan
        alias = router.db_for_read(self.model) or "default"
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        main: Any = None
        for block in blocks:
            values = list(row[block.start : block.end])
            for i, converters, expression in block.converters:
                for convert in converters:
                    values[i] = convert(values[i], expression, connection)
            if block.field is None:
                main = block.model.from_db(alias, block.names, values)
                continue
            related = (
                None
                if values[block.pk_index] is None
                else block.model.from_db(alias, block.names, values)
            )
            block.field.set_cached_value(main, related)
        return main
