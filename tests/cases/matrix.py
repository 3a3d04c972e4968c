"""Permission-matrix rows of the cases app (see tests/matrix.py).

Objects belong to the own UPTD; staff of the other UPTD, partners (no referral yet),
officials, the SIMFONI data officers and the administrator get 404 for anything that names a
case; lists and the intake answer them 403. Write actions answer 403 to those who may see the
case but not take the action."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from cases import services
from cases.models import Case, Person, PersonRole, Step
from tests.factories import make_case
from tests.files import PDF
from tests.matrix import Row, data_officer, own_staff
from tests.referrals.helpers import make_referral

STAFF_BOTH = {
    **own_staff(200),
    "intake_other": 200,
    "case_worker_other": 200,
    "supervisor_other": 200,
}
NOT_STAFF = {
    "partner_own": 403,
    "partner_other": 403,
    "official_own": 403,
    "official_other": 403,
    # Community task-force members send reports; they never see a case list or an intake.
    "task_force_own": 403,
    "task_force_other": 403,
    # The SIMFONI data officer works from the export only: no case list, intake or case page.
    **data_officer(403),
    "admin": 403,
}


def a_case(w) -> dict:
    return {"code": make_case(w.users["intake_own"]).code}


def case_at(step: str):
    def setup(w) -> dict:
        case = make_case(w.users["intake_own"])
        services.case_step_advance(
            actor=w.users["case_worker_own"],
            case=case,
            version=case.version,
            to_step=Step.ASSESSMENT,
            body="Asesmen sintetis.",
        )
        return {"code": case.code}

    return setup


def closure_requested(w) -> dict:
    case = make_case(w.users["intake_own"])
    services.case_closure_request(
        actor=w.users["case_worker_own"], case=case, version=case.version, report="Selesai."
    )
    return {"code": case.code}


def closed(w) -> dict:
    kwargs = closure_requested(w)
    case = Case.objects.get(code=kwargs["code"])
    services.case_closure_decide(
        actor=w.users["supervisor_own"], case=case, version=case.version, approve=True
    )
    return kwargs


def a_draft(w) -> dict:
    draft = services.draft_save(actor=w.users["intake_own"], draft=None, step="kejadian", data={})
    return {"code": draft.code}


def a_document(w) -> dict:
    case = make_case(w.users["intake_own"])
    upload = SimpleUploadedFile("laporan.pdf", PDF, content_type="application/pdf")
    document = services.document_upload(
        actor=w.users["case_worker_own"], case=case, kind="police_report", upload=upload
    )
    return {"code": document.code}


def a_deadline(w) -> dict:
    return {**a_case(w), "kind": "follow_up"}


def deadline_after_identification(w) -> dict:
    return {**case_at(Step.ASSESSMENT)(w), "kind": "follow_up"}


def current(kwargs) -> Case:
    return Case.objects.get(code=kwargs["code"])


def version(w, kwargs) -> dict:
    return {"version": current(kwargs).version}


def advance(w, kwargs) -> dict:
    case = current(kwargs)
    return {"version": case.version, "to_step": services.next_step(case.step), "body": "Catatan."}


def victim_service(w, kwargs) -> dict:
    victim = current(kwargs).people.filter(role=PersonRole.VICTIM).first()
    return {
        "victim": str(victim.code),
        "service_type": "kesehatan",
        "function": "",
        "provider": w.uptd.pk,
        "given_on": dt.date(2024, 5, 9).isoformat(),
    }


def legal_step(w, kwargs) -> dict:
    perpetrator = current(kwargs).people.filter(role=PersonRole.PERPETRATOR).first()
    return {"perpetrator": str(perpetrator.code), "stage": "report", "started_on": "2024-05-09"}


def upload(w, kwargs) -> dict:
    return {"kind": "medical", "file": SimpleUploadedFile("visum.pdf", PDF)}


def form_of(action: str, setup=a_case):
    """reverse() kwargs of one action's form of a case (the case page's folds)."""

    def run(w) -> dict:
        return {**setup(w), "action": action}

    return run


def a_victim(setup=a_case):
    """reverse() kwargs of a case's first victim (or of a perpetrator, a reporter)."""

    def run(w) -> dict:
        kwargs = setup(w)
        person = current(kwargs).people.filter(role=PersonRole.VICTIM).first()
        return {"code": kwargs["code"], "person": person.code}

    return run


def a_perpetrator(w) -> dict:
    kwargs = a_case(w)
    person = current(kwargs).people.filter(role=PersonRole.PERPETRATOR).first()
    return {"code": kwargs["code"], "person": person.code}


def a_referred_victim(w) -> dict:
    case = make_referral(w, status="delivered").case
    return {"code": case.code, "person": case.people.filter(role=PersonRole.VICTIM).first().code}


def victim_correction(w, kwargs) -> dict:
    """A valid correction, with the person's version as it is now (each persona in turn)."""
    person = Person.objects.get(code=kwargs["person"])
    return {
        "version": person.version,
        "name": "Nama Dibetulkan",
        "sex": "P",
        "birth_date": "1990-03-02",
        "violence_forms": ["fisik"],
        "reason": "Salah ketik nama.",
    }


def managers(status: int, intake: int = 403) -> dict:
    return {"intake_own": intake, "case_worker_own": status, "supervisor_own": status}


ROWS = [
    Row(
        "cases:list",
        expect={
            **STAFF_BOTH,
            "partner_own": 200,
            "partner_other": 200,
            "official_own": 403,
            "official_other": 403,
            "task_force_own": 403,
            "task_force_other": 403,
            **data_officer(403),
            "admin": 403,
        },
    ),
    Row("cases:intake", expect={**STAFF_BOTH, **NOT_STAFF}),
    Row("cases:drafts", expect={**STAFF_BOTH, **NOT_STAFF}),
    Row("cases:data_quality", expect={"supervisor_own": 200, "supervisor_other": 200}, default=403),
    Row(
        "cases:intake_step",
        setup=lambda w: {**a_draft(w), "step": "korban"},
        expect={"intake_own": 200, **NOT_STAFF},
    ),
    Row(
        "cases:draft_delete", method="post", setup=a_draft, expect={"intake_own": 302, **NOT_STAFF}
    ),
    Row("cases:detail", setup=a_case, expect=own_staff(200) | data_officer(404)),
    Row("cases:print", setup=a_case, expect=own_staff(200)),
    Row("cases:history", setup=a_case, expect=own_staff(200)),
    # The case page's action forms (loaded when a fold opens): as the action's POST.
    Row("cases:action_form", id="record", setup=form_of("record"), expect=managers(200)),
    Row("cases:action_form", id="service", setup=form_of("service"), expect=managers(200)),
    Row("cases:action_form", id="legal", setup=form_of("legal"), expect=managers(200)),
    Row("cases:action_form", id="step", setup=form_of("step"), expect=managers(200)),
    Row("cases:action_form", id="closure", setup=form_of("closure"), expect=managers(200)),
    Row(
        "cases:action_form",
        id="document",
        setup=form_of("document"),
        expect=managers(200, intake=200),
    ),
    Row(
        "cases:action_form",
        id="assign",
        setup=form_of("assign"),
        expect={**managers(403), "supervisor_own": 200},
    ),
    Row(
        "cases:action_form",
        id="decision",
        setup=form_of("decision", closure_requested),
        expect={**managers(403), "supervisor_own": 200},
    ),
    Row(
        "cases:action_form",
        id="reopen",
        setup=form_of("reopen", closed),
        expect={**managers(403), "supervisor_own": 200},
    ),
    Row("cases:edit", setup=a_case, expect=own_staff(200)),
    Row(
        "cases:edit",
        id="after-identification",
        setup=case_at(Step.ASSESSMENT),
        expect=managers(200),
    ),
    Row("cases:edit", id="closed", setup=closed, expect=managers(403)),
    Row("cases:person_edit", setup=a_victim(), expect=own_staff(200)),
    Row("cases:person_edit", id="perpetrator", setup=a_perpetrator, expect=own_staff(200)),
    Row(
        "cases:person_edit",
        id="after-identification",
        setup=a_victim(case_at(Step.ASSESSMENT)),
        expect=managers(200),
    ),
    Row("cases:person_edit", id="closed", setup=a_victim(closed), expect=managers(403)),
    Row(
        "cases:person_edit",
        id="referred",
        setup=a_referred_victim,
        # The police unit the case was referred to sees it, and may not change it.
        expect={**own_staff(200), "partner_own": 403},
    ),
    Row(
        "cases:person_edit",
        method="post",
        setup=a_victim(),
        data=victim_correction,
        expect=own_staff(302),
    ),
    Row("cases:advance", method="post", setup=a_case, data=advance, expect=managers(302)),
    Row(
        "cases:record",
        method="post",
        setup=a_case,
        expect=managers(302),
        data=lambda w, kw: {"kind": "progress", "body": "Kunjungan rumah."},
    ),
    Row(
        "cases:closure_request",
        method="post",
        setup=a_case,
        expect={**managers(302), "supervisor_own": 200},
        data=lambda w, kw: {**version(w, kw), "report": "Layanan selesai."},
    ),
    Row(
        "cases:closure_decide",
        method="post",
        setup=closure_requested,
        expect={**managers(403), "supervisor_own": 302},
        data=lambda w, kw: {**version(w, kw), "decision": "approve", "reason": ""},
    ),
    Row(
        "cases:reopen",
        method="post",
        setup=closed,
        expect={**managers(403), "supervisor_own": 302},
        data=lambda w, kw: {**version(w, kw), "reason": "Kejadian berulang."},
    ),
    Row(
        "cases:assign",
        method="post",
        setup=a_case,
        expect={**managers(403), "supervisor_own": 302},
        data=lambda w, kw: {**version(w, kw), "worker": w.users["case_worker_own"].pk},
    ),
    Row(
        "cases:service_add", method="post", setup=a_case, data=victim_service, expect=managers(302)
    ),
    Row("cases:legal_add", method="post", setup=a_case, data=legal_step, expect=managers(302)),
    Row(
        "cases:document_upload",
        method="post",
        setup=a_case,
        data=upload,
        expect=managers(302, intake=302),
    ),
    Row(
        "cases:document_upload",
        id="after-identification",
        method="post",
        setup=case_at(Step.ASSESSMENT),
        data=upload,
        expect=managers(302),
    ),
    Row("cases:document", setup=a_document, expect=own_staff(200)),
    Row("cases:deadline_done", method="post", setup=a_deadline, expect=managers(302, intake=302)),
    Row(
        "cases:deadline_done",
        id="after-identification",
        method="post",
        setup=deadline_after_identification,
        expect=managers(302),
    ),
]
