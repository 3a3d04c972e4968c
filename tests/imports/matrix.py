"""Permission-matrix rows of the imports app (see tests/matrix.py).

Case imports: intake officers and case workers of an UPTD, into their own agency (the other
UPTD's staff use the pages too, for their own office: 200 on pages without an object, 404
for a batch of the own UPTD). Supervisors, partners, officials, task forces and the
administrator get 403 on the case import pages. Population imports: administrators only."""

from django.core.files.uploadedfile import SimpleUploadedFile

from imports import services
from imports.models import ImportBatch
from tests.imports.helpers import upload, workbook
from tests.matrix import Row

IMPORTERS = {
    "intake_own": 200,
    "case_worker_own": 200,
    "intake_other": 200,
    "case_worker_other": 200,
}
OWN_IMPORTERS = {"intake_own": 200, "case_worker_own": 200}


def a_batch(w) -> dict:
    batch = services.batch_create(
        actor=w.users["intake_own"],
        kind=ImportBatch.Kind.CASES,
        upload=upload(workbook(agency=w.uptd)),
        language="id",
    )
    services.batch_check(batch_id=batch.pk)
    return {"code": batch.code}


def a_population_batch(w) -> dict:
    batch = services.batch_create(
        actor=w.users["admin"],
        kind=ImportBatch.Kind.POPULATION,
        upload=upload(b"Kode Wilayah,Tahun,Jumlah\n13.76,2023,1000\n", "p.csv"),
        language="id",
    )
    services.batch_check(batch_id=batch.pk)
    return {"code": batch.code}


def a_file(w, kwargs) -> dict:
    return {"file": SimpleUploadedFile("register.xlsx", workbook(agency=w.uptd))}


def case_csvs(w, kwargs) -> dict:
    return {
        "kasus": SimpleUploadedFile("kasus.csv", b"No. Register Kantor\n"),
        "korban": SimpleUploadedFile("korban.csv", b"No. Register Kantor\n"),
    }


def a_csv(w, kwargs) -> dict:
    return {"file": SimpleUploadedFile("p.csv", b"Kode Wilayah,Tahun,Jumlah\n13.76,2023,1\n")}


ROWS = [
    Row("imports:index", IMPORTERS, default=403),
    Row(
        "imports:index",
        dict.fromkeys(IMPORTERS, 302),
        default=403,
        method="post",
        data=a_file,
        id="upload",
    ),
    Row(
        "imports:index",
        dict.fromkeys(IMPORTERS, 302),
        default=403,
        method="post",
        data=case_csvs,
        id="upload-csv",
    ),
    Row("imports:template", IMPORTERS, default=403),
    Row("imports:csv_template", IMPORTERS, default=403),
    Row("imports:population", {"admin": 200}, default=403),
    Row(
        "imports:population",
        {"admin": 302},
        default=403,
        method="post",
        data=a_csv,
        id="upload",
    ),
    Row("imports:detail", OWN_IMPORTERS, setup=a_batch),
    Row("imports:detail", {"admin": 200}, setup=a_population_batch, id="population"),
    Row(
        "imports:confirm",
        {"intake_own": 302, "case_worker_own": 302},
        method="post",
        setup=a_batch,
    ),
]
