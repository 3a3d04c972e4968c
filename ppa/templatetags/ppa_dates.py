"""`{{ value|when }}` and `{{ value|when:"date" }}`: see ppa.dates (a builtin library)."""

import datetime as dt

from django import template

from ppa import dates

register = template.Library()


@register.filter
def when(value: dt.date | dt.datetime | None, part: str = "") -> str:
    return dates.when(value, part)
