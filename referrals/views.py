"""Referral pages: thin views (access helper → form/service → redirect)."""

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cases import access as cases_access
from cases.models import Case
from ppa import access as ppa_access
from ppa.audit import log_access
from ppa.http import AuthedRequest, partial_request
from ppa.models import AccessLog, Role, User
from referrals import access, selectors, services
from referrals.forms import FIELD_GROUP_LABELS, NoteForm, ReasonForm, ReferralForm
from referrals.models import Referral

TAB_LABELS = {
    "approval": gettext_lazy("Menunggu persetujuan saya"),
    "sent": gettext_lazy("Terkirim"),
    "received": gettext_lazy("Diterima"),
    "overdue": gettext_lazy("Terlambat"),
}

REASON_LABELS = {
    "return": gettext_lazy("Komentar untuk perujuk"),
    "decline": gettext_lazy("Alasan menolak"),
    "cancel": gettext_lazy("Alasan membatalkan"),
    "action": gettext_lazy("Tindakan yang dilakukan"),
}


@login_required
def inbox(request: AuthedRequest) -> HttpResponse:
    # Officials and administrators work with statistics, not referral records.
    ppa_access.deny_unless(
        ppa_access.has_role(
            request.user, Role.INTAKE, Role.CASE_WORKER, Role.SUPERVISOR, Role.PARTNER
        )
        and request.user.agency_id is not None
    )
    tabs = selectors.inbox_tabs(request.user)
    tab = request.GET.get("tab", tabs[0])
    if tab not in tabs:
        tab = tabs[0]
    counts = selectors.inbox_counts(request.user, tabs)
    page = Paginator(selectors.inbox_rows(request.user, tab), 25).get_page(request.GET.get("page"))
    context: dict[str, object] = {
        "tabs": [{"key": t, "label": TAB_LABELS[t], "count": counts.get(t, 0)} for t in tabs],
        "tab": tab,
        "page": page,
    }
    if partial_request(request):  # a tab opened, or the counts refreshed, in place (htmx)
        response = render(request, "referrals/inbox.html#inbox_part", context)
    else:
        context["unread"] = selectors.unread_count(request.user)
        response = render(request, "referrals/inbox.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _case_url(case: Case) -> str:
    return reverse("cases:detail", kwargs={"code": case.code})


def _detail_context(request: AuthedRequest, referral: Referral, forms: dict | None = None) -> dict:
    user = request.user
    forms = forms or {}
    for key in REASON_LABELS:
        forms.setdefault(key, ReasonForm(prefix=key, label=REASON_LABELS[key]))
    forms.setdefault("complete", NoteForm(prefix="complete"))
    content = access.can_see_referral_content(user, referral)
    case_access = cases_access.case_access(user, referral.case)
    return {
        "referral": referral,
        "side": access.referral_side(user, referral),
        "content": content,
        "services": list(referral.services.all()),
        "victims": list(referral.victims.all()) if content else [],
        "show_identity": case_access.shows("victim_identity"),
        "shared_labels": [FIELD_GROUP_LABELS.get(g, g) for g in referral.shared_groups],
        "events": selectors.referral_timeline(referral),
        "case_url": _case_url(referral.case) if case_access.can_view else "",
        "can": {
            "edit": access.can_edit_referral(user, referral),
            "submit": access.can_submit_referral(user, referral),
            "approve": access.can_approve_referral(user, referral),
            "answer": access.can_answer_referral(user, referral),
            "cancel": access.can_cancel_referral(user, referral),
        },
        "forms": forms,
    }


@login_required
def detail(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    referral = access.get_referral_for_user(request.user, code)
    if access.can_see_referral_content(request.user, referral):
        log_access(request, action=AccessLog.Action.VIEW, obj=referral)
    return render(request, "referrals/detail.html", _detail_context(request, referral))


@login_required
def create(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    case = cases_access.get_case_for_user(request.user, code)
    ppa_access.deny_unless(access.can_draft_referral(request.user, case))
    form = ReferralForm(request.POST or None, user=request.user, case=case)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_draft(actor=request.user, case=case, data=form.to_data())
            if "submit" in request.POST:
                services.referral_submit(actor=request.user, referral=referral)
                messages.success(request, _("Rujukan diajukan untuk persetujuan supervisor."))
            else:
                messages.success(request, _("Draf rujukan disimpan."))
            return redirect("referrals:detail", code=referral.code)
        except services.ReferralError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render(request, "referrals/form.html", {"form": form, "case": case, "referral": None})


@login_required
def edit(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    referral = access.get_referral_for_user(request.user, code, write=True)
    ppa_access.deny_unless(access.can_edit_referral(request.user, referral))
    form = ReferralForm(
        request.POST or None,
        user=request.user,
        case=referral.case,
        initial=ReferralForm.initial_from(referral),
    )
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_update(
                actor=request.user, referral=referral, data=form.to_data()
            )
            if "submit" in request.POST:
                services.referral_submit(actor=request.user, referral=referral)
                messages.success(request, _("Rujukan diajukan untuk persetujuan supervisor."))
            else:
                messages.success(request, _("Rujukan disimpan."))
            return redirect("referrals:detail", code=referral.code)
        except services.ReferralError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render(
        request, "referrals/form.html", {"form": form, "case": referral.case, "referral": referral}
    )


def _step(
    request: AuthedRequest,
    code: uuid.UUID,
    *,
    allowed: Callable[[User, Referral], bool],
    run: Callable[..., object],
    form_key: str | None = None,
    done: str,
) -> HttpResponse:
    """A POSTed step: 404 outsiders, 403 those who may not take it, then the service. A
    refused step (wrong state) comes back as a message on the page, with nothing changed."""
    referral = access.get_referral_for_user(request.user, code, write=True)
    ppa_access.deny_unless(allowed(request.user, referral))
    kwargs = {}
    if form_key:
        form_cls = NoteForm if form_key == "complete" else ReasonForm
        extra: dict[str, Any] = {} if form_key == "complete" else {"label": REASON_LABELS[form_key]}
        form = form_cls(request.POST, prefix=form_key, **extra)
        if not form.is_valid():
            context = _detail_context(request, referral, {form_key: form})
            return render(request, "referrals/detail.html", context)
        kwargs = dict(form.cleaned_data)
    try:
        run(actor=request.user, referral=referral, **kwargs)
    except services.ReferralError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("referrals:detail", code=referral.code)


def _sender_actor(user: User, referral: Referral) -> bool:
    return access.referral_side(user, referral) == "sender" and ppa_access.has_role(
        user, Role.CASE_WORKER, Role.SUPERVISOR
    )


def _supervisor(user: User, referral: Referral) -> bool:
    return access.is_referral_supervisor(user, referral.from_agency_id)


def _receiver(user: User, referral: Referral) -> bool:
    return access.referral_side(user, referral) == "receiver"


@login_required
@require_POST
def submit(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    return _step(
        request,
        code,
        allowed=_sender_actor,
        run=services.referral_submit,
        done=_("Rujukan diajukan untuk persetujuan supervisor."),
    )


@login_required
@require_POST
def approve(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    return _step(
        request,
        code,
        allowed=_supervisor,
        run=services.referral_approve,
        done=_("Rujukan disetujui dan sedang dikirim ke lembaga tujuan."),
    )


@login_required
@require_POST
def return_(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    return _step(
        request,
        code,
        allowed=_supervisor,
        run=lambda *, reason, **kw: services.referral_return(comment=reason, **kw),
        form_key="return",
        done=_("Rujukan dikembalikan ke perujuk."),
    )


@login_required
@require_POST
def accept(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    return _step(
        request,
        code,
        allowed=_receiver,
        run=services.referral_accept,
        done=_("Rujukan diterima."),
    )


@login_required
@require_POST
def decline(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    return _step(
        request,
        code,
        allowed=_receiver,
        run=services.referral_decline,
        form_key="decline",
        done=_("Rujukan ditolak; akses lembaga Anda ke kasus ini dicabut."),
    )


@login_required
@require_POST
def record_action(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    return _step(
        request,
        code,
        allowed=_receiver,
        run=lambda *, reason, **kw: services.referral_record_action(note=reason, **kw),
        form_key="action",
        done=_("Tindakan dicatat."),
    )


@login_required
@require_POST
def complete(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    return _step(
        request,
        code,
        allowed=_receiver,
        run=services.referral_complete,
        form_key="complete",
        done=_("Rujukan diselesaikan."),
    )


@login_required
@require_POST
def cancel(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    return _step(
        request,
        code,
        allowed=lambda user, referral: _sender_actor(user, referral) or _receiver(user, referral),
        run=services.referral_cancel,
        form_key="cancel",
        done=_("Rujukan dibatalkan."),
    )


@login_required
def notifications(request: AuthedRequest) -> HttpResponse:
    page = Paginator(selectors.user_notifications(request.user), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "referrals/notifications.html", {"page": page})


@login_required
@require_POST
def notifications_read(request: AuthedRequest) -> HttpResponse:
    services.notifications_mark_read(actor=request.user)
    return redirect("referrals:notifications")
