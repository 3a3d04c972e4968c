import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.models import AgeGroup, Sex
from ppa.models import Region
from reports.selectors import annual_statistics
from reports.snapshot import ReportSubject, Snapshot
from reports.suppression import HIDDEN, SMALL, public_edition, suppress_column
from reports.tables import Figures, build_tables


def test_one_small_cell_takes_the_next_smallest_with_it():
    primary, extra = suppress_column([3, 10, 0, 25], 38, [[], [], [], []])
    assert primary == {0} and extra == {1}


def test_small_total_hides_its_cells_only():
    primary, extra = suppress_column([2, 2, 0], 4, [[], [], []])
    assert primary == {0, 1} and extra == set()


def test_linked_subtotal_is_protected_inside_its_group():
    # Age groups: 6-12 = 3 (hidden). "anak" (3) and "dewasa" (10) are shown in another table,
    # so hiding 25-44 would let 25-44 = dewasa - 0 and then 6-12 = total - 25-44.
    groups = [["status:anak"]] * 3 + [["status:dewasa"]] * 4
    values = [0, 3, 0, 0, 10, 0, 0]
    primary, extra = suppress_column(values, 13, groups)
    assert primary == {1}
    assert extra and all(i in (0, 2) for i in extra)  # a sibling child group, not an adult one


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(st.integers(min_value=0, max_value=30), min_size=2, max_size=8),
    group_of=st.lists(st.integers(min_value=0, max_value=2), min_size=8, max_size=8),
)
def test_no_line_ever_has_exactly_one_hidden_cell(values, group_of):
    """Whatever the counts: every line (the column with its total, and each linked group with
    its subtotal) hides no cell or at least two, so no hidden cell is a subtraction away."""
    groups = [[f"g{group_of[i]}"] for i in range(len(values))]
    total = sum(values)
    primary, extra = suppress_column(values, total, groups)
    hidden = primary | extra
    assert primary == {i for i, v in enumerate(values) if 1 <= v <= 4}
    lines = [(list(range(len(values))), 1 <= total <= 4)]
    for key in {g for gs in groups for g in gs}:
        members = [i for i, gs in enumerate(groups) if key in gs]
        if len(members) > 1:
            lines.append((members, 1 <= sum(values[i] for i in members) <= 4))
    for members, margin in lines:
        assert sum(i in hidden for i in members) + margin != 1, (values, groups, hidden)


@pytest.mark.django_db
def test_public_edition_of_the_dataset(dataset, params):
    public = public_edition(annual_statistics(params))
    rows = {t.key: {r.code: r.values for r in t.rows} for t in public.tables}
    assert rows["headline"]["cases"] == [12, 14, SMALL]
    assert rows["headline"]["victims"] == [12, 14, 5]
    assert rows["victims_sex"] == {"P": [12, 14, SMALL], "L": [0, 0, SMALL]}
    # 2023: 4 of the kecamatan rows are 1; 2021/2022 show 12 and 10 + 4 -> 4 small, 10 hidden.
    assert rows["cases_area"]["13.76.01"] == [12, HIDDEN, SMALL]
    assert rows["cases_area"]["13.76.02"] == [0, SMALL, 0]
    assert public.table("cases_area").total == [12, 14, SMALL]
    for table in public.tables:
        for row in table.rows:
            assert not any(isinstance(v, int) and 1 <= v <= 4 for v in row.values), table.key


# --- Month tables -----------------------------------------------------------------------------
# A periodic report has a column per month, where counts of 1-4 are common. The same rules hold
# for every month column of every table built by the real builders (reports.tables), whatever
# the counts.

MONTHS = [202401, 202402, 202403]
SEXES = [Sex.FEMALE.value, Sex.MALE.value, None]
AGES = [g.value for g in AgeGroup] + [""]

victim_row = st.fixed_dictionaries(
    {
        "y": st.sampled_from(MONTHS),
        "sex": st.sampled_from(SEXES),
        "age_group": st.sampled_from(AGES),
        "served": st.booleans(),
        "has_disability": st.booleans(),
        "trafficked": st.booleans(),
        "n": st.integers(min_value=1, max_value=9),
    }
)
case_row = st.fixed_dictionaries(
    {
        "y": st.sampled_from(MONTHS),
        "p": st.sampled_from(["rumah_tangga", "sekolah", None]),
        "n": st.integers(min_value=1, max_value=9),
        "closed": st.just(0),
        "household": st.just(0),
    }
)


def _month_figures(victims: list[dict], cases: list[dict]) -> Figures:
    labels = {
        name: [("a", "A"), ("b", "B")]
        for name in ("form", "service", "relationship", "education", "occupation")
    }
    labels |= {"marital": [("a", "A")], "ampk": [("a", "A")]}
    labels["place"] = [("rumah_tangga", "Rumah tangga"), ("sekolah", "Sekolah")]
    perps = [{**v, "n": v["n"] % 3 + 1} for v in victims]
    return Figures(
        region=Region(code="13.76", name="Kota", level=Region.Level.REGENCY),
        subject=ReportSubject.WOMEN_AND_CHILDREN,
        columns=MONTHS,
        labels=labels,
        case_rows=cases,
        area_rows=[],
        victim_rows=victims,
        form_rows=[],
        profile_rows=[{"y": v["y"], "e": "a", "o": None, "m": "a", "n": v["n"]} for v in victims],
        perp_rows=perps,
        relationship_rows=[],
        service_rows=[],
        ampk_rows=[],
        referral_rows=None,
        partner_rows=None,
        monthly=True,
    )


@settings(max_examples=150, deadline=None)
@given(victims=st.lists(victim_row, max_size=25), cases=st.lists(case_row, max_size=15))
def test_every_month_column_hides_no_cell_or_at_least_two(victims, cases):
    tables = build_tables(_month_figures(victims, cases))
    snapshot = Snapshot(
        params={"period": "rentang", "case_type": ""},
        years=[2024],
        region={"code": "13.76", "name": "Kota"},
        case_type_label="",
        basis_label="",
        inclusion_note="",
        language="id",
        computed_at="",
        tables=tables,
    )
    public = public_edition(snapshot)
    for exact, table in zip(tables, public.tables, strict=True):
        # No total across months: a month could be recovered from the others.
        assert all(len(r.values) == len(MONTHS) for r in table.rows), table.key
        for i in range(len(MONTHS)):
            shown = [r.values[i] for r in table.rows]
            assert not any(isinstance(v, int) and 1 <= v <= 4 for v in shown), table.key
            if exact.total is None:
                continue
            hidden = {k for k, v in enumerate(shown) if v in (SMALL, HIDDEN)}
            total = exact.total[i]
            lines = [(list(range(len(shown))), 1 <= total <= 4)]
            groups = [r.groups for r in exact.rows]
            for key in {g for gs in groups for g in gs}:
                members = [k for k, gs in enumerate(groups) if key in gs]
                subtotal = sum(exact.rows[k].values[i] for k in members)
                if len(members) > 1:
                    lines.append((members, 1 <= subtotal <= 4))
            for members, margin in lines:
                assert sum(k in hidden for k in members) + margin != 1, (table.key, i, shown)
