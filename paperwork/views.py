"""Printed documents: print a referral letter, ask for a case summary, follow the rendering,
download (logged), verify a letter, set the signature details."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases import access as case_rules
from paperwork import access as paper_access
from paperwork import agenda as deadlines
from paperwork.forms import (
    AgencyHeadForm,
    SignerForm,
    SimfoniExportForm,
    SummaryRequestForm,
    VerifyForm,
)
from paperwork.models import SignerProfile, SimfoniExport
from paperwork.services import (
    NotReady,
    PrintRefused,
    agency_head_set,
    calendar_feed_reset,
    calendar_feed_user,
    case_summary_request,
    document_take,
    referral_letter_issue,
    signer_profile_set,
    simfoni_export_mark,
    simfoni_export_request,
    simfoni_export_take,
)
from paperwork.services import (
    letter_verify as verify_letter,
)
from ppa import access as roles
from ppa.audit import client_ip
from ppa.http import AuthedRequest
from referrals import access as referral_rules
from reports import jobs


@login_required
@require_POST
def letter_print(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    referral = referral_rules.get_referral_for_user(request.user, code, write=True)
    roles.deny_unless(paper_access.can_print_referral_letter(request.user, referral))
    document = referral_letter_issue(actor=request.user, referral=referral)
    return redirect("paperwork:document_detail", code=document.code)


@login_required
def summary_request(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    case = case_rules.get_case_for_user(request.user, code)
    roles.deny_unless(paper_access.can_print_case_summary(request.user, case))
    form = SummaryRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = case_summary_request(
                actor=request.user,
                case=case,
                reason=form.cleaned_data["reason"],
                chronology=form.cleaned_data["chronology"],
                ip=client_ip(request),
                path=request.path,
            )
        except PrintRefused as refusal:
            form.add_error("reason", str(refusal))
        else:
            return redirect("paperwork:document_detail", code=document.code)
    narrative = case.access.shows(case_rules.FieldGroup.NARRATIVE)
    if not narrative:
        form.fields.pop("chronology")
    return render(request, "paperwork/summary_request.html", {"form": form, "case": case})


@login_required
def document_detail(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    document = paper_access.get_document_for_user(request.user, code)
    return render(request, "paperwork/document.html", {"document": document})


@login_required
def document_download(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    document = paper_access.get_document_for_user(request.user, code)
    try:
        taken = document_take(
            actor=request.user, document=document, ip=client_ip(request), path=request.path
        )
    except PrintRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("paperwork:document_detail", code=document.code)
    response = HttpResponse(taken.content, content_type="application/pdf")
    stem = "surat-rujukan" if document.referral_id else "ringkasan-kasus"
    suffix = "-salinan" if taken.is_copy else ""
    filename = f"{stem}-{document.case.number.replace('/', '-')}{suffix}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Checksum-SHA256"] = taken.sha256
    return response


@login_required
def letter_verify(request: AuthedRequest) -> HttpResponse:
    """Signed-in staff of the sending or receiving agency confirm a letter's code and checksum."""
    roles.deny_unless(roles.has_role(request.user, *paper_access.VERIFYING_ROLES))
    form = VerifyForm(request.GET or None)
    context: dict = {"form": form, "checked": False}
    if request.GET and form.is_valid():
        context["checked"] = True
        context["letter"] = verify_letter(
            actor=request.user,
            referral_code=form.cleaned_data["referral"],
            checksum=form.cleaned_data["checksum"],
        )
    return render(request, "paperwork/verify.html", context)


def _signature_forms(request: AuthedRequest) -> tuple[SignerForm, AgencyHeadForm | None]:
    profile = SignerProfile.objects.filter(user=request.user).first()
    post = request.POST if request.method == "POST" else None
    signer = SignerForm(
        post if post and "signer" in post else None,
        initial={"title": profile.title if profile else "", "nip": profile.nip if profile else ""},
    )
    head = None
    if paper_access.can_set_agency_head(request.user):
        agency = request.user.agency
        assert agency is not None, "can_set_agency_head requires an agency"
        head = AgencyHeadForm(
            post if post and "head" in post else None,
            initial={
                "head_name": agency.head_name,
                "head_title": agency.head_title,
                "head_nip": agency.head_nip,
            },
        )
    return signer, head


@login_required
def signatures(request: AuthedRequest) -> HttpResponse:
    """Your own title and NIP; for supervisors and officials also the agency's head."""
    roles.deny_unless(request.user.agency_id is not None)
    signer, head = _signature_forms(request)
    if request.method == "POST" and signer.is_bound and signer.is_valid():
        signer_profile_set(actor=request.user, **signer.cleaned_data)
        messages.success(request, _("Data tanda tangan Anda tersimpan."))
        return redirect("paperwork:signatures")
    if request.method == "POST" and head is not None and head.is_bound and head.is_valid():
        try:
            agency_head_set(
                actor=request.user,
                name=head.cleaned_data["head_name"],
                title=head.cleaned_data["head_title"],
                nip=head.cleaned_data["head_nip"],
            )
        except PrintRefused as refusal:
            head.add_error(None, str(refusal))
        else:
            messages.success(request, _("Kepala lembaga tersimpan."))
            return redirect("paperwork:signatures")
    return render(request, "paperwork/signatures.html", {"signer": signer, "head": head})


@login_required
def simfoni(request: AuthedRequest) -> HttpResponse:
    """The SIMFONI export: a period and a reason; the answer is a one-time expiring link."""
    roles.deny_unless(paper_access.can_export_simfoni(request.user))
    form = SimfoniExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            export = simfoni_export_request(
                actor=request.user,
                **form.cleaned_data,
                ip=client_ip(request),
                path=request.path,
            )
        except PrintRefused as refusal:
            form.add_error("reason", str(refusal))
        else:
            return redirect("paperwork:simfoni_progress", code=export.code)
    assert request.user.agency_id is not None, "can_export_simfoni requires an agency"
    recent = SimfoniExport.objects.filter(agency_id=request.user.agency_id).select_related(
        "requested_by"
    )[:20]
    return render(request, "paperwork/simfoni.html", {"form": form, "recent": recent})


def _simfoni_page(request: AuthedRequest, export: SimfoniExport, status: int = 200) -> HttpResponse:
    assert export.run is not None
    context = jobs.progress_context(
        export.run,
        jobs.job_state(export.run),
        status_url=reverse("paperwork:simfoni_status", kwargs={"code": export.code}),
        download_url=reverse("paperwork:simfoni_download", kwargs={"code": export.code}),
    )
    context["export"] = export
    return render(request, "paperwork/simfoni_ready.html", context, status=status)


@login_required
@require_GET
def simfoni_progress(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    """The file being made, then its one-time download link."""
    return _simfoni_page(request, paper_access.get_own_simfoni_export_for_user(request.user, code))


@login_required
@require_GET
def simfoni_status(request: AuthedRequest, code: uuid.UUID) -> JsonResponse:
    export = paper_access.get_own_simfoni_export_for_user(request.user, code)
    assert export.run is not None
    download = reverse("paperwork:simfoni_download", kwargs={"code": export.code})
    return jobs.status_response(export.run, jobs.job_state(export.run), download)


@login_required
@require_GET
def simfoni_download(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    export = paper_access.get_simfoni_export_for_user(request.user, code)
    try:
        content = simfoni_export_take(
            actor=request.user, export=export, ip=client_ip(request), path=request.path
        )
    except NotReady:
        return _simfoni_page(request, export, status=409)
    except PrintRefused as refusal:
        return render(request, "privacy/export_gone.html", {"message": str(refusal)}, status=410)
    assert export.run is not None
    response = HttpResponse(content, content_type=export.run.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.run.filename}"'
    return response


@login_required
@require_POST
def simfoni_mark(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    export = paper_access.get_simfoni_export_for_user(request.user, code)
    try:
        count = simfoni_export_mark(actor=request.user, export=export)
    except PrintRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request, _("%(n)s kasus ditandai sudah diinput ke SIMFONI.") % {"n": count}
        )
    return redirect("paperwork:simfoni")


def _window(request: HttpRequest) -> int:
    try:
        days = int(request.GET.get("hari", 14))
    except ValueError:
        days = 14
    return days if days in deadlines.WINDOWS else 14


@login_required
def agenda_page(request: AuthedRequest) -> HttpResponse:
    """Case workers' and supervisors' deadlines: overdue first, then the coming days."""
    roles.deny_unless(paper_access.can_see_agenda(request.user))
    days = _window(request)
    entries = deadlines.agenda(request.user, days=days)
    context = {
        "entries": entries,
        "days": days,
        "windows": deadlines.WINDOWS,
        "overdue": sum(e.overdue for e in entries),
        "has_feed": hasattr(request.user, "calendar_feed"),
    }
    return render(request, "paperwork/agenda.html", context)


@login_required
@require_POST
def agenda_feed_reset(request: AuthedRequest) -> HttpResponse:
    """A new secret feed address, shown once (the old one stops working)."""
    roles.deny_unless(paper_access.can_see_agenda(request.user))
    token = calendar_feed_reset(actor=request.user)
    url = request.build_absolute_uri(reverse("paperwork:agenda_feed", kwargs={"token": token}))
    return render(request, "paperwork/agenda_feed.html", {"feed_url": url})


def agenda_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar feed (no session: the secret token is the key). Kind and case number
    only, never a name."""
    user = calendar_feed_user(token)
    if user is None or not paper_access.can_see_agenda(user):
        raise Http404
    body = deadlines.ical(deadlines.agenda(user, days=max(deadlines.WINDOWS)))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="batas-waktu.ics"'
    return response
