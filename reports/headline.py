"""The answer at the top of the dashboard: the period's cases, victims and perpetrators, each
with its change from the previous period (the column before it), from the headline table of
the snapshot already computed (no query). A hidden cell of the public edition ("<5", "*")
is shown as it is, with no change computed from it."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from reports.snapshot import Snapshot
from reports.text import fmt


@dataclass
class Figure:
    label: str
    value: str
    direction: str = ""  # "up", "down", "same"; "" when there is nothing to compare
    change: str = ""  # "+3 (+12,5%) dari 24 pada 2025"


@dataclass
class Headline:
    period: str  # the column the figures are of ("2026", "Mar 2026")
    previous: str  # the column they are compared with; "" for a single column
    figures: list[Figure]


def _change(now: object, before: object, previous: str) -> tuple[str, str]:
    if not isinstance(now, int) or not isinstance(before, int):
        return "", ""
    diff = now - before
    direction = "up" if diff > 0 else "down" if diff < 0 else "same"
    if diff == 0:
        return direction, _("sama dengan %(previous)s") % {"previous": previous}
    sign = "+" if diff > 0 else "−"
    words = _("%(diff)s dari %(before)s pada %(previous)s") % {
        "diff": f"{sign}{fmt(abs(diff))}",
        "before": fmt(before),
        "previous": previous,
    }
    if before:
        pct = number_format(abs(diff) * 100 / before, decimal_pos=0)
        words = f"{sign}{pct}% · {words}"
    return direction, words


def headline(snapshot: Snapshot) -> Headline | None:
    table = snapshot.table("headline")
    columns = [str(c) for c in snapshot.columns]
    if table is None or not columns:
        return None
    previous = columns[-2] if len(columns) > 1 else ""
    figures = []
    for row in table.rows:
        now = row.values[-1]
        direction, change = (
            _change(now, row.values[-2], previous) if len(row.values) > 1 else ("", "")
        )
        figures.append(Figure(str(row.label), fmt(now), direction, change))
    return Headline(columns[-1], previous, figures)
