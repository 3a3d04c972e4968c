"""Permission matrix rows for printed documents (see tests/matrix.py). Referrals go from the
own UPTD to the own city's police unit (`partner_own`). The SIMFONI data officer prints nothing but
the SIMFONI export of its own office (and keeps its own signature data, as every user)."""

from cases import access as case_rules
from paperwork import services
from reports import jobs
from tests.factories import make_case
from tests.matrix import Row, data_officer, everyone
from tests.referrals.helpers import make_referral
from tests.world import World


def delivered_referral(w: World) -> dict:
    return {"code": make_referral(w, status="delivered").code}


def case_code(w: World) -> dict:
    return {"code": make_case(w.users["case_worker_own"], consent_sharing=True).code}


def letter(w: World) -> dict:
    referral = make_referral(w, status="delivered")
    document = services.referral_letter_issue(actor=w.users["case_worker_own"], referral=referral)
    services.document_render(document_id=document.pk)
    return {"code": document.code}


def summary(w: World) -> dict:
    """A summary asked for by the own case worker: only they open it."""

    worker = w.users["case_worker_own"]
    case = case_rules.get_case_for_user(worker, case_code(w)["code"])
    document = services.case_summary_request(
        actor=worker,
        case=case,
        reason="Permintaan pengadilan.",
        chronology=False,
        ip=None,
        path="/",
    )
    services.document_render(document_id=document.pk)
    return {"code": document.code}


def simfoni_export(w: World, *, built: bool = True) -> dict:
    """An export asked for by the own supervisor, its file made (unless `built` is False)."""
    import datetime as dt  # noqa: PLC0415 (test setup)

    head = w.users["supervisor_own"]
    export = services.simfoni_export_request(
        actor=head,
        period_from=dt.date(2024, 1, 1),
        period_to=dt.date(2024, 12, 31),
        only_new=True,
        reason="Input SIMFONI-PPA tahun 2024.",
        ip=None,
        path="/",
    )
    if built:
        jobs.export_run_build(run_id=export.run_id)
    return {"code": export.code}


printers = {"case_worker_own": 200, "supervisor_own": 200}
verifiers = {
    f"{role}_{side}": 200
    for role in ("intake", "case_worker", "supervisor", "partner")
    for side in ("own", "other")
}

ROWS = [
    Row(
        "paperwork:letter_print",
        method="post",
        setup=delivered_referral,
        expect={
            "intake_own": 403,
            "case_worker_own": 302,
            "supervisor_own": 302,
            "partner_own": 403,
        },
    ),
    Row("paperwork:summary_request", setup=case_code, expect={"intake_own": 403} | printers),
    Row(
        "paperwork:summary_request",
        id="post",
        method="post",
        setup=case_code,
        data=lambda w, kwargs: {"reason": "Permintaan pengadilan negeri."},
        expect={"intake_own": 403, "case_worker_own": 302, "supervisor_own": 302},
    ),
    Row("paperwork:document_detail", setup=letter, expect={"intake_own": 403} | printers),
    Row("paperwork:document_download", setup=letter, expect={"intake_own": 403} | printers),
    Row("paperwork:document_detail", id="summary", setup=summary, expect={"case_worker_own": 200}),
    Row(
        "paperwork:document_download",
        id="summary",
        setup=summary,
        expect={"case_worker_own": 200},
    ),
    Row("paperwork:letter_verify", expect=verifiers, default=403),
    Row("paperwork:signatures", expect=everyone(200) | {"admin": 403}),
    Row(
        "paperwork:agenda",
        expect={f"{r}_{s}": 200 for r in ("case_worker", "supervisor") for s in ("own", "other")},
        default=403,
    ),
    Row(
        "paperwork:agenda_feed_reset",
        method="post",
        expect={f"{r}_{s}": 200 for r in ("case_worker", "supervisor") for s in ("own", "other")},
        default=403,
    ),
    # No session: a wrong token is 404 for everyone (the secret is the key).
    Row("paperwork:agenda_feed", setup=lambda w: {"token": "x" * 43}, expect={}, anon=404),
    # Supervisors and the office's SIMFONI data officer only.
    Row(
        "paperwork:simfoni",
        expect={"supervisor_own": 200, "supervisor_other": 200} | data_officer(200),
        default=403,
    ),
    # The one-time link is its requester's (the own supervisor): the own data officer is
    # refused without the file (410, "not yours"), the other city's does not learn it exists.
    Row(
        "paperwork:simfoni_download",
        setup=simfoni_export,
        expect={"supervisor_own": 200, "supervisor_other": 404} | data_officer(410, 404),
        default=403,
    ),
    Row(
        "paperwork:simfoni_download",
        id="pending",
        setup=lambda w: simfoni_export(w, built=False),
        expect={"supervisor_own": 409, "supervisor_other": 404} | data_officer(410, 404),
        default=403,
    ),
    # The progress page and its status: the requester's alone.
    Row(
        "paperwork:simfoni_progress",
        setup=simfoni_export,
        expect={"supervisor_own": 200, "supervisor_other": 404} | data_officer(404),
        default=403,
    ),
    Row(
        "paperwork:simfoni_status",
        setup=simfoni_export,
        expect={"supervisor_own": 200, "supervisor_other": 404} | data_officer(404),
        default=403,
    ),
    # Marking the export typed into SIMFONI: the office's supervisor or data officer.
    Row(
        "paperwork:simfoni_mark",
        method="post",
        setup=simfoni_export,
        expect={"supervisor_own": 302, "supervisor_other": 404} | data_officer(302, 404),
        default=403,
    ),
]
