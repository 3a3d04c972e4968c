import logging
import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseRedirectBase
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.defaults import bad_request

from ppa.http import partial_request
from ppa.otp import has_device, otp_required
from ppa.security import AUTH_AT_SESSION_KEY

logger = logging.getLogger("ppa.security")

LANGUAGE_COOKIE = "django_language"


class UserLocaleMiddleware:
    """Bahasa Indonesia unless the user (or, before login, a cookie) chose English; the
    agency's time zone (WIB, WITA, WIT) for every date shown."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            language = user.language
            agency = user.agency if user.agency_id else None
            timezone.activate(agency.time_zone if agency else "Asia/Jakarta")
        else:
            language = request.COOKIES.get(LANGUAGE_COOKIE, "id")
            timezone.deactivate()
        if language not in ("id", "en"):
            language = "id"
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class NoStoreMiddleware:
    """Pages for signed-in users hold personal data: browsers and proxies must not keep them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        signed_in = request.user.is_authenticated  # before the view: logout answers count too
        response = self.get_response(request)
        if (signed_in or request.user.is_authenticated) and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response


class SessionTouchMiddleware:
    """The idle expiry (SESSION_COOKIE_AGE, 30 minutes) renewed at most once a minute.

    Django's SESSION_SAVE_EVERY_REQUEST writes the session row on every request; here a
    signed-in user's session is saved (and its expiry moved on) only when the last renewal is
    older than SESSION_TOUCH_SECONDS. A session therefore ends after between 29 and 30 minutes
    without a request, instead of exactly 30, for one write a minute instead of one a page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and request.user.is_authenticated and not session.is_empty():
            now = int(time.time())
            if now - int(session.get(TOUCHED_AT_SESSION_KEY, 0)) >= settings.SESSION_TOUCH_SECONDS:
                session[TOUCHED_AT_SESSION_KEY] = now
        return response


TOUCHED_AT_SESSION_KEY = "ppa_touched_at"


class SessionLimitMiddleware:
    """An absolute cap on a session's life (12 h by default, NIST 800-63B AAL2), on top of
    the 30-minute idle expiry (SESSION_COOKIE_AGE, renewed by SessionTouchMiddleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.setdefault(AUTH_AT_SESSION_KEY, now)
            if now - int(started) > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.info(request, _("Sesi Anda sudah berakhir. Silakan masuk kembali."))
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)


class PartialRedirectMiddleware:
    """A part of a page asked by htmx (the case list's results, the case history) that is
    answered with a redirect, above all to the login page once the session has ended, sends
    the whole window there (`HX-Redirect`) instead of showing the other page inside the part.
    Outside every middleware that may redirect a signed-out or unverified user."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if partial_request(request) and isinstance(response, HttpResponseRedirectBase):
            whole = HttpResponse(status=200)
            whole["HX-Redirect"] = response["Location"]
            return whole
        return response


OTP_EXEMPT_URL_NAMES = ("login", "logout", "otp_verify", "otp_setup", "otp_qr", "set_language")
OTP_EXEMPT_PREFIXES = ("/health/",)


class OtpRequiredMiddleware:
    """Sends a signed-in user who must use a second factor (ppa.otp.otp_required) and has not
    given it in this session to the enrolment or verification page, from every URL except
    login, logout, the OTP pages, the language switch, static files and the health check."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self._exempt: tuple[str, ...] | None = None

    def exempt_paths(self) -> tuple[str, ...]:
        if self._exempt is None:
            self._exempt = tuple(reverse(n) for n in OTP_EXEMPT_URL_NAMES) + (
                *OTP_EXEMPT_PREFIXES,
                settings.STATIC_URL,
            )
        return self._exempt

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not user.is_verified():
            path = request.path_info
            if otp_required(user, request.session) and not any(
                path == p or (p.endswith("/") and p != "/" and path.startswith(p))
                for p in self.exempt_paths()
            ):
                target = "otp_verify" if has_device(user) else "otp_setup"
                return HttpResponseRedirect(
                    f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}"
                )
        return self.get_response(request)


class NulInFieldNameMiddleware:
    """A NUL byte in a field name (query string, form or upload) is refused with 400 before any
    view runs. No browser sends one; PostgreSQL cannot store it (the intake keeps posted field
    names in a jsonb draft), and a name is never shown back to the user to correct. A NUL in a
    *value* reaches the form, which refuses it next to the field and keeps the rest."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        keys = list(request.GET.keys())
        if request.method == "POST":
            keys += list(request.POST.keys()) + list(request.FILES.keys())
        if any("\x00" in key for key in keys):
            logger.warning("Refused a request with a NUL byte in a field name")
            return bad_request(request, SuspiciousOperation("NUL byte in a field name"))
        return self.get_response(request)
