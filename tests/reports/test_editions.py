"""What the reader sees follows the request: a report of one case type is titled and
summarised for the people that case type protects, and the public edition's charts show a
hidden figure as hidden, never as a missing point."""

import pytest
from django.urls import reverse

from cases.models import CaseType
from reports.charts import snapshot_charts
from reports.pdf import Letterhead, render_pdf, report_html
from reports.selectors import ReportParams, annual_statistics
from reports.suppression import SMALL, public_edition
from tests.jobs import statistics_file
from tests.reports.test_pdf import pdf_text

pytestmark = pytest.mark.django_db

QUERY = {"year_from": "2021", "year_to": "2023", "region": "13.76"}


def test_a_public_trend_chart_labels_the_hidden_year_instead_of_ending_the_line(dataset, params):
    public = public_edition(annual_statistics(params))
    assert public.table("headline").rows[0].values == [12, 14, SMALL]
    trend = str(snapshot_charts(public)["trend_line"])
    # The 2023 case count is hidden: it is drawn as a hollow point labelled "<5", and the line
    # reaches it (dashed) rather than stopping at 2022.
    assert trend.count("&lt;5") >= 1
    assert 'fill="#ffffff"' in trend and "stroke-dasharray" in trend


def test_a_public_pdf_trend_chart_labels_the_hidden_year(dataset, params):
    public = public_edition(annual_statistics(params))
    html = report_html(public, Letterhead.for_agency(dataset.agencies["dinas_own"]))
    # The first drawing of the trend section is the trend chart; its 2023 point is "<5".
    trend = html.split('id="s-trend"')[1].split("</svg>")[0]
    assert "Perkembangan kasus, korban dan pelaku" in trend
    assert "&lt;5" in trend


def test_a_women_only_report_is_titled_and_summarised_for_women(client, dataset):
    client.force_login(dataset.users["official_own"])
    page = client.get(
        reverse("reports:dashboard"), {**QUERY, "case_type": CaseType.KTP, "bagian": "semua"}
    )
    html = page.content.decode()
    assert "<h1>Statistik kekerasan terhadap perempuan</h1>" in html
    assert "Anak merupakan" not in html
    assert 'id="t-kla_ampk"' not in html and 'id="t-kla_served"' not in html
    csv = statistics_file(
        client, "reports:export_csv", {**QUERY, "case_type": CaseType.KTP, "bagian": "semua"}
    )
    assert csv.content.decode("utf-8-sig").startswith("Statistik kekerasan terhadap perempuan\r")

    snapshot = annual_statistics(ReportParams(2021, 2023, "13.76", case_type=CaseType.KTP))
    data, _pages = render_pdf(snapshot, Letterhead.for_agency(dataset.agencies["dinas_own"]))
    flat = " ".join(pdf_text(data).split())
    assert "Laporan Statistik Kekerasan terhadap Perempuan" in flat
    assert "Perempuan dan Anak" not in flat
    assert "Anak merupakan" not in flat and "Klaster V" not in flat


def test_a_children_only_report_is_titled_for_children(client, dataset):
    client.force_login(dataset.users["official_own"])
    page = client.get(
        reverse("reports:dashboard"), {**QUERY, "case_type": CaseType.AMPK, "bagian": "semua"}
    )
    html = page.content.decode()
    assert "<h1>Statistik kekerasan terhadap anak</h1>" in html
    assert 'id="t-kla_ampk"' in html
    assert "Anak merupakan" not in html  # every victim of such a report is a child
    women_rate = 'id="t-rates"'
    assert women_rate not in html or "perempuan per 100.000" not in html


def test_a_report_of_every_case_type_keeps_the_full_title(client, dataset):
    client.force_login(dataset.users["official_own"])
    html = client.get(reverse("reports:dashboard"), {**QUERY, "bagian": "semua"}).content.decode()
    assert "<h1>Statistik kekerasan terhadap perempuan dan anak</h1>" in html
    assert 'id="t-kla_served"' in html
