from django import template

from reports.selectors import period_label
from reports.snapshot import NOT_AVAILABLE, ReportParams, Snapshot
from reports.text import column_header, fmt

register = template.Library()


@register.filter
def cell(value: object) -> str:
    """A statistics cell as printed (grouped digits, one decimal for rates, "<5", "*", "–")."""
    return fmt(value)


@register.filter
def period_of(params: dict) -> str:
    """The period of a report run's stored parameters in words ("2021–2025", "Maret 2026")."""
    return period_label(ReportParams.from_dict(params))


@register.filter
def is_na(value: object) -> bool:
    """A cell a yearly recap does not give ("tidak tersedia")."""
    return value == NOT_AVAILABLE


@register.filter
def header(column: object, snapshot: Snapshot) -> str:
    """A year column's header, marked "(rekap)" when it shows a yearly recap."""
    return column_header(snapshot, column)
