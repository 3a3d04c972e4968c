from privacy.services import case_export_request
from tests.factories import make_case
from tests.matrix import Row, data_officer


def _case(world) -> dict:
    return {"code": make_case(world.users["intake_own"]).code}


def _export(world) -> dict:
    case = make_case(world.users["intake_own"])
    export = case_export_request(
        actor=world.users["case_worker_own"],
        case=case,
        reason="Permintaan penyidik untuk berkas perkara",
        ip_address="127.0.0.1",
    )
    return {"code": export.code}


ROWS = [
    # Case workers and supervisors of the owning UPTD; the intake officer may see the case
    # but not export it; everyone else (the SIMFONI data officer of the same office too: its
    # export is the SIMFONI one) does not learn that the case exists.
    Row(
        "privacy:export_request",
        setup=_case,
        expect={"case_worker_own": 200, "supervisor_own": 200, "intake_own": 403}
        | data_officer(404),
    ),
    Row(
        "privacy:export_request",
        id="post",
        method="post",
        setup=_case,
        data=lambda w, kw: {"reason": "Permintaan penyidik untuk berkas perkara"},
        expect={"case_worker_own": 200, "supervisor_own": 200, "intake_own": 403},
    ),
    # Only the user who asked, once.
    Row("privacy:export_download", setup=_export, expect={"case_worker_own": 200}),
]
