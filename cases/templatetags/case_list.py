"""`{% case_rows rows %}`: the rows of the case list, written in Python.

The list is the page opened most often. Written as template markup, its 25 rows cost about
fifteen variable look-ups, filters and tags each, a third of the page's CPU time
(bench/README.md, "Case list per request"); here a row is one string format over values the
selector already prepared (`cases.selectors.CaseRow`). Same markup as the template had: each
cell carries its column's name in `data-label` (phones show a row as a card)."""

from html import escape
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from cases.models import Status
from cases.selectors import CaseRow
from ppa.addresses import code_url
from ppa.dates import when

register = template.Library()

ROW = (
    '<tr><th scope="row" class="cases__number"><a class="cases__link" href="{url}">{number}</a>'
    '{overdue}</th><td data-label="{l_reported}">{day}</td>'
    '<td data-label="{l_victims}">{victims}</td>'
    '<td data-label="{l_type}" class="cases__type">{type}</td>'
    '<td data-label="{l_step}">{step}{status}</td>'
    '<td data-label="{l_risk}"><span class="badge risk risk--{risk_level}">{risk}</span></td>'
    '<td data-label="{l_district}">{district}</td><td data-label="{l_worker}">{worker}</td></tr>\n'
)


@register.simple_tag
def case_rows(rows: list[CaseRow]) -> SafeString:
    """The `<tr>` of every row. Every value is escaped here (`html.escape`, as Django's
    `escape`); the column names once per page. The case page's address comes from
    `ppa.addresses` (a `reverse` per row was 25 resolver walks); dates repeat, so each is
    formatted once."""
    if not rows:
        return mark_safe("")  # noqa: S308 (empty)
    labels = {
        "l_reported": escape(_("Dilaporkan")),
        "l_victims": escape(_("Korban")),
        "l_type": escape(_("Jenis")),
        "l_step": escape(_("Tahap / status")),
        "l_risk": escape(_("Risiko")),
        "l_district": escape(_("Kecamatan")),
        "l_worker": escape(_("Manajer kasus")),
    }
    overdue = f' <span class="badge badge--danger">{escape(_("lewat batas waktu"))}</span>'
    referred = f'<span class="muted">{escape(_("rujukan"))}</span>'
    days: dict[Any, str] = {}
    html = []
    for row in rows:
        day = days.get(row.reported_on)
        if day is None:
            day = days[row.reported_on] = escape(when(row.reported_on, "date"))
        html.append(
            ROW.format(
                url=escape(code_url("cases:detail", code=row.code)),
                number=escape(row.number),
                overdue=overdue if row.overdue else "",
                day=day,
                victims=_victims(row) if row.is_own else referred,
                type=escape(row.case_type_label),
                step=escape(row.step_label),
                status=_status_badge(row),
                risk_level=escape(row.risk_level),
                risk=escape(row.risk_label),
                district=escape(row.district_name or "—"),
                worker=escape(row.worker_name or "—"),
                **labels,
            )
        )
    return mark_safe("".join(html))  # noqa: S308 (every value above is escaped)


def _victims(row: CaseRow) -> str:
    """Initials, with sex and age group when known: "MSP (P, anak), RA" (escaped)."""
    return ", ".join(
        escape(f"{v.initials} ({v.sex}, {v.age_group})" if v.age_group else v.initials)
        for v in row.victims
    )


def _status_badge(row: CaseRow) -> str:
    if row.status == Status.OPEN:
        return ""
    kind = "badge--ok" if row.status == Status.CLOSED else "badge--warn"
    return f' <span class="badge {kind}">{escape(row.status_label)}</span>'
