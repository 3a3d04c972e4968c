import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cases.models import AgeGroup, Sex
from ppa.models import Region
from reports.recaps import apply_recaps, fitting_recaps, recap_entries
from reports.selectors import annual_statistics
from reports.snapshot import NOT_AVAILABLE, ReportSubject, Snapshot
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


# --- Yearly recap columns -----------------------------------------------------------------------
# A year with only a yearly recap shows the recap's figures in its column of every table built by
# the real builders; a breakdown it does not give is "n/a" ("tidak tersedia"). The public edition
# hides the recap's small figures like any other, "n/a" stays "n/a" (never a number), and a
# partition column it fills completely (victims by sex) keeps the no-single-hidden-cell rule.

YEARS = [2019, 2020, 2021]
maybe = st.one_of(st.none(), st.integers(min_value=0, max_value=12))


@st.composite
def recap(draw, year):
    victims = draw(maybe)
    female = draw(st.one_of(st.none(), st.integers(0, victims))) if victims is not None else None
    return {
        "year": year,
        "population": "ktp_kta",
        "cases": draw(st.integers(min_value=0, max_value=12)),
        "victims": victims,
        "perpetrators": draw(maybe),
        "victims_female": female,
        "victims_male": None if female is None else victims - female,
        "forms": {c: draw(maybe) for c in ("fisik", "psikis", "seksual", "lainnya")},
        "source_document": "Rekap",
        "source_meeting": "",
        "source_date": f"{year + 1}-01-15",
    }


def _year_figures(victims: list[dict]) -> Figures:
    figures = _month_figures([{**v, "y": YEARS[2]} for v in victims], [])
    figures.columns, figures.monthly = YEARS, False
    figures.labels["form"] = [(c, c) for c in ("fisik", "psikis", "seksual", "lainnya")]
    figures.case_rows = [{"y": YEARS[2], "p": None, "n": 1, "closed": 0, "household": 0}]
    return figures


@settings(max_examples=150, deadline=None)
@given(
    first=recap(YEARS[0]),
    second=recap(YEARS[1]),
    third=recap(YEARS[2]),
    victims=st.lists(victim_row, max_size=10),
)
def test_recap_columns_follow_the_public_rules(first, second, third, victims):
    figures = _year_figures(victims)
    tables = build_tables(figures)
    used, unfit = fitting_recaps([first, second, third], "")
    kept = apply_recaps(tables, YEARS, figures.n_cases, used)
    assert kept == {YEARS[2]: 1}  # the case-level year keeps its figures
    snapshot = Snapshot(
        params={"case_type": ""},
        years=YEARS,
        region={"code": "13.76", "name": "Kota"},
        case_type_label="",
        basis_label="",
        inclusion_note="",
        language="id",
        computed_at="",
        tables=tables,
        recaps=recap_entries(YEARS, used, kept, unfit),
    )
    exact = {t.key: t for t in tables}
    public = public_edition(snapshot)
    for table in public.tables:
        for i, row in enumerate(table.rows):
            before = exact[table.key].rows[i].values
            for b, a in zip(before, row.values, strict=True):
                assert not (isinstance(a, int) and 1 <= a <= 4), table.key
                assert (a == NOT_AVAILABLE) == (b == NOT_AVAILABLE), table.key
    headline = {r.code: r.values for r in public.table("headline").rows}
    for column, given_recap in enumerate((first, second)):
        cases = given_recap["cases"]
        assert headline["cases"][column] == (SMALL if 1 <= cases <= 4 else cases)
        if given_recap["victims"] is None:
            assert headline["victims"][column] == NOT_AVAILABLE
    sex = public.table("victims_sex")
    for column in (0, 1):
        shown = [r.values[column] for r in sex.rows]
        if NOT_AVAILABLE in shown:
            continue
        hidden = sum(v in (SMALL, HIDDEN) for v in shown) + (sex.total[column] == SMALL)
        assert hidden != 1, shown
    for entry in public.recaps:
        assert not (isinstance(entry["cases"], int) and 1 <= entry["cases"] <= 4)
