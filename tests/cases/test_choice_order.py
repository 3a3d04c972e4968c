"""The most used choices first at intake: the lists an intake officer picks from are ordered
by the agency's own recent cases, the official order breaking ties and serving an agency
without cases; nothing is hidden or dropped, and another agency's order is its own."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from cases import refcache, selectors
from cases.forms import IncidentForm, PerpetratorForm, ServiceForm, VictimForm
from cases.models import Place, Relationship, ServiceGiven, ViolenceForm
from tests.cases.helpers import start, step_url
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def codes(choices) -> list[str]:
    return [code for code, _label in choices if code]


def reference(model) -> list[str]:
    return list(
        model.objects.filter(is_active=True)
        .order_by("order", "code")
        .values_list("code", flat=True)
    )


@pytest.fixture
def school_cases(world):
    """Three cases of the own UPTD at a school (the third place of the official list), with
    psychological violence (the second form), by a teacher, and one at home."""
    worker = world.users["intake_own"]
    for _ in range(3):
        make_case(
            worker,
            place="sekolah",
            relationship="guru",
            victims=[{"violence_form_ids": ["psikis"]}],
        )
    make_case(worker, place="rumah_tangga")
    cache.clear()


def test_the_agency_s_most_used_choices_come_first(world, school_cases):
    agency = world.uptd
    places = codes(IncidentForm(agency=agency).fields["place"].choices)
    assert places[0] == "sekolah"
    assert places[1] == "pesantren"  # its sub-place stays under it
    assert places[2] == "rumah_tangga"
    victim = VictimForm(agency=agency, prefix="v")
    assert codes(victim.fields["violence_forms"].choices)[0] == "psikis"
    perpetrator = PerpetratorForm(agency=agency, victims=[("v0", "Korban 1")])
    relationships = codes(perpetrator.fields["rel_v0"].choices)
    assert relationships[:2] == ["guru", "suami_istri"]


def test_nothing_is_hidden_or_dropped_and_ties_keep_the_official_order(world, school_cases):
    agency = world.uptd
    places = codes(IncidentForm(agency=agency).fields["place"].choices)
    assert sorted(places) == sorted(reference(Place))
    relationships = codes(
        PerpetratorForm(agency=agency, victims=[("v0", "K")]).fields["rel_v0"].choices
    )
    assert sorted(relationships) == sorted(reference(Relationship))
    unused = [c for c in reference(Relationship) if c not in ("guru", "suami_istri")]
    assert relationships[2:] == unused
    forms = codes(VictimForm(agency=agency).fields["violence_forms"].choices)
    assert sorted(forms) == sorted(reference(ViolenceForm))
    # "fisik" (the default of the fourth case) is used once, psikis three times.
    assert forms[:2] == ["psikis", "fisik"]


def test_another_agency_keeps_the_official_order(world, school_cases):
    other = world.other_uptd
    assert codes(VictimForm(agency=other).fields["violence_forms"].choices) == reference(
        ViolenceForm
    )
    relationships = codes(
        PerpetratorForm(agency=other, victims=[("v0", "K")]).fields["rel_v0"].choices
    )
    assert relationships == reference(Relationship)
    places = codes(IncidentForm(agency=other).fields["place"].choices)
    assert places[:2] == ["rumah_tangga", "tempat_kerja"]


def test_services_on_the_case_page_follow_the_owner_s_use(world):
    worker = world.users["case_worker_own"]
    case = make_case(worker)
    victim = case.people.get(role="victim")
    for _ in range(2):
        ServiceGiven.objects.create(
            victim=victim,
            service_type_id="pemulangan",
            provider=world.uptd,
            given_on=case.reported_on,
            recorded_by=worker,
        )
    cache.clear()
    form = ServiceForm(victims=[(str(victim.code), "K")], agency_id=world.uptd.pk)
    assert codes(form.fields["service_type"].choices)[0] == "pemulangan"
    plain = ServiceForm(victims=[(str(victim.code), "K")], agency_id=world.other_uptd.pk)
    assert codes(plain.fields["service_type"].choices)[0] == "pengaduan"


def test_the_intake_page_shows_the_order_and_counts_once_per_cache_period(
    world, client, school_cases, django_assert_num_queries
):
    client.force_login(world.users["intake_own"])
    page = client.get(reverse("cases:intake")).content.decode()
    select = page[page.index('name="place"') :]
    first = re.findall(r'<option value="([^"]+)"', select)[0]
    assert first == "sekolah"
    # The counts come from the cache afterwards: one query for all lists, then none.
    with refcache.per_request(), django_assert_num_queries(0):
        selectors.choice_usage(world.uptd.pk)
    _response, draft = start(client)
    victim_page = client.get(step_url(draft, "korban")).content.decode()
    boxes = victim_page[victim_page.index("violence_forms") :]
    assert re.findall(r'value="(\w+)"', boxes)[0] == "psikis"
