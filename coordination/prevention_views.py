"""Prevention activities: the list of the city's activities and the form to record one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coordination import access, selectors, services
from coordination.forms import PreventionForm
from coordination.services import CoordinationError
from ppa.access import deny_unless
from ppa.http import AuthedRequest


@login_required
@require_GET
def activity_list(request: AuthedRequest) -> HttpResponse:
    deny_unless(access.can_record_prevention(request.user))
    activities = list(selectors.prevention_list(request.user)[:200])
    return render(request, "coordination/prevention/list.html", {"activities": activities})


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request: AuthedRequest) -> HttpResponse:
    deny_unless(access.can_record_prevention(request.user))
    regions = selectors.prevention_regions(access.prevention_city_code(request.user))
    form = PreventionForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        try:
            services.prevention_record(actor=request.user, data=form.data_object())
        except CoordinationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Kegiatan pencegahan dicatat."))
            return redirect("prevention:list")
    return render(request, "coordination/prevention/form.html", {"form": form})
