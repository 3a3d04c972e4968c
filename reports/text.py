"""Words from figures: the summary at the top of the dashboard and the PDF, and number
formatting shared by templates, charts and exports. Works on either edition: a hidden cell
("<5" or "*") is described as such, never guessed."""

from __future__ import annotations

import datetime as dt

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from reports.models import RecapPopulation, ReportRun
from reports.snapshot import NOT_AVAILABLE, ReportSubject, Snapshot
from reports.suppression import HIDDEN, SMALL
from reports.tables import CHILD, PLACE_HOUSEHOLD


def fmt(value: object) -> str:
    """A cell as printed: 1.234 (grouped by the active language), 12,5 for rates, "–" for
    no value, "<5" and "*" as they are."""
    if value is None:
        return "–"
    if value == NOT_AVAILABLE:
        return _("tidak tersedia")
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return number_format(value, force_grouping=True)
    if isinstance(value, float):
        return number_format(value, decimal_pos=1, force_grouping=True)
    return str(value)


def statistics_title(snapshot: Snapshot | None) -> str:
    """The heading of the dashboard and the exports, for whom the report is about."""
    subject = snapshot.subject if snapshot else ReportSubject.WOMEN_AND_CHILDREN
    if subject == ReportSubject.WOMEN:
        return _("Statistik kekerasan terhadap perempuan")
    if subject == ReportSubject.CHILDREN:
        return _("Statistik kekerasan terhadap anak")
    return _("Statistik kekerasan terhadap perempuan dan anak")


def report_title(snapshot: Snapshot) -> str:
    """The title of the printed report."""
    if snapshot.subject == ReportSubject.WOMEN:
        return _("Laporan Statistik Kekerasan terhadap Perempuan")
    if snapshot.subject == ReportSubject.CHILDREN:
        return _("Laporan Statistik Kekerasan terhadap Anak")
    return _("Laporan Statistik Kekerasan terhadap Perempuan dan Anak")


def _amount(value: object, unit: str) -> str:
    if value == SMALL:
        return _("kurang dari 5 %(unit)s") % {"unit": unit}
    return _("%(n)s %(unit)s") % {"n": fmt(value), "unit": unit}


def _row(snapshot: Snapshot, key: str, code: str) -> list | None:
    table = snapshot.table(key)
    row = next((r for r in table.rows if r.code == code), None) if table else None
    return row.values if row else None


def _compare(a: object, b: object) -> int | None:
    """-1, 0, 1 when the order of two cells is known, None when it is not."""
    if isinstance(a, int) and isinstance(b, int):
        return (a > b) - (a < b)
    if a == SMALL and isinstance(b, int) and b >= 5:
        return -1
    if b == SMALL and isinstance(a, int) and a >= 5:
        return 1
    return None


def trend_sentence(snapshot: Snapshot, code: str = "cases", unit: str | None = None) -> str:
    """How the count changed between the last two years of the period."""
    values = _row(snapshot, "headline", code)
    years = snapshot.columns
    if not values or len(years) < 2:
        return ""
    unit = unit or _("kasus")
    a, b = values[-2], values[-1]
    y1, y2 = years[-2], years[-1]
    label = {"cases": _("Jumlah kasus"), "victims": _("Jumlah korban")}.get(code, "")
    args = {"what": label, "a": _amount(a, unit), "b": _amount(b, unit), "y1": y1, "y2": y2}
    order = _compare(a, b)
    if order == 1:
        return _("%(what)s turun dari %(a)s pada %(y1)s menjadi %(b)s pada %(y2)s.") % args
    if order == -1:
        return _("%(what)s naik dari %(a)s pada %(y1)s menjadi %(b)s pada %(y2)s.") % args
    if order == 0:
        return _("%(what)s tetap %(b)s pada %(y1)s dan %(y2)s.") % args
    if snapshot.periodic:
        return _("%(what)s pada %(y1)s dan %(y2)s kurang dari 5 per bulan.") % args
    return _("%(what)s pada %(y1)s dan %(y2)s kurang dari 5 per tahun.") % args


def _share_sentences(snapshot: Snapshot, cases: list, victims: list, last: object) -> list[str]:
    """The share of household cases and of child victims in the last column (the children's
    share only in a report on women and children both)."""
    sentences = []
    total = cases[-1] if cases else 0
    household = (_row(snapshot, "cases_place", PLACE_HOUSEHOLD) or [None])[-1]
    if isinstance(total, int) and total > 0 and isinstance(household, int):
        sentences.append(
            _("%(share)s%% kasus pada %(year)s terjadi di rumah tangga.")
            % {"share": fmt(round(household * 100 / total)), "year": last}
        )
    children = (_row(snapshot, "victims_status", CHILD) or [None])[-1]
    n_victims = victims[-1] if victims else 0
    both = snapshot.subject == ReportSubject.WOMEN_AND_CHILDREN
    if both and isinstance(n_victims, int) and n_victims > 0 and isinstance(children, int):
        sentences.append(
            _("Anak merupakan %(share)s%% dari korban pada %(year)s.")
            % {"share": fmt(round(children * 100 / n_victims)), "year": last}
        )
    return sentences


def _top_form_sentence(snapshot: Snapshot, last: object) -> str:
    """The most frequent form of violence in the last year ("" when none may be named)."""
    forms = snapshot.table("victims_form")
    if not forms:
        return ""
    counted = [(r.values[-1], r.label) for r in forms.rows if isinstance(r.values[-1], int)]
    top = max((v for v, _label in counted), default=0)
    if not (top >= 5 or (top > 0 and snapshot.edition == ReportRun.Edition.INTERNAL)):
        return ""
    names = ", ".join(label.lower() for v, label in counted if v == top)
    return _(
        "Bentuk kekerasan yang paling banyak dialami korban pada %(year)s: "
        "%(forms)s (%(n)s korban)."
    ) % {"year": last, "forms": names, "n": fmt(top)}


def summary_sentences(snapshot: Snapshot) -> list[str]:
    """The main findings in words, generated from the figures (never hand-written)."""
    years = snapshot.columns
    period = snapshot.period_label
    region = snapshot.region["name"]
    if snapshot.is_empty:
        return [
            _("Tidak ada kasus tercatat di %(region)s pada %(period)s.")
            % {"region": region, "period": period}
        ]
    sentences = []
    cases = _row(snapshot, "headline", "cases") or []
    victims = _row(snapshot, "headline", "victims") or []
    perps = _row(snapshot, "headline", "perpetrators") or []
    if all(isinstance(v, int) for v in [*cases, *victims, *perps]):
        sentences.append(
            _(
                "Selama %(period)s tercatat %(cases)s kasus dengan %(victims)s korban dan "
                "%(perps)s pelaku di %(region)s."
            )
            % {
                "period": period,
                "cases": fmt(sum(cases)),
                "victims": fmt(sum(victims)),
                "perps": fmt(sum(perps)),
                "region": region,
            }
        )
    elif all(isinstance(v, int) for v in cases) and snapshot.recap_years:
        # A yearly recap without victims or perpetrators: the cases still add up.
        sentences.append(
            _("Selama %(period)s tercatat %(cases)s kasus di %(region)s.")
            % {"period": period, "cases": fmt(sum(cases)), "region": region}
        )
    if len(years) > 1:
        sentences.append(trend_sentence(snapshot, "cases"))
    last = years[-1]
    sentences += _share_sentences(snapshot, cases, victims, last)
    sentences.append(_top_form_sentence(snapshot, last))
    sentences.append(_recap_sentence(snapshot))
    if snapshot.edition == ReportRun.Edition.PUBLIC:
        sentences.append(
            _(
                'Edisi publik: angka 1 sampai 4 ditulis "%(small)s" dan beberapa angka lain '
                'ditulis "%(hidden)s" agar tidak ada korban yang dapat dikenali.'
            )
            % {"small": SMALL, "hidden": HIDDEN}
        )
    return [s for s in sentences if s]


# --- Yearly recaps ---------------------------------------------------------------------------


def column_header(snapshot: Snapshot, column: object) -> str:
    """A column's header: the year, marked "(rekap)" when it shows a yearly recap."""
    if column in snapshot.recap_years:
        return _("%(year)s (rekap)") % {"year": column}
    return str(column)


def column_headers(snapshot: Snapshot) -> list[str]:
    return [column_header(snapshot, c) for c in snapshot.columns]


def _recap_sentence(snapshot: Snapshot) -> str:
    years = snapshot.recap_years
    if not years:
        return ""
    return _(
        "Angka tahun %(years)s berasal dari rekap tahunan (bukan dari data kasus di Sinergi "
        "PPA); sumber setiap angka tercantum pada catatan sumber."
    ) % {"years": ", ".join(str(y) for y in years)}


def _source_text(source: dict) -> str:
    """ "Laporan Tahunan P2TP2A 2021, Rapat koordinasi Januari 2022, 10 Januari 2022" """
    parts = [source["document"], source["meeting"]]
    day = dt.date.fromisoformat(source["date"]) if source.get("date") else None
    if day is not None:
        parts.append(date_format(day, "j F Y"))
    return ", ".join(p for p in parts if p)


def _sources(entry: dict) -> str:
    sources = entry["sources"]
    if len(sources) == 1:
        return _source_text(sources[0])
    return "; ".join(
        _("%(population)s: %(cases)s kasus, %(source)s")
        % {
            "population": RecapPopulation(s["population"]).label,
            "cases": fmt(s["cases"]),
            "source": _source_text(s),
        }
        for s in sources
    )


def recap_notes(snapshot: Snapshot) -> list[str]:
    """Where each recap figure comes from, one sentence per year (the dashboard, the exports and
    the PDF print them under "Sumber angka rekap"), in the edition's figures."""
    notes = []
    for entry in snapshot.recaps:
        args = {
            "year": entry["year"],
            "population": RecapPopulation(entry["population"]).label,
            "cases": fmt(entry["cases"]),
            "case_level": fmt(entry["case_level_cases"]),
            "source": _sources(entry),
        }
        if entry["used"]:
            note = _(
                "%(year)s: rekap tahunan (%(population)s), %(cases)s kasus. Sumber: %(source)s."
            )
        elif entry.get("unfit"):
            note = _(
                "%(year)s: rekap tahunan (%(population)s, %(cases)s kasus) tidak dipakai karena "
                "cakupannya berbeda dengan jenis kasus laporan ini. Sumber: %(source)s."
            )
        else:
            note = _(
                "%(year)s: angka dari data kasus (%(case_level)s kasus); rekap tahunan "
                "(%(population)s) juga ada dengan %(cases)s kasus. Sumber rekap: %(source)s."
            )
        notes.append(note % args)
    return notes
