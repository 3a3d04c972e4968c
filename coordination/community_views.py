"""Community task-force reports: the member's short form and status list, the UPTD PPA's
triage queue (start an intake, or close with a reason). Access through `coordination.access`.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coordination import access, selectors, services
from coordination.forms import CloseReportForm, CommunityReportForm
from coordination.models import CommunityReport, CommunityReportStatus
from coordination.services import CoordinationError
from ppa.access import deny_unless
from ppa.http import AuthedRequest


@login_required
@require_GET
def report_list(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if access.is_task_force_member(user):
        reports = list(selectors.my_reports(user)[:100])
        return render(request, "coordination/community/mine.html", {"reports": reports})
    deny_unless(access.can_triage(user))
    queue = list(selectors.triage_queue(user)[:100])
    return render(request, "coordination/community/queue.html", {"reports": queue})


@login_required
@require_http_methods(["GET", "POST"])
def report_create(request: AuthedRequest) -> HttpResponse:
    deny_unless(access.is_task_force_member(request.user))
    agency = request.user.agency
    villages = selectors.report_villages(agency.region_id) if agency is not None else []
    form = CommunityReportForm(request.POST or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.community_report_create(actor=request.user, data=form.data_object())
        except CoordinationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Laporan terkirim ke UPTD PPA. Terima kasih."))
            return redirect("community:detail", code=report.code)
    return render(request, "coordination/community/form.html", {"form": form})


def _detail(
    request: AuthedRequest,
    report: CommunityReport,
    close_form: CloseReportForm | None = None,
) -> HttpResponse:
    if access.is_task_force_member(request.user):
        # The reporter sees the status of their report, never what became of it inside.
        return render(request, "coordination/community/status.html", {"r": report})
    context = {
        "r": report,
        "case": selectors.case_from_report(report),
        "can_start": access.can_start_intake_from(request.user, report)
        and report.status != CommunityReportStatus.CLOSED,
        "close_form": close_form or CloseReportForm(),
    }
    return render(request, "coordination/community/detail.html", context)


@login_required
@require_GET
def report_detail(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    return _detail(request, access.get_community_report_for_user(request.user, code))


@login_required
@require_POST
def report_start_intake(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    report = access.get_community_report_for_user(request.user, code, write=True)
    deny_unless(access.can_start_intake_from(request.user, report))
    try:
        draft = services.community_report_start_intake(actor=request.user, report=report)
    except CoordinationError as exc:
        messages.error(request, exc.message)
        return redirect("community:detail", code=report.code)
    return redirect("cases:intake_step", code=draft.code, step="kejadian")


@login_required
@require_POST
def report_close(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    report = access.get_community_report_for_user(request.user, code, write=True)
    form = CloseReportForm(request.POST)
    if form.is_valid():
        try:
            services.community_report_close(
                actor=request.user, report=report, reason=form.cleaned_data["reason"]
            )
        except CoordinationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Laporan ditutup."))
            return redirect("community:list")
    return _detail(request, report, form)
