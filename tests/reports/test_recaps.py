"""Yearly recaps: the pages (record, correct with history, withdraw), their rules in the form
and in the database, who may use them, and the recap years in the statistics (dashboard, CSV,
XLSX, charts, PDF), internal and public."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from ppa.models import Region
from reports.charts import snapshot_charts
from reports.exports import snapshot_csv, snapshot_xlsx
from reports.models import RecapPopulation, ReportRun, YearlyRecap
from reports.pdf import Letterhead, render_pdf
from reports.selectors import ReportParams, annual_statistics
from reports.suppression import SMALL, public_edition
from reports.text import column_headers, fmt, recap_notes
from tests.reports import test_pdf
from tests.reports.helpers import csv_tables, xlsx_tables
from tests.reports.recaps import make_recap, recap_post
from tests.reports.test_pdf import pdf_text, request_pdf

letterhead_agency = test_pdf.letterhead_agency  # the fixture, shared

pytestmark = pytest.mark.django_db
NA = "tidak tersedia"


def rows_of(snapshot, key):
    return {r.code: r.values for r in snapshot.table(key).rows}


# --- Pages -----------------------------------------------------------------------------------


def test_official_records_corrects_and_withdraws_a_recap_with_history(client, world):
    official = world.users["official_own"]
    client.force_login(official)
    response = client.post(
        reverse("reports:recap_create"),
        recap_post(2021, 12, victims=13, victims_female=13, victims_male=0, form_fisik=7),
    )
    recap = YearlyRecap.objects.get()
    assert response["Location"] == reverse("reports:recap_detail", kwargs={"code": recap.code})
    assert (recap.cases, recap.victims, recap.form_fisik, recap.form_psikis) == (12, 13, 7, None)
    assert recap.entered_by == official and recap.region_id == "13.76"

    response = client.post(
        reverse("reports:recap_detail", kwargs={"code": recap.code}),
        recap_post(2021, 14, victims=13, victims_female=13, victims_male=0, form_fisik=7),
    )
    assert response.status_code == 302
    page = client.get(reverse("reports:recap_detail", kwargs={"code": recap.code}))
    html = page.content.decode()
    assert "Riwayat perubahan" in html and "12 → 14" in html and "dicatat" in html
    assert [h.cases for h in recap.history.order_by("history_id")] == [12, 14]
    assert {h.history_user for h in recap.history.all()} == {official}

    supervisor = world.users["supervisor_own"]
    client.force_login(supervisor)
    response = client.post(
        reverse("reports:recap_withdraw", kwargs={"code": recap.code}),
        {"reason": "Diganti laporan yang telah diaudit"},
    )
    assert response["Location"] == reverse("reports:recap_list")
    recap.refresh_from_db()
    assert recap.withdrawn_at is not None and not recap.in_force
    last = recap.history.latest("history_id")
    assert last.history_user == supervisor
    assert last.history_change_reason == "Diganti laporan yang telah diaudit"
    listing = client.get(reverse("reports:recap_list")).content.decode()
    assert "ditarik" in listing and "Laporan Tahunan P2TP2A 2021" in listing
    # A withdrawn recap makes room for a new one of the same year.
    response = client.post(reverse("reports:recap_create"), recap_post(2021, 15))
    assert response.status_code == 302
    assert YearlyRecap.objects.filter(withdrawn_at__isnull=True).get().cases == 15


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"victims": 10, "victims_female": 6, "victims_male": 3}, "victims_female", "berjumlah 9"),
        ({"victims": 10, "victims_female": 6}, "victims_male", "kosongkan keduanya"),
        ({"victims_female": 6, "victims_male": 4}, "victims", "Isi jumlah korban"),
        ({"victims": 5, "form_seksual": 6}, "form_seksual", "lebih dari jumlah korban (5)"),
        ({"cases": -1}, "cases", "tidak boleh negatif"),
        ({"year": 1980}, "year", "paling awal"),
        ({"year": 2999}, "year", "paling akhir"),
        ({"source_document": ""}, "source_document", "Tulis dokumen sumber"),
    ],
)
def test_form_refuses_inconsistent_figures_with_a_message(client, world, extra, field, message):
    client.force_login(world.users["official_own"])
    body = recap_post(**{"year": 2021, "cases": 12, **extra})
    if "year" in extra:
        body["source_date"] = "2022-01-15"
    response = client.post(reverse("reports:recap_create"), body)
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors and message in " ".join(form.errors[field]), form.errors
    assert not YearlyRecap.objects.exists()


def test_second_recap_of_a_year_is_refused_and_other_region_is_out_of_reach(client, world):
    make_recap(world, 2021, 12)
    client.force_login(world.users["supervisor_own"])
    response = client.post(reverse("reports:recap_create"), recap_post(2021, 9))
    assert response.status_code == 200
    assert "Sudah ada rekap untuk wilayah, tahun dan cakupan ini" in response.content.decode()
    # A KtP recap of the same year is another population: allowed.
    response = client.post(reverse("reports:recap_create"), recap_post(2021, 9, population="ktp"))
    assert response.status_code == 302
    # The other city's official cannot name Payakumbuh, nor open its recaps.
    other = world.users["official_other"]
    client.force_login(other)
    response = client.post(reverse("reports:recap_create"), recap_post(2020, 3))
    assert "Wilayah ini di luar kewenangan Anda." in response.content.decode()
    recap = YearlyRecap.objects.first()
    assert (
        client.get(reverse("reports:recap_detail", kwargs={"code": recap.code})).status_code == 404
    )
    assert "Laporan Tahunan" not in client.get(reverse("reports:recap_list")).content.decode()
    assert YearlyRecap.objects.count() == 2


def test_database_constraints_back_the_rules(world):
    region = Region.objects.get(code="13.76")
    base = {
        "region": region,
        "population": RecapPopulation.BOTH,
        "cases": 3,
        "source_document": "Rekap",
        "source_date": dt.date(2022, 1, 1),
        "entered_by": world.users["official_own"],
    }
    YearlyRecap.objects.create(year=2021, **base)
    bad = [
        {"year": 2021},  # a second recap in force of the same region, year and population
        {"year": 1989},
        {"year": 2020, "cases": -1},
        {"year": 2020, "victims": 4, "victims_female": 3},
        {"year": 2020, "victims": 4, "victims_female": 3, "victims_male": 2},
        {"year": 2020, "victims_female": 3, "victims_male": 2},  # no victims total
        {"year": 2020, "withdrawn_at": timezone.now()},  # withdrawn without a reason
        {"year": 2020, "source_document": ""},
    ]
    for values in bad:
        with pytest.raises(IntegrityError), transaction.atomic():
            YearlyRecap.objects.create(**{**base, **values})


def test_list_and_detail_pages_use_a_fixed_number_of_queries(
    client, world, django_assert_num_queries
):
    client.force_login(world.users["official_own"])
    recap = make_recap(world, 2015, 4)
    list_url = reverse("reports:recap_list")
    detail_url = reverse("reports:recap_detail", kwargs={"code": recap.code})
    client.get(list_url)  # warm the session
    with django_assert_num_queries(4):
        client.get(list_url)
    with django_assert_num_queries(6):
        client.get(detail_url)
    for year in range(2016, 2021):
        make_recap(world, year, year - 2000, user="supervisor_own")
    for cases in (5, 6, 7):
        client.post(detail_url, recap_post(2015, cases))
    with django_assert_num_queries(4):
        assert client.get(list_url).content.decode().count("Laporan Tahunan P2TP2A") == 6
    with django_assert_num_queries(6):
        assert "6 → 7" in client.get(detail_url).content.decode()


# --- Statistics --------------------------------------------------------------------------------


def test_recap_years_stand_beside_case_level_years(dataset):
    """2018 and 2019 have recaps only; 2020 has case-level records (1 case) and a recap of
    10: the report keeps the case-level figures and names the recap with its figure."""
    make_recap(dataset, 2018, 9, victims=10, victims_female=8, victims_male=2, form_fisik=6)
    make_recap(dataset, 2019, 3)
    make_recap(dataset, 2020, 10, source_document="Paparan Kadis 2020")
    snapshot = annual_statistics(ReportParams(2018, 2022, "13.76"))
    headline = rows_of(snapshot, "headline")
    assert headline["cases"] == [9, 3, 1, 12, 14]
    assert headline["victims"] == [10, "n/a", 1, 12, 14]
    assert headline["perpetrators"] == ["n/a", "n/a", 1, 12, 14]
    assert rows_of(snapshot, "victims_sex")["P"][:2] == [8, "n/a"]
    assert rows_of(snapshot, "victims_sex")["L"][:2] == [2, "n/a"]
    assert rows_of(snapshot, "victims_form")["fisik"][:2] == [6, "n/a"]
    assert rows_of(snapshot, "victims_form")["psikis"][:2] == ["n/a", "n/a"]
    assert rows_of(snapshot, "victims_age")["13-17"][:2] == ["n/a", "n/a"]
    assert snapshot.table("victims_age").total[:2] == [10, "n/a"]
    assert snapshot.recap_years == [2018, 2019]
    notes = recap_notes(snapshot)
    assert notes[0] == (
        "2018: rekap tahunan (KtP dan KtA digabung), 9 kasus. Sumber: Laporan Tahunan P2TP2A "
        "2018, Rakor PPA Januari 2019, 15 Januari 2019."
    )
    assert notes[2] == (
        "2020: angka dari data kasus (1 kasus); rekap tahunan (KtP dan KtA digabung) juga ada "
        "dengan 10 kasus. Sumber rekap: Paparan Kadis 2020, Rakor PPA Januari 2021, "
        "15 Januari 2021."
    )
    line = snapshot_charts(snapshot)["trend_line"]
    assert "2018 (rekap)" in line and "2020 (rekap)" not in line and NA in line


def test_case_type_decides_which_recaps_fit(dataset):
    make_recap(dataset, 2019, 5, population=RecapPopulation.WOMEN)
    make_recap(dataset, 2019, 7, population=RecapPopulation.CHILDREN, victims=7)
    make_recap(dataset, 2018, 4, population=RecapPopulation.WOMEN)
    everything = annual_statistics(ReportParams(2018, 2019, "13.76"))
    # All case types: KtP + KtA added up (victims only where both give them); a lone KtP
    # recap does not fit and says so.
    assert rows_of(everything, "headline")["cases"] == [0, 12]
    assert rows_of(everything, "headline")["victims"] == [0, "n/a"]
    assert "cakupannya berbeda" in recap_notes(everything)[0]
    women = annual_statistics(ReportParams(2018, 2019, "13.76", case_type="ktp"))
    assert rows_of(women, "headline")["cases"] == [4, 5]
    children = annual_statistics(ReportParams(2018, 2019, "13.76", case_type="ampk"))
    assert rows_of(children, "headline")["cases"] == [0, 0]


def test_exports_mark_recap_years_and_write_not_available(dataset):
    make_recap(dataset, 2019, 11, victims=12, form_seksual=5)
    snapshot = annual_statistics(ReportParams(2019, 2021, "13.76"))
    titles = {t.key: t.title for t in snapshot.tables}
    for tables in (
        csv_tables(snapshot_csv(snapshot), titles),
        xlsx_tables(snapshot_xlsx(snapshot), titles),
    ):
        assert tables["headline"][0] == ["Kategori", "2019 (rekap)", "2020", "2021"]
        assert tables["headline"][1] == ["Kasus", "11", "1", "12"]
        assert tables["headline"][3] == ["Pelaku", NA, "1", "12"]
        seksual = next(r for r in tables["victims_form"] if r[0] == "Seksual")
        assert seksual[1] == "5"
    body = snapshot_csv(snapshot).decode("utf-8-sig")
    assert (
        'Sumber angka rekap tahunan,"2019: rekap tahunan (KtP dan KtA digabung), 11 kasus.' in body
    )
    assert "Kegiatan bertopik perkawinan anak,0,0,0" in body  # not a recap figure
    assert ",2019,2020,2021" in body  # the header of the tables the recap does not fill


def test_dashboard_shows_recap_years_and_their_sources(client, dataset):
    make_recap(dataset, 2019, 11)
    client.force_login(dataset.users["supervisor_own"])
    response = client.get(
        reverse("reports:dashboard"), {"year_from": "2019", "year_to": "2021", "region": "13.76"}
    )
    html = response.content.decode()
    assert "2019 (rekap)" in html and "Sumber angka rekap tahunan" in html
    assert "Laporan Tahunan P2TP2A 2019, Rakor PPA Januari 2020" in html
    assert 'class="num num--na">tidak tersedia</td>' in html


def test_public_edition_hides_small_recap_figures(dataset):
    make_recap(dataset, 2018, 3, victims=4, victims_female=3, victims_male=1, form_fisik=2)
    make_recap(dataset, 2019, 9, victims=9, victims_female=7, victims_male=2)
    make_recap(dataset, 2023, 2)  # the case-level year keeps its figures; the note names 2
    public = public_edition(annual_statistics(ReportParams(2018, 2023, "13.76")))
    headline = rows_of(public, "headline")
    assert headline["cases"][:2] == [SMALL, 9]
    assert headline["victims"][:2] == [SMALL, 9]
    sex = rows_of(public, "victims_sex")
    # 2019: 7 women and 2 men of 9 victims: the 2 is "<5", the 7 hidden with it.
    assert (sex["P"][1], sex["L"][1]) == ("*", SMALL)
    assert rows_of(public, "victims_form")["fisik"][0] == SMALL
    assert rows_of(public, "victims_form")["psikis"][0] == "n/a"
    notes = recap_notes(public)
    assert "2018: rekap tahunan (KtP dan KtA digabung), <5 kasus." in notes[0]
    assert "juga ada dengan <5 kasus" in notes[-1]
    for table in public.tables:
        for row in table.rows:
            assert not any(isinstance(v, int) and 1 <= v <= 4 for v in row.values), table.key


# --- End to end: five earlier years through the pages, then the official's annual PDF --------


def test_five_recap_years_then_the_annual_pdf_shows_the_whole_series(
    client, dataset, letterhead_agency, django_capture_on_commit_callbacks
):
    """A supervisor brings in the recaps of 2015-2019 through the page; the official then asks
    the 2015-2023 annual PDF: every year is in the table with its figure, the recap years are
    marked, each recap's source is printed, and a missing breakdown reads "tidak tersedia"."""
    world = dataset
    client.force_login(world.users["supervisor_own"])
    series = {2015: 8, 2016: 10, 2017: 11, 2018: 9, 2019: 7}
    for year, cases in series.items():
        extra = {"victims": cases + 1} if year >= 2017 else {}
        response = client.post(
            reverse("reports:recap_create"),
            recap_post(year, cases, source_meeting=f"Rakor PPA {year + 1}", **extra),
        )
        assert response.status_code == 302, response.content.decode()[-2000:]
    official = world.users["official_own"]
    run = request_pdf(
        client, official, django_capture_on_commit_callbacks, year_from="2015", year_to="2023"
    )
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE, run.error
    text = pdf_text(Path(run.file.path).read_bytes())
    flat = " ".join(text.split())
    assert test_pdf.row(text, "Kasus", 8, 10, 11, 9, 7, 1, 12, 14, 4)
    assert re.search(r"^\s*Korban\s+tidak\s+tidak\s+12\s+10\s+8\s+1\s+12\s+14\s+5\s*$", text, re.M)
    for year in series:
        assert (
            f"{year}: rekap tahunan (KtP dan KtA digabung), {series[year]} kasus. Sumber: "
            f"Laporan Tahunan P2TP2A {year}, Rakor PPA {year + 1}, 15 Januari {year + 1}." in flat
        )
    assert "Sumber angka rekap tahunan" in flat
    assert "Angka tahun 2015, 2016, 2017, 2018, 2019 berasal dari rekap tahunan" in flat
    assert "Selama 2015–2023 tercatat 76 kasus di Kota Payakumbuh." in flat
    assert re.search(r"^\s*Pelaku(\s+tidak){5}\s+1\s+12\s+14\s+5\s*$", text, re.M)
    assert re.search(r"^\s*(tersedia\s+){5}$", text, re.M)  # the second line of those cells
    assert text.count("(rekap)") >= 5


def test_over_long_source_is_refused_with_the_message_and_kept(client, world):
    client.force_login(world.users["official_own"])
    page = client.get(reverse("reports:recap_create")).content.decode()
    assert 'data-maxlength="200"' in page and " maxlength=" not in page
    too_long = "Laporan " + "x" * 200
    response = client.post(reverse("reports:recap_create"), recap_post(source_document=too_long))
    html = response.content.decode()
    assert response.status_code == 200 and "paling banyak 200 karakter" in html
    assert too_long in html and not YearlyRecap.objects.exists()


def test_english_edition_says_not_available_and_recap(dataset):
    make_recap(dataset, 2019, 11)
    with translation.override("en"):
        snapshot = annual_statistics(ReportParams(2019, 2021, "13.76"))
        assert fmt(rows_of(snapshot, "headline")["perpetrators"][0]) == "not available"
        assert column_headers(snapshot)[0] == "2019 (recap)"
        assert recap_notes(snapshot)[0].startswith(
            "2019: yearly recap (KtP and KtA combined), 11 cases. Source: Laporan Tahunan"
        )
        assert "not available in a recap year" in snapshot_charts(snapshot)["trend_line"]


def test_public_pdf_hides_small_recap_figures_and_names_the_case_level_year(
    dataset, letterhead_agency
):
    make_recap(dataset, 2019, 3, victims=3)
    make_recap(dataset, 2021, 10, source_document="Paparan Kadis 2021")
    public = public_edition(annual_statistics(ReportParams(2019, 2023, "13.76")))
    data, _pages = render_pdf(public, Letterhead.for_agency(letterhead_agency))
    text = pdf_text(data)
    flat = " ".join(text.split())
    assert test_pdf.row(text, "Kasus", "<5", "<5", 12, 14, "<5")
    assert "2019: rekap tahunan (KtP dan KtA digabung), <5 kasus." in flat
    assert (
        "2021: angka dari data kasus (12 kasus); rekap tahunan (KtP dan KtA digabung) juga ada "
        "dengan 10 kasus. Sumber rekap: Paparan Kadis 2021" in flat
    )
    assert "EDISI PUBLIK" in flat and " 3 kasus" not in flat


def test_statistics_query_count_does_not_grow_with_recaps(dataset, django_assert_num_queries):
    params = ReportParams(2015, 2023, "13.76")
    with django_assert_num_queries(19):
        annual_statistics(params)
    for year in range(2015, 2020):
        make_recap(dataset, year, year - 2010, population=RecapPopulation.WOMEN)
        make_recap(dataset, year, year - 2005, population=RecapPopulation.CHILDREN)
    with django_assert_num_queries(19):
        snapshot = annual_statistics(params)
    assert snapshot.recap_years == [2015, 2016, 2017, 2018, 2019]
