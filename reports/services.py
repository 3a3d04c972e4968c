"""State changes of report runs: request, render (in the worker), sweep; the nightly
aggregates; the yearly recaps.

A run's life (claim, heartbeat, progress, finish, failure, sweep, what the page says) is
`reports.jobs`, shared with the long downloads.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import time
from typing import Any, cast

from django.db import IntegrityError, connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.services import working_days_after
from coordination import access as coordination_access
from coordination.models import Meeting
from ppa.db import reporting_source
from ppa.models import Agency, Region, Role, User
from referrals.models import Notification
from reports import access, jobs
from reports.models import ExportRun, MeetingPack, ReportRun, StatisticsRefresh, YearlyRecap
from reports.replica import statistics_from
from reports.selectors import (
    CUBE_KEYS,
    MEASURES,
    ReportParams,
    Snapshot,
    cube_keys,
    cube_scope,
)
from reports.snapshot import Period
from reports.suppression import public_edition

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = jobs.MAX_ATTEMPTS


class ReportRequestError(Exception):
    """The request cannot be accepted; the message is for the user, in Indonesian."""


def report_run_request(
    *, actor: User, params: ReportParams, edition: str, language: str
) -> ReportRun:
    """Record a PDF request and enqueue its rendering once the row is committed."""
    authority = access.statistics_authority(actor)
    if authority is None:
        raise ReportRequestError(_("Anda tidak berwenang membuat laporan statistik."))
    region = Region.objects.filter(code=params.region_code).only("code", "parent_id").first()
    if region is None or region.code != authority.code and region.parent_id != authority.code:
        raise ReportRequestError(_("Wilayah ini di luar kewenangan Anda."))
    if edition not in ReportRun.Edition.values or language not in ("id", "en"):
        raise ReportRequestError(_("Edisi atau bahasa laporan tidak dikenal."))
    with transaction.atomic():
        run = ReportRun.objects.create(
            authority=authority,
            agency_id=cast(int, actor.agency_id),  # staff with statistics access have one
            params=params.to_dict(),
            edition=edition,
            language=language,
            requested_by=actor,
        )
        transaction.on_commit(lambda: enqueue_run(run.pk))
    return run


def first_working_day(year: int, month: int) -> dt.date:
    """The first working day of a month (holidays and cuti bersama as for the referral and
    case clocks: `cases.services.working_days_after`)."""
    return working_days_after(dt.date(year, month, 1) - dt.timedelta(days=1), 1)


def monthly_reports_produce(*, today: dt.date | None = None) -> int:
    """On the first working day of a month, the previous month's report (internal edition, in
    Bahasa Indonesia) for every office whose officials see statistics, and a notification
    with its link to each of those officials (no figures in it). Other days, and a second
    call on the same day, do nothing. Returns the number of reports requested."""
    today = today or timezone.localdate()
    if today != first_working_day(today.year, today.month):
        return 0
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    officials: dict[int, list[User]] = {}
    for user in User.objects.filter(
        role=Role.OFFICIAL, is_active=True, agency__is_active=True
    ).select_related("agency__region"):
        if access.can_view_statistics(user) and user.agency_id is not None:
            officials.setdefault(user.agency_id, []).append(user)
    made = 0
    for agency in Agency.objects.filter(pk__in=officials).select_related("region"):
        params = ReportParams.for_period(
            Period.MONTH, last_month.year, last_month.month, agency.region_id
        )
        made += _monthly_run(agency, params, officials[agency.pk])
    return made


def _monthly_run(agency: Agency, params: ReportParams, officials: list[User]) -> bool:
    """Request one office's scheduled report and notify its officials, once."""
    with transaction.atomic():
        if ReportRun.objects.filter(
            agency=agency, requested_by__isnull=True, params=params.to_dict()
        ).exists():
            return False
        run = ReportRun.objects.create(
            authority_id=agency.region_id,
            agency=agency,
            params=params.to_dict(),
            edition=ReportRun.Edition.INTERNAL,
            language="id",
            requested_by=None,
        )
        link = reverse("reports:run_detail", kwargs={"code": run.code})
        Notification.objects.bulk_create(
            [
                Notification(user=u, kind=Notification.Kind.REPORT_READY, link=link)
                for u in officials
            ],
            ignore_conflicts=True,
        )
        transaction.on_commit(lambda: enqueue_run(run.pk))
    return True


def enqueue_run(run_id: int) -> bool:
    """Send the render task (reports.jobs.enqueue); on a broker failure the run stays pending
    for the sweep."""
    return jobs.enqueue(ReportRun, run_id)


def figures_checksum(figures: dict) -> str:
    """SHA-256 of the figures without the time they were computed (nor which nightly
    aggregates served the past years: they give the same numbers): equal for the same request
    on the same data."""
    volatile = (
        "computed_at",
        "aggregated_before",
        "aggregated_at",
        "aggregates_note",
        "source_note",
    )
    stable = {k: v for k, v in figures.items() if k not in volatile}
    return hashlib.sha256(json.dumps(stable, sort_keys=True).encode()).hexdigest()


def report_run_render(*, run_id: int, url_fetcher: Any = None) -> ReportRun | None:
    """Compute (once) the figures of a run, render its PDF, store it with its checksum."""
    from reports.pdf import Letterhead, render_pdf  # WeasyPrint is heavy

    run = jobs.claim(ReportRun, run_id)
    if run is None:
        return None
    try:
        with jobs.Heartbeat(run), translation.override(run.language):
            if run.figures is None:
                # The replica must have replayed at least the request of this run.
                source = reporting_source(wrote_at=run.requested_at.timestamp())
                snapshot = statistics_from(ReportParams.from_dict(run.params), source)
                if run.edition == ReportRun.Edition.PUBLIC:
                    snapshot = public_edition(snapshot)
                run.figures = snapshot.to_dict()
                run.figures_sha256 = figures_checksum(run.figures)
                run.progress = 40
                run.save(update_fields=["figures", "figures_sha256", "progress"])
            else:
                snapshot = Snapshot.from_dict(run.figures)
            letterhead = Letterhead.for_agency(
                type(run.agency).objects.select_related("region").get(pk=run.agency_id)
            )
            pdf, pages = render_pdf(
                snapshot, letterhead, figures_code=run.figures_sha256, url_fetcher=url_fetcher
            )
        jobs.progress(run, 90)
        run.pages = pages
        jobs.finish(run, pdf, extra=("pages",))
    except Exception as exc:
        jobs.fail(run, exc)
    return run


def report_runs_sweep(*, now: dt.datetime | None = None) -> int:
    """Send again the runs that are not moving, and the long downloads too
    (reports.jobs.sweep). Returns how many were sent."""
    return jobs.sweep(ReportRun, now) + jobs.sweep(ExportRun, now)


REPORT_TEXTS = jobs.Texts(
    done=gettext_lazy("Laporan selesai dibuat dan siap diunduh."),
    failed=gettext_lazy(
        "Laporan gagal dibuat setelah beberapa percobaan. Silakan minta laporan baru."
    ),
    restarting=gettext_lazy(
        "Pembuat laporan terhenti. Laporan akan dibuat lagi dari awal sebentar lagi."
    ),
    again=gettext_lazy("Laporan sedang dibuat lagi (%(p)s%%)."),
    running=gettext_lazy("Laporan sedang dibuat (%(p)s%%)."),
    resumed=gettext_lazy(
        "Pembuatan laporan terhenti dan dimulai lagi; laporan sedang dibuat lagi."
    ),
    waiting=gettext_lazy(
        "Layanan pembuat PDF sedang tidak berjalan atau sibuk. Permintaan Anda sudah "
        "tersimpan dan akan diproses otomatis begitu layanan itu berjalan kembali; "
        "Anda boleh menutup halaman ini dan kembali nanti."
    ),
    queued=gettext_lazy("Permintaan masuk antrean; laporan akan segera dibuat."),
)


def run_state(run: ReportRun, now: dt.datetime | None = None) -> jobs.JobState:
    """What the progress page of a PDF run tells the user."""
    return jobs.job_state(run, REPORT_TEXTS, now)


def run_filename(run: ReportRun) -> str:
    p = run.params
    edition = "publik" if run.edition == ReportRun.Edition.PUBLIC else "internal"
    region = slugify(run.figures["region"]["name"]) if run.figures else p["region_code"]
    span = f"{p['year_from']}-{p['year_to']}"
    if p.get("date_from"):
        span = f"{p['date_from']}-{p['date_to']}"
    return f"laporan-statistik-{region}-{span}-{edition}.pdf"


# --- Nightly aggregates -------------------------------------------------------------------------


REFRESH_LOCK = 7_300_501  # pg_advisory_xact_lock key of statistics_refresh


# An intake transaction open across the cutoff would be in neither part; intake commits in
# well under a second, so a cutoff at least this far back is safe.
CUTOFF_MARGIN = dt.timedelta(minutes=10)


def statistics_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """The aggregates cover the cases registered before the start of the (local) day of the
    refresh, or ten minutes before it when the refresh runs just after midnight. Cases
    registered since are counted live, whatever their reporting date; an edit to a case
    registered earlier shows after the next refresh (every night)."""
    now = now or timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return min(midnight, now - CUTOFF_MARGIN)


def statistics_refresh(*, before: dt.datetime | None = None) -> StatisticsRefresh:
    """Rebuild every aggregate table in one transaction from the selector's own querysets
    (`reports.selectors.MEASURES`, grouped by the cube keys), as INSERT ... SELECT inside the
    database, and record the refresh. Readers keep seeing the previous aggregates and the
    previous refresh row until the commit, so a report never mixes two refreshes."""
    started = timezone.now()
    clock = time.monotonic()
    before = before or statistics_cutoff(started)
    scope = cube_scope(before)
    total = 0
    with transaction.atomic():
        with connection.cursor() as cursor:
            # One refresh at a time (beat and the command at once): a second one waits
            # here, then deletes what the first wrote instead of adding to it.
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REFRESH_LOCK])
            cursor.execute("SET LOCAL jit = off")
            for measure in MEASURES.values():
                model = measure.cube
                table = connection.ops.quote_name(model._meta.db_table)
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 (a model's table name)
                for rollup in (False, True):
                    query = measure.query(scope, cube_keys(rollup=rollup))
                    total += _insert_select(cursor, model, query)
                # Fresh statistics for the planner (autovacuum would come later).
                cursor.execute(f"ANALYZE {table}")
        refresh = StatisticsRefresh.objects.create(
            refreshed_at=started,
            covers_before=before,
            duration=dt.timedelta(seconds=time.monotonic() - clock),
            rows=total,
        )
    logger.info("statistics refreshed before %s: %s rows in %s", before, total, refresh.duration)
    return refresh


def _insert_select(cursor: CursorWrapper, model: Any, queryset: QuerySet) -> int:
    """INSERT INTO <cube> (<columns>) <the queryset's SELECT>; returns the rows written.

    The SELECT list is in the order Django's ValuesIterable reads it (`query.selected`, or
    extra columns, fields, annotations); the cube's columns carry the same names, and the
    grouping keys map through CUBE_KEYS."""
    query = queryset.query
    if query.selected:
        names = list(query.selected)
    else:
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
    qn = connection.ops.quote_name
    columns = []
    for name in names:
        column = CUBE_KEYS.get(name) or model._meta.get_field(name).column
        columns.append(qn(column))
    sql, params = query.get_compiler(connection=connection).as_sql()
    table = qn(model._meta.db_table)
    cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) {sql}", params)  # noqa: S608
    return cursor.rowcount


# --- Statistics pack of a coordination meeting -------------------------------------------------


def meeting_pack_attach(
    *, actor: User, meeting: Meeting, params: ReportParams, edition: str, language: str
) -> MeetingPack:
    """Generate the report for a meeting and link it from the meeting page, in one step: the
    run and the link are written together; the PDF renders on the queue as any report run."""
    if not coordination_access.can_edit_meeting(actor, meeting):
        raise ReportRequestError(_("Hanya penyelenggara rapat yang dapat melampirkan statistik."))
    with transaction.atomic():
        run = report_run_request(actor=actor, params=params, edition=edition, language=language)
        return MeetingPack.objects.create(meeting=meeting, run=run, attached_by=actor)


# --- Yearly recaps ----------------------------------------------------------------------------


class RecapError(Exception):
    """The recap cannot be written; the message is for the user."""


def _recap_guard(actor: User, region: Region) -> None:
    if not access.can_record_recaps(actor):
        raise RecapError(_("Anda tidak berwenang mencatat rekap tahunan."))
    if not access.statistics_regions(actor).filter(code=region.code).exists():
        raise RecapError(_("Wilayah ini di luar kewenangan Anda."))


def recap_create(*, actor: User, values: dict[str, Any]) -> YearlyRecap:
    """Record a yearly recap (values: the fields of `reports.forms.RecapForm`)."""
    recap = YearlyRecap(**values, entered_by=actor)
    _recap_guard(actor, recap.region)
    recap._history_user = actor  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            recap.save()
    except IntegrityError as exc:  # another user recorded the same year a moment ago
        raise RecapError(
            _("Sudah ada rekap untuk wilayah, tahun dan cakupan ini. Ubah rekap itu.")
        ) from exc
    return recap


def recap_update(*, actor: User, recap: YearlyRecap, values: dict[str, Any]) -> YearlyRecap:
    """Correct a recap in force; one history row with the user (none when nothing changed).
    Compared with the row as stored (a bound model form has already written into `recap`)."""
    _recap_guard(actor, values["region"])
    with transaction.atomic():
        current = YearlyRecap.objects.select_for_update().get(pk=recap.pk)
        _recap_guard(actor, current.region)
        if not current.in_force:
            raise RecapError(_("Rekap yang sudah ditarik tidak dapat diubah."))
        changed = [name for name, value in values.items() if getattr(current, name) != value]
        if not changed:
            return current
        for name in changed:
            setattr(current, name, values[name])
        current._history_user = actor  # type: ignore[attr-defined]
        current.save(update_fields=changed)
    return current


def recap_withdraw(*, actor: User, recap: YearlyRecap, reason: str) -> YearlyRecap:
    """Withdraw a recap (kept with its history; the statistics no longer use it)."""
    _recap_guard(actor, recap.region)
    if not recap.in_force:
        raise RecapError(_("Rekap ini sudah ditarik."))
    recap.withdrawn_at, recap.withdrawn_reason = timezone.now(), reason
    recap._history_user = actor  # type: ignore[attr-defined]
    recap._change_reason = reason[:100]  # type: ignore[attr-defined]
    with transaction.atomic():
        recap.save(update_fields=["withdrawn_at", "withdrawn_reason"])
    return recap
