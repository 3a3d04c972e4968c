"""The stepped intake form, as an intake officer uses it in the browser."""

import datetime as dt

import pytest
from django.urls import reverse

from cases import selectors
from cases.forms import VictimForm
from cases.models import (
    Case,
    Deadline,
    IntakeDraft,
    PerpetratorLink,
    Person,
    PersonRole,
    ViolenceForm,
)
from cases.services import PersonData
from ppa.models import Region
from tests.cases.helpers import (
    CHILD_VICTIM,
    INCIDENT,
    PERPETRATOR,
    full_intake,
    perpetrators,
    start,
    step_url,
    victims,
)
from tests.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(world, client):
    client.force_login(world.users["intake_own"])
    return client


def test_full_intake_registers_a_case_with_people_links_and_clocks(officer):
    draft, response = full_intake(
        officer,
        victim_list=[
            CHILD_VICTIM,
            {**CHILD_VICTIM, "name": "Rara Sintetis", "birth_date": "2010-01-05"},
        ],
        perpetrator_list=[
            {**PERPETRATOR, "rel_v1": "tetangga"},
            {"name": "", "sex": "L", "rel_v0": "na", "rel_v1": "keluarga"},
        ],
    )
    case = Case.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("cases:detail", kwargs={"code": case.code})
    assert case.number == "13.76/2026/0001"
    assert case.people.filter(role=PersonRole.VICTIM).count() == 2
    assert case.people.filter(role=PersonRole.PERPETRATOR).count() == 2
    assert PerpetratorLink.objects.filter(perpetrator__case=case).count() == 4
    victim = case.people.get(name="Sinta Sintetis")
    assert set(victim.violence_forms.values_list("code", flat=True)) == {"seksual"}
    assert victim.is_child and victim.age_group == "13-17"
    kinds = set(case.deadlines.values_list("kind", flat=True))
    assert Deadline.Kind.POLICE_REPORT_TPKS in kinds and Deadline.Kind.FOLLOW_UP in kinds
    tpks = case.deadlines.get(kind=Deadline.Kind.POLICE_REPORT_TPKS)
    assert "3×24" in tpks.legal_basis
    draft.refresh_from_db()
    assert draft.case_id == case.pk and draft.data == {}


def test_a_second_submission_returns_the_same_case(officer):
    draft, first = full_intake(officer)
    again = officer.post(
        step_url(draft, "ringkasan"),
        {"consent_statistics": "1", "legal_basis": "consent", "action": "submit"},
    )
    assert Case.objects.count() == 1
    assert again.status_code == 302 and again.url == first.url


def test_each_step_is_kept_in_a_server_side_draft(officer):
    response, draft = start(officer)
    assert response.status_code == 302
    assert response.url == step_url(draft, "korban")
    officer.post(
        step_url(draft, "korban"), {**victims({"name": "Setengah Jadi"}), "action": "save"}
    )
    draft.refresh_from_db()
    assert draft.data["korban"]["v-0-name"] == ["Setengah Jadi"]
    page = officer.get(step_url(draft, "korban"))
    assert 'value="Setengah Jadi"' in page.content.decode()
    drafts = officer.get(reverse("cases:drafts")).content.decode()
    assert step_url(draft, "korban") in drafts
    assert "Setengah Jadi" not in drafts  # no names on list pages


def test_drafts_belong_to_their_owner(officer, world, client):
    _response, draft = start(officer)
    client.force_login(world.users["case_worker_own"])
    assert client.get(step_url(draft, "korban")).status_code == 404


def test_progress_is_shown(officer):
    _response, draft = start(officer)
    page = officer.get(step_url(draft, "korban")).content.decode()
    assert "Langkah 2 dari 6" in page
    assert "<progress" in page


def test_add_victim_button_works_without_javascript(officer):
    _response, draft = start(officer)
    response = officer.post(
        step_url(draft, "korban"), {**victims(CHILD_VICTIM), "action": "add_victim"}
    )
    assert response.status_code == 302
    page = officer.get(step_url(draft, "korban")).content.decode()
    assert 'name="v-1-name"' in page
    assert 'value="Sinta Sintetis"' in page


def test_relationship_is_asked_per_victim(officer):
    _response, draft = start(officer)
    officer.post(
        step_url(draft, "korban"),
        victims(CHILD_VICTIM, {**CHILD_VICTIM, "name": "Dua Sintetis"}),
    )
    page = officer.get(step_url(draft, "terlapor")).content.decode()
    assert 'name="p-0-rel_v0"' in page and 'name="p-0-rel_v1"' in page
    response = officer.post(
        step_url(draft, "terlapor"), perpetrators({"name": "X", "rel_v0": "guru"})
    )
    assert response.status_code == 200
    assert "tidak boleh kosong" in response.content.decode()


@pytest.mark.parametrize(
    ("step_data", "field_message"),
    [
        (
            {"incident_date": "2026-11-21"},
            "Tanggal kejadian tidak boleh setelah tanggal pelaporan.",
        ),
        ({"reported_on": ""}, "tidak boleh kosong"),
        ({"description": ""}, "tidak boleh kosong"),
        ({"reported_on": "2099-01-01", "incident_date": ""}, "tidak boleh di masa depan"),
        ({"incident_village": "13.76.02.1002"}, "tidak berada di kecamatan"),
        ({"reported_on": "31/02/2026"}, "Tanggal tidak valid"),
    ],
)
def test_step_one_refuses_bad_input_next_to_the_field_and_keeps_the_rest(
    officer, step_data, field_message
):
    response = officer.post(reverse("cases:intake"), {**INCIDENT, **step_data})
    assert response.status_code == 200
    page = response.content.decode()
    assert field_message in page
    assert INCIDENT["description"] in page or step_data.get("description") == ""
    assert 'class="field field--error"' in page


def test_birth_date_after_the_incident_is_refused(officer):
    _response, draft = start(officer)
    response = officer.post(
        step_url(draft, "korban"), victims({**CHILD_VICTIM, "birth_date": "2026-11-19"})
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tanggal lahir tidak boleh setelah tanggal kejadian." in page
    assert 'value="Sinta Sintetis"' in page


def test_impossible_nik_is_refused_and_odd_nik_only_warned(officer):
    _response, draft = start(officer)
    response = officer.post(
        step_url(draft, "korban"), victims({**CHILD_VICTIM, "nik": "1376019913900001"})
    )
    assert response.status_code == 200
    assert "Tanggal lahir di NIK tidak valid." in response.content.decode()
    # A valid NIK whose birth date differs from the one typed: a warning, not an error.
    form_data = victims({**CHILD_VICTIM, "nik": "1376014107900001"})

    form = VictimForm(
        {k[4:]: v for k, v in form_data.items() if k.startswith("v-0-")},
        agency=draft.agency,
        reference_date=dt.date(2026, 11, 18),
    )
    assert form.is_valid(), form.errors
    assert any("Tanggal lahir pada NIK" in w for w in form.warnings)


def test_child_marriage_needs_a_party_under_19(officer):
    _response, draft = start(officer, {**INCIDENT, "case_type": "child_marriage"})
    response = officer.post(step_url(draft, "rincian"), {"d-bride_age": "19", "d-groom_age": "25"})
    assert response.status_code == 200
    assert "sedikitnya satu pihak berusia di bawah 19 tahun" in response.content.decode()
    ok = officer.post(step_url(draft, "rincian"), {"d-bride_age": "16", "d-groom_age": "25"})
    assert ok.status_code == 302


def test_child_marriage_details_are_saved(officer):
    full_intake(
        officer,
        incident={**INCIDENT, "case_type": "child_marriage", "risk_level": "low"},
        victim_list=[{**CHILD_VICTIM, "tpks": []}],
        perpetrator_list=[],
        detail={"d-bride_age": "16", "d-groom_age": "22", "d-dispensation_requested": "on"},
    )
    case = Case.objects.get()
    assert case.child_marriage.bride_age == 16 and case.child_marriage.dispensation_requested
    assert not case.deadlines.filter(kind=Deadline.Kind.POLICE_REPORT_TPKS).exists()


def test_submitting_with_an_unfinished_step_sends_the_officer_there(officer):
    _response, draft = start(officer)
    response = officer.post(
        step_url(draft, "ringkasan"),
        {"consent_statistics": "1", "legal_basis": "consent", "action": "submit"},
    )
    assert response.status_code == 302
    assert response.url == step_url(draft, "korban") + "?periksa=1"
    assert Case.objects.count() == 0


def test_possible_duplicates_are_shown_before_saving_and_can_be_linked(officer, world):
    earlier = make_case(
        world.users["intake_own"],
        case_type="ampk",
        victims=[{"name": "Sinta Sintetis", "birth_date": dt.date(2012, 4, 2)}],
    )
    hidden = make_case(
        world.users["intake_other"],
        case_type="ampk",
        victims=[{"name": "Sinta Sintetis", "birth_date": dt.date(2012, 4, 2)}],
    )
    _response, draft = start(officer)
    officer.post(step_url(draft, "korban"), victims(CHILD_VICTIM))
    officer.post(step_url(draft, "terlapor"), perpetrators(PERPETRATOR))
    officer.post(step_url(draft, "pelapor"), {"r-reporter_is_victim": "on"})
    officer.post(step_url(draft, "rincian"), {})
    page = officer.get(step_url(draft, "ringkasan")).content.decode()
    assert earlier.number in page
    assert hidden.number not in page  # another agency's case is never revealed
    refused = officer.post(
        step_url(draft, "ringkasan"),
        {"consent_statistics": "1", "legal_basis": "consent", "action": "submit"},
    )
    assert refused.status_code == 200
    assert "kemungkinan kasus ganda" in refused.content.decode()
    done = officer.post(
        step_url(draft, "ringkasan"),
        {
            "consent_statistics": "1",
            "legal_basis": "consent",
            "link_cases": [str(earlier.code)],
            "link_note": "Korban yang sama",
            "duplicates_checked": "on",
            "action": "submit",
        },
    )
    assert done.status_code == 302
    case = Case.objects.exclude(pk__in=[earlier.pk, hidden.pk]).get()
    assert list(case.links.values_list("linked_case_id", "note")) == [
        (earlier.pk, "Korban yang sama")
    ]


def test_law_hints_are_shown_on_the_victim_step(officer):
    _response, draft = start(officer)
    page = officer.get(step_url(draft, "korban")).content.decode()
    assert "UU 12/2022 Pasal 4(1)b" in page  # each TPKS form with its article
    assert "3×24 jam" in page


def test_kelurahan_choices_are_grouped_by_kecamatan(officer):
    page = officer.get(reverse("cases:intake")).content.decode()
    assert page.count('value="13.76.0') >= 5
    assert "<optgroup" in page and 'data-filter-by="incident_district"' in page


def test_partner_and_official_cannot_register(world, client):
    for persona in ("partner_own", "official_own"):
        client.force_login(world.users[persona])
        assert client.get(reverse("cases:intake")).status_code == 403
    assert not IntakeDraft.objects.exists()


def test_odd_nik_is_shown_as_a_warning_once_then_accepted(officer):
    _response, draft = start(officer)
    data = victims({**CHILD_VICTIM, "nik": "1376014107900001"})  # NIK says 1 July 1990, female
    warned = officer.post(step_url(draft, "korban"), data)
    assert warned.status_code == 200
    page = warned.content.decode()
    assert "Perhatian:" in page and "Tanggal lahir pada NIK tidak sesuai" in page
    assert 'name="warnings_seen"' in page
    accepted = officer.post(step_url(draft, "korban"), {**data, "warnings_seen": "1"})
    assert accepted.status_code == 302


# Final submission (the POST that registers the case), pinned. Fixed part: session, user with
# its agency, the draft and its save, all reference tables (one UNION ALL), the kecamatan and
# kelurahan lists, the duplicate check (one query for every person), the draft's validity
# mark, the draft lock, the token check, the case number upsert, the case and its history
# (with its origin row), the clocks (each with history and origin), the draft cleared, the
# session save. Per victim 23: the row, and simple-history's `+` row and one `~` row per
# filled list (forms, sub-forms), each with its many-to-many snapshot and origin row, exactly
# as set() wrote them. Per perpetrator 6, per perpetrator-victim link 3.
SUBMIT_FIXED, PER_VICTIM, PER_PERPETRATOR, PER_LINK = 26, 23, 6, 3


@pytest.mark.parametrize("n", [1, 2])
def test_final_submission_query_count_is_linear_with_a_small_factor(
    officer, django_assert_num_queries, n
):
    response, draft = start(officer)
    victim_list = [{**CHILD_VICTIM, "name": f"Korban Sintetis {i}"} for i in range(n)]
    perpetrator_list = [
        {
            **PERPETRATOR,
            "name": f"Terlapor Sintetis {i}",
            **{f"rel_v{j}": "tetangga" for j in range(n)},
        }
        for i in range(n)
    ]
    for step, data in [
        ("korban", victims(*victim_list)),
        ("terlapor", perpetrators(*perpetrator_list)),
        ("pelapor", {"r-reporter_is_victim": "on"}),
        ("rincian", {}),
    ]:
        assert officer.post(step_url(draft, step), data).status_code == 302
    expected = SUBMIT_FIXED + n * PER_VICTIM + n * PER_PERPETRATOR + n * n * PER_LINK
    with django_assert_num_queries(expected):  # 58 for 1 + 1, 96 for 2 + 2
        response = officer.post(
            step_url(draft, "ringkasan"),
            {"consent_statistics": "1", "legal_basis": "consent", "action": "submit"},
        )
    assert response.status_code == 302
    case = Case.objects.get()
    assert PerpetratorLink.objects.filter(perpetrator__case=case).count() == n * n
    # The audit trail is written as before: per victim the `+` row, then one `~` row after
    # the forms of violence and one after the sub-forms, each with its snapshot.
    for victim in case.people.filter(role=PersonRole.VICTIM):
        rows = list(Person.history.filter(id=victim.pk).order_by("history_id"))
        assert [r.history_type for r in rows] == ["+", "~", "~"]
        assert [sorted(x.violenceform_id for x in r.violence_forms.all()) for r in rows] == [
            [],
            ["seksual"],
            ["seksual"],
        ]
        assert [[x.violencesubtype_id for x in r.violence_subtypes.all()] for r in rows] == [
            [],
            [],
            ["tpks_persetubuhan_anak"],
        ]
    for perpetrator in case.people.filter(role=PersonRole.PERPETRATOR):
        assert [r.history_type for r in Person.history.filter(id=perpetrator.pk)] == ["+"]
    assert case.history.count() == 1
    assert all(d.history.count() == 1 for d in case.deadlines.all())


def test_a_list_entry_added_by_an_administrator_shows_on_the_next_page(officer):
    """Reference lists are read once per request, never kept longer."""
    response, draft = start(officer)
    assert "Bentuk Uji Baru" not in officer.get(step_url(draft, "korban")).content.decode()
    ViolenceForm.objects.create(
        code="uji_baru", label="Bentuk Uji Baru", label_en="New test form", order=99
    )
    assert "Bentuk Uji Baru" in officer.get(step_url(draft, "korban")).content.decode()


def test_near_duplicates_are_shown_at_the_victim_step(officer, world):
    # A near name (one letter off) with a birth date eight months away, in a case of the own
    # UPTD; the same person in another agency's case is never named.
    earlier = make_case(
        world.users["intake_own"],
        case_type="ampk",
        victims=[{"name": "Sintha Sintetis", "birth_date": dt.date(2011, 8, 2)}],
    )
    hidden = make_case(
        world.users["intake_other"],
        case_type="ampk",
        victims=[{"name": "Sinta Sintetis", "birth_date": dt.date(2012, 4, 2)}],
    )
    unrelated = make_case(
        world.users["intake_own"],
        case_type="ampk",
        victims=[{"name": "Sinta Sintetis", "birth_date": dt.date(2008, 4, 2)}],
        district=None,
    )
    _response, draft = start(officer)
    response = officer.post(step_url(draft, "korban"), victims(CHILD_VICTIM))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Kemungkinan orang yang sama sudah tercatat" in page
    assert earlier.number in page
    assert hidden.number not in page and unrelated.number not in page
    assert 'value="Sinta Sintetis"' in page  # the input is kept
    # The officer proceeds (linking is offered on the last step).
    again = officer.post(
        step_url(draft, "korban"), {**victims(CHILD_VICTIM), "duplicates_seen": "1"}
    )
    assert again.status_code == 302 and again.url == step_url(draft, "terlapor")


def test_same_district_finds_a_near_name_without_a_birth_date(officer, world):
    earlier = make_case(
        world.users["intake_own"],
        victims=[{"name": "Rina Marlina", "address_region_id": "13.76.01"}],
    )
    _response, draft = start(officer)
    perpetrator = {"name": "Rina Marliana", "sex": "P", "stated_age": "30", "rel_v0": "tetangga"}
    officer.post(step_url(draft, "korban"), victims({**CHILD_VICTIM, "name": "Anak Lain"}))
    page = officer.post(
        step_url(draft, "terlapor"),
        perpetrators({**perpetrator, "address_district": "13.76.01"}),
    ).content.decode()
    assert earlier.number in page


def test_same_district_covers_its_villages_and_stops_at_its_border(world):
    """A kelurahan under the kecamatan is the same district; the next kecamatan is not."""
    village = Region.objects.filter(parent_id="13.76.01").order_by("code").first()
    assert village is not None
    earlier = make_case(
        world.users["intake_own"],
        victims=[{"name": "Rina Marlina", "address_region_id": village.code}],
    )
    user = world.users["intake_own"]

    def found(district: str) -> bool:
        typed = PersonData(role=PersonRole.VICTIM, name="Rina Marliana", address_region_id=district)
        return earlier.pk in {c.pk for c in selectors.possible_duplicates(user, [typed])}

    assert found("13.76.01")
    assert not found("13.76.02")
