"""State changes of printed documents: issue a referral letter, request a case summary,
render (in the PDF worker), hand out the file, verify a letter, and the signers' details.

A request writes the `PrintedDocument` row (with its parameters) and enqueues the rendering
after commit; the sweep sends again what the broker refused or a dead worker dropped.
Rendering is idempotent: a finished document is left alone."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases.models import Case
from paperwork import access as paper_access
from paperwork import agenda, simfoni
from paperwork.models import (
    CalendarFeed,
    DocumentKind,
    LetterSequence,
    PrintedDocument,
    PrintStatus,
    SignerProfile,
    SimfoniExport,
    SimfoniMark,
)
from ppa.celery import app
from ppa.models import AccessLog, Agency, User
from referrals.models import Referral
from reports import jobs
from reports.models import ExportRun

logger = logging.getLogger(__name__)

RENDER_TASK = "paperwork.tasks.render_printed_document"

MAX_ATTEMPTS = 3
RESEND_AFTER = dt.timedelta(minutes=5)
ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


class PrintRefused(Exception):
    """The request cannot be accepted; the message is for the user, in Indonesian."""


# --- Numbers and verification ------------------------------------------------------------


def next_letter_sequence(agency_id: int, year: int) -> int:
    """The agency's next letter number in the year, issued by one atomic upsert (no race)."""
    table = LetterSequence._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (agency_id, year, last) VALUES (%s, %s, 1) "  # noqa: S608  # nosec B608: table name from the model, values bound
            f"ON CONFLICT (agency_id, year) DO UPDATE SET last = {table}.last + 1 "
            "RETURNING last",
            [agency_id, year],
        )
        (sequence,) = cursor.fetchone()
    return sequence


def letter_number(sequence: int, agency: Agency, on: dt.date) -> str:
    """Indonesian letter numbering: 007/RUJ/<agency>/V/2024 (sequence per agency and year)."""
    short = (agency.short_name or "UPTD-PPA").replace("/", "-").replace(" ", "-")
    return f"{sequence:03d}/RUJ/{short}/{ROMAN_MONTHS[on.month - 1]}/{on.year}"


def letter_verification(referral_code: object, number: str, issued_on: str) -> str:
    """A short keyed checksum of the letter (10 hex digits, shown in two groups)."""
    message = f"surat-rujukan|{referral_code}|{number}|{issued_on}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()
    return f"{digest[:5]}-{digest[5:10]}".upper()


# --- Requests -----------------------------------------------------------------------------


def _log(actor: User, action: str, case: Case, purpose: str, ip: str | None, path: str) -> None:
    AccessLog.objects.create(
        user=actor,
        agency_id=actor.agency_id,
        role=actor.role,
        action=action,
        object_type=case._meta.label_lower,
        object_id=case.pk,
        purpose=purpose[:255],
        ip_address=ip,
        path=path[:255],
    )


def referral_letter_issue(*, actor: User, referral: Referral) -> PrintedDocument:
    """The referral's letter: numbered once (the first print), the same document after."""
    if not paper_access.can_print_referral_letter(actor, referral):
        raise PrintRefused(_("Surat rujukan hanya dapat dicetak dari rujukan yang disetujui."))
    with transaction.atomic():
        locked = (
            Referral.objects.select_for_update().select_related("from_agency").get(pk=referral.pk)
        )
        existing = PrintedDocument.objects.filter(
            referral=locked, kind=DocumentKind.REFERRAL_LETTER
        ).first()
        if existing is not None:
            return existing
        issued_on = timezone.localdate()
        sequence = next_letter_sequence(locked.from_agency_id, issued_on.year)
        number = letter_number(sequence, locked.from_agency, issued_on)
        document = PrintedDocument.objects.create(
            kind=DocumentKind.REFERRAL_LETTER,
            agency_id=locked.from_agency_id,
            case_id=locked.case_id,
            referral=locked,
            number=number,
            params={
                "issued_on": issued_on.isoformat(),
                "groups": sorted(locked.shared_groups),
                "signer_id": locked.approved_by_id,
            },
            language=actor.language or "id",
            requested_by=actor,
            verification=letter_verification(locked.code, number, issued_on.isoformat()),
        )
        transaction.on_commit(lambda: enqueue_document(document.pk))
    return document


def case_summary_request(
    *, actor: User, case: Case, reason: str, chronology: bool, ip: str | None, path: str
) -> PrintedDocument:
    """A case summary for a court or partner: the reason is logged; the chronology is printed
    only when asked and when the user may see it. `case` comes from get_case_for_user."""
    if not paper_access.can_print_case_summary(actor, case):
        raise PrintRefused(_("Anda tidak berwenang mencetak ringkasan kasus ini."))
    reason = reason.strip()
    if len(reason) < 10:
        raise PrintRefused(_("Alasan pencetakan terlalu singkat (minimal 10 karakter)."))
    groups = sorted(case.access.field_groups)
    with transaction.atomic():
        document = PrintedDocument.objects.create(
            kind=DocumentKind.CASE_SUMMARY,
            agency_id=case.agency_id,
            case=case,
            params={
                "issued_on": timezone.localdate().isoformat(),
                "groups": groups,
                "chronology": bool(chronology) and "narrative" in groups,
                "signer_id": actor.pk,
            },
            purpose=reason,
            language=actor.language or "id",
            requested_by=actor,
        )
        _log(actor, AccessLog.Action.PRINT, case, reason, ip, path)
        transaction.on_commit(lambda: enqueue_document(document.pk))
    return document


def enqueue_document(document_id: int) -> bool:
    """Send the render task; on a broker failure the sweep sends it later."""

    try:
        app.signature(RENDER_TASK, args=(document_id,)).apply_async()
    except Exception as exc:  # kombu.exceptions.OperationalError, ConnectionError, ...
        logger.warning(
            "document %s not enqueued (%s); the sweep will retry", document_id, type(exc)
        )
        return False
    return True


# --- Rendering ----------------------------------------------------------------------------


def _claim(document_id: int) -> PrintedDocument | None:
    stale = timezone.now() - dt.timedelta(seconds=settings.REPORTS_PDF_TIME_LIMIT + 60)
    with transaction.atomic():
        document = PrintedDocument.objects.select_for_update().filter(pk=document_id).first()
        if document is None or document.is_finished:
            return None
        running = document.status == PrintStatus.RUNNING
        if running and document.started_at and document.started_at > stale:
            return None
        document.status, document.started_at = PrintStatus.RUNNING, timezone.now()
        document.attempts += 1
        document.save(update_fields=["status", "started_at", "attempts"])
        return document


def document_render(*, document_id: int, url_fetcher: object = None) -> PrintedDocument | None:
    """Render a document (and a letter's copy), store the files with their checksums."""
    from paperwork.pdf import render_document_pdf

    document = _claim(document_id)
    if document is None:
        return None
    try:
        with translation.override(document.language):
            pdf, pages = render_document_pdf(document, copy=False, url_fetcher=url_fetcher)
            copy = None
            if document.kind == DocumentKind.REFERRAL_LETTER:
                copy, _pages = render_document_pdf(document, copy=True, url_fetcher=url_fetcher)
        _store(document, pdf, pages, copy)
    except Exception as exc:
        logger.exception("document %s failed (attempt %s)", document.pk, document.attempts)
        failed = document.attempts >= MAX_ATTEMPTS
        document.status = PrintStatus.FAILED if failed else PrintStatus.PENDING
        document.error = type(exc).__name__[:255]
        document.finished_at = timezone.now() if failed else None
        document.save(update_fields=["status", "error", "finished_at"])
    return document


def _store(document: PrintedDocument, pdf: bytes, pages: int, copy: bytes | None) -> None:
    document.file.save("asli.pdf", ContentFile(pdf), save=False)
    document.sha256 = hashlib.sha256(pdf).hexdigest()
    fields = ["file", "sha256", "pages", "status", "finished_at", "error"]
    if copy is not None:
        document.copy_file.save("salinan.pdf", ContentFile(copy), save=False)
        document.copy_sha256 = hashlib.sha256(copy).hexdigest()
        fields += ["copy_file", "copy_sha256"]
    document.pages, document.status = pages, PrintStatus.DONE
    document.finished_at, document.error = timezone.now(), ""
    document.save(update_fields=fields)


def documents_sweep(*, now: dt.datetime | None = None) -> int:
    """Send again documents that are not moving (broker refused, worker died)."""
    now = now or timezone.now()
    stale_start = now - dt.timedelta(seconds=settings.REPORTS_PDF_TIME_LIMIT + 60)
    sent = 0
    waiting = PrintedDocument.objects.filter(
        status__in=[PrintStatus.PENDING, PrintStatus.RUNNING], requested_at__lt=now - RESEND_AFTER
    ).order_by("requested_at")
    for document in waiting[:100]:
        if document.status == PrintStatus.RUNNING and (
            document.started_at is None or document.started_at > stale_start
        ):
            continue
        sent += enqueue_document(document.pk)
    return sent


# --- Downloads and verification -----------------------------------------------------------


@dataclass
class TakenFile:
    content: bytes
    is_copy: bool
    sha256: str


def document_take(
    *, actor: User, document: PrintedDocument, ip: str | None, path: str
) -> TakenFile:
    """The file to hand out, logged. A letter's first download is the original, every later
    one the copy marked "SALINAN"."""
    if document.status != PrintStatus.DONE:
        raise PrintRefused(_("Dokumen belum selesai dibuat."))
    with transaction.atomic():
        locked = PrintedDocument.objects.select_for_update().get(pk=document.pk)
        is_copy = locked.kind == DocumentKind.REFERRAL_LETTER and locked.original_taken_at
        if locked.kind == DocumentKind.REFERRAL_LETTER and not is_copy:
            locked.original_taken_at = timezone.now()
            locked.save(update_fields=["original_taken_at"])
        field = locked.copy_file if is_copy else locked.file
        purpose = locked.purpose or f"{locked.get_kind_display()} {locked.number}".strip()
        if is_copy:
            purpose = f"{purpose} ({_('salinan')})"
        _log(actor, AccessLog.Action.DOWNLOAD, document.case, purpose, ip, path)
    with field.open("rb") as handle:
        content = handle.read()
    return TakenFile(content, bool(is_copy), locked.copy_sha256 if is_copy else locked.sha256)


def letter_verify(
    *, actor: User, referral_code: uuid.UUID | str, checksum: str
) -> PrintedDocument | None:
    """The letter when the code and checksum match and the user is on either side of the
    referral; None otherwise (the same answer for a wrong code and a letter one may not see)."""
    wanted = checksum.strip().upper().replace(" ", "")
    document = (
        PrintedDocument.objects.select_related("referral", "agency", "referral__to_agency")
        .filter(kind=DocumentKind.REFERRAL_LETTER, referral__code=referral_code)
        .first()
    )
    if document is None:
        return None
    assert document.referral is not None, "a referral letter has its referral (check constraint)"
    if not paper_access.can_verify_letter(actor, document.referral):
        return None
    if not hmac.compare_digest(document.verification, wanted):
        return None
    return document


# --- Signers -------------------------------------------------------------------------------


def signer_profile_set(*, actor: User, title: str, nip: str) -> SignerProfile:
    """The user's own title and NIP under their signature."""
    profile, _created = SignerProfile.objects.get_or_create(user=actor)
    profile.title, profile.nip = title.strip(), nip.strip()
    profile.save(update_fields=["title", "nip"])
    return profile


def agency_head_set(*, actor: User, name: str, title: str, nip: str) -> Agency:
    """The head of the user's agency (the signature of its reports and summaries)."""
    if not paper_access.can_set_agency_head(actor):
        raise PrintRefused(_("Hanya supervisor atau pejabat lembaga yang dapat mengubah kepala."))
    name, title = name.strip(), title.strip()
    if not name or not title:
        raise PrintRefused(_("Nama dan jabatan kepala wajib diisi."))
    assert actor.agency_id is not None, "can_set_agency_head requires an agency"
    with transaction.atomic():
        agency = Agency.objects.select_for_update().get(pk=actor.agency_id)
        agency.head_name, agency.head_title, agency.head_nip = name, title, nip.strip()
        agency.save(update_fields=["head_name", "head_title", "head_nip"])
    return agency


# --- SIMFONI export -----------------------------------------------------------------------


def _log_agency(actor: User, action: str, export: SimfoniExport, ip: str | None, path: str) -> None:
    AccessLog.objects.create(
        user=actor,
        agency_id=actor.agency_id,
        role=actor.role,
        action=action,
        object_type=export._meta.label_lower,
        object_id=export.pk,
        purpose=export.reason[:255],
        ip_address=ip,
        path=path[:255],
    )


def simfoni_export_request(
    *,
    actor: User,
    period_from: dt.date,
    period_to: dt.date,
    only_new: bool,
    reason: str,
    ip: str | None,
    path: str,
) -> SimfoniExport:
    """Record the export (period, reason, the cases it holds), log it, and have its file made
    in the background (reports.jobs; at once when Celery is eager)."""
    if not paper_access.can_export_simfoni(actor):
        raise PrintRefused(_("Anda tidak berwenang mengekspor data SIMFONI."))
    reason = reason.strip()
    if len(reason) < 10:
        raise PrintRefused(_("Alasan ekspor terlalu singkat (minimal 10 karakter)."))
    if period_to < period_from:
        raise PrintRefused(_("Tanggal akhir periode sebelum tanggal awal."))
    assert actor.agency_id is not None, "can_export_simfoni requires an agency"
    statuses = simfoni.export_cases(
        agency_id=actor.agency_id, period_from=period_from, period_to=period_to, only_new=only_new
    )
    now = timezone.now()
    with transaction.atomic():
        run = jobs.export_run_request(
            actor=actor,
            kind=ExportRun.Kind.SIMFONI,
            fmt="xlsx",
            params={},
            filename=f"simfoni-{period_from:%Y%m%d}-{period_to:%Y%m%d}.xlsx",
            language=translation.get_language() or "id",
        )
        export = SimfoniExport.objects.create(
            agency_id=actor.agency_id,
            period_from=period_from,
            period_to=period_to,
            only_new=only_new,
            reason=reason[:500],
            requested_by=actor,
            created_at=now,
            expires_at=now + dt.timedelta(minutes=settings.CASE_EXPORT_TTL_MINUTES),
            case_ids=list(statuses),
            run=run,
        )
        _log_agency(actor, AccessLog.Action.EXPORT, export, ip, path)
    return export


def simfoni_file(run: ExportRun, step: Callable[[int], None]) -> bytes:
    """The builder of a SIMFONI export's file (registered with reports.jobs): the cases fixed
    at the request, each with its state against the marks."""
    export = SimfoniExport.objects.get(run=run)
    statuses = simfoni.export_cases(
        agency_id=export.agency_id,
        period_from=export.period_from,
        period_to=export.period_to,
        only_new=False,
    )
    step(50)
    content = simfoni.workbook_bytes({pk: statuses.get(pk, simfoni.NEW) for pk in export.case_ids})
    export.sha256 = hashlib.sha256(content).hexdigest()
    export.save(update_fields=["sha256"])
    return content


class NotReady(Exception):
    """The file is still being made (the progress page says how far)."""


def simfoni_export_take(*, actor: User, export: SimfoniExport, ip: str | None, path: str) -> bytes:
    """The XLSX, once, for the user who asked, before it expires; logged. The stored file is
    removed once the download is committed."""
    with transaction.atomic():
        locked = SimfoniExport.objects.select_for_update(of=("self",)).select_related("run")
        export = locked.get(pk=export.pk)
        if export.requested_by_id != actor.pk:
            raise PrintRefused(_("Ekspor ini bukan milik Anda."))
        if export.downloaded_at is not None:
            raise PrintRefused(_("Tautan ekspor ini sudah dipakai. Ajukan ekspor baru bila perlu."))
        if timezone.now() >= export.expires_at:
            raise PrintRefused(_("Tautan ekspor ini sudah kedaluwarsa. Ajukan ekspor baru."))
        run = export.run
        if run is None or run.status == ExportRun.Status.FAILED:
            raise PrintRefused(_("Berkas ekspor ini gagal dibuat. Ajukan ekspor baru."))
        if run.status != ExportRun.Status.DONE:
            raise NotReady
        content = jobs.export_file(run)
        export.downloaded_at = timezone.now()
        export.save(update_fields=["downloaded_at"])
        _log_agency(actor, AccessLog.Action.DOWNLOAD, export, ip, path)
        transaction.on_commit(lambda: _forget_file(run))
    return content


def _forget_file(run: ExportRun) -> None:
    run.file.delete(save=False)
    run.save(update_fields=["file"])


def simfoni_export_mark(*, actor: User, export: SimfoniExport) -> int:
    """The officer typed the export's cases into SIMFONI: mark them as of the export's time
    (a change after it lists the case again). Returns how many cases were marked."""
    if not paper_access.can_export_simfoni(actor) or export.agency_id != actor.agency_id:
        raise PrintRefused(_("Anda tidak berwenang menandai ekspor ini."))
    if export.downloaded_at is None:
        raise PrintRefused(_("Unduh berkas ekspor dulu sebelum menandainya."))
    with transaction.atomic():
        locked = SimfoniExport.objects.select_for_update().get(pk=export.pk)
        for case_id in locked.case_ids:
            SimfoniMark.objects.update_or_create(
                case_id=case_id,
                defaults={"marked_at": locked.created_at, "marked_by": actor, "export": locked},
            )
        locked.marked_at = timezone.now()
        locked.save(update_fields=["marked_at"])
    return len(locked.case_ids)


# --- Calendar feed -------------------------------------------------------------------------


def calendar_feed_reset(*, actor: User) -> str:
    """A new secret token for the user's calendar feed (the old address stops working).
    Returns the token; only its keyed hash is stored."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        user=actor, defaults={"token_hash": agenda.token_hash(token)}
    )
    return token


def calendar_feed_user(token: str) -> User | None:
    """The active user whose feed this token opens, or None."""
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=agenda.token_hash(token))
        .first()
    )
    if feed is None or not feed.user.is_active:
        return None
    return feed.user
