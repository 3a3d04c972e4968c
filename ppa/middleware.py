from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

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
        response = self.get_response(request)
        if request.user.is_authenticated and "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response
