"""Request types for the type checker."""

from django.http import HttpRequest

from ppa.models import User


class AuthedRequest(HttpRequest):
    """The request of a view behind `login_required`: `request.user` is a `User`."""

    user: User


def partial_request(request: HttpRequest) -> bool:
    """A request made by htmx to replace one part of the page (not a history restore, which
    needs the whole page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )
