import pytest
from django.urls import reverse
from openpyxl import load_workbook

from imports.models import ImportBatch
from tests.imports.helpers import case_row, checked, imported, upload, workbook

pytestmark = pytest.mark.django_db

# Session and user, then the page: the batches (with their uploaders) or the batch.
LIST_QUERIES = 3
DETAIL_QUERIES = 3


def test_template_has_the_sheets_headers_and_reference_lists(client, world):
    client.force_login(world.users["intake_own"])
    response = client.get(reverse("imports:template"), secure=True)
    assert response.status_code == 200
    book = load_workbook(__import__("io").BytesIO(response.content))
    assert book.sheetnames == ["kasus", "korban", "pelaku", "layanan", "referensi"]
    headers = [c.value for c in book["kasus"][1]]
    assert headers[:4] == [
        "No. Register Kantor",
        "Tanggal Kejadian",
        "Tanggal Pelaporan",
        "Deskripsi Kasus",
    ]
    rows = [tuple(c.value for c in r) for r in book["referensi"].iter_rows()]
    assert ("Tindak Kekerasan", "seksual", "Seksual", "Sexual") in rows
    assert ("Jenis Kelamin", "P", "Perempuan", "Female") in rows
    # The template itself, filled with one case, is read back without problems.


def test_upload_preview_and_confirm_through_the_pages(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.users["intake_own"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("imports:index"), {"file": upload(workbook(agency=world.uptd))}, secure=True
        )
    batch = ImportBatch.objects.get()
    assert response.url == reverse("imports:detail", kwargs={"code": batch.code})
    page = client.get(response.url, secure=True).content.decode()
    assert 'data-count="cases">1<' in page and "Konfirmasi dan simpan" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("imports:confirm", kwargs={"code": batch.code}), secure=True)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.DONE
    page = client.get(reverse("imports:index"), secure=True).content.decode()
    assert "register.xlsx" in page and batch.get_status_display() in page


def test_problems_are_shown_by_sheet_row_and_column(client, world):
    batch = checked(
        world.users["intake_own"],
        workbook(cases=[case_row(**{"Tanggal Pelaporan": "31/02/2022"})], agency=world.uptd),
    )
    client.force_login(world.users["intake_own"])
    page = client.get(reverse("imports:detail", kwargs={"code": batch.code}), secure=True)
    html = page.content.decode()
    assert "<td>kasus</td><td>2</td><td>Tanggal Pelaporan</td>" in html
    assert "Konfirmasi dan simpan" not in html


def test_an_empty_upload_is_refused_on_the_form(client, world):
    client.force_login(world.users["intake_own"])
    response = client.post(reverse("imports:index"), {}, secure=True)
    assert response.status_code == 400
    assert not ImportBatch.objects.exists()


def test_list_query_count_does_not_grow(client, world, django_assert_num_queries):
    officer = world.users["intake_own"]
    client.force_login(officer)
    url = reverse("imports:index")
    imported(officer, workbook(agency=world.uptd))
    client.get(url, secure=True)
    with django_assert_num_queries(LIST_QUERIES):
        client.get(url, secure=True)
    for n in range(3):
        checked(officer, workbook(agency=world.uptd), name=f"lain-{n}.xlsx")
    with django_assert_num_queries(LIST_QUERIES):
        client.get(url, secure=True)


def test_detail_query_count_does_not_grow(client, world, django_assert_num_queries):
    officer = world.users["intake_own"]
    client.force_login(officer)
    small = imported(officer, workbook(agency=world.uptd))
    big = checked(
        officer, workbook(cases=[case_row(f"X-{n}") for n in range(5)], agency=world.uptd)
    )
    for batch in (small, big):
        url = reverse("imports:detail", kwargs={"code": batch.code})
        client.get(url, secure=True)
        with django_assert_num_queries(DETAIL_QUERIES):
            client.get(url, secure=True)
