import pytest
from django.core.management import CommandError, call_command

from ppa.models import Region

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
