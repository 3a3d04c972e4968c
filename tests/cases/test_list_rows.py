"""The case list's rows (written by the `case_rows` tag): every value escaped, the same
cells as a template would write, victims of referred cases never shown."""

import datetime as dt

import pytest
from django.urls import reverse

from cases.models import Case
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def test_row_values_are_escaped_and_labelled(world, client):
    worker = world.users["case_worker_own"]
    worker.first_name, worker.last_name = "<b>Budi", "&Santoso</b>"
    worker.save()
    case = make_case(
        world.users["intake_own"],
        reported_on=dt.date(2024, 5, 8),
        victims=[{"name": "<i>Melati Sintetis", "sex": "P"}],
        risk_level="high",
    )
    Case.objects.filter(pk=case.pk).update(assigned_worker=worker)
    client.force_login(worker)
    page = client.get(reverse("cases:list")).content.decode()
    assert "<b>Budi" not in page and "<i>" not in page
    link = page.index(f">{case.number}</a>")
    row = page[page.rindex("<tr>", 0, link) : page.index("</tr>", link)]
    assert '<td data-label="Manajer kasus">&lt;b&gt;Budi &amp;Santoso&lt;/b&gt;</td>' in row
    assert "&lt;S (P" in row  # initials of "<i>Melati Sintetis": "<S", escaped
    assert f'href="{reverse("cases:detail", kwargs={"code": case.code})}"' in row
    assert '<td data-label="Dilaporkan">8 Mei 2024</td>' in row
    assert '<span class="badge risk risk--high">Tinggi</span>' in row


def test_each_user_gets_the_labels_and_filters_of_their_language(world, client):
    """Labels and filter fields are kept per language: an English page after an Indonesian
    one (same process, same agency) is all English, and the Indonesian one stays Indonesian."""
    make_case(world.users["intake_own"], reported_on=dt.date(2024, 5, 8), risk_level="high")
    client.force_login(world.users["case_worker_own"])
    page = client.get(reverse("cases:list")).content.decode()
    assert 'data-label="Dilaporkan">8 Mei 2024' in page and ">Tinggi</span>" in page
    other = world.users["intake_own"]
    other.language = "en"
    other.save()
    client.force_login(other)
    page = client.get(reverse("cases:list")).content.decode()
    assert 'data-label="Reported">8 May 2024' in page and ">High</span>" in page
    assert "Dilaporkan" not in page and "Hanya yang lewat batas waktu" not in page
    client.force_login(world.users["case_worker_own"])
    assert 'data-label="Dilaporkan"' in client.get(reverse("cases:list")).content.decode()
