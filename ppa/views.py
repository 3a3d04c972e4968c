from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from ppa.access.core import role_of
from ppa.forms import LanguageForm
from ppa.middleware import LANGUAGE_COOKIE
from ppa.models import Role
from ppa.services import user_set_language


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The start page: the menu of the user's role as tiles (and the admin for administrators)."""
    return render(request, "ppa/home.html", {"is_admin": role_of(request.user) == Role.ADMIN})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    form = LanguageForm(request.POST)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("home")
    response = HttpResponseRedirect(target)
    if form.is_valid():
        language = form.cleaned_data["language"]
        if request.user.is_authenticated:
            user_set_language(user=request.user, language=language)
        response.set_cookie(LANGUAGE_COOKIE, language, samesite="Lax", httponly=True)
    return response


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
