"""Statistics URLs × personas. Officials and supervisors see their own region's figures
(the other city's officials see theirs: 200 on pages without an object); a report run of
another region is 404; roles without statistics (the SIMFONI data officer too: its figures
are the SIMFONI export) get 403."""

import datetime as dt
import itertools

from django.core.files.base import ContentFile

from reports import jobs
from reports.models import ExportRun, ReportRun
from tests.matrix import Row, data_officer
from tests.reports.recaps import make_recap, recap_post

STATISTICS = {
    "official_own": 200,
    "supervisor_own": 200,
    "official_other": 200,
    "supervisor_other": 200,
}
OWN_ONLY = {
    "official_own": 200,
    "supervisor_own": 200,
    "official_other": 404,
    "supervisor_other": 404,
}


def make_run(world, *, done: bool = False) -> dict:
    run = ReportRun.objects.create(
        authority=world.uptd.region,
        agency=world.agencies["dinas_own"],
        params={
            "year_from": 2021,
            "year_to": 2023,
            "region_code": "13.76",
            "case_type": "",
            "date_basis": "reported",
        },
        edition=ReportRun.Edition.INTERNAL,
        language="id",
        requested_by=world.users["official_own"],
        enqueued_at=dt.datetime.now(dt.UTC),
    )
    if done:
        run.file.save("report.pdf", ContentFile(b"%PDF-1.7 matrix"), save=False)
        run.sha256, run.status, run.progress = "0" * 64, ReportRun.Status.DONE, 100
        run.save()
    return {"code": run.code}


def make_export(world, *, done: bool = False) -> dict:
    """A statistics download asked for by the own official: theirs alone."""
    run = jobs.export_run_request(
        actor=world.users["official_own"],
        kind=ExportRun.Kind.STATISTICS,
        fmt="csv",
        params={"report": make_run_params(), "edition": "internal"},
        filename="statistik-13.76-2021-2023.csv",
        language="id",
    )
    if done:
        jobs.export_run_build(run_id=run.pk)
    return {"code": run.code}


def make_run_params() -> dict:
    return {
        "year_from": 2021,
        "year_to": 2023,
        "region_code": "13.76",
        "case_type": "",
        "date_basis": "reported",
    }


REQUESTER_ONLY = {
    "official_own": 200,
    "supervisor_own": 404,
    "official_other": 404,
    "supervisor_other": 404,
}


def run_data(world, kwargs) -> dict:
    return {
        "year_from": "2021",
        "year_to": "2023",
        "region": "13.76",
        "edition": "internal",
        "language": "id",
        "date_basis": "reported",
    }


ROWS = [
    Row("reports:dashboard", expect=STATISTICS | data_officer(403), default=403),
    # Downloads: asked for by POST (the file is made in the background), then the progress
    # page, its status and the file: the requester's alone, the permission checked each time.
    Row("reports:export_csv", method="post", expect=dict.fromkeys(STATISTICS, 302), default=403),
    Row("reports:export_xlsx", method="post", expect=dict.fromkeys(STATISTICS, 302), default=403),
    Row("reports:export_csv", id="get", expect={}, default=405),
    Row("reports:export_xlsx", id="get", expect={}, default=405),
    Row("reports:export_detail", expect=REQUESTER_ONLY, default=403, setup=make_export),
    Row("reports:export_status", expect=REQUESTER_ONLY, default=403, setup=make_export),
    Row(
        "reports:export_download",
        expect=REQUESTER_ONLY,
        default=403,
        setup=lambda w: make_export(w, done=True),
    ),
    Row(
        "reports:export_download",
        id="pending",
        expect={**REQUESTER_ONLY, "official_own": 409},
        default=403,
        setup=make_export,
    ),
    # The other city's officials name a region outside their authority: 400 with the message.
    Row(
        "reports:run_create",
        method="post",
        expect={
            "official_own": 302,
            "supervisor_own": 302,
            "official_other": 400,
            "supervisor_other": 400,
        },
        default=403,
        data=run_data,
    ),
    Row("reports:run_create", id="get", expect={}, default=405),
    Row("reports:run_detail", expect=OWN_ONLY, default=403, setup=make_run),
    Row("reports:run_status", expect=OWN_ONLY, default=403, setup=make_run),
    Row(
        "reports:run_download",
        expect=OWN_ONLY,
        default=403,
        setup=lambda w: make_run(w, done=True),
    ),
    Row(
        "reports:run_download",
        id="pending",
        expect={**OWN_ONLY, "official_own": 409, "supervisor_own": 409},
        default=403,
        setup=make_run,
    ),
]


# --- Yearly recaps ---------------------------------------------------------------------------

_years = itertools.count(2000)


def make_recap_row(world) -> dict:
    return {"code": make_recap(world, 2019, 12).code}


def new_recap(world, kwargs) -> dict:
    # A new year for every persona: the second recap of a year would be refused (200).
    return recap_post(year=next(_years))


ROWS += [
    Row("reports:recap_list", expect=STATISTICS | data_officer(403), default=403),
    Row("reports:recap_create", expect=STATISTICS | data_officer(403), default=403),
    # The other city's officials name a region outside their authority: the form says so.
    Row(
        "reports:recap_create",
        id="post",
        method="post",
        expect={**STATISTICS, **data_officer(403), "official_own": 302, "supervisor_own": 302},
        default=403,
        data=new_recap,
    ),
    Row(
        "reports:recap_detail",
        expect=OWN_ONLY | data_officer(403),
        default=403,
        setup=make_recap_row,
    ),
    Row(
        "reports:recap_detail",
        id="post",
        method="post",
        expect={**OWN_ONLY, **data_officer(403), "official_own": 302, "supervisor_own": 302},
        default=403,
        setup=make_recap_row,
        data=lambda w, kwargs: recap_post(cases=13),
    ),
    # The official comes after the supervisor: the recap is withdrawn already, the page says so.
    Row(
        "reports:recap_withdraw",
        method="post",
        expect={**OWN_ONLY, **data_officer(403), "supervisor_own": 302, "official_own": 200},
        default=403,
        setup=make_recap_row,
        data=lambda w, kwargs: {"reason": "Angka dikoreksi"},
    ),
    Row("reports:recap_withdraw", id="get", expect={}, default=405, setup=make_recap_row),
]
