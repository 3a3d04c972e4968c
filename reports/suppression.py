"""The public edition: small cells hidden so that no victim can be singled out.

Rules (applied to a copy of the snapshot; the internal edition keeps exact counts):
- primary suppression: a count from 1 to 4 is shown as "<5";
- complementary suppression: in a table whose rows add up to a shown total (a partition, for
  one year), a hidden cell could be recovered by subtraction, so each such line must hide
  either no cell or at least two. The same holds for linked subtotals (the child age groups
  add up to "anak", which another table shows): each row names the groups it belongs to, and
  every group is a line too. Extra hidden cells are shown as "*" and chosen to hide as little
  as possible (cells whose hiding completes another line first, then the smallest counts);
- tables without an additive total (multi-count: forms, services, AMPK; the headline) only
  need the primary rule, and there are no totals across years (which would let one year be
  recovered from the others);
- a column of a yearly recap follows the same rules; where a cell of it is "tidak tersedia"
  (a breakdown the recap does not give), nothing can be subtracted from its total, so only the
  primary rule applies in that column. The recap figures named in the notes (a recap of a year
  that keeps its case-level figures) are hidden by the primary rule too;
- rates per 100,000 are hidden when the count they come from is hidden (the population is
  public, so the rate would give the count back); so is a referral median over 1-4 referrals.
"""

from __future__ import annotations

import copy

from reports.models import ReportRun
from reports.snapshot import NOT_AVAILABLE, Snapshot, Table

SMALL = "<5"
HIDDEN = "*"
SMALL_MAX = 4


def is_small(value: object) -> bool:
    return isinstance(value, int) and 1 <= value <= SMALL_MAX


def is_hidden(value: object) -> bool:
    return value in (SMALL, HIDDEN)


def suppress_column(values: list[int], total: int, groups: list[list[str]]) -> tuple[set, set]:
    """(primary, complementary) row indexes to hide in one year's column of a partition."""
    primary = {i for i, v in enumerate(values) if is_small(v)}
    hidden = set(primary)
    lines: list[tuple[list[int], bool]] = [(list(range(len(values))), is_small(total))]
    for key in sorted({g for gs in groups for g in gs}):
        members = [i for i, gs in enumerate(groups) if key in gs]
        lines.append((members, is_small(sum(values[i] for i in members))))
    # A row alone in a group equals a subtotal shown elsewhere: hiding it cannot protect.
    alone = {members[0] for members, _m in lines[1:] if len(members) == 1}

    def hidden_in(members: list[int], margin_hidden: bool) -> int:
        return sum(i in hidden for i in members) + margin_hidden

    changed = True
    while changed:
        changed = False
        for members, margin_hidden in lines:
            if hidden_in(members, margin_hidden) != 1:
                continue
            candidates = [i for i in members if i not in hidden]
            if not candidates:
                continue

            def cost(i: int) -> tuple:
                opens = sum(1 for m, mh in lines if i in m and hidden_in(m, mh) == 0)
                return (i in alone, opens, values[i] == 0, values[i], i)

            hidden.add(min(candidates, key=cost))
            changed = True
    return primary, hidden - primary


def _suppress_table(table: Table) -> None:
    years = len(table.rows[0].values) if table.rows else 0
    if table.total is None:
        for row in table.rows:
            row.values = [SMALL if is_small(v) else v for v in row.values]
        return
    groups = [row.groups for row in table.rows]
    for i in range(years):
        values = [row.values[i] for row in table.rows]
        if NOT_AVAILABLE in values or table.total[i] == NOT_AVAILABLE:
            # A recap's column with a breakdown it does not give: no line to subtract along.
            for row in table.rows:
                row.values[i] = SMALL if is_small(row.values[i]) else row.values[i]
            continue
        primary, extra = suppress_column(values, table.total[i], groups)
        for r in primary:
            table.rows[r].values[i] = SMALL
        for r in extra:
            table.rows[r].values[i] = HIDDEN
    table.total = [SMALL if is_small(v) else v for v in table.total]


def _suppress_rates(snapshot: Snapshot) -> None:
    rates = snapshot.table("rates")
    if rates is None:
        return

    def row_values(key: str, code: str) -> list:
        table = snapshot.table(key)
        row = next((r for r in table.rows if r.code == code), None) if table else None
        return row.values if row else []

    sources = {
        "cases_rate": row_values("headline", "cases"),
        "women_rate": row_values("victims_sex", "P"),
        "children_rate": row_values("victims_status", "anak"),
    }
    for row in rates.rows:
        counts = sources.get(row.code)
        if counts:
            row.values = [
                HIDDEN if is_hidden(c) and v is not None else v
                for v, c in zip(row.values, counts, strict=True)
            ]


def _suppress_referral_median(snapshot: Snapshot) -> None:
    """A median over one to four referrals is hidden with them."""
    table = snapshot.table("referrals")
    if table is None:
        return
    rows = {r.code: r for r in table.rows}
    if "median_days" in rows and "accepted" in rows:
        rows["median_days"].values = [
            HIDDEN if is_hidden(a) and m is not None else m
            for m, a in zip(rows["median_days"].values, rows["accepted"].values, strict=True)
        ]


def public_edition(snapshot: Snapshot) -> Snapshot:
    """A copy of the snapshot for publication: small cells hidden, nothing else changed."""
    public = copy.deepcopy(snapshot)
    for table in public.tables:
        if table.kind == "count":
            _suppress_table(table)
    _suppress_rates(public)
    _suppress_referral_median(public)
    for entry in public.recaps:
        for item in (entry, *entry["sources"]):
            for key in ("cases", "victims", "case_level_cases"):
                if is_small(item.get(key)):
                    item[key] = SMALL
    public.edition = ReportRun.Edition.PUBLIC
    return public
