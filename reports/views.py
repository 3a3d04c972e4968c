"""Statistics pages: the dashboard with its exports, and the annual PDF runs.

Officials and supervisors only (reports.access); aggregated figures only, never a case.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ppa.audit import log_access
from ppa.db import request_reporting_source
from ppa.http import AuthedRequest
from ppa.models import AccessLog
from reports import access, services
from reports.charts import snapshot_charts
from reports.exports import snapshot_csv, snapshot_xlsx
from reports.forms import ReportRunForm, StatisticsForm
from reports.layout import sections
from reports.models import ReportRun
from reports.replica import statistics_from
from reports.selectors import Snapshot
from reports.suppression import public_edition
from reports.text import summary_sentences

RECENT_RUNS = 10


def _snapshot(request: AuthedRequest, form: StatisticsForm) -> Snapshot:
    snapshot = statistics_from(form.params(), request_reporting_source(request))
    return public_edition(snapshot) if form.chosen_edition == ReportRun.Edition.PUBLIC else snapshot


def _dashboard(
    request: AuthedRequest, form: StatisticsForm, run_form: ReportRunForm, status: int = 200
) -> HttpResponse:
    snapshot = _snapshot(request, form) if not form.is_bound or form.is_valid() else None
    charts = snapshot_charts(snapshot) if snapshot else {}
    context = {
        "form": form,
        "run_form": run_form,
        "s": snapshot,
        "charts": charts,
        "sections": sections(snapshot, charts) if snapshot else [],
        "summary": summary_sentences(snapshot) if snapshot else [],
        "query": request.GET.urlencode(),
        "runs": list(
            access.visible_report_runs(request.user).select_related("authority")[:RECENT_RUNS]
        ),
    }
    return render(request, "reports/dashboard.html", context, status=status)


@login_required
@require_GET
def dashboard(request: AuthedRequest) -> HttpResponse:
    access.deny_unless_statistics(request.user)
    form = StatisticsForm(request.GET or None, user=request.user)
    initial = request.GET.dict() if form.is_bound else {}
    run_form = ReportRunForm(user=request.user, initial=initial)
    return _dashboard(request, form, run_form)


@login_required
@require_GET
def export(request: AuthedRequest, fmt: str) -> HttpResponse:
    access.deny_unless_statistics(request.user)
    form = StatisticsForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid():
        return _dashboard(request, form, ReportRunForm(user=request.user), status=400)
    snapshot = _snapshot(request, form)
    params = form.params()
    name = f"statistik-{params.region_code}-{params.year_from}-{params.year_to}"
    if snapshot.edition == ReportRun.Edition.PUBLIC:
        name += "-publik"
    if fmt == "xlsx":
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        body = snapshot_xlsx(snapshot)
    else:
        content_type, body = "text/csv; charset=utf-8", snapshot_csv(snapshot)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
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


@login_required
@require_GET
def run_detail(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    run = access.get_report_run_for_user(request.user, code)
    return render(
        request,
        "reports/run_detail.html",
        {"run": run, "state": services.run_state(run), "params": run.params},
    )


@login_required
@require_GET
def run_status(request: AuthedRequest, code: uuid.UUID) -> JsonResponse:
    run = access.get_report_run_for_user(request.user, code)
    state = services.run_state(run)
    return JsonResponse(
        {
            "status": run.status,
            "progress": run.progress,
            "message": state.message,
            "waiting_for_worker": state.waiting_for_worker,
            "download_url": reverse("reports:run_download", kwargs={"code": run.code})
            if run.status == ReportRun.Status.DONE
            else None,
        }
    )


@login_required
@require_GET
def run_download(request: AuthedRequest, code: uuid.UUID) -> HttpResponse | FileResponse:
    run = access.get_report_run_for_user(request.user, code)
    if run.status != ReportRun.Status.DONE:
        return render(
            request,
            "reports/run_detail.html",
            {"run": run, "state": services.run_state(run), "params": run.params},
            status=409,
        )
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
