"""Coordination meeting pages: list, create, the meeting page with its editing forms, and
the follow-up actions of an agency. Access through `coordination.access` only."""

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coordination import access, selectors, services
from coordination.forms import (
    ActionForm,
    AttendanceForm,
    DecisionForm,
    MeetingForm,
    MinutesForm,
    ProgressForm,
)
from coordination.models import Meeting
from coordination.services import CoordinationError
from ppa.access import deny_unless
from ppa.http import AuthedRequest


def _deny_unless_member(request: AuthedRequest) -> None:
    deny_unless(access.is_member(request.user))


@login_required
@require_GET
def meeting_list(request: AuthedRequest) -> HttpResponse:
    _deny_unless_member(request)
    return render(
        request,
        "coordination/list.html",
        {
            "meetings": list(selectors.meeting_list(request.user)[:100]),
            "can_convene": access.can_convene(request.user),
            "actions": selectors.inbox_actions(request.user, limit=10),
        },
    )


def _error(form: forms.BaseForm, exc: CoordinationError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: AuthedRequest) -> HttpResponse:
    deny_unless(access.can_convene(request.user))
    form = MeetingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(actor=request.user, data=form.data_object())
        except CoordinationError as exc:
            _error(form, exc)
        else:
            return redirect("coordination:detail", code=meeting.code)
    return render(request, "coordination/form.html", {"form": form})


def _page(request: AuthedRequest, meeting: Meeting, **bound: forms.BaseForm) -> HttpResponse:
    """The meeting page; a refused form is shown again with its messages and the input."""
    page = selectors.meeting_page(meeting)
    editable = access.can_edit_meeting(request.user, meeting)
    context = {"page": page, "m": meeting, "editable": editable}
    if editable:
        context |= {
            "attendance_form": bound.get("attendance")
            or AttendanceForm(invitations=page.invitations),
            "minutes_form": bound.get("minutes") or MinutesForm(items=page.agenda),
            "decision_form": bound.get("decision") or DecisionForm(meeting=meeting),
            "action_form": bound.get("action") or ActionForm(meeting=meeting),
        }
    return render(request, "coordination/detail.html", context)


@login_required
@require_GET
def meeting_detail(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    meeting = access.get_meeting_for_user(request.user, code)
    return _page(request, meeting)


@login_required
@require_POST
def attendance(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    meeting = access.get_meeting_for_user(request.user, code, write=True)
    form = AttendanceForm(request.POST, invitations=meeting.invitations.select_related("agency"))
    if not form.is_valid():
        return _page(request, meeting, attendance=form)
    services.attendance_record(actor=request.user, meeting=meeting, present=form.present())
    messages.success(request, _("Daftar hadir disimpan."))
    return redirect("coordination:detail", code=meeting.code)


@login_required
@require_POST
def minutes(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    meeting = access.get_meeting_for_user(request.user, code, write=True)
    form = MinutesForm(request.POST, items=meeting.agenda.all())
    if not form.is_valid():
        return _page(request, meeting, minutes=form)
    services.minutes_record(actor=request.user, meeting=meeting, minutes=form.minutes())
    messages.success(request, _("Notulen disimpan."))
    return redirect("coordination:detail", code=meeting.code)


@login_required
@require_POST
def decision(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    meeting = access.get_meeting_for_user(request.user, code, write=True)
    form = DecisionForm(request.POST, meeting=meeting)
    if form.is_valid():
        action = form.action()
        try:
            services.decision_record(
                actor=request.user,
                meeting=meeting,
                text=form.cleaned_data["text"],
                agenda_item=form.cleaned_data["agenda_item"],
                actions=[action] if action else [],
            )
        except CoordinationError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("Keputusan disimpan."))
            return redirect("coordination:detail", code=meeting.code)
    return _page(request, meeting, decision=form)


@login_required
@require_POST
def action_create(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    meeting = access.get_meeting_for_user(request.user, code, write=True)
    form = ActionForm(request.POST, meeting=meeting)
    data = form.action() if form.is_valid() else None  # a valid form always names an action
    if data is not None:
        try:
            services.action_add(
                actor=request.user, decision=form.cleaned_data["decision"], data=data
            )
        except CoordinationError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("Tindak lanjut ditambahkan."))
            return redirect("coordination:detail", code=meeting.code)
    return _page(request, meeting, action=form)


@login_required
@require_GET
def actions(request: AuthedRequest) -> HttpResponse:
    _deny_unless_member(request)
    services.notices_mark_read(actor=request.user)
    return render(
        request,
        "coordination/actions.html",
        {"actions": selectors.inbox_actions(request.user, limit=200)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def action_detail(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    action = access.get_action_for_user(request.user, code, write=request.method == "POST")
    can_update = access.can_update_action(request.user, action) and not action.is_done
    form = ProgressForm(request.POST or None) if can_update else None
    if request.method == "POST":
        deny_unless(can_update)
        if form is not None and form.is_valid():
            try:
                services.action_progress(
                    actor=request.user,
                    action=action,
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data["note"],
                )
            except CoordinationError as exc:
                _error(form, exc)
            else:
                messages.success(request, _("Perkembangan tindak lanjut dicatat."))
                return redirect("coordination:action", code=action.code)
    return render(
        request,
        "coordination/action.html",
        {"a": action, "updates": selectors.action_updates(action), "form": form},
    )
