from django import template

from reports.text import fmt

register = template.Library()


@register.filter
def cell(value: object) -> str:
    """A statistics cell as printed (grouped digits, one decimal for rates, "<5", "*", "–")."""
    return fmt(value)
