"""Words from figures: the summary at the top of the dashboard and the PDF, and number
formatting shared by templates, charts and exports. Works on either edition: a hidden cell
("<5" or "*") is described as such, never guessed."""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from reports.models import ReportRun
from reports.selectors import Snapshot
from reports.suppression import HIDDEN, SMALL


def fmt(value: object) -> str:
    """A cell as printed: 1.234 (grouped by the active language), 12,5 for rates, "–" for
    no value, "<5" and "*" as they are."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return number_format(value, force_grouping=True)
    if isinstance(value, float):
        return number_format(value, decimal_pos=1, force_grouping=True)
    return str(value)


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
    years = snapshot.years
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
    return _("%(what)s pada %(y1)s dan %(y2)s kurang dari 5 per tahun.") % args


def _share_sentences(snapshot: Snapshot, cases: list, victims: list, last: int) -> list[str]:
    """The share of household cases and of child victims in the last year."""
    sentences = []
    total = cases[-1] if cases else 0
    household = (_row(snapshot, "cases_place", "rumah_tangga") or [None])[-1]
    if isinstance(total, int) and total > 0 and isinstance(household, int):
        sentences.append(
            _("%(share)s%% kasus pada %(year)s terjadi di rumah tangga.")
            % {"share": fmt(round(household * 100 / total)), "year": last}
        )
    children = (_row(snapshot, "victims_status", "anak") or [None])[-1]
    n_victims = victims[-1] if victims else 0
    if isinstance(n_victims, int) and n_victims > 0 and isinstance(children, int):
        sentences.append(
            _("Anak merupakan %(share)s%% dari korban pada %(year)s.")
            % {"share": fmt(round(children * 100 / n_victims)), "year": last}
        )
    return sentences


def _top_form_sentence(snapshot: Snapshot, last: int) -> str:
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
    years = snapshot.years
    period = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
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
    if len(years) > 1:
        sentences.append(trend_sentence(snapshot, "cases"))
    last = years[-1]
    sentences += _share_sentences(snapshot, cases, victims, last)
    sentences.append(_top_form_sentence(snapshot, last))
    if snapshot.edition == ReportRun.Edition.PUBLIC:
        sentences.append(
            _(
                'Edisi publik: angka 1 sampai 4 ditulis "%(small)s" dan beberapa angka lain '
                'ditulis "%(hidden)s" agar tidak ada korban yang dapat dikenali.'
            )
            % {"small": SMALL, "hidden": HIDDEN}
        )
    return [s for s in sentences if s]
