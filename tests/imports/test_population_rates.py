"""Population figures imported from a BPS-shaped CSV make the rate tables appear, and the
report says which year's population each rate uses."""

import pytest

from imports.models import ImportBatch
from reports.selectors import annual_statistics
from tests.imports.helpers import imported
from tests.reports.conftest import dataset, params  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

BPS = (
    b"Kode Wilayah,Tahun,Jenis Kelamin,Kelompok Umur,Jumlah\n"
    b"13.76,2023,Jumlah,Jumlah,140000\n"
    b"13.76,2023,P,Jumlah,70000\n"
    b"13.76,2023,Jumlah,0-4,10000\n"
    b"13.76,2023,Jumlah,5-17,30000\n"
)


def test_imported_population_gives_rates_with_the_year_they_use(dataset, params):  # noqa: F811
    assert annual_statistics(params).table("rates") is None
    batch = imported(dataset.users["admin"], BPS, name="bps.csv", kind=ImportBatch.Kind.POPULATION)
    assert batch.status == ImportBatch.Status.DONE, batch.problems
    rates_table = annual_statistics(params).table("rates")
    rates = {r.code: r.values for r in rates_table.rows}
    assert rates["pop_all"] == [None, None, 140_000]
    assert rates["pop_children"] == [None, None, 40_000]
    assert rates["cases_rate"] == [None, None, 2.9]
    assert "jumlah penduduk tahun yang sama" in rates_table.note
