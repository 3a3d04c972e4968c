"""The case type fits its victims (KtP: an adult woman; AMPK: a child), at intake, case edit
and person edit; statistics consent is asked, never assumed."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from cases import services
from cases.models import Case, CaseType, PersonRole
from cases.rules import VictimFacts, case_type_problem
from tests.cases.helpers import CHILD_VICTIM, INCIDENT, start, step_url, victims
from tests.factories import make_case

pytestmark = pytest.mark.django_db

MAN = VictimFacts(sex="L", age=40)
GIRL = VictimFacts(sex="P", age=15)
WOMAN = VictimFacts(sex="P", age=30)


@pytest.fixture(autouse=True)
def indonesian():
    with translation.override("id"):
        yield


def test_rule_ktp_needs_an_adult_woman():
    assert case_type_problem(case_type=CaseType.KTP, victims=[WOMAN]) is None
    assert case_type_problem(case_type=CaseType.KTP, victims=[MAN, WOMAN]) is None
    for_man = case_type_problem(case_type=CaseType.KTP, victims=[MAN])
    assert "perempuan berusia 18 tahun" in for_man and "Lainnya" in for_man
    for_girl = case_type_problem(case_type=CaseType.KTP, victims=[GIRL])
    assert "AMPK" in for_girl


def test_rule_ampk_needs_a_child_and_unknown_ages_are_not_refused():
    assert case_type_problem(case_type=CaseType.AMPK, victims=[GIRL, WOMAN]) is None
    assert "anak" in case_type_problem(case_type=CaseType.AMPK, victims=[WOMAN, MAN])
    unknown = VictimFacts(sex="", age=None)
    assert case_type_problem(case_type=CaseType.AMPK, victims=[unknown]) is None
    assert case_type_problem(case_type=CaseType.KTP, victims=[unknown]) is None
    assert case_type_problem(case_type=CaseType.OTHER, victims=[MAN]) is None


def test_the_service_refuses_a_ktp_case_whose_only_victim_is_a_man(world):
    with pytest.raises(services.IntakeError, match="KtP"):
        make_case(world.users["intake_own"], victims=[{"sex": "L"}])
    assert not Case.objects.exists()


@pytest.fixture
def officer(world, client):
    client.force_login(world.users["intake_own"])
    return client


def test_intake_refuses_a_ktp_case_with_a_15_year_old_girl_at_the_victim_step(officer):
    _response, draft = start(officer, {**INCIDENT, "case_type": "ktp"})
    response = officer.post(step_url(draft, "korban"), victims(CHILD_VICTIM))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Jenis kasus KtP memerlukan" in page and "AMPK" in page
    assert 'value="Sinta Sintetis"' in page  # the input is kept
    # The same victim fits an AMPK case.
    officer.post(step_url(draft, "kejadian"), {**INCIDENT, "case_type": "ampk"})
    assert officer.post(step_url(draft, "korban"), victims(CHILD_VICTIM)).status_code == 302


def edit_data(client, case, **changes) -> dict:
    form = client.get(reverse("cases:edit", kwargs={"code": case.code})).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    for name, value in data.items():
        if isinstance(value, dt.date):
            data[name] = value.isoformat()
    data.update(reason="Koreksi", **changes)
    return data


def test_case_edit_refuses_a_type_the_victims_do_not_fit_next_to_the_field(world, client):
    case = make_case(world.users["intake_own"])  # KtP, a woman born 1990
    client.force_login(world.users["case_worker_own"])
    url = reverse("cases:edit", kwargs={"code": case.code})
    response = client.post(url, edit_data(client, case, case_type="ampk", description="Baru."))
    assert response.status_code == 200
    form = response.context["form"]
    assert "AMPK memerlukan" in " ".join(form.errors["case_type"])
    assert "Baru." in response.content.decode()
    case.refresh_from_db()
    assert case.case_type == CaseType.KTP


def test_a_corrected_birth_date_that_makes_the_only_victim_a_child_is_refused(world, client):
    case = make_case(world.users["intake_own"])
    victim = case.people.get(role=PersonRole.VICTIM)
    client.force_login(world.users["case_worker_own"])
    url = reverse("cases:person_edit", kwargs={"code": case.code, "person": victim.code})
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, "", False, [])}
    data.update(birth_date="2012-03-02", reason="Salah ketik")
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "KtP memerlukan" in " ".join(errors["birth_date"])
    assert 'value="2012-03-02"' in response.content.decode()
    victim.refresh_from_db()
    assert victim.birth_date == dt.date(1990, 3, 2) and not victim.is_child


def test_statistics_consent_starts_unanswered_and_must_be_answered(officer):
    _response, draft = start(officer)
    for step, data in (
        ("korban", victims(CHILD_VICTIM)),
        ("terlapor", {"p-TOTAL_FORMS": "0", "p-INITIAL_FORMS": "0"}),
        ("pelapor", {"r-reporter_is_victim": "on"}),
        ("rincian", {}),
    ):
        assert officer.post(step_url(draft, step), data).status_code == 302
    page = officer.get(step_url(draft, "ringkasan")).content.decode()
    radios = [line for line in page.split("<input") if 'name="consent_statistics"' in line]
    assert len(radios) == 2 and not any("checked" in radio for radio in radios)
    response = officer.post(
        step_url(draft, "ringkasan"), {"legal_basis": "consent", "action": "submit"}
    )
    assert response.status_code == 200
    assert "apakah datanya boleh dipakai untuk statistik" in response.content.decode()
    assert not Case.objects.exists()
    response = officer.post(
        step_url(draft, "ringkasan"),
        {"consent_statistics": "0", "legal_basis": "consent", "action": "submit"},
    )
    assert response.status_code == 302
    assert Case.objects.get().consent_statistics is False


def legacy_mismatch(actor, **victim) -> Case:
    """A case registered before the rule: an AMPK case typed as KtP (set as old data was)."""
    case = make_case(actor, case_type="ampk", victims=[{"birth_date": dt.date(2012, 1, 1)}])
    Case.objects.filter(pk=case.pk).update(case_type=CaseType.KTP)  # old data, no history
    return case


def test_the_data_quality_page_lists_own_cases_whose_type_does_not_fit(world, client):
    mine = legacy_mismatch(world.users["intake_own"])
    fine = make_case(world.users["intake_own"])
    theirs = legacy_mismatch(world.users["intake_other"])
    client.force_login(world.users["supervisor_own"])
    home = client.get(reverse("cases:list")).content.decode()
    assert reverse("cases:data_quality") in home  # in the supervisor's navigation
    page = client.get(reverse("cases:data_quality")).content.decode()
    assert mine.number in page and "Bila korbannya anak, pilih jenis kasus AMPK" in page
    assert fine.number not in page
    assert theirs.number not in page
    assert "Sintetis" not in page  # no names on a list page
    client.force_login(world.users["case_worker_own"])
    assert reverse("cases:data_quality") not in client.get(reverse("cases:list")).content.decode()


@pytest.mark.parametrize("n", [1, 5])
def test_data_quality_query_count_does_not_grow(world, client, django_assert_num_queries, n):
    """Session, user, second-factor device, agency (middleware); the cases; their victims;
    nothing else (the session is renewed at most once a minute)."""
    for _ in range(n):
        legacy_mismatch(world.users["intake_own"])
    client.force_login(world.users["supervisor_own"])
    url = reverse("cases:data_quality")
    client.get(url)  # warm the session
    with django_assert_num_queries(5):
        response = client.get(url)
    assert len(response.context["rows"]) == n
