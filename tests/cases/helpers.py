"""Posting the stepped intake form the way a browser does."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from cases.models import IntakeDraft

INCIDENT = {
    "intake_channel": "walk_in",
    "reported_on": "2026-11-20",
    "incident_date": "2026-11-18",
    "case_type": "ampk",
    "risk_level": "high",
    "within_authority": "1",
    "place": "rumah_tangga",
    "description": "Kronologi sintetis: korban anak mengalami kekerasan seksual.",
    "incident_district": "13.76.01",
    "incident_village": "",
    "incident_address": "",
}


def victims(*people: dict) -> dict:
    data = {"v-TOTAL_FORMS": str(len(people)), "v-INITIAL_FORMS": "0"}
    for i, person in enumerate(people):
        for key, value in person.items():
            data[f"v-{i}-{key}"] = value
    return data


def perpetrators(*people: dict) -> dict:
    data = {"p-TOTAL_FORMS": str(len(people)), "p-INITIAL_FORMS": "0"}
    for i, person in enumerate(people):
        for key, value in person.items():
            data[f"p-{i}-{key}"] = value
    return data


CHILD_VICTIM = {
    "name": "Sinta Sintetis",
    "sex": "P",
    "birth_date": "2012-04-02",
    "tpks": ["tpks_persetubuhan_anak"],
}
PERPETRATOR = {"name": "Budi Sintetis", "sex": "L", "stated_age": "35", "rel_v0": "tetangga"}


def step_url(draft: IntakeDraft, step: str) -> str:
    return reverse("cases:intake_step", kwargs={"code": draft.code, "step": step})


def start(client, incident: dict | None = None):
    """Post step 1; return (response, draft)."""
    response = client.post(reverse("cases:intake"), incident or INCIDENT)
    draft = IntakeDraft.objects.order_by("-id").first()
    return response, draft


def full_intake(client, *, incident=None, victim_list=None, perpetrator_list=None, detail=None):
    """Walk every step with valid input; return (draft, last response)."""
    response, draft = start(client, incident)
    assert response.status_code == 302, response.content.decode()[:3000]
    steps = [
        ("korban", victims(*(victim_list or [CHILD_VICTIM]))),
        ("terlapor", perpetrators(*(perpetrator_list or [PERPETRATOR]))),
        ("pelapor", {"r-reporter_is_victim": "on"}),
        ("rincian", detail or {}),
    ]
    for step, data in steps:
        response = client.post(step_url(draft, step), data)
        assert response.status_code == 302, (step, _errors(response))
    response = client.post(
        step_url(draft, "ringkasan"),
        {"consent_statistics": "on", "legal_basis": "consent", "action": "submit"},
    )
    return draft, response


def _errors(response) -> str:
    context = getattr(response, "context", None)
    if not context or "forms" not in context:
        return response.content.decode()[:2000]
    out = []
    for part in context["forms"].parts.values():
        out.append(str(getattr(part, "errors", "")))
        out.append(str(getattr(part, "non_form_errors", lambda: "")()))
    return "\n".join(out)


def today() -> dt.date:
    return timezone.localdate()
