"""Permission matrix rows for every referral URL (see tests/matrix.py).

Referrals go from the own UPTD (Payakumbuh) to the own city's police PPA unit, so
`partner_own` is the referred-to persona: it sees a referral only once delivered. Personas
are tried in the order of tests.world.PERSONAS on one referral, so a step taken by an earlier
persona (the case worker submits, the supervisor approves) is refused to later ones with a
message on the page (302), never with a change of state.
"""

from cases.models import Case
from tests.factories import make_case
from tests.matrix import Row, data_officer, everyone, own_staff
from tests.referrals.helpers import make_referral, referral_data
from tests.world import World

SENDERS = {"case_worker_own": 302, "supervisor_own": 302}


def referral_at(status: str):
    def setup(w: World) -> dict:
        return {"code": make_referral(w, status=status).code}

    return setup


def referred_case(w: World) -> dict:
    """A case with a delivered referral to the own city's police unit (partner_own)."""
    return {"code": make_referral(w, status="delivered").case.code}


def declined_case(w: World) -> dict:
    return {"code": make_referral(w, status="declined").case.code}


def case_code(w: World) -> dict:
    return {"code": make_case(w.users["case_worker_own"], consent_sharing=True).code}


def reason(prefix: str):
    return lambda w, kwargs: {f"{prefix}-reason": "Alasan pengujian matriks."}


def draft_post(w: World, kwargs: dict) -> dict:
    case = Case.objects.get(code=kwargs["code"])
    data = referral_data(w, case)
    return {
        "to_agency": data.to_agency_id,
        "services": data.service_codes,
        "victims": data.victim_ids,
        "urgency": data.urgency,
        "reason": data.reason,
        "shared_groups": data.shared_groups,
        "draft": "1",
    }


staff_everywhere = {
    p: 200
    for side in ("own", "other")
    for p in (f"intake_{side}", f"case_worker_{side}", f"supervisor_{side}", f"partner_{side}")
}
receiver_step = {
    "intake_own": 403,
    "case_worker_own": 403,
    "supervisor_own": 403,
    "partner_own": 302,
}

ROWS = [
    # The referred-to persona sees the case while the referral shares it, and not after.
    Row(
        "cases:detail",
        id="referred",
        setup=referred_case,
        expect=own_staff(200) | {"partner_own": 200},
    ),
    Row("cases:detail", id="declined", setup=declined_case, expect=own_staff(200)),
    # The SIMFONI data officer has no referral inbox (nor any referral: 404 by default).
    Row("referrals:inbox", expect=staff_everywhere | data_officer(403), default=403),
    Row("referrals:notifications", expect=everyone(200)),
    Row("referrals:notifications_read", method="post", expect=everyone(302)),
    Row(
        "referrals:create",
        setup=case_code,
        expect={"intake_own": 403, "case_worker_own": 200, "supervisor_own": 200},
    ),
    Row(
        "referrals:create",
        id="post",
        method="post",
        setup=case_code,
        data=draft_post,
        expect={"intake_own": 403} | SENDERS,
    ),
    Row("referrals:detail", setup=referral_at("draft"), expect=own_staff(200)),
    Row(
        "referrals:detail",
        id="delivered",
        setup=referral_at("delivered"),
        expect=own_staff(200) | {"partner_own": 200},
    ),
    Row(
        "referrals:detail",
        id="declined",
        setup=referral_at("declined"),
        expect=own_staff(200) | {"partner_own": 200},
    ),
    Row(
        "referrals:edit",
        setup=referral_at("draft"),
        expect={"intake_own": 403, "case_worker_own": 200, "supervisor_own": 200},
    ),
    Row(
        "referrals:submit",
        method="post",
        setup=referral_at("draft"),
        expect={"intake_own": 403} | SENDERS,
    ),
    Row(
        "referrals:approve",
        method="post",
        setup=referral_at("pending_approval"),
        expect={"intake_own": 403, "case_worker_own": 403, "supervisor_own": 302},
    ),
    Row(
        "referrals:return",
        method="post",
        setup=referral_at("pending_approval"),
        data=reason("return"),
        expect={"intake_own": 403, "case_worker_own": 403, "supervisor_own": 302},
    ),
    Row("referrals:accept", method="post", setup=referral_at("delivered"), expect=receiver_step),
    Row(
        "referrals:decline",
        method="post",
        setup=referral_at("delivered"),
        data=reason("decline"),
        expect=receiver_step,
    ),
    Row(
        "referrals:action",
        method="post",
        setup=referral_at("accepted"),
        data=reason("action"),
        expect=receiver_step,
    ),
    Row("referrals:complete", method="post", setup=referral_at("accepted"), expect=receiver_step),
    Row(
        "referrals:cancel",
        method="post",
        setup=referral_at("delivered"),
        data=reason("cancel"),
        expect={"intake_own": 403, "partner_own": 302} | SENDERS,
    ),
]
