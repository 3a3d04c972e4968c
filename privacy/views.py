"""Case-record exports: a stated reason, a log row, a one-time link that expires."""

import json
import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render

from cases import access as cases_access
from ppa import access as ppa_access
from ppa.audit import client_ip
from ppa.http import AuthedRequest
from privacy.forms import ExportRequestForm
from privacy.models import CaseExport
from privacy.services import ExportRefused, case_export_request, case_export_take, case_payload


@login_required
def export_request(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    """Ask for an export of one case's records (owner agency's case workers and supervisors)."""
    case = cases_access.get_case_for_user(request.user, code)
    ppa_access.deny_unless(cases_access.can_export_case_records(request.user, case))
    form = ExportRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            export = case_export_request(
                actor=request.user,
                case=case,
                reason=form.cleaned_data["reason"],
                ip_address=client_ip(request),
                path=request.path,
            )
        except ExportRefused as refusal:
            form.add_error("reason", str(refusal))
        else:
            return render(request, "privacy/export_ready.html", {"export": export, "case": case})
    return render(request, "privacy/export_request.html", {"form": form, "case": case})


@login_required
def export_download(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    """The file, once, for the user who asked, before it expires; 404 for anyone else."""
    export = get_object_or_404(CaseExport, code=code, requested_by=request.user)
    case = cases_access.get_case_for_user(request.user, export.case.code)
    if not case.access.is_owner:
        raise Http404
    try:
        case_export_take(
            actor=request.user, export=export, ip_address=client_ip(request), path=request.path
        )
    except ExportRefused as refusal:
        return render(request, "privacy/export_gone.html", {"message": str(refusal)}, status=410)
    body = json.dumps(
        {
            "ekspor": str(export.code),
            "alasan": export.reason,
            "kasus": case_payload(case, case.access.field_groups),
        },
        ensure_ascii=False,
        indent=2,
    )
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"ekspor-kasus-{case.number.replace('/', '-')}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
