"""Statistics pages: the dashboard with its exports, and the annual PDF runs.

Officials and supervisors only (reports.access); aggregated figures only, never a case.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coordination import access as coordination_access
from ppa.audit import log_access
from ppa.db import request_reporting_source
from ppa.http import AuthedRequest, partial_request
from ppa.models import AccessLog
from reports import access, jobs, services
from reports.charts import Chart, snapshot_charts
from reports.exports import statistics_filename
from reports.forms import (
    MeetingPackForm,
    RecapForm,
    RecapWithdrawForm,
    ReportRunForm,
    StatisticsForm,
)
from reports.headline import headline
from reports.layout import sections
from reports.models import ExportRun, ReportRun, YearlyRecap
from reports.replica import statistics_from
from reports.selectors import Snapshot, recap_history, recap_rows
from reports.suppression import public_edition
from reports.text import recap_notes, statistics_title, summary_sentences

RECENT_RUNS = 10


def _snapshot(request: AuthedRequest, form: StatisticsForm) -> Snapshot:
    snapshot = statistics_from(form.params(), request_reporting_source(request))
    return public_edition(snapshot) if form.chosen_edition == ReportRun.Edition.PUBLIC else snapshot


# The breakdowns officials quote most, shown under the headline and the trend; every other
# table is one click away in its section (loaded on demand).
TOP_TABLES = ("victims_form", "cases_place", "perpetrators_relationship")
ALL_SECTIONS = "semua"  # ?bagian=semua: every section in the page (no JavaScript, printing)


def _dashboard(
    request: AuthedRequest, form: StatisticsForm, run_form: ReportRunForm, status: int = 200
) -> HttpResponse:
    snapshot = _snapshot(request, form) if not form.is_bound or form.is_valid() else None
    charts = snapshot_charts(snapshot) if snapshot else {}
    shown = request.GET.get("bagian", "")
    query = request.GET.copy()
    query.pop("bagian", None)
    context = {
        "form": form,
        "run_form": run_form,
        "s": snapshot,
        "title": statistics_title(snapshot),
        "charts": charts,
        "summary": summary_sentences(snapshot) if snapshot else [],
        "recap_notes": recap_notes(snapshot) if snapshot else [],
        "query": query.urlencode(),
        "all_sections": ALL_SECTIONS,
        **(_dashboard_parts(snapshot, charts) if snapshot else {"sections": []}),
    }
    context["inline_keys"] = (
        {x["key"] for x in context["sections"]} if shown == ALL_SECTIONS else {shown}
    )
    if partial_request(request) and shown:  # one section opened: its tables only
        section = next((x for x in context["sections"] if x["key"] == shown), None)
        if section is None:
            raise Http404
        context["section"] = section
        return render(request, "reports/dashboard.html#section_body", context, status=status)
    context["runs"] = list(
        access.visible_report_runs(request.user).select_related("authority")[:RECENT_RUNS]
    )
    return render(request, "reports/dashboard.html", context, status=status)


def _dashboard_parts(snapshot: Snapshot, charts: dict[str, Chart]) -> dict[str, Any]:
    """The answer first (headline with its change, trend, three breakdowns, each chart also
    drawn narrow for phones), then the other tables by section."""
    phone = snapshot_charts(snapshot, narrow=True)
    trend = "trend_months" if snapshot.periodic else "trend_line"
    top = [
        {"table": snapshot.table(key), "chart": charts.get(key), "phone": phone.get(key)}
        for key in TOP_TABLES
        if snapshot.table(key) is not None
    ]
    shown_above = {"headline", *TOP_TABLES}
    rest = []
    for section, narrow in zip(sections(snapshot, charts), sections(snapshot, phone), strict=True):
        blocks = [
            {"table": b.table, "chart": b.chart, "phone": n.chart}
            for b, n in zip(section.blocks, narrow.blocks, strict=True)
            if b.table is None or b.table.key not in shown_above
        ]
        if blocks:
            rest.append({"key": section.key, "heading": section.heading, "blocks": blocks})
    return {
        "headline": headline(snapshot),
        "headline_table": snapshot.table("headline"),
        "trend": {"chart": charts.get(trend), "phone": phone.get(trend)},
        "top": top,
        "sections": rest,
    }


@login_required
@require_GET
def dashboard(request: AuthedRequest) -> HttpResponse:
    access.deny_unless_statistics(request.user)
    form = StatisticsForm(request.GET or None, user=request.user)
    initial = request.GET.dict() if form.is_bound else {}
    run_form = ReportRunForm(user=request.user, initial=initial)
    return _dashboard(request, form, run_form)


@login_required
@require_POST
def export(request: AuthedRequest, fmt: str) -> HttpResponse:
    """Ask for the CSV/XLSX of the dashboard's filters (in the address, as on the dashboard):
    the file is made in the background; the answer is its progress page."""
    access.deny_unless_statistics(request.user)
    form = StatisticsForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        return _dashboard(request, form, ReportRunForm(user=request.user), status=400)
    params, edition = form.params(), form.chosen_edition
    run = jobs.export_run_request(
        actor=request.user,
        kind=ExportRun.Kind.STATISTICS,
        fmt=fmt,
        params={"report": params.to_dict(), "edition": edition},
        filename=statistics_filename(params, edition, fmt),
        language=translation.get_language() or "id",
    )
    return redirect("reports:export_detail", code=run.code)


def _export_page(request: AuthedRequest, run: ExportRun, status: int = 200) -> HttpResponse:
    context = jobs.progress_context(
        run,
        jobs.job_state(run),
        status_url=reverse("reports:export_status", kwargs={"code": run.code}),
        download_url=reverse("reports:export_download", kwargs={"code": run.code}),
    )
    return render(request, "reports/export_detail.html", context, status=status)


@login_required
@require_GET
def export_detail(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    return _export_page(request, access.get_export_run_for_user(request.user, code))


@login_required
@require_GET
def export_status(request: AuthedRequest, code: uuid.UUID) -> JsonResponse:
    run = access.get_export_run_for_user(request.user, code)
    download = reverse("reports:export_download", kwargs={"code": run.code})
    return jobs.status_response(run, jobs.job_state(run), download)


@login_required
@require_GET
def export_download(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    run = access.get_export_run_for_user(request.user, code)
    if run.status != ExportRun.Status.DONE:
        return _export_page(request, run, status=409)
    if not run.file:  # removed a day after it was made (reports.jobs.export_files_purge)
        message = _("Berkas ini sudah dihapus. Minta unduhan baru dari halaman statistik.")
        return render(request, "privacy/export_gone.html", {"message": message}, status=410)
    log_access(
        request,
        action=AccessLog.Action.DOWNLOAD,
        obj=run,
        purpose=_("Unduh statistik (%(fmt)s)") % {"fmt": run.fmt.upper()},
    )
    response = HttpResponse(jobs.export_file(run), content_type=run.content_type)
    response["Content-Disposition"] = f'attachment; filename="{run.filename}"'
    return response


@login_required
@require_POST
def run_create(request: AuthedRequest) -> HttpResponse:
    access.deny_unless_statistics(request.user)
    run_form = ReportRunForm(request.POST, user=request.user)
    if not run_form.is_valid():
        form = StatisticsForm(user=request.user)
        return _dashboard(request, form, run_form, status=400)
    run = services.report_run_request(
        actor=request.user,
        params=run_form.params(),
        edition=run_form.chosen_edition,
        language=run_form.cleaned_data["language"],
    )
    return redirect("reports:run_detail", code=run.code)


def _run_page(request: AuthedRequest, run: ReportRun, status: int = 200) -> HttpResponse:
    context = jobs.progress_context(
        run,
        services.run_state(run),
        status_url=reverse("reports:run_status", kwargs={"code": run.code}),
        download_url=reverse("reports:run_download", kwargs={"code": run.code}),
    )
    context |= {"run": run, "params": run.params}
    return render(request, "reports/run_detail.html", context, status=status)


@login_required
@require_GET
def run_detail(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    return _run_page(request, access.get_report_run_for_user(request.user, code))


@login_required
@require_GET
def run_status(request: AuthedRequest, code: uuid.UUID) -> JsonResponse:
    run = access.get_report_run_for_user(request.user, code)
    download = reverse("reports:run_download", kwargs={"code": run.code})
    return jobs.status_response(run, services.run_state(run), download)


@login_required
@require_GET
def run_download(request: AuthedRequest, code: uuid.UUID) -> HttpResponse | FileResponse:
    run = access.get_report_run_for_user(request.user, code)
    if run.status != ReportRun.Status.DONE:
        return _run_page(request, run, status=409)
    log_access(
        request,
        action=AccessLog.Action.DOWNLOAD,
        obj=run,
        purpose=_("Unduh laporan statistik (%(edition)s)") % {"edition": run.edition},
    )
    return FileResponse(
        run.file.open("rb"),
        as_attachment=True,
        filename=services.run_filename(run),
        content_type="application/pdf",
    )


# --- Coordination meetings: statistics pack and minutes (reports reads coordination) ----------


@login_required
@require_http_methods(["GET", "POST"])
def meeting_pack(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    meeting = coordination_access.get_meeting_for_user(request.user, code, write=True)
    access.deny_unless_statistics(request.user)
    form = MeetingPackForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_pack_attach(
                actor=request.user,
                meeting=meeting,
                params=form.params(),
                edition=form.cleaned_data["edition"],
                language=form.cleaned_data["language"],
            )
        except services.ReportRequestError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Paket statistik sedang dibuat dan tertaut ke rapat ini."))
            return redirect("coordination:detail", code=meeting.code)
    return render(
        request,
        "reports/meeting_pack.html",
        {"form": form, "m": meeting},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_GET
def meeting_minutes(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    meeting = coordination_access.get_meeting_for_user(request.user, code)
    # Imported here: only printing loads WeasyPrint (banned at module level, see pyproject).
    from reports.minutes import render_minutes

    body, _pages = render_minutes(meeting)
    log_access(
        request, action=AccessLog.Action.PRINT, obj=meeting, purpose=_("Cetak notulen rakor")
    )
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="notulen-{meeting.code}.pdf"'
    return response


# --- Yearly recaps (years without case-level records) -------------------------------------------


@login_required
@require_GET
def recap_list(request: AuthedRequest) -> HttpResponse:
    access.deny_unless_recaps(request.user)
    return render(
        request,
        "reports/recap_list.html",
        {"recaps": recap_rows(access.visible_recaps(request.user))},
    )


@login_required
@require_http_methods(["GET", "POST"])
def recap_create(request: AuthedRequest) -> HttpResponse:
    access.deny_unless_recaps(request.user)
    form = RecapForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            recap = services.recap_create(actor=request.user, values=form.cleaned_data)
        except services.RecapError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Rekap tahunan dicatat."))
            return redirect("reports:recap_detail", code=recap.code)
    return render(request, "reports/recap_form.html", {"form": form})


def _recap_page(
    request: AuthedRequest,
    recap: YearlyRecap,
    form: RecapForm | None = None,
    withdraw_form: RecapWithdrawForm | None = None,
) -> HttpResponse:
    context = {
        "recap": recap,
        "form": form or RecapForm(instance=recap, user=request.user),
        "withdraw_form": withdraw_form or RecapWithdrawForm(),
        "history": recap_history(recap),
    }
    return render(request, "reports/recap_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def recap_detail(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    recap = access.get_recap_for_user(request.user, code)
    if request.method == "GET":
        return _recap_page(request, recap)
    form = RecapForm(request.POST, instance=recap, user=request.user)
    if form.is_valid():
        try:
            services.recap_update(actor=request.user, recap=recap, values=form.cleaned_data)
        except services.RecapError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Rekap tahunan disimpan."))
            return redirect("reports:recap_detail", code=recap.code)
    recap.refresh_from_db()  # the form wrote the posted values into the instance
    return _recap_page(request, recap, form=form)


@login_required
@require_POST
def recap_withdraw(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    recap = access.get_recap_for_user(request.user, code)
    form = RecapWithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.recap_withdraw(
                actor=request.user, recap=recap, reason=form.cleaned_data["reason"]
            )
        except services.RecapError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Rekap ditarik; statistik tidak lagi memakainya."))
            return redirect("reports:recap_list")
    return _recap_page(request, recap, withdraw_form=form)
