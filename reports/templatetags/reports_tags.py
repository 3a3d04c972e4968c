from django import template

from reports.selectors import period_label
from reports.snapshot import ReportParams
from reports.text import fmt

register = template.Library()


@register.filter
def cell(value: object) -> str:
    """A statistics cell as printed (grouped digits, one decimal for rates, "<5", "*", "–")."""
    return fmt(value)


@register.filter
def period_of(params: dict) -> str:
    """The period of a report run's stored parameters in words ("2021–2025", "Maret 2026")."""
    return period_label(ReportParams.from_dict(params))
