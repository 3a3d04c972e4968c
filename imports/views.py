"""Pages of the imports app: access helper, form or service, redirect (docs/imports.md)."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import require_GET, require_POST

from imports import access, selectors, services
from imports.forms import CaseUploadForm, UploadForm
from imports.models import ImportBatch
from imports.template import case_csv_templates, case_template
from ppa import access as ppa_access
from ppa.http import AuthedRequest


def _upload_page(request: AuthedRequest, kind: str, template: str) -> HttpResponse:
    cases = kind == ImportBatch.Kind.CASES
    form_class = CaseUploadForm if cases else UploadForm
    form = form_class(request.POST, request.FILES) if request.method == "POST" else form_class()
    if request.method == "POST" and form.is_valid():
        chosen = form.csv_files() if isinstance(form, CaseUploadForm) else {}
        batch = services.batch_create(
            actor=request.user,
            kind=kind,
            upload=services.csv_bundle(chosen) if chosen else form.cleaned_data["file"],
            language=translation.get_language() or "id",
        )
        return redirect("imports:detail", code=batch.code)
    batches = selectors.batches(request.user, kind)
    status = 400 if form.is_bound else 200
    return render(request, template, {"form": form, "batches": batches}, status=status)


@login_required
def index(request: AuthedRequest) -> HttpResponse:
    """Case imports: the template, the upload form and the office's imports."""
    ppa_access.deny_unless(access.can_import_cases(request.user))
    return _upload_page(request, ImportBatch.Kind.CASES, "imports/index.html")


@login_required
def population(request: AuthedRequest) -> HttpResponse:
    ppa_access.deny_unless(access.can_import_population(request.user))
    return _upload_page(request, ImportBatch.Kind.POPULATION, "imports/population.html")


@login_required
@require_GET
def template_download(request: AuthedRequest) -> HttpResponse:
    ppa_access.deny_unless(access.can_import_cases(request.user))
    assert request.user.agency is not None
    response = HttpResponse(
        case_template(request.user.agency),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="templat-impor-kasus.xlsx"'
    return response


@login_required
@require_GET
def csv_template_download(request: AuthedRequest) -> HttpResponse:
    """The four sheets' headers as CSV files (UTF-8, `,`) in one ZIP."""
    ppa_access.deny_unless(access.can_import_cases(request.user))
    assert request.user.agency is not None
    response = HttpResponse(case_csv_templates(request.user.agency), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="templat-impor-kasus-csv.zip"'
    return response


@login_required
@require_GET
def detail(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    """The preview of a checked file, the progress of a running one, or the result."""
    batch = access.get_batch_for_user(request.user, code)
    return render(request, "imports/detail.html", {"batch": batch})


@login_required
@require_POST
def confirm(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    batch = access.get_batch_for_user(request.user, code)
    try:
        services.batch_confirm(actor=request.user, batch=batch)
    except services.ImportRefused as refusal:
        messages.error(request, str(refusal))
    return redirect("imports:detail", code=batch.code)
