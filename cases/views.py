"""Case pages: intake (stepped, with server-side drafts), list, case page, management actions.

Each view: access helper (cases.access) -> form or service -> redirect (or the page again with
the user's input and the messages next to the fields)."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from cases import access, history, quality, refcache, selectors, services
from cases import forms as f
from cases.intake import (
    ADD_BUTTONS,
    STEP_KEYS,
    STEPS,
    StepForms,
    Wizard,
    add_form,
    posted,
    summary,
)
from cases.models import (
    Case,
    CaseType,
    Deadline,
    IntakeDraft,
    Person,
    PersonRole,
    Status,
    Step,
)
from cases.refcache import per_request_cache
from ppa import access as ppa_access
from ppa.audit import log_access
from ppa.http import AuthedRequest, partial_request
from ppa.models import AccessLog, Agency, Role, User

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise as StrOrPromise

NAME_SEARCH_KEY = "cases_name_search"
PERSON_STEPS = ("korban", "terlapor")  # intake steps that warn of possible duplicates

# --- Intake ----------------------------------------------------------------------------------


def _require_intake(request: AuthedRequest) -> Agency:
    """403 for users who may not register cases; the agency they register for."""
    if not access.can_register_case(request.user) or request.user.agency is None:
        raise PermissionDenied
    return request.user.agency


@login_required
@per_request_cache
def intake(request: AuthedRequest) -> HttpResponse:
    """Step 1 of a new intake; the first save creates the server-side draft."""
    agency = _require_intake(request)
    wizard = Wizard(None, agency)
    if request.method == "POST":
        draft = services.draft_save(
            actor=request.user, draft=None, step="kejadian", data=posted(request.POST)
        )
        return _intake_post(request, Wizard(draft, agency), "kejadian")
    drafts = IntakeDraft.objects.filter(owner=request.user, case__isnull=True).count()
    return _render_step(request, wizard, "kejadian", wizard.build("kejadian"), drafts=drafts)


@login_required
@per_request_cache
def intake_step(request: AuthedRequest, code: uuid.UUID, step: str) -> HttpResponse:
    agency = _require_intake(request)
    draft = access.get_draft_for_user(request.user, code)
    if step not in STEP_KEYS:
        raise Http404
    if draft.case is not None:
        # Already registered (a second submission, or the back button): the same case.
        messages.info(request, _("Pengaduan ini sudah tercatat sebagai kasus %s.") % draft.case)
        return redirect("cases:detail", code=draft.case.code)
    wizard = Wizard(draft, agency)
    if request.method == "POST":
        draft = services.draft_save(
            actor=request.user, draft=draft, step=step, data=posted(request.POST)
        )
        return _intake_post(request, Wizard(draft, agency), step)
    extra = {}
    if step == "ringkasan":
        extra = _summary_context(request, wizard)
    forms = wizard.build(step, **({"duplicates": extra["duplicates"]} if extra else {}))
    show_errors = "periksa" in request.GET
    if show_errors:
        forms.is_valid()
    return _render_step(request, wizard, step, forms, show_errors=show_errors, **extra)


def _intake_post(request: AuthedRequest, wizard: Wizard, step: str) -> HttpResponse:
    draft = wizard.draft
    if draft is None:  # a posted step is always saved to a draft first
        raise Http404
    action = request.POST.get("action", "next")
    index = STEP_KEYS.index(step)
    if action in ADD_BUTTONS:
        prefix = ADD_BUTTONS[action]
        draft.data[step] = add_form(draft.data.get(step) or {}, prefix)
        draft.save(update_fields=["data", "updated_at"])
        url = reverse("cases:intake_step", kwargs={"code": draft.code, "step": step})
        return redirect(f"{url}#{prefix}-last")
    extra = _summary_context(request, wizard) if step == "ringkasan" else {}
    forms = wizard.build(step, **({"duplicates": extra["duplicates"]} if extra else {}))
    valid = forms.is_valid()
    draft.data.setdefault("_valid", {})[step] = valid
    draft.save(update_fields=["data", "updated_at"])
    if action == "back" and index > 0:
        return redirect("cases:intake_step", code=draft.code, step=STEP_KEYS[index - 1])
    if action == "save":
        messages.success(request, _("Draf tersimpan. Anda dapat melanjutkannya nanti."))
        return redirect("cases:drafts")
    if action.startswith("goto:") and action[5:] in STEP_KEYS:
        return redirect("cases:intake_step", code=draft.code, step=action[5:])
    if not valid:
        return _render_step(request, wizard, step, forms, show_errors=True, **extra)
    if forms.warnings() and not request.POST.get("warnings_seen"):
        # Odd but possible input (a NIK that does not match the birth date): show it once.
        messages.warning(
            request,
            _("Ada peringatan pada isian. Periksa, lalu tekan 'Simpan & lanjut' lagi."),
        )
        return _render_step(request, wizard, step, forms, show_errors=True, warned=True, **extra)
    if step in PERSON_STEPS and not request.POST.get("duplicates_seen"):
        # Someone like this person is already in a case the officer may open: say so now.
        found = selectors.possible_duplicates(request.user, Wizard.step_people(step, forms))
        if found:
            return _render_step(request, wizard, step, forms, step_duplicates=found)
    if step != "ringkasan":
        return redirect("cases:intake_step", code=draft.code, step=STEP_KEYS[index + 1])
    return _intake_submit(request, wizard, forms, extra)


def _summary_context(request: AuthedRequest, wizard: Wizard) -> dict:
    bad = wizard.invalid_steps()
    people, _links = wizard.people() if not bad else ([], [])
    duplicates = selectors.possible_duplicates(request.user, people)
    sections = []
    for key, label in STEPS[:-1]:
        forms = wizard.build(key)
        forms.is_valid()
        parts = []
        for name, part in forms.parts.items():
            if hasattr(part, "forms"):
                for n, form in enumerate(
                    [x for x in part.forms if x.has_changed() and x.is_valid()], start=1
                ):
                    if not form.cleaned_data.get("DELETE"):
                        parts.append((f"{_label_for(name)} {n}", summary(form)))
            else:
                parts.append((_label_for(name), summary(part)))
        sections.append({"key": key, "label": label, "parts": parts, "valid": key not in bad})
    return {"duplicates": duplicates, "sections": sections, "invalid_steps": bad}


def _label_for(name: str) -> str:
    return {
        "incident": _("Kejadian"),
        "victims": _("Korban"),
        "perpetrators": _("Terlapor"),
        "reporter": _("Pelapor"),
        "guardian": _("Wali / orang tua"),
        "detail": _("Rincian"),
    }.get(name, name)


def _intake_submit(
    request: AuthedRequest, wizard: Wizard, forms: StepForms, extra: dict
) -> HttpResponse:
    draft = wizard.draft
    if draft is None:
        raise Http404
    if extra["invalid_steps"]:
        first = extra["invalid_steps"][0]
        messages.error(
            request,
            _("Masih ada isian yang perlu diperbaiki pada langkah: %s.") % dict(STEPS)[first],
        )
        url = reverse("cases:intake_step", kwargs={"code": draft.code, "step": first})
        return redirect(url + "?periksa=1")
    consent = forms["consent"].cleaned_data
    people, links = wizard.people()
    chosen = set(consent.get("link_cases") or [])
    related = [
        (c, consent.get("link_note", "")) for c in extra["duplicates"] if str(c.code) in chosen
    ]
    try:
        case, created = services.intake_submit(
            actor=request.user,
            draft=draft,
            data=wizard.case_data(consent),
            people=people,
            links=links,
            details=wizard.details(),
            related=related,
        )
    except services.IntakeError as exc:
        forms["consent"].add_error(None, str(exc))
        return _render_step(request, wizard, "ringkasan", forms, show_errors=True, **extra)
    if created:
        messages.success(request, _("Pengaduan tercatat sebagai kasus %s.") % case.number)
    return redirect("cases:detail", code=case.code)


def _render_step(
    request: AuthedRequest,
    wizard: Wizard,
    step: str,
    forms: StepForms,
    show_errors: bool = False,
    **extra: Any,
) -> HttpResponse:
    index = STEP_KEYS.index(step)
    context = {
        "draft": wizard.draft,
        "step": step,
        "step_label": dict(STEPS)[step],
        "step_number": index + 1,
        "step_count": len(STEPS),
        "progress": wizard.progress(step),
        "source": wizard.source(),
        "forms": forms,
        "show_errors": show_errors,
        "case_type": wizard.case_type(),
        "victims": wizard.victims() if step == "terlapor" else [],
        "is_first": index == 0,
        "is_last": step == "ringkasan",
        **extra,
    }
    return render(request, f"cases/intake/{step}.html", context)


@login_required
@require_GET
def drafts(request: AuthedRequest) -> HttpResponse:
    agency = _require_intake(request)
    rows = IntakeDraft.objects.filter(
        owner=request.user, agency=agency, case__isnull=True
    ).order_by("-updated_at")[:50]
    labels = dict(STEPS)
    items = []
    for draft in rows:
        wizard = Wizard(draft, agency)
        items.append(
            {
                "draft": draft,
                "step_label": labels.get(draft.step, labels["kejadian"]),
                "step": draft.step if draft.step in labels else "kejadian",
                "victims": len(wizard.victims()),
                "case_type": dict([*f.BLANK, *CaseType.choices]).get(wizard.case_type(), ""),
            }
        )
    return render(request, "cases/drafts.html", {"items": items})


@login_required
@require_POST
def draft_delete(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    _require_intake(request)
    draft = access.get_draft_for_user(request.user, code)
    if draft.case_id is None:
        services.draft_delete(actor=request.user, draft=draft)
        messages.success(request, _("Draf dihapus."))
    return redirect("cases:drafts")


# --- List ----------------------------------------------------------------------------------


@login_required
def case_list(request: AuthedRequest) -> HttpResponse:
    """The user's cases. Filters live in the address (bookmarkable); a name search is posted
    and kept in the session, so a name never appears in an address, a log or a bookmark."""
    user = request.user
    if not _may_list(user):
        raise PermissionDenied
    if request.method == "POST":
        return _name_search(request)
    form = f.ListFilterForm(request.GET or None, user=user)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    name = request.session.get(NAME_SEARCH_KEY, "") if access.can_search_names(user) else ""
    rows, next_cursor = selectors.case_list(
        user, filters, name=name, cursor=request.GET.get("setelah", "")
    )
    query = request.GET.copy()
    query.pop("setelah", None)
    next_url = ""
    if next_cursor:
        query["setelah"] = next_cursor
        next_url = "?" + query.urlencode()
    # A filter changed with htmx: only the results (the partial), same queries as the page.
    template = "cases/list.html#results" if partial_request(request) else "cases/list.html"
    response = render(
        request,
        template,
        {
            "form": form,
            "rows": rows,
            "next_url": next_url,
            "first_url": "?"
            + urlencode({k: str(v) for k, v in request.GET.items() if k != "setelah"}),
            "paged": bool(request.GET.get("setelah")),
            "name_search": name,
            "name_form": f.NameSearchForm() if access.can_search_names(user) else None,
            "can_register": access.can_register_case(user),
        },
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


def _may_list(user: User) -> bool:
    return ppa_access.has_role(user, Role.INTAKE, Role.CASE_WORKER, Role.SUPERVISOR, Role.PARTNER)


def _name_search(request: AuthedRequest) -> HttpResponse:
    if not access.can_search_names(request.user):
        raise PermissionDenied
    target = reverse("cases:list")
    if request.POST.get("action") == "clear":
        request.session.pop(NAME_SEARCH_KEY, None)
        return redirect(target)
    form = f.NameSearchForm(request.POST)
    if form.is_valid():
        request.session[NAME_SEARCH_KEY] = form.cleaned_data["nama"].strip()
        return redirect(target)
    messages.error(request, "; ".join(str(e) for e in form.errors.get("nama", [])))
    return redirect(target)


# --- Data quality ----------------------------------------------------------------------------


@login_required
@require_GET
def data_quality(request: AuthedRequest) -> HttpResponse:
    """The supervisor's list of own cases whose type no longer fits their victims."""
    if not access.can_review_data_quality(request.user):
        raise PermissionDenied
    rows = quality.case_type_mismatches(request.user)
    return render(request, "cases/data_quality.html", {"rows": rows, "max_rows": quality.MAX_ROWS})


# --- Case page -------------------------------------------------------------------------------


def _case_context(request: AuthedRequest, case: Case, **forms: Any) -> dict:
    with refcache.per_request():  # a form sent back and the stale changes share reference lists
        return _case_context_read(request, case, **forms)


def _case_context_read(request: AuthedRequest, case: Case, **sent: Any) -> dict:
    """`sent`: the forms sent back (`<key>_form`) and the rest of the page's context (the
    changes that made a save stale)."""
    page = selectors.case_page(case)
    case_access = case.access
    folds = _action_folds(case, page, sent)
    return {
        "case": case,
        "access": case_access,
        "page": page,
        "can_export": access.can_export_case_records(request.user, case),
        "show": {group: case_access.shows(group) for group in access.FieldGroup.ALL},
        "incident_district": case.incident_district,
        "incident_village": case.incident_village,
        "folds": folds,
        "fold_keys": {fold["action"].key for fold in folds},
        **{name: value for name, value in sent.items() if not name.endswith("_form")},
    }


@dataclass(frozen=True)
class CaseAction:
    """One fold of the case page's "Penanganan kasus": the address it posts to, its title and
    its button. Its form loads when the fold is opened (`case_action_form`), so that the page,
    read far more often than acted on, builds and renders no form; a form that comes back with
    errors is on the page, open."""

    key: str  # the address's last part; the page's context holds a sent form as `<key>_form`
    posts_to: str  # URL name of its POST view
    need: str  # the right it takes (cases.access.get_case_for_user), as its POST view asks
    form: type[forms.Form]
    title: "StrOrPromise"
    submit: "StrOrPromise"
    danger: bool = False
    multipart: bool = False


_ACTIONS = {
    a.key: a
    for a in (
        CaseAction(
            "decision",
            "cases:closure_decide",
            "supervise",
            f.ClosureDecisionForm,
            gettext_lazy("Keputusan terminasi (supervisor)"),
            gettext_lazy("Simpan keputusan"),
        ),
        CaseAction(
            "step",
            "cases:advance",
            "manage",
            f.StepForm,
            gettext_lazy("Lanjut ke tahap: %(step)s"),
            gettext_lazy("Simpan dan pindah tahap"),
        ),
        CaseAction(
            "record",
            "cases:record",
            "manage",
            f.RecordForm,
            gettext_lazy("Tambah catatan perkembangan"),
            gettext_lazy("Simpan catatan"),
        ),
        CaseAction(
            "service",
            "cases:service_add",
            "manage",
            f.ServiceForm,
            gettext_lazy("Catat layanan untuk korban"),
            gettext_lazy("Simpan layanan"),
        ),
        CaseAction(
            "legal",
            "cases:legal_add",
            "manage",
            f.LegalForm,
            gettext_lazy("Catat proses hukum terlapor"),
            gettext_lazy("Simpan proses hukum"),
        ),
        CaseAction(
            "document",
            "cases:document_upload",
            "edit",
            f.DocumentForm,
            gettext_lazy("Unggah dokumen"),
            gettext_lazy("Unggah"),
            multipart=True,
        ),
        CaseAction(
            "assign",
            "cases:assign",
            "supervise",
            f.AssignForm,
            gettext_lazy("Tetapkan manajer kasus"),
            gettext_lazy("Simpan"),
        ),
        CaseAction(
            "closure",
            "cases:closure_request",
            "manage",
            f.ClosureRequestForm,
            gettext_lazy("Ajukan terminasi (penutupan kasus)"),
            gettext_lazy("Ajukan ke supervisor"),
        ),
        CaseAction(
            "reopen",
            "cases:reopen",
            "reopen",
            f.ReopenForm,
            gettext_lazy("Buka kembali kasus"),
            gettext_lazy("Buka kembali"),
            danger=True,
        ),
    )
}


def _following(case: Case) -> str | None:
    """The step an open case moves to next (None for a case that is not open or at the end)."""
    return services.next_step(case.step) if case.status == Status.OPEN else None


def _action_keys(case: Case, *, victims: bool, perpetrators: bool) -> list[str]:
    """The actions the user may take on the case in its state, in the page's order."""
    a = case.access
    allowed = {
        "decision": a.can_supervise and case.status == Status.CLOSURE_REQUESTED,
        "step": a.can_manage and _following(case) is not None,
        "record": a.can_manage,
        "service": a.can_manage and victims,
        "legal": a.can_manage and perpetrators,
        "document": a.can_edit,
        "assign": a.can_supervise,
        "closure": a.can_manage and case.status == Status.OPEN,
        "reopen": a.can_reopen,
    }
    return [key for key in _ACTIONS if allowed[key]]


def _form_kwargs(key: str, case: Case) -> dict[str, Any]:
    """What an action's form takes from the case besides the user's input (its choices): the
    same for the empty form and for the one the user sends."""
    if key == "service":
        return {"victims": _people_choices(case, PersonRole.VICTIM), "agency_id": case.agency_id}
    if key == "legal":
        return {"perpetrators": _people_choices(case, PersonRole.PERPETRATOR)}
    if key == "assign":
        return {"agency_id": case.agency_id}
    return {}


def _empty_form(
    key: str, case: Case, version: int, choices: dict[str, Any] | None = None
) -> forms.Form:
    """The empty form of one action; `version` is the case's version the user last saw,
    `choices` the action's `_form_kwargs` when the caller has read them already."""
    action = _ACTIONS[key]
    initial: dict[str, Any] = {"version": version}
    if key == "step":
        initial["to_step"] = _following(case)
    elif key == "service":
        initial = {"provider": case.agency_id}
    elif key == "assign":
        initial["worker"] = case.assigned_worker_id
    return action.form(initial=initial, **(_form_kwargs(key, case) if choices is None else choices))


def _action_folds(case: Case, page: selectors.CasePage, sent: dict[str, Any]) -> list[dict]:
    """The folds of "Penanganan kasus": each with its form when one was sent back (errors, a
    stale version) or opens by itself (the supervisor's decision on a closure request), else
    the address its form loads from, which carries the version the page shows."""
    keys = _action_keys(case, victims=bool(page.victims), perpetrators=bool(page.perpetrators))
    following = _following(case)
    folds = []
    for key in keys:
        action = _ACTIONS[key]
        form = sent.get(f"{key}_form")
        if form is None and key == "decision":
            form = _empty_form(key, case, case.version)
        url = reverse("cases:action_form", kwargs={"code": case.code, "action": key})
        folds.append(
            {
                "action": action,
                "title": _title(action, following),
                "form": form,
                "url": f"{url}?{urlencode({'versi': case.version})}",
            }
        )
    return folds


def _seen_version(request: AuthedRequest, case: Case) -> int:
    """`?versi=`: the case's version the user's page showed; the current one when it is
    missing, not a number, or not a version the case has had."""
    try:
        seen = int(request.GET.get("versi", ""))
    except ValueError:
        return case.version
    return seen if 0 < seen <= case.version else case.version


def _title(action: CaseAction, following: str | None) -> str:
    if action.key == "step" and following:
        return str(action.title) % {"step": Step(following).label}
    return str(action.title)


@login_required
@require_GET
def case_action_form(request: AuthedRequest, code: uuid.UUID, action: str) -> HttpResponse:
    """One action's empty form: the case page's fold loads it when opened (htmx: the form
    alone), or a page of its own without JavaScript. As the action's POST: 404 for anyone who
    does not see the case, 403 without the right it takes; 404 for an action the case's state
    does not allow. `?versi=` is the case's version the user's page showed, so a save made by
    someone else after the page was opened is still reported as such."""
    if action not in _ACTIONS:
        raise Http404
    case = access.get_case_for_user(request.user, code, need=_ACTIONS[action].need)
    choices = _form_kwargs(action, case)
    keys = _action_keys(
        case, victims=bool(choices.get("victims")), perpetrators=bool(choices.get("perpetrators"))
    )
    if action not in keys:
        raise Http404
    log_access(request, action=AccessLog.Action.VIEW, obj=case)
    with refcache.per_request():
        context = {
            "case": case,
            "action": _ACTIONS[action],
            "title": _title(_ACTIONS[action], _following(case)),
            "form": _empty_form(action, case, _seen_version(request, case), choices),
        }
        partial = partial_request(request)
        template = "cases/_action_form.html" if partial else "cases/action_form.html"
        response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _person_label(person: Person, case_access: access.CaseAccess) -> str:
    n = person.get_role_display()
    if case_access.shows(access.FieldGroup.VICTIM_IDENTITY):
        return f"{n}: {person.name}"
    return f"{n}: {person.initials}"


@login_required
@require_GET
def case_detail(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    case = access.get_case_for_user(request.user, code)
    log_access(request, action=AccessLog.Action.VIEW, obj=case)
    return render(request, "cases/detail.html", _case_context(request, case))


@login_required
@require_GET
def case_history(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    """The case's history, for the owning agency's staff: the folded "Riwayat perubahan" of
    the case page loads it when opened (htmx: the list alone), or a page of its own.

    Apart from the case page so that the page does not read and render every past save on
    each view (a fifth of its time) while most views never open it; opening it is logged as a
    view of the case."""
    case = access.get_case_for_user(request.user, code)
    if not case.access.is_owner:
        raise Http404
    log_access(request, action=AccessLog.Action.VIEW, obj=case)
    actions = history.by_save(selectors.case_history(case))
    template = "cases/_history.html" if partial_request(request) else "cases/history.html"
    response = render(request, template, {"case": case, "actions": actions})
    patch_vary_headers(response, ["HX-Request"])
    return response


def _detail_again(request: AuthedRequest, case: Case, **forms: Any) -> HttpResponse:
    """The case page again, with the form the user sent and its messages (nothing lost)."""
    log_access(request, action=AccessLog.Action.VIEW, obj=case)
    return render(request, "cases/detail.html", _case_context(request, case, **forms))


@login_required
@require_GET
def case_print(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    case = access.get_case_for_user(request.user, code)
    log_access(request, action=AccessLog.Action.PRINT, obj=case)
    context = _case_context(request, case)
    return render(request, "cases/print.html", context)


def _stale(
    request: AuthedRequest, case: Case, exc: services.StaleVersion, version: int, **forms: Any
) -> HttpResponse:
    """Refuse a stale save: show what changed meanwhile and keep the user's input."""
    messages.error(request, str(exc))
    current = access.get_case_for_user(request.user, case.code)
    return _detail_again(
        request, current, stale_changes=selectors.changes_since(current, version), **forms
    )


# --- Case management -----------------------------------------------------------------------


@login_required
def case_edit(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    case = access.get_case_for_user(request.user, code, need="edit")
    agency = case.agency
    if request.method == "POST":
        form = f.CaseEditForm(request.POST, agency=agency)
        if form.is_valid():
            try:
                services.case_update(
                    actor=request.user,
                    case=case,
                    version=form.cleaned_data["version"],
                    changes=form.changes(),
                    reason=form.cleaned_data["reason"],
                )
            except services.StaleVersion as exc:
                messages.error(request, str(exc))
                current = access.get_case_for_user(request.user, code, need="edit")
                return render(
                    request,
                    "cases/edit.html",
                    {
                        "case": current,
                        "form": form,
                        "stale_changes": selectors.changes_since(
                            current, form.cleaned_data["version"]
                        ),
                        "new_version": current.version,
                    },
                )
            except services.CaseActionError as exc:
                form.add_error(getattr(exc, "field", None), str(exc))
            else:
                messages.success(request, _("Perubahan tersimpan."))
                return redirect("cases:detail", code=case.code)
    else:
        initial = {name: getattr(case, name) for name in services.EDITABLE_CASE_FIELDS}
        initial.update(
            place=case.place_id,
            incident_district=case.incident_district_id,
            incident_village=case.incident_village_id,
            within_authority="1" if case.within_authority else "0",
            consent_statistics="1" if case.consent_statistics else "0",
            version=case.version,
        )
        form = f.CaseEditForm(initial=initial, agency=agency)
    return render(request, "cases/edit.html", {"case": case, "form": form})


@login_required
@per_request_cache
def person_edit(request: AuthedRequest, code: uuid.UUID, person: uuid.UUID) -> HttpResponse:
    """Correct the data of a victim, perpetrator, reporter or guardian (the intake's form)."""
    case, subject = access.get_person_for_user(request.user, code, person)
    context: dict[str, Any] = {"case": case, "person": subject}
    if request.method == "POST":
        form = f.person_edit_form(subject, case, request.POST)
        valid = form.is_valid()
        if valid and getattr(form, "warnings", []) and not request.POST.get("warnings_seen"):
            # Odd but possible input (a NIK that does not match the birth date): shown once.
            messages.warning(
                request,
                _("Ada peringatan pada isian. Periksa, lalu tekan 'Simpan perubahan' lagi."),
            )
            context["warned"] = True
        elif valid:
            version = form.cleaned_data["version"]
            try:
                services.person_update(
                    actor=request.user,
                    person=subject,
                    version=version,
                    changes=form.changes(),
                    reason=form.cleaned_data["reason"],
                )
            except services.StalePerson as exc:
                messages.error(request, str(exc))
                context.update(
                    stale_changes=selectors.person_changes_since(exc.person, version),
                    new_version=exc.person.version,
                )
            except services.CaseActionError as exc:
                form.add_error(getattr(exc, "field", None), str(exc))
            else:
                messages.success(request, _("Perubahan data orang tersimpan."))
                return redirect("cases:detail", code=case.code)
    else:
        form = f.person_edit_form(subject, case, lists=selectors.person_lists(subject))
    return render(request, "cases/person_edit.html", {**context, "form": form})


def _action(
    request: AuthedRequest,
    code: uuid.UUID,
    key: str,
    run: Callable[[Case, dict], str],
) -> HttpResponse:
    """Common shape of the small POST actions on the case page (`key`: its CaseAction)."""
    context_name = f"{key}_form"
    case = access.get_case_for_user(request.user, code, need=_ACTIONS[key].need)
    form = _ACTIONS[key].form(request.POST, **_form_kwargs(key, case))
    if not form.is_valid():
        return _detail_again(request, case, **{context_name: form})
    try:
        message = run(case, form.cleaned_data)
    except services.StaleVersion as exc:
        return _stale(
            request, case, exc, form.cleaned_data.get("version", 0), **{context_name: form}
        )
    except services.CaseActionError as exc:
        form.add_error(None, str(exc))
        return _detail_again(request, case, **{context_name: form})
    messages.success(request, message)
    return redirect("cases:detail", code=case.code)


@login_required
@require_POST
def case_advance(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    def run(case: Case, d: dict) -> str:
        services.case_step_advance(
            actor=request.user,
            case=case,
            version=d["version"],
            to_step=d["to_step"],
            body=d["body"],
        )
        return _("Kasus pindah ke tahap %s.") % Step(d["to_step"]).label

    return _action(request, code, "step", run)


@login_required
@require_POST
def case_record(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    def run(case: Case, d: dict) -> str:
        services.case_record_add(actor=request.user, case=case, kind=d["kind"], body=d["body"])
        return _("Catatan tersimpan.")

    return _action(request, code, "record", run)


@login_required
@require_POST
def closure_request(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    def run(case: Case, d: dict) -> str:
        services.case_closure_request(
            actor=request.user, case=case, version=d["version"], report=d["report"]
        )
        return _("Laporan terminasi diajukan ke supervisor.")

    return _action(request, code, "closure", run)


@login_required
@require_POST
def closure_decide(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    def run(case: Case, d: dict) -> str:
        approve = d["decision"] == "approve"
        services.case_closure_decide(
            actor=request.user, case=case, version=d["version"], approve=approve, reason=d["reason"]
        )
        return _("Terminasi disetujui; kasus ditutup.") if approve else _("Terminasi dikembalikan.")

    return _action(request, code, "decision", run)


@login_required
@require_POST
def case_reopen(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    def run(case: Case, d: dict) -> str:
        services.case_reopen(
            actor=request.user, case=case, version=d["version"], reason=d["reason"]
        )
        return _("Kasus dibuka kembali.")

    return _action(request, code, "reopen", run)


@login_required
@require_POST
def case_assign(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    def run(case: Case, d: dict) -> str:
        services.case_assign(
            actor=request.user, case=case, version=d["version"], worker=d["worker"]
        )
        return _("Manajer kasus ditetapkan.")

    return _action(request, code, "assign", run)


def _people_choices(case: Case, role: str) -> list[tuple[str, str]]:
    return [
        (str(p.code), _person_label(p, case.access))
        for p in case.people.filter(role=role).order_by("id")
    ]


@login_required
@require_POST
def service_add(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    def run(case: Case, d: dict) -> str:
        victim = case.people.get(code=d["victim"], role=PersonRole.VICTIM)
        services.service_record(
            actor=request.user,
            case=case,
            victim=victim,
            service_type_id=d["service_type"],
            function_id=d["function"] or None,
            provider=d["provider"],
            given_on=d["given_on"],
            description=d["description"],
            shelter_from=d["shelter_from"],
            shelter_to=d["shelter_to"],
        )
        return _("Layanan tercatat.")

    return _action(request, code, "service", run)


@login_required
@require_POST
def legal_add(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    def run(case: Case, d: dict) -> str:
        perpetrator = case.people.get(code=d["perpetrator"], role=PersonRole.PERPETRATOR)
        services.legal_step_record(
            actor=request.user,
            case=case,
            perpetrator=perpetrator,
            stage=d["stage"],
            started_on=d["started_on"],
            outcome=d["outcome"],
            note=d["note"],
        )
        return _("Proses hukum tercatat.")

    return _action(request, code, "legal", run)


@login_required
@require_POST
def document_upload(request: AuthedRequest, code: uuid.UUID) -> HttpResponse:
    case = access.get_case_for_user(request.user, code, need=_ACTIONS["document"].need)
    form = _ACTIONS["document"].form(request.POST, request.FILES)
    if not form.is_valid():
        return _detail_again(request, case, document_form=form)
    services.document_upload(
        actor=request.user,
        case=case,
        kind=form.cleaned_data["kind"],
        upload=form.cleaned_data["file"],
    )
    messages.success(request, _("Dokumen tersimpan."))
    return redirect("cases:detail", code=case.code)


@login_required
@require_GET
def document_download(request: AuthedRequest, code: uuid.UUID) -> FileResponse:
    document = access.get_document_for_user(request.user, code)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    log_access(request, action=AccessLog.Action.DOWNLOAD, obj=document)
    extension = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{document.get_kind_display()}-{document.case.number.replace('/', '-')}"
        f".{extension.get(document.content_type, 'bin')}",
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def deadline_done(request: AuthedRequest, code: uuid.UUID, kind: str) -> HttpResponse:
    case = access.get_case_for_user(request.user, code, need="edit")
    # The newest clock of the kind: the running one if any (a reopened case may have ended ones).
    deadline = Deadline.objects.filter(case=case, kind=kind).order_by("-id").first()
    if deadline is None:
        raise Http404
    services.deadline_done(actor=request.user, case=case, deadline=deadline)
    messages.success(
        request, _("Batas waktu ditandai terpenuhi: %s.") % deadline.get_kind_display()
    )
    return redirect("cases:detail", code=case.code)
