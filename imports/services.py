"""Imports: upload, check (preview), confirm and write. Views, tasks and tests call these.

A batch goes queued -> checking -> refused (problems: nothing can be written) or checked
(the preview) -> [the officer confirms] -> writing -> done, or failed (the write rolled back:
nothing was written). Checking and writing run as Celery tasks queued by name; the file is
kept in private storage and its SHA-256 checked again before the write, so what is written is
what was previewed.
"""

import hashlib
import logging
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from celery import current_app
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases import services as case_services
from imports import selectors
from imports.casefile import CaseFile
from imports.casespec import CASES
from imports.models import ImportBatch, ImportedCase
from imports.population import SHEET, PopulationFile
from imports.reader import FileRefused, Source, open_source
from imports.spool import SpoolWriter, read_spool, spool_sha256
from imports.writer import Writer
from ppa.models import User
from reports.models import Population

logger = logging.getLogger(__name__)

CHECK_TASK = "imports.tasks.check_batch"
WRITE_TASK = "imports.tasks.write_batch"


class ImportRefused(Exception):
    """A request the batch cannot take (already confirmed, has problems, ...)."""


def batch_create(
    *, actor: User, kind: str, upload: UploadedFile | File, language: str
) -> ImportBatch:
    """Keep the uploaded file with its checksum and queue its check."""
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        batch = ImportBatch(
            kind=kind,
            agency=actor.agency if kind == ImportBatch.Kind.CASES else None,
            file_name=(upload.name or "")[-255:],
            sha256=digest.hexdigest(),
            size=upload.size or 0,
            language=language,
            created_by=actor,
        )
        batch.file.save("upload", upload, save=False)
        batch.save()
        transaction.on_commit(lambda: _enqueue(CHECK_TASK, batch.pk))
    return batch


BUNDLE_TIME = (1980, 1, 1, 0, 0, 0)  # fixed: the same CSV files make the same zip


def csv_bundle(files: dict[str, UploadedFile]) -> File:
    """The CSV files of one case import (sheet name -> file), packed into one stored zip
    (members `<sheet>.csv`, not compressed, fixed dates: the same files give the same
    SHA-256), which the reader opens as a CSV file per sheet. Its name lists the files."""
    spooled = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (returned)
    with zipfile.ZipFile(spooled, "w", zipfile.ZIP_STORED) as archive:
        for sheet, upload in files.items():
            info = zipfile.ZipInfo(f"{sheet}.csv", date_time=BUNDLE_TIME)
            with archive.open(info, "w") as member:
                shutil.copyfileobj(upload, member, 1024 * 1024)
    size = spooled.tell()
    spooled.seek(0)
    bundle = File(spooled, name=", ".join(f.name or s for s, f in files.items()))
    bundle.size = size
    return bundle


def _enqueue(task: str, batch_id: int) -> None:
    try:
        current_app.signature(task, args=(batch_id,)).apply_async()
    except Exception as exc:  # the broker is down: the page says so, a retry re-queues
        logger.warning("import %s not queued (%s)", batch_id, type(exc))


@contextmanager
def _local_file(batch: ImportBatch) -> Iterator[Path]:
    """The stored file as a local path (streamed out of storage when it is not local)."""
    try:
        yield Path(batch.file.path)
        return
    except NotImplementedError:
        pass
    with tempfile.NamedTemporaryFile(suffix=".upload") as tmp, batch.file.open("rb") as src:
        for chunk in iter(lambda: src.read(1024 * 1024), b""):
            tmp.write(chunk)
        tmp.flush()
        yield Path(tmp.name)


class _Progress:
    """Rows checked or written, saved every 1,000 rows on a connection of its own, so the
    progress page sees it while the write's transaction is still open."""

    def __init__(self, batch_id: int, column: str) -> None:
        self.batch_id, self.column = batch_id, column
        self.connection = connections.create_connection(DEFAULT_DB_ALIAS)

    def __call__(self, rows: int) -> None:
        try:
            with self.connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '200ms'")
                cursor.execute(
                    f"UPDATE imports_importbatch SET {self.column} = %s WHERE id = %s",  # noqa: S608 (column is ours)
                    [rows, self.batch_id],
                )
        except DatabaseError:
            pass  # progress only

    def close(self) -> None:
        self.connection.close()


def _open(batch: ImportBatch, path: Path) -> Source:
    sheet = CASES if batch.kind == ImportBatch.Kind.CASES else SHEET
    return open_source(path, size=batch.size, csv_sheet=sheet)


def batch_check(*, batch_id: int) -> ImportBatch:
    """Read the whole file, record the counts, problems, notes and possible duplicates."""
    batch = ImportBatch.objects.select_related("agency", "created_by").get(pk=batch_id)
    if batch.status not in (ImportBatch.Status.QUEUED, ImportBatch.Status.CHECKING):
        return batch
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.CHECKING)
    progress = _Progress(batch.pk, "rows_checked")
    with translation.override(batch.language), _local_file(batch) as path:
        try:
            source = _open(batch, path)
        except FileRefused as exc:
            return _refused(batch, [["", "", "", str(exc)]], 1)
        try:
            if batch.kind == ImportBatch.Kind.CASES:
                _check_cases(batch, source, progress)
            else:
                _check_population(batch, source)
        except FileRefused as exc:
            return _refused(batch, [["", "", "", str(exc)]], 1)
        finally:
            source.close()
            progress.close()
    batch.status = ImportBatch.Status.REFUSED if batch.problem_count else ImportBatch.Status.CHECKED
    batch.save()
    if batch.status == ImportBatch.Status.REFUSED:
        _discard_files(batch)
    return batch


def _refused(batch: ImportBatch, problems: list, count: int) -> ImportBatch:
    batch.problems, batch.problem_count = problems, count
    batch.status = ImportBatch.Status.REFUSED
    batch.save()
    _discard_files(batch)
    return batch


def _discard_files(batch: ImportBatch) -> None:
    """The uploaded file and the rows read from it hold personal data: they are kept only
    while they may still be written (checked, waiting for confirmation, being written).
    The batch keeps the file's name, size and SHA-256."""
    for stored in (batch.file, batch.rows_file):
        if stored:
            stored.delete(save=False)
    batch.save(update_fields=["file", "rows_file"])


def _imported(batch: ImportBatch) -> set[str]:
    return set(
        ImportedCase.objects.filter(agency=batch.agency).values_list("register_number", flat=True)
    )


def _check_cases(batch: ImportBatch, source: Source, progress: _Progress) -> None:
    """The check of a case file; the rows it read are kept for the write (imports.spool)."""
    with tempfile.TemporaryFile() as rows:
        spool = SpoolWriter(rows)
        check = _run_case_check(batch, source, progress, spool)
        if not check.problems.count:
            rows.seek(0)
            batch.rows_file.save("rows", File(rows), save=False)
            batch.rows_sha256 = spool.sha256


def _run_case_check(
    batch: ImportBatch, source: Source, progress: _Progress, spool: SpoolWriter
) -> CaseFile:
    assert batch.agency is not None
    if source.kind == "csv":
        raise FileRefused(
            _(
                "Satu berkas CSV tidak cukup untuk impor kasus: empat lembar yang saling "
                "terhubung (kasus, korban, pelaku, layanan) perlu empat berkas CSV. Unggah "
                "berkas XLSX, atau unggah keempat berkas CSV di kolom CSV masing-masing."
            )
        )
    check = CaseFile(
        source=source,
        agency=batch.agency,
        imported=_imported(batch),
        progress=progress,
        spool=spool,
    )
    check.run()
    counts = check.counts
    batch.counts = {
        "cases": counts.cases,
        "victims": counts.victims,
        "perpetrators": counts.perpetrators,
        "links": counts.links,
        "services": counts.services,
        "skipped_cases": counts.skipped_cases,
        "skipped_rows": counts.skipped_rows,
        "years": counts.years,
    }
    batch.rows_checked = batch.rows_total = check.rows_seen
    batch.problems, batch.problem_count = check.problems.items, check.problems.count
    batch.notes = source.notes
    if not check.problems.count:
        batch.duplicates = selectors.possible_duplicate_people(batch.created_by, check.people)
    return check


def _check_population(batch: ImportBatch, source: Source) -> None:
    check = PopulationFile(source)
    check.run()
    batch.rows_checked = batch.rows_total = check.rows
    batch.problems, batch.problem_count = check.problems.items, check.problems.count
    batch.notes = source.notes
    keys = list(check.figures)
    batch.counts = {
        "figures": len(keys),
        "replaced": selectors.population_existing(keys),
        "years": sorted({str(k[1]) for k in keys}),
    }


def batch_confirm(*, actor: User, batch: ImportBatch) -> ImportBatch:
    """The officer confirmed the preview: queue the write (once)."""
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportBatch.Status.CHECKED:
            raise ImportRefused(_("Impor ini tidak dapat dikonfirmasi (statusnya sudah berubah)."))
        locked.status = ImportBatch.Status.WRITING
        locked.confirmed_by, locked.confirmed_at = actor, timezone.now()
        locked.save(update_fields=["status", "confirmed_by", "confirmed_at"])
        transaction.on_commit(lambda: _enqueue(WRITE_TASK, locked.pk))
    return locked


def history_reason(batch: ImportBatch) -> str:
    """The history text of every row an import writes (stored history is in Indonesian; the
    user is the history row's user). History reasons hold 100 characters: the file name is
    cut to 40 and the SHA-256 to its first 32 hexadecimal digits (128 bits, enough to tell
    files apart); the import's page shows both in full."""
    name = batch.file_name if len(batch.file_name) <= 40 else batch.file_name[:39] + "…"
    return f"diimpor: {name} SHA-256 {batch.sha256[:32]}…"


WRITE_LOCK = 4242  # first key of the advisory lock a write holds (second: the batch id)


@contextmanager
def _write_lock(batch_id: int) -> Iterator[bool]:
    """Whether this process may write the batch: a session advisory lock, so a task delivered
    twice (a redelivery while the first worker still writes) writes once; the other returns."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [WRITE_LOCK, batch_id])
        (locked,) = cursor.fetchone()
    try:
        yield bool(locked)
    finally:
        if locked:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [WRITE_LOCK, batch_id])


def batch_write(*, batch_id: int) -> ImportBatch:
    """Write a confirmed batch, all or nothing (once, however often the task is delivered)."""
    with _write_lock(batch_id) as locked:
        batch = ImportBatch.objects.select_related("agency", "created_by").get(pk=batch_id)
        if not locked or batch.status != ImportBatch.Status.WRITING or batch.finished_at:
            return batch
        return _write_locked(batch)


def _write_locked(batch: ImportBatch) -> ImportBatch:
    with translation.override(batch.language), _local_file(batch) as path:
        if _sha256(path) != batch.sha256:
            return _failed(batch, _("Berkas yang tersimpan berubah sejak diperiksa."))
        try:
            if batch.kind == ImportBatch.Kind.CASES:
                written = _write_cases(batch)
            else:
                written = _write_population(batch, _open(batch, path))
        except (FileRefused, WriteRefused, DatabaseError) as exc:
            logger.warning("import %s rolled back (%s)", batch.pk, type(exc).__name__)
            message = (
                str(exc)
                if not isinstance(exc, DatabaseError)
                else _(
                    "Data berubah sejak pratinjau (misalnya kasus yang sama diimpor dari berkas "
                    "lain). Tidak ada yang disimpan; unggah berkas ini lagi."
                )
            )
            return _failed(batch, message)
    batch.refresh_from_db()
    batch.rows_written = written
    batch.status = ImportBatch.Status.DONE
    batch.finished_at = timezone.now()
    batch.save(update_fields=["rows_written", "status", "finished_at"])
    _discard_files(batch)
    return batch


class WriteRefused(Exception):
    pass


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as raw:
        for chunk in iter(lambda: raw.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _failed(batch: ImportBatch, message: str) -> ImportBatch:
    batch.status = ImportBatch.Status.FAILED
    batch.finished_at = timezone.now()
    batch.problems = [*batch.problems, ["", "", "", message]]
    batch.problem_count += 1
    batch.save(update_fields=["status", "finished_at", "problems", "problem_count"])
    _discard_files(batch)
    return batch


def _write_cases(batch: ImportBatch) -> int:
    """Numbers first (committed: the sequence row is not held by the write), then one
    transaction for everything, replaying the rows the check read; a problem found now rolls
    all of it back."""
    assert batch.agency is not None
    with batch.rows_file.open("rb") as rows:
        if spool_sha256(rows) != batch.rows_sha256:
            raise WriteRefused(_("Berkas yang tersimpan berubah sejak diperiksa."))
    years = {int(y): n for y, n in batch.counts.get("years", {}).items()}
    numbers = {
        year: iter(case_services.case_numbers_allocate(batch.agency.region_id, year, n))
        for year, n in years.items()
    }
    progress = _Progress(batch.pk, "rows_written")
    try:
        with transaction.atomic(), batch.rows_file.open("rb") as rows:
            writer = Writer(
                batch=batch,
                user=batch.created_by,
                numbers=numbers,
                reason=history_reason(batch),
                progress=progress,
            )
            run = CaseFile(
                source=None,
                agency=batch.agency,
                imported=_imported(batch),
                writer=writer,
                replay=read_spool(rows),
            )
            run.run()
            if run.problems.count or run.counts.years != batch.counts.get("years"):
                raise WriteRefused(
                    _("Berkas tidak lagi sesuai dengan pratinjau. Unggah berkas ini lagi.")
                )
            writer.clocks()
            return writer.written
    finally:
        progress.close()


def _write_population(batch: ImportBatch, source: Source) -> int:
    check = PopulationFile(source)
    check.run()
    source.close()
    if check.problems.count:
        raise WriteRefused(_("Berkas tidak lagi sesuai dengan pratinjau. Unggah berkas ini lagi."))
    origin = f"Impor {batch.file_name}"[:120]
    with transaction.atomic():
        Population.objects.bulk_create(
            [
                Population(region_id=r, year=y, sex=s, age_band=a, count=n, source=origin)
                for (r, y, s, a), n in check.figures.items()
            ],
            update_conflicts=True,
            unique_fields=["region", "year", "sex", "age_band"],
            update_fields=["count", "source"],
        )
    return len(check.figures)
