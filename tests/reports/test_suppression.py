import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.selectors import annual_statistics
from reports.suppression import HIDDEN, SMALL, public_edition, suppress_column


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
