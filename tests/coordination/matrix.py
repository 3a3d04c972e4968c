"""Coordination meeting URLs × personas (see tests/matrix.py).

The meeting is convened by the own city's DP3AP2KB (official_own) and invites the own UPTD and
police unit: every staff member of those three agencies may open it (200); only the convening
agency's officials and supervisors change it (official_own 302, other own staff 403); the
other city's staff and administrators get 404 (not revealed). The follow-up action belongs to
the own police unit (partner_own records progress); the convening official sees it. A
refused form is shown again with its message (200). SIMFONI data officers take no part in
coordination, community reports or prevention (403 on lists, 404 on objects).
"""

from tests.coordination.helpers import make_decision, make_meeting
from tests.matrix import Row, data_officer
from tests.world import World

MEMBERS = {
    p: 200
    for side in ("own", "other")
    for p in (f"intake_{side}", f"case_worker_{side}", f"supervisor_{side}")
    + (f"partner_{side}", f"official_{side}")
}
CONVENERS = {
    "official_own": 200,
    "supervisor_own": 200,
    "official_other": 200,
    "supervisor_other": 200,
}
OWN = ("intake_own", "case_worker_own", "supervisor_own", "partner_own", "official_own")
OWN_MEMBERS = dict.fromkeys(OWN, 200)
OWN_READ_ONLY = dict.fromkeys(OWN_MEMBERS, 403) | {"official_own": 302}


def meeting(w: World) -> dict:
    return {"code": make_meeting(w).code}


def meeting_with_decision(w: World) -> dict:
    m = make_meeting(w)
    make_decision(w, m)
    return {"code": m.code}


def action(w: World) -> dict:
    _decision, a = make_decision(w, make_meeting(w))
    return {"code": a.code}


def attendance_post(w: World, kwargs: dict) -> dict:
    return {"present_0": "on", "who_0": "Kepala Dinas", "present_1": "on", "who_1": "Kanit PPA"}


def minutes_post(w: World, kwargs: dict) -> dict:
    return {"item_1": "Data kasus 2024 dipaparkan.", "item_2": "Koordinasi rujukan."}


def decision_post(w: World, kwargs: dict) -> dict:
    return {"text": "Sosialisasi di sekolah.", "agenda_item": ""}


def action_post(w: World, kwargs: dict) -> dict:
    from coordination.models import Decision  # noqa: PLC0415

    decision = Decision.objects.filter(meeting__code=kwargs["code"]).first()
    return {
        "decision": decision.pk,
        "action_agency": w.agencies["uptd_own"].pk,
        "action_description": "Siapkan materi.",
        "action_due": "2099-01-31",
    }


def progress_post(w: World, kwargs: dict) -> dict:
    return {"status": "in_progress", "note": "Jadwal pemeriksaan dikirim."}


def pack_post(w: World, kwargs: dict) -> dict:
    return {"region": "13.76", "year": "2025", "edition": "internal", "language": "id"}


ROWS = [
    Row("coordination:list", MEMBERS | data_officer(403), default=403),
    Row("coordination:actions", MEMBERS, default=403),
    Row("coordination:create", CONVENERS, default=403),
    Row(
        "coordination:create",
        dict.fromkeys(CONVENERS, 200),  # refused, shown again with the messages
        default=403,
        method="post",
        data=lambda w, kw: {"title": "", "agenda": ""},
        id="invalid",
    ),
    Row("coordination:detail", OWN_MEMBERS, setup=meeting),
    Row(
        "coordination:attendance", OWN_READ_ONLY, method="post", setup=meeting, data=attendance_post
    ),
    Row("coordination:minutes", OWN_READ_ONLY, method="post", setup=meeting, data=minutes_post),
    Row("coordination:decision", OWN_READ_ONLY, method="post", setup=meeting, data=decision_post),
    Row(
        "coordination:action_create",
        OWN_READ_ONLY,
        method="post",
        setup=meeting_with_decision,
        data=action_post,
    ),
    Row("coordination:action", {"partner_own": 200, "official_own": 200}, setup=action),
    Row(
        "coordination:action",
        {"partner_own": 302, "official_own": 403},
        method="post",
        setup=action,
        data=progress_post,
    ),
    Row("reports:meeting_pack", dict.fromkeys(OWN, 403) | {"official_own": 200}, setup=meeting),
    Row("reports:meeting_pack", OWN_READ_ONLY, method="post", setup=meeting, data=pack_post),
    Row("reports:meeting_minutes", OWN_MEMBERS, setup=meeting),
]


# --- Community task-force reports: the reporter sees the status of their own report only;
# the own UPTD's intake officers, case workers and supervisors triage it; everyone else 404.


def community_report(w: World) -> dict:
    from tests.coordination.community import make_report  # noqa: PLC0415

    return {"code": make_report(w).code}


def report_post(w: World, kwargs: dict) -> dict:
    from tests.coordination.community import village  # noqa: PLC0415

    return {
        "what_happened": "Ada anak yang tampak ketakutan.",
        "village": village().code,
        "at_risk_age": "13-17",
        "at_risk_sex": "L",
        "urgency": "normal",
    }


TRIAGE = {"intake_own": 200, "case_worker_own": 200, "supervisor_own": 200}
TRIAGE_OTHER = {"intake_other": 200, "case_worker_other": 200, "supervisor_other": 200}
REPORTERS = {"task_force_own": 200, "task_force_other": 200}

ROWS += [
    Row("community:list", TRIAGE | TRIAGE_OTHER | REPORTERS | data_officer(403), default=403),
    Row("community:create", REPORTERS, default=403),
    Row(
        "community:create",
        {"task_force_own": 302, "task_force_other": 200},  # a village outside their city: refused
        default=403,
        method="post",
        data=report_post,
        id="send",
    ),
    Row("community:detail", TRIAGE | {"task_force_own": 200}, setup=community_report),
    # The UPTD's staff who register cases start the intake (the second one is told it has
    # been started already, with a message: 302); the reporter may not.
    Row(
        "community:start_intake",
        {"intake_own": 302, "case_worker_own": 302, "supervisor_own": 302, "task_force_own": 403},
        method="post",
        setup=community_report,
    ),
    # The first closes it; the next are told it is closed already (the page again, 200).
    Row(
        "community:close",
        {"intake_own": 302, "case_worker_own": 200, "supervisor_own": 200, "task_force_own": 403},
        method="post",
        setup=community_report,
        data=lambda w, kw: {"reason": "Bukan kasus kekerasan; dirujuk ke kelurahan."},
    ),
]


# --- Prevention activities: the office (UPTD staff, DP3AP2KB officials) and its task forces
# record and list the activities of their city; police units, other partners and
# administrators may not (403).


def prevention_post(w: World, kwargs: dict) -> dict:
    return {
        "kind": "school",
        "held_on": "2025-03-10",
        "region": "13.76.01",
        "target_group": "Siswa SMP",
        "topics": ["violence", "online_safety"],
        "girls": "40",
        "boys": "35",
        "women": "3",
        "men": "2",
    }


PREVENTION = {
    p: 200
    for side in ("own", "other")
    for p in (f"intake_{side}", f"case_worker_{side}", f"supervisor_{side}")
    + (f"official_{side}", f"task_force_{side}")
}

ROWS += [
    Row("prevention:list", PREVENTION | data_officer(403), default=403),
    Row("prevention:create", PREVENTION, default=403),
    Row(
        "prevention:create",
        # 13.76.01 is in the own city; the other city's are refused (the form again, 200).
        {p: 302 if p.endswith("_own") else 200 for p in PREVENTION},
        default=403,
        method="post",
        data=prevention_post,
        id="record",
    ),
]
