import datetime as dt
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from cases.models import ViolenceForm
from ppa.models import Region
from reports.models import ExportRun, ReportRun
from tests.factories import make_case
from tests.jobs import statistics_file
from tests.reports.data import SENTINEL_NAME, SENTINEL_PERPETRATOR
from tests.reports.helpers import csv_tables, html_tables, xlsx_tables

pytestmark = pytest.mark.django_db

QUERY = {"year_from": "2021", "year_to": "2023", "region": "13.76"}


def get(client, user, name="reports:dashboard", **params):
    """The page with every section in it (`bagian=semua`, as without JavaScript), so that all
    its tables can be read back."""
    client.force_login(user)
    if name.startswith("reports:export_"):  # request, progress page, download
        return statistics_file(client, name, params)
    if name == "reports:dashboard":
        params.setdefault("bagian", "semua")
    return client.get(reverse(name), params)


def test_dashboard_shows_the_hand_counted_figures(client, dataset):
    response = get(client, dataset.users["official_own"], **QUERY)
    assert response.status_code == 200
    tables = html_tables(response.content.decode())
    assert tables["headline"][1:] == [
        ["Kasus", "12", "14", "4"],
        ["Korban", "12", "14", "5"],
        ["Pelaku", "12", "14", "5"],
    ]
    assert ["Fisik", "12", "14", "3"] in tables["victims_form"]
    assert ["Jumlah korban", "12", "14", "5"] in tables["victims_sex"]
    html = response.content.decode()
    assert "Jumlah kasus turun dari 14 kasus pada 2022 menjadi 4 kasus pada 2023." in html
    assert "berdasarkan tanggal pelaporan" in html
    assert "Hitungan ganda" in html
    assert "<svg" in html and "<script>" not in html.split("</footer>")[0]


def test_dashboard_csv_and_xlsx_agree_cell_for_cell(client, dataset):
    user = dataset.users["supervisor_own"]
    for edition in ("internal", "public"):
        page = get(client, user, **QUERY, edition=edition)
        snapshot = page.context["s"]
        titles = {t.key: t.title for t in snapshot.tables}
        shown = html_tables(page.content.decode())
        csv = csv_tables(
            get(client, user, "reports:export_csv", **QUERY, edition=edition).content, titles
        )
        xlsx = xlsx_tables(
            get(client, user, "reports:export_xlsx", **QUERY, edition=edition).content, titles
        )
        assert set(shown) == set(csv) == set(xlsx) == set(titles)
        for key in titles:
            assert shown[key] == csv[key] == xlsx[key], (edition, key)
    assert ["Kasus", "12", "14", "<5"] in shown["headline"]


def test_exports_are_attachments_with_safe_cells(client, dataset):
    Region.objects.filter(code="13.76.03").update(name="=HYPERLINK(1) Timur")
    response = get(client, dataset.users["official_own"], "reports:export_csv", **QUERY)
    assert response["Content-Disposition"] == 'attachment; filename="statistik-13.76-2021-2023.csv"'
    body = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK(1) Timur" in body
    assert "\n=HYPERLINK" not in body
    xlsx = get(client, dataset.users["official_own"], "reports:export_xlsx", **QUERY)
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_officials_see_aggregates_never_records_or_names(client, dataset):
    user = dataset.users["official_own"]
    for name in ("reports:dashboard", "reports:export_csv"):
        body = get(client, user, name, **QUERY).content.decode("utf-8-sig")
        assert SENTINEL_NAME not in body
        assert SENTINEL_PERPETRATOR not in body
        assert "13.76/2023/" not in body  # no case number


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"year_from": "2023", "year_to": "2021"},
            "year_from",
            "Tahun awal (2023) tidak boleh setelah tahun akhir (2021).",
        ),
        ({"year_to": "2099"}, "year_to", "Tahun akhir tidak boleh di masa depan"),
        ({"year_from": "dua ribu"}, "year_from", "Tulis tahun dengan angka, misalnya 2023."),
        ({"year_from": "1990"}, "year_from", "Tahun paling awal yang dapat dipilih adalah 2000."),
        ({"year_from": "2005", "year_to": "2023"}, "year_from", "Rentang paling panjang 15 tahun."),
        (
            {"region": "13.07"},
            "region",
            "Wilayah ini di luar kewenangan Anda. Pilih Kota Payakumbuh atau wilayah di dalamnya.",
        ),
        ({"region": "13.07.01"}, "region", "di luar kewenangan Anda"),
        ({"case_type": "bogus"}, "case_type", "Pilih jenis kasus dari daftar."),
    ],
)
def test_bad_parameters_get_a_clear_message_next_to_the_field(
    client, world, params, field, message
):
    response = get(client, world.users["official_own"], **params)
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in e for e in form.errors[field]), form.errors
    assert response.context["s"] is None
    html = response.content.decode()
    assert f'id="id_{field}-errors"' in html
    # Exports refuse the same input with the same message rather than a wrong file.
    export = client.post(f"{reverse('reports:export_csv')}?{urlencode(params)}")
    assert export.status_code == 400
    assert not ExportRun.objects.exists()


def test_kecamatan_of_own_city_is_accepted(client, dataset):
    response = get(client, dataset.users["supervisor_own"], **{**QUERY, "region": "13.76.01"})
    tables = html_tables(response.content.decode())
    assert tables["headline"][1] == ["Kasus", "12", "10", "1"]


def test_no_data_renders_and_says_so(client, world):
    response = get(client, world.users["official_own"], year_from="2010", year_to="2012")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tidak ada kasus tercatat di Kota Payakumbuh pada 2010–2012." in html
    assert html_tables(html)["headline"][1] == ["Kasus", "0", "0", "0"]


def test_default_is_the_last_five_years(client, world):
    response = get(client, world.users["official_own"])
    this_year = dt.date.today().year
    assert response.context["s"].years == list(range(this_year - 4, this_year + 1))


def test_names_with_markup_render_as_text(client, dataset):
    Region.objects.filter(code="13.76").update(name="<script>alert('kota')</script>")
    Region.objects.filter(code="13.76.03").update(name='<img src=x onerror="alert(1)">')
    ViolenceForm.objects.filter(code="fisik").update(label="<script>chart()</script>Fisik")
    response = get(client, dataset.users["official_own"], **QUERY)
    html = response.content.decode()
    assert "<script>chart()" not in html  # neither in the tables nor in the SVG charts
    assert html.count("&lt;script&gt;chart()&lt;/script&gt;Fisik") >= 2
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html
    assert "<img src=x" not in html
    assert "&lt;img src=x" in html


def test_dashboard_query_count_does_not_grow_with_data(client, world, django_assert_num_queries):
    user = world.users["official_own"]
    client.force_login(user)
    url = reverse("reports:dashboard")
    client.get(url, QUERY)  # warm the session
    with django_assert_num_queries(24) as first:
        client.get(url, QUERY)
    for year in (2021, 2022, 2023):
        make_case(
            world.users["intake_own"],
            reported_on=dt.date(year, 3, 1),
            incident_date=None,
            victims=[{}, {"sex": "L", "stated_age": 9, "birth_date": None}],
            perpetrators=[{}, {}],
        )
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(url, QUERY)


def test_pdf_request_form_error_is_shown(client, world):
    client.force_login(world.users["official_own"])
    response = client.post(
        reverse("reports:run_create"),
        {**QUERY, "year_to": "2030", "edition": "public", "language": "id"},
    )
    assert response.status_code == 400
    assert "Tahun akhir tidak boleh di masa depan" in response.content.decode()
    assert not ReportRun.objects.exists()


def test_dashboard_starts_with_the_answer_and_loads_other_sections_on_demand(client, dataset):
    """The period's figures with their change and the three most-quoted breakdowns come
    first; other sections are one click away: loaded into the page with htmx, or the whole
    page with that section when there is no JavaScript; the downloads stay complete."""
    client.force_login(dataset.users["official_own"])
    url = reverse("reports:dashboard")
    html = client.get(url, QUERY).content.decode()
    assert "Angka 2023" in html and "dibanding 2022" in html
    assert "−71% · −10 dari 14 pada 2022" in html  # cases: 14 in 2022, 4 in 2023
    for key in ("headline", "victims_form", "cases_place", "perpetrators_relationship"):
        assert f'id="t-{key}"' in html
    assert 'id="t-victims_sex"' not in html, "a rarely read table waits for its section"
    assert 'hx-get="/statistik/?year_from=2021' in html and "bagian=victims" in html

    part = client.get(url, {**QUERY, "bagian": "victims"}, HTTP_HX_REQUEST="true")
    body = part.content.decode()
    assert 'id="t-victims_sex"' in body and "<html" not in body
    assert ["Jumlah korban", "12", "14", "5"] in html_tables(body)["victims_sex"]
    no_js = client.get(url, {**QUERY, "bagian": "victims"}).content.decode()
    assert "<html" in no_js and 'id="t-victims_sex"' in no_js
    assert client.get(url, {**QUERY, "bagian": "nope"}, HTTP_HX_REQUEST="true").status_code == 404
