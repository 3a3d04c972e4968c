"""Signature blocks are never empty: without a head name the annual report prints no
signature block (it used to print "Kepala (......)"); supervisors and officials name their
agency's head on the signature page, and the report then prints it."""

import pytest
from django.urls import reverse

from reports.pdf import Letterhead, render_pdf
from reports.selectors import ReportParams, annual_statistics
from tests.paperwork.helpers import pdf_text

pytestmark = pytest.mark.django_db


def test_report_without_head_name_prints_no_empty_signature(world):
    agency = world.agencies["dinas_own"]
    assert agency.head_name == ""
    data, _pages = render_pdf(
        annual_statistics(ReportParams(2023, 2023, "13.76")), Letterhead.for_agency(agency)
    )
    text = pdf_text(data)
    assert "(....." not in text
    assert "Kepala" not in text  # no title line without a name under it


def test_official_names_the_head_and_the_report_signs_with_it(client, world):
    official = world.users["official_own"]
    client.force_login(official)
    page = client.get(reverse("paperwork:signatures"))
    assert "Nama kepala" in page.content.decode()
    response = client.post(
        reverse("paperwork:signatures"),
        {"head": "1", "head_name": "Dra. Sri Contoh", "head_title": "Kepala Dinas", "head_nip": ""},
    )
    assert response.status_code == 302
    agency = world.agencies["dinas_own"]
    agency.refresh_from_db()
    data, _pages = render_pdf(
        annual_statistics(ReportParams(2023, 2023, "13.76")), Letterhead.for_agency(agency)
    )
    text = pdf_text(data)
    assert "Kepala Dinas" in text and "Dra. Sri Contoh" in text


def test_head_name_is_required_and_input_is_kept(client, world):
    client.force_login(world.users["supervisor_own"])
    response = client.post(
        reverse("paperwork:signatures"),
        {"head": "1", "head_name": "", "head_title": "Kepala UPTD PPA", "head_nip": "123"},
    )
    html = response.content.decode()
    assert response.status_code == 200  # shown again with its message
    assert "Nama kepala wajib diisi." in html and 'value="Kepala UPTD PPA"' in html
    world.uptd.refresh_from_db()
    assert world.uptd.head_title == ""


def test_case_worker_sets_own_title_but_not_the_head(client, world):
    client.force_login(world.users["case_worker_own"])
    page = client.get(reverse("paperwork:signatures")).content.decode()
    assert "Nama kepala" not in page
    client.post(
        reverse("paperwork:signatures"),
        {"head": "1", "head_name": "Bukan Kepala", "head_title": "X"},
    )
    world.uptd.refresh_from_db()
    assert world.uptd.head_name == ""


def test_dashboard_points_to_the_signature_page_while_the_head_is_missing(client, world):
    client.force_login(world.users["official_own"])
    html = client.get(reverse("reports:dashboard")).content.decode()
    assert "laporan dicetak tanpa tanda tangan" in html
    assert reverse("paperwork:signatures") in html
    agency = world.agencies["dinas_own"]
    agency.head_name = "Dra. Sri Contoh"
    agency.save(update_fields=["head_name"])
    html = client.get(reverse("reports:dashboard")).content.decode()
    assert "laporan dicetak tanpa tanda tangan" not in html
