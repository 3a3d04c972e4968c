"""Rows of a model with the rows some of their foreign keys name, in a statement written once
per process.

The ORM compiles a queryset's SQL each time it runs. For the reads nearly every request makes
(the signed-in user with their agency; on every case address, the case with its agency,
region, place, district, village and case manager; on the case page, its referrals with the
receiving agency) the compiling cost more than running the statement: 1.14 of 1.84 ms for
the case, 0.46 of 1.01 ms for the user, measured at one million cases (bench/README.md,
"The case page's action forms on demand, and its three reads"). `JoinedRows` writes the
SELECT once per process (LEFT JOINs on the foreign keys) and builds the instances as the ORM
does: each field's database converters, `Model.from_db`, and every related instance (or
None) cached on its field as `select_related` caches it, so `case.agency` reads no row
again. The case now takes 0.24 ms, the user 0.22 ms. `tests/ppa/test_rows.py` compares it
with the ORM, field by field.
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


class JoinedRows(Generic[M]):
    """`JoinedRows(Case, ("agency", "region"), 't."code" = %s').get(code)`: the row of `model`
    (alias `t`) matching `where`, with the rows its foreign keys `related` name, or None;
    `.all(...)` every matching row, in no particular order."""

    def __init__(self, model: type[M], related: tuple[str, ...], where: str) -> None:
        self.model = model
        self.related = related
        self.where = where

    @functools.cached_property
    def _plan(self) -> tuple[str, list[_Block]]:
        default = connections["default"]  # the same schema on every alias
        quote = default.ops.quote_name
        columns: list[str] = []
        joins: list[str] = []
        blocks: list[_Block] = []

        def add(model: type[Model], alias: str, field: ForeignKey | None) -> None:
            fields = model._meta.concrete_fields
            names = [f.attname for f in fields]
            start = len(columns)
            columns.extend(f"{alias}.{quote(cast(str, f.column))}" for f in fields)
            converters = [
                (i, found, f.get_col(alias))
                for i, f in enumerate(fields)
                if (found := f.get_db_converters(default))
            ]
            pk_index = names.index(model._meta.pk.attname)
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
            f"{' '.join(joins)} WHERE {self.where}"
        )
        return sql, blocks

    def get(self, *params: Any) -> M | None:
        """The one row `where` names (a primary or unique key), or None."""
        found = self._run(params, many=False)
        return found[0] if found else None

    def all(self, *params: Any) -> list[M]:
        return self._run(params, many=True)

    def _run(self, params: tuple[Any, ...], *, many: bool) -> list[M]:
        sql, blocks = self._plan
        alias = router.db_for_read(self.model) or "default"
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall() if many else cursor.fetchmany(1)
        return [self._instance(row, blocks, alias, connection) for row in rows]

    @staticmethod
    def _instance(row: tuple, blocks: list[_Block], alias: str, connection: Any) -> Any:
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
