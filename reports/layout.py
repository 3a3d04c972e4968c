"""Order of the tables and charts, shared by the dashboard and the PDF (same headings,
same order, so a reader can hold the printout next to the screen)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from reports.selectors import Snapshot, Table

# (section heading, [(table key, chart key or "")])
SECTIONS = [
    (
        "trend",
        [("headline", "trend_line"), ("cases_status", "")],
    ),
    (
        "victims",
        [
            ("victims_sex", ""),
            ("victims_age", ""),
            ("victims_status", ""),
            ("victims_sex_status", "victims_stacked"),
            ("victims_form", "victims_form"),
            ("victims_education", ""),
            ("victims_occupation", ""),
            ("victims_marital", ""),
            ("victims_disability", ""),
        ],
    ),
    ("cases", [("cases_place", "cases_place"), ("cases_area", "")]),
    (
        "perpetrators",
        [
            ("perpetrators_sex", ""),
            ("perpetrators_age", ""),
            ("perpetrators_relationship", "perpetrators_relationship"),
        ],
    ),
    ("services", [("victims_service", ""), ("referrals", "")]),
    ("kla", [("kla_ampk", ""), ("kla_served", "")]),
    ("rates", [("rates", "")]),
]


def _headings() -> dict[str, str]:
    return {
        "trend": _("Tren kasus per tahun"),
        "victims": _("Korban"),
        "cases": _("Tempat dan wilayah kejadian"),
        "perpetrators": _("Pelaku"),
        "services": _("Layanan dan rujukan"),
        "kla": _("Perlindungan khusus anak (Klaster V KLA)"),
        "rates": _("Rasio kekerasan per 100.000 penduduk"),
    }


@dataclass
class Block:
    table: Table
    chart: SafeString | None = None


@dataclass
class Section:
    key: str
    heading: str
    blocks: list[Block] = field(default_factory=list)


def sections(snapshot: Snapshot, charts: dict[str, SafeString]) -> list[Section]:
    headings = _headings()
    out = []
    for key, items in SECTIONS:
        blocks = [
            Block(snapshot.table(table_key), charts.get(chart_key) if chart_key else None)
            for table_key, chart_key in items
            if snapshot.table(table_key) is not None
        ]
        if blocks:
            out.append(Section(key, headings[key], blocks))
    return out
