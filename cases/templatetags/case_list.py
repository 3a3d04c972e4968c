"""`{% case_rows rows %}`: the rows of the case list, written in Python.

The list is the page opened most often. Written as template markup, its 25 rows cost about
fifteen variable look-ups, filters and tags each, a third of the page's CPU time
(bench/README.md, "List page per request"); here a row is one `format_html` over values the
selector already prepared (`cases.selectors.CaseRow`). Same markup as the template had: each
cell carries its column's name in `data-label` (phones show a row as a card)."""

import uuid
from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from cases.models import Status
from cases.selectors import CaseRow
from ppa.dates import when

register = template.Library()

_SAMPLE = uuid.UUID(int=0)

ROW = (
    '<tr><th scope="row" class="cases__number"><a class="cases__link" href="{}">{}</a>{}</th>'
    '<td data-label="{}">{}</td><td data-label="{}">{}</td>'
    '<td data-label="{}" class="cases__type">{}</td><td data-label="{}">{}{}</td>'
    '<td data-label="{}"><span class="badge risk risk--{}">{}</span></td>'
    '<td data-label="{}">{}</td><td data-label="{}">{}</td></tr>\n'
)


@register.simple_tag
def case_rows(rows: list[CaseRow]) -> SafeString:
    """The `<tr>` of every row. The case page's address is reversed once and the code put in
    (one `reverse` per row was 25 resolver walks); dates repeat, so each is formatted once."""
    if not rows:
        return mark_safe("")  # noqa: S308 (empty)
    prefix, suffix = reverse("cases:detail", kwargs={"code": _SAMPLE}).split(str(_SAMPLE))
    labels = {
        "reported": _("Dilaporkan"),
        "victims": _("Korban"),
        "type": _("Jenis"),
        "step": _("Tahap / status"),
        "risk": _("Risiko"),
        "district": _("Kecamatan"),
        "worker": _("Manajer kasus"),
    }
    overdue = format_html(' <span class="badge badge--danger">{}</span>', _("lewat batas waktu"))
    referred = format_html('<span class="muted">{}</span>', _("rujukan"))
    days: dict[Any, str] = {}
    html = []
    for row in rows:
        day = days.get(row.reported_on)
        if day is None:
            day = days[row.reported_on] = when(row.reported_on, "date")
        html.append(
            format_html(
                ROW,
                f"{prefix}{row.code}{suffix}",
                row.number,
                overdue if row.overdue else "",
                labels["reported"],
                day,
                labels["victims"],
                _victims(row) if row.is_own else referred,
                labels["type"],
                row.case_type_label,
                labels["step"],
                row.step_label,
                _status_badge(row),
                labels["risk"],
                row.risk_level,
                row.risk_label,
                labels["district"],
                row.district_name or "—",
                labels["worker"],
                row.worker_name or "—",
            )
        )
    return mark_safe("".join(html))  # noqa: S308 (every part went through format_html)


def _victims(row: CaseRow) -> SafeString:
    """Initials, with sex and age group when known: "MSP (P, anak), RA"."""
    return format_html_join(
        ", ",
        "{}{}",
        (
            (v.initials, format_html(" ({}, {})", v.sex, v.age_group) if v.age_group else "")
            for v in row.victims
        ),
    )


def _status_badge(row: CaseRow) -> SafeString | str:
    if row.status == Status.OPEN:
        return ""
    kind = "badge--ok" if row.status == Status.CLOSED else "badge--warn"
    return format_html(' <span class="badge {}">{}</span>', kind, row.status_label)
