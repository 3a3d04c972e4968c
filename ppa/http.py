"""Request types for the type checker."""

from django.http import HttpRequest

from ppa.models import User


class AuthedRequest(HttpRequest):
    """The request of a view behind `login_required`: `request.user` is a `User`."""

    user: User
