"""Vector charts as inline SVG, drawn on the server from a snapshot's figures.

The same SVG goes into the dashboard and the PDF (WeasyPrint draws it as vectors). No
script, no style attributes (the Content Security Policy forbids inline styles): colours are
presentation attributes. Every label is escaped. Every hidden cell of the public edition
("<5", "*") is labelled as such on every chart, never left blank: a bar gets no bar, only its
label; on a line a "<5" is a hollow point low on the axis, labelled "<5", which the line reaches
(dashed), so a hidden year never looks like a missing one; a "*" is a gap with its label; in
stacked bars the hidden parts are merged into one grey segment (their sum is the shown total
minus the shown parts, which the table gives away anyway).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from reports.snapshot import NOT_AVAILABLE, Snapshot, Table
from reports.suppression import SMALL
from reports.text import column_headers, fmt

PALETTE = ["#6b2d8c", "#e69f00", "#0072b2", "#009e73", "#cc79a7", "#d55e00", "#56b4e9"]
GREY = "#9aa1ad"
INK = "#1d2330"
MUTED = "#5b6475"
FONT = 'font-family="Report Sans, DejaVu Sans, sans-serif"'
WIDTH = 640  # a full-width chart; a narrow one (single-year print edition) is half of it
HEADING = 18  # the height the drawn title takes at the top of a chart


def _scale(value: float) -> tuple[float, float]:
    """(axis maximum, tick step) with at most five whole-number ticks above zero."""
    if value <= 0:
        return 4, 1
    magnitude = 1
    while True:
        for base in (1, 2, 5):
            step = base * magnitude
            if value <= step * 4:
                return step * max(1, -(-int(value) // step)), step
        magnitude *= 10


class Chart(SafeString):
    """An SVG chart (safe markup) that also carries its title and width, so the PDF can print
    the title as a caption outside the drawing (WeasyPrint lays out SVG text letter by letter)."""

    title: str = ""  # type: ignore[assignment]  # a caption, shadowing str.title on purpose
    width: int = WIDTH


def _svg(width: int, height: int, title: str, body: list[str]) -> Chart:
    t = escape(title)
    chart = Chart(
        mark_safe(  # noqa: S308 (every text below is escaped)
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" '
            f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
            f'aria-label="{t}" {FONT} font-size="11"><title>{t}</title>' + "".join(body) + "</svg>"
        )
    )
    chart.title, chart.width = title, width
    return chart


def _text(x: float, y: float, s: object, anchor: str = "middle", **attrs: str) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{extra}>{escape(str(s))}</text>'


def _axis(left: int, top: int, width: int, height: int, vmax: float, step: float) -> list[str]:
    out = []
    ticks = int(round(vmax / step))
    for k in range(ticks + 1):
        v = step * k
        y = top + height - height * v / vmax
        out.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + width}" y2="{y:.1f}" '
            f'stroke="#d6dae1" stroke-width="0.6"/>'
        )
        out.append(_text(left - 6, y + 4, fmt(int(v)), "end", fill=MUTED))
    return out


def _line_points(
    values: list, xy: Callable[[int, float], tuple[float, float]], *, small_at: float
) -> list[tuple[int, float, float, object]]:
    """(index, x, y, value) of the drawn points of one line: numbers where they are, "<5" at
    `small_at` (below 5 on the axis); other hidden or missing values are not drawn."""
    out: list[tuple[int, float, float, object]] = []
    for i, v in enumerate(values):
        if isinstance(v, int | float) and not isinstance(v, bool):
            out.append((i, *xy(i, v), v))
        elif v == SMALL:
            out.append((i, *xy(i, small_at), v))
    return out


def _point_marks(
    points: list[tuple[int, float, float, object]],
    colour: str,
    labelled: set[tuple[int, object]],
    *,
    crowded: bool,
) -> list[str]:
    """The points of one line with their value labels (one label where lines meet). A "<5"
    is a hollow point with a muted label. When `crowded` (a monthly trend: the table under the
    chart gives the numbers) only the last point and the hidden ones are labelled."""
    out = []
    last = points[-1][0] if points else -1
    for i, x, y, value in points:
        if value == SMALL:
            out.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#ffffff" '
                f'stroke="{colour}" stroke-width="1.5"/>'
            )
        else:
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
        if (i, value) in labelled or (crowded and value != SMALL and i != last):
            continue
        labelled.add((i, value))
        fill = MUTED if value == SMALL else colour
        out.append(_text(x, y - 6, fmt(value), fill=fill, font_size="11"))
    return out


def _line_segments(points: list[tuple[int, float, float, object]], colour: str) -> list[str]:
    """A solid polyline through each run of neighbouring shown values, a dashed line to and
    from a "<5"; a gap where a value between two points is not drawn at all."""
    out: list[str] = []
    run: list[str] = []

    def close_run() -> None:
        if len(run) > 1:
            out.append(
                f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
                f'stroke-width="2"/>'
            )
        run.clear()

    for (i, x1, y1, a), (j, x2, y2, b) in itertools.pairwise(points):
        if j == i + 1 and SMALL not in (a, b):
            if not run:  # a run goes on from its last point, which is this pair's first
                run.append(f"{x1:.1f},{y1:.1f}")
            run.append(f"{x2:.1f},{y2:.1f}")
            continue
        close_run()
        if j == i + 1:
            out.append(
                f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                f'stroke="{colour}" stroke-width="2" stroke-dasharray="4 3"/>'
            )
    close_run()
    return out


def _legend_places(items: list[tuple[str, str]], x: int, y: int, width: int) -> list[tuple]:
    """(label, colour, x, y) of colour keys left to right, wrapping when the row is full."""
    out: list[tuple] = []
    cx: float = x
    for label, colour in items:
        w = 22 + 6.6 * len(label)
        if cx + w > width and cx > x:
            cx, y = x, y + 16
        out.append((label, colour, cx, y))
        cx += w + 10
    return out


def _legend(items: list[tuple[str, str]], x: int, y: int, width: int = 620) -> list[str]:
    """Colour keys left to right, wrapping to a new line when the row is full."""
    out = []
    for label, colour, cx, cy in _legend_places(items, x, y, width):
        out.append(f'<rect x="{cx:.1f}" y="{cy - 9}" width="10" height="10" fill="{colour}"/>')
        out.append(_text(cx + 14, cy, label, "start", fill=INK))
    return out


def _column_labels(xs: list[float], labels: list, height: int, split: bool = False) -> list[str]:
    """The labels under the columns; when more than six ("Mar 2024" for each month) each
    goes on two lines (month above year), so neighbours do not run into each other."""
    if len(labels) <= 6 and not split:
        return [_text(x, height - 10, label, fill=INK) for x, label in zip(xs, labels, strict=True)]
    out = []
    for x, label in zip(xs, labels, strict=True):
        first, _sep, rest = str(label).partition(" ")
        out.append(_text(x, height - 15, first, fill=INK, font_size="11"))
        if rest:
            out.append(_text(x, height - 4, rest, fill=INK, font_size="11"))
    return out


def _not_available_note(series: list[tuple[str, list]], x: float, y: float) -> list[str]:
    """A line without a point in a yearly recap's year: the recap does not give that count
    ("tidak tersedia"), said once beside the legend instead of under every gap."""
    if not any(v == NOT_AVAILABLE for _name, values in series for v in values):
        return []
    note = _("tanpa titik: tidak tersedia pada tahun rekap")
    return [_text(x, y, note, "end", fill=MUTED, font_size="10")]


def _bar_label(x: float, height: int, label: object, count: int) -> list[str]:
    """The label under a bar; a recap year ("2019 (rekap)") among more than six bars goes on
    two lines, like the month labels of a line chart."""
    if count > 6 and " " in str(label):
        return _column_labels([x], [label], height, split=True)
    return [_text(x, height - 10, label, fill=INK)]


def _heading(title: str) -> str:
    return _text(4, 14, title, "start", fill=INK, font_weight="bold", font_size="12")


def bar_chart(
    title: str,
    labels: list,
    values: list,
    colour: str = PALETTE[0],
    *,
    titled: bool = True,
    width: int = WIDTH,
) -> Chart:
    """Vertical bars with the count printed on each bar (years on the axis). Without
    `titled` the title is left to the caller (a caption) and the drawing is shorter."""
    cut = 0 if titled else HEADING
    height, left, top, bottom = 250 - cut, 48, 40 - cut, 28
    plot_w, plot_h = width - left - 12, height - top - bottom
    numbers = [v for v in values if isinstance(v, int | float)]
    vmax, step = _scale(max(numbers, default=0))
    body = [_heading(title)] if titled else []
    body += _axis(left, top, plot_w, plot_h, vmax, step)
    slot = plot_w / max(len(values), 1)
    bar_w = min(56, slot * 0.6)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = left + slot * i + (slot - bar_w) / 2
        cx = x + bar_w / 2
        if isinstance(value, int | float):
            h = plot_h * value / vmax
            y = top + plot_h - h
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{colour}"/>'
            )
            body.append(_text(cx, y - 4, fmt(value), fill=INK, font_weight="bold"))
        else:
            body.append(_text(cx, top + plot_h - 4, fmt(value), fill=MUTED, font_weight="bold"))
        body += _bar_label(cx, height, label, len(labels))
    return _svg(width, height, title, body)


def line_chart(
    title: str,
    labels: list,
    series: list[tuple[str, list]],
    *,
    titled: bool = True,
    width: int = WIDTH,
) -> Chart:
    """One line per series over the years (or months). A value hidden as "<5" is a hollow
    point low on the axis, labelled "<5" and joined to its neighbours by a dashed line, so the
    line never seems to stop at a hidden year; any other hidden value ("*") leaves a gap with
    its label on the base line."""
    cut = 0 if titled else HEADING
    height, left, top, bottom = 270 - cut, 48, 58 - cut, 28
    plot_w, plot_h = width - left - 24, height - top - bottom
    numbers = [v for _n, vs in series for v in vs if isinstance(v, int | float)]
    vmax, step = _scale(max(numbers, default=0))
    body = [_heading(title)] if titled else []
    body += _axis(left, top, plot_w, plot_h, vmax, step)
    step = plot_w / max(len(labels) - 1, 1)

    def xy(i: int, v: float) -> tuple[float, float]:
        return left + step * i if len(labels) > 1 else left + plot_w / 2, top + plot_h - (
            plot_h * v / vmax
        )

    labelled: set[tuple[int, object]] = set()  # one value label per point where lines meet
    for s, (_name, values) in enumerate(series):
        colour = PALETTE[s % len(PALETTE)]
        points = _line_points(values, xy, small_at=min(2.5, vmax / 2))
        body += _line_segments(points, colour)
        body += _point_marks(points, colour, labelled, crowded=len(labels) > 6)
        for i, v in enumerate(values):
            if not isinstance(v, int | float) and v not in (SMALL, NOT_AVAILABLE, None):
                # Any other hidden cell ("*"): no point, only its label at the base line.
                x, y = xy(i, 0)
                body.append(_text(x, y - 4, fmt(v), fill=MUTED, font_size="11"))
    body += _column_labels([xy(i, 0)[0] for i in range(len(labels))], labels, height)
    if width >= WIDTH:  # a narrow chart has its table beside it, which says so
        body += _not_available_note(series, width - 12, 34 - cut)
    body += _legend(
        [(name, PALETTE[s % len(PALETTE)]) for s, (name, _v) in enumerate(series)],
        left,
        34 - cut,
        width - 20,
    )
    return _svg(width, height, title, body)


def _stack_total(series: list[tuple[str, list]], totals: list, i: int) -> object:
    """The total over a bar, or "tidak tersedia" for a yearly recap without the breakdown (no
    bar then, only the words)."""
    if any(values[i] == NOT_AVAILABLE for _name, values in series):
        return NOT_AVAILABLE
    return totals[i]


def stacked_bar_chart(
    title: str,
    labels: list,
    series: list[tuple[str, list]],
    totals: list,
    *,
    titled: bool = True,
    width: int = WIDTH,
) -> Chart:
    """Bars split into parts (e.g. victims by sex and child/adult), the total on top."""
    cut = 0 if titled else HEADING
    legend = [(name, PALETTE[s % len(PALETTE)]) for s, (name, _v) in enumerate(series)]
    height, left, top, bottom = 290 - cut, 48, 76 - cut, 28
    # A narrow chart wraps its legend on more lines: room for them above the bars (the grey
    # "hidden" key may add one more).
    places = _legend_places([*legend, (_("disembunyikan"), GREY)], left, 0, width - 20)
    extra = 16 * max(0, places[-1][3] // 16 + 1 - 2)
    height, top = height + extra, top + extra
    plot_w, plot_h = width - left - 12, height - top - bottom
    vmax, step = _scale(max((t for t in totals if isinstance(t, int)), default=0))
    body = [_heading(title)] if titled else []
    body += _axis(left, top, plot_w, plot_h, vmax, step)
    slot = plot_w / max(len(labels), 1)
    bar_w = min(56, slot * 0.6)
    any_hidden = False
    for i, label in enumerate(labels):
        x = left + slot * i + (slot - bar_w) / 2
        cx = x + bar_w / 2
        total = _stack_total(series, totals, i)
        body += _bar_label(cx, height, label, len(labels))
        if not isinstance(total, int):
            body.append(_text(cx, top + plot_h - 4, fmt(total), fill=MUTED, font_weight="bold"))
            continue
        y = top + plot_h
        shown = 0
        for s, (_name, values) in enumerate(series):
            v = values[i]
            if isinstance(v, int) and v > 0:
                h = plot_h * v / vmax
                y -= h
                shown += v
                body.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                    f'fill="{PALETTE[s % len(PALETTE)]}"/>'
                )
        rest = total - shown
        if rest > 0:
            any_hidden = True
            h = plot_h * rest / vmax
            y -= h
            body.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                f'fill="{GREY}"/>'
            )
        body.append(_text(cx, y - 4, fmt(total), fill=INK, font_weight="bold"))
    if any_hidden:
        legend.append((_("disembunyikan"), GREY))
    body += _legend(legend, left, 34 - cut, width - 20)
    return _svg(width, height, title, body)


def hbar_chart(
    title: str,
    labels: list,
    values: list,
    colour: str = PALETTE[2],
    *,
    titled: bool = True,
    width: int = WIDTH,
) -> Chart:
    """Horizontal bars for categories (forms, places, relationships), count at the end. A
    narrow chart shortens long labels (its table beside it gives them in full)."""
    narrow = width < WIDTH
    row_h, right, top = 22, 44 if narrow else 60, 24 if titled else 4
    left, max_chars = (136, 20) if narrow else (230, 34)
    height = top + 6 + row_h * max(len(labels), 1)
    plot_w = width - left - right
    numbers = [v for v in values if isinstance(v, int | float)]
    vmax = max(numbers, default=0) or 1
    body = [_heading(title)] if titled else []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + row_h * i
        text = str(label)
        text = text if len(text) <= max_chars else text[: max_chars - 1].rstrip() + "…"
        body.append(_text(left - 8, y + 15, text, "end", fill=INK))
        if isinstance(value, int | float) and value > 0:
            w = plot_w * value / vmax
            body.append(
                f'<rect x="{left}" y="{y + 4}" width="{w:.1f}" height="{row_h - 8}" '
                f'fill="{colour}"/>'
            )
            body.append(_text(left + w + 6, y + 15, fmt(value), "start", fill=INK))
        else:
            body.append(_text(left + 6, y + 15, fmt(value), "start", fill=MUTED))
    return _svg(width, height, title, body)


def snapshot_charts(
    snapshot: Snapshot, *, titled: bool = True, narrow: bool = False
) -> dict[str, Chart]:
    """The charts the dashboard and the PDF show, by name. The PDF asks for them without the
    drawn title (it prints `chart.title` as a caption) and, for a single year (or month), with
    the per-column charts `narrow` (half width, beside their table). The columns are years, or
    months in a periodic report, which also gets the monthly trend line."""
    columns = column_headers(snapshot)  # a yearly recap's year is marked "(rekap)"
    charts: dict[str, Chart] = {}
    headline = snapshot.table("headline")
    if headline is None:
        return charts
    per_column: dict[str, Any] = {"titled": titled, "width": WIDTH // 2 if narrow else WIDTH}
    trend = snapshot.table("trend_months")
    if trend is not None:  # always full width: twelve months
        charts["trend_months"] = line_chart(
            trend.title,
            trend.columns or [],
            [(r.label, r.values) for r in trend.rows],
            titled=titled,
        )
    charts |= _headline_charts(snapshot, headline, per_column)
    cross = snapshot.table("victims_sex_status")
    if cross is not None:
        charts["victims_stacked"] = stacked_bar_chart(
            _("Korban per bulan menurut jenis kelamin dan status usia")
            if snapshot.periodic
            else _("Korban per tahun menurut jenis kelamin dan status usia"),
            columns,
            [(r.label, r.values) for r in cross.rows],
            cross.total or [],
            **per_column,
        )
    last = snapshot.columns[-1]
    for key in ("victims_form", "cases_place", "perpetrators_relationship"):
        table = snapshot.table(key)
        if table is not None:
            charts[key] = hbar_chart(
                f"{table.title} ({last})",
                [r.label for r in table.rows],
                [r.values[-1] for r in table.rows],
                **per_column,
            )
    return charts


def _headline_charts(
    snapshot: Snapshot, headline: Table, per_column: dict[str, Any]
) -> dict[str, Chart]:
    """The cases per column (bars) and cases, victims and perpetrators over the columns."""
    columns, period = column_headers(snapshot), snapshot.period_label
    cases, victims, perps = (r.values for r in headline.rows)
    title = (
        _("Jumlah kasus per bulan, %(period)s")
        if snapshot.periodic
        else _("Jumlah kasus per tahun, %(period)s")
    )
    charts = {"cases_bar": bar_chart(title % {"period": period}, columns, cases, **per_column)}
    series = [(_("Kasus"), cases), (_("Korban"), victims), (_("Pelaku"), perps)]
    if len(columns) > 1:
        charts["trend_line"] = line_chart(
            _("Perkembangan kasus, korban dan pelaku"), columns, series, **per_column
        )
    else:  # one column: a line of one point says nothing (and its labels overlap); bars do
        charts["trend_line"] = hbar_chart(
            _("Kasus, korban dan pelaku, %(period)s") % {"period": period},
            [name for name, _values in series],
            [values[0] for _name, values in series],
            **per_column,
        )
    return charts
