"""Reference lists read once per request.

The intake forms are built several times in one request (every step is validated again
before registration, the summary lists every step), and each build used to read the same
reference tables again: 135 queries for one final submission, most of them the same dozen
small SELECTs. Inside `per_request()` (or a view decorated with `per_request_cache`) the
first read of a list is kept and later reads in the same request reuse it. Outside a scope
nothing is kept, so a list an administrator extends shows up on the next request, as before.

Rows are kept, not labels: `str()` of a reference item depends on the active language.
"""

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, TypeVar

from django.apps import apps
from django.db import connection

from cases.models import ReferenceItem

T = TypeVar("T")

_store: ContextVar[dict | None] = ContextVar("cases_reference_cache", default=None)


@contextmanager
def per_request() -> Iterator[None]:
    """Keep reference reads for the duration of the block (one request). Re-entrant: an
    inner block shares the outer block's reads."""
    if _store.get() is not None:
        yield
        return
    token = _store.set({})
    try:
        yield
    finally:
        _store.reset(token)


def per_request_cache(view: Callable) -> Callable:
    """View decorator: the view and its template share one reference cache."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with per_request():
            return view(*args, **kwargs)

    return wrapped


def cached(key: Hashable, load: Callable[[], T]) -> T:
    """`load()`'s result, read once per scope (every time when no scope is active)."""
    store = _store.get()
    if store is None:
        return load()
    if key not in store:
        store[key] = load()
    return store[key]


def reference_models() -> list:
    """Every reference table (the concrete `ReferenceItem` models)."""
    return [m for m in apps.get_app_config("cases").get_models() if issubclass(m, ReferenceItem)]


def _load_all() -> dict[str, dict[str, object]]:
    """All rows of all reference tables (active or not) in one UNION ALL query:
    {model label: {code: instance}} in each model's ordering. The tables are small (about
    150 rows together); the extra columns of some (a sub-form's form and law, a place's
    parent) are NULL in the others."""
    models = reference_models()
    base = ["code", "label", "label_en", "order", "is_active", "hint"]
    extra: list[str] = []
    for model in models:
        for f in model._meta.concrete_fields:
            if f.attname not in base and f.attname not in extra:
                extra.append(f.attname)
    quote = connection.ops.quote_name
    parts = []
    for n, model in enumerate(models):
        own = {f.attname: f.column for f in model._meta.concrete_fields}
        columns = [quote(own[name]) for name in base]
        columns += [quote(own[name]) if name in own else "NULL" for name in extra]
        parts.append(
            f"SELECT {n}, {', '.join(columns)} FROM {quote(model._meta.db_table)}"  # noqa: S608 (names from the models)
        )
    found: dict[str, dict[str, object]] = {m._meta.label_lower: {} for m in models}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts) + ' ORDER BY 1, "order", code')
        for n, *values in cursor.fetchall():
            model = models[n]
            named = dict(zip(base + extra, values, strict=True))
            attnames = [f.attname for f in model._meta.concrete_fields]
            found[model._meta.label_lower][named["code"]] = model.from_db(
                connection.alias, attnames, [named[name] for name in attnames]
            )
    return found


def all_rows(model: type[ReferenceItem]) -> dict[str, Any]:
    """Every row of a reference table, active or not, by code (one query per request for
    all reference tables together)."""
    return cached(("all",), _load_all)[model._meta.label_lower]


def rows(model: type[ReferenceItem]) -> list[Any]:
    """Active rows of a reference table, in the model's ordering (`order`, `code`)."""
    return [o for o in all_rows(model).values() if o.is_active]
