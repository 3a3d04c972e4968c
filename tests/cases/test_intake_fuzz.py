"""No input makes an intake or case page answer 500 (property-based, with hypothesis)."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import IntakeDraft
from tests.cases.helpers import INCIDENT, step_url
from tests.factories import make_case

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)
value = st.one_of(
    text,
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "1",
            "99999999999999999999",
            "2024-02-30",
            "2024-05-08",
            "31/12/1899",
            "13.76.01",
            "13.76.02.1002",
            "seksual",
            "tpks_perkosaan",
            "on",
            "child_marriage",
            "1376014107900001",
            "x" * 300,
        ]
    ),
    st.lists(text, max_size=3),
)


def fields(names):
    return st.dictionaries(st.sampled_from(names), value, max_size=len(names))


INCIDENT_FIELDS = list(INCIDENT) + ["incident_date_approximate", "action"]
PERSON = [
    "name",
    "sex",
    "birth_date",
    "stated_age",
    "nik",
    "education",
    "occupation",
    "marital_status",
    "has_disability",
    "disability_types",
    "address",
    "address_district",
    "address_village",
    "phone",
    "violence_forms",
    "tpks",
    "pkdrt",
    "tppo",
    "ampk_categories",
    "child_legal_role",
    "DELETE",
    "rel_v0",
    "rel_v1",
]
FORMSET = [f"{p}-{i}-{name}" for p in ("v", "p") for i in (0, 1) for name in PERSON] + [
    "v-TOTAL_FORMS",
    "v-INITIAL_FORMS",
    "p-TOTAL_FORMS",
    "p-INITIAL_FORMS",
    "action",
]
OTHER = [
    "r-reporter_is_victim",
    "r-name",
    "g-name",
    "g-phone",
    "d-bride_age",
    "d-groom_age",
    "d-recruitment",
    "d-exploitation_purpose",
    "d-diversion_status",
    "d-diversion_started_on",
    "d-recommendation",
    "consent_sharing",
    "legal_basis",
    "legal_basis_note",
    "link_cases",
    "duplicates_checked",
    "action",
]


@pytest.fixture
def officer(world, client):
    client.force_login(world.users["intake_own"])
    return client


@FUZZ
@given(data=fields(INCIDENT_FIELDS))
def test_step_one_never_fails(officer, data):
    response = officer.post(reverse("cases:intake"), data)
    assert response.status_code in (200, 302)


@FUZZ
@given(
    step=st.sampled_from(["korban", "terlapor", "pelapor", "rincian", "ringkasan"]),
    data=fields(FORMSET + OTHER),
    case_type=st.sampled_from(["ktp", "tppo", "abh", "child_marriage", "ampk"]),
)
def test_later_steps_never_fail(officer, step, data, case_type):
    officer.post(reverse("cases:intake"), {**INCIDENT, "case_type": case_type})
    draft = IntakeDraft.objects.filter(case__isnull=True).order_by("-id").first()
    response = officer.post(step_url(draft, step), data)
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        assert officer.get(response.url).status_code in (200, 302)


@FUZZ
@given(
    data=st.dictionaries(
        st.sampled_from(
            [
                "nomor",
                "status",
                "jenis",
                "tahap",
                "risiko",
                "kecamatan",
                "dari",
                "sampai",
                "petugas",
                "lewat",
                "setelah",
            ]
        ),
        text,
        max_size=6,
    )
)
def test_list_filters_never_fail(world, client, data):
    client.force_login(world.users["case_worker_own"])
    assert client.get(reverse("cases:list"), data).status_code == 200


ACTIONS = [
    "edit",
    "advance",
    "record",
    "closure_request",
    "closure_decide",
    "assign",
    "service_add",
    "legal_add",
    "reopen",
]
ACTION_FIELDS = [
    "version",
    "to_step",
    "body",
    "kind",
    "report",
    "decision",
    "reason",
    "worker",
    "victim",
    "service_type",
    "function",
    "provider",
    "given_on",
    "shelter_from",
    "shelter_to",
    "perpetrator",
    "stage",
    "started_on",
    "outcome",
    "note",
    "reported_on",
    "incident_date",
    "case_type",
    "risk_level",
    "place",
    "description",
    "incident_district",
    "incident_village",
    "within_authority",
]


@FUZZ
@given(action=st.sampled_from(ACTIONS), data=fields(ACTION_FIELDS))
def test_case_actions_never_fail(world, client, action, data):
    case = make_case(world.users["intake_own"])
    client.force_login(world.users["supervisor_own"])
    response = client.post(reverse(f"cases:{action}", kwargs={"code": case.code}), data)
    assert response.status_code in (200, 302, 403)
