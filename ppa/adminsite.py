"""The admin site: for administrators only, and it says so to everyone else.

Django's admin sends a signed-in user without admin rights to its login page, which here is
the app's login; that login sends a signed-in user back to `next` (the admin): a loop the
browser ends with an error. Such users get the app's 403 page at once instead."""

from collections.abc import Callable
from functools import update_wrapper
from typing import Any, TypeVar, cast

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

_ViewType = TypeVar("_ViewType", bound=Callable[..., Any])


class SinergiAdminSite(AdminSite):
    def admin_view(self, view: _ViewType, cacheable: bool = False) -> _ViewType:
        inner = super().admin_view(view, cacheable)

        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return cast(_ViewType, update_wrapper(guarded, inner))


class SinergiAdminConfig(AdminConfig):
    default_site = "ppa.adminsite.SinergiAdminSite"
