"""Access logging: every view, download, export or print of a sensitive record writes a row."""

from django.db.models import Model
from django.http import HttpRequest

from ppa.models import AccessLog


def client_ip(request: HttpRequest) -> str | None:
    # Behind the production proxy, SecurityMiddleware/gunicorn pass the client address here.
    return request.META.get("REMOTE_ADDR") or None


def log_access(request: HttpRequest, *, action: str, obj: Model, purpose: str = "") -> AccessLog:
    """Record that `request.user` did `action` (AccessLog.Action) on `obj` (a model instance).

    The object is named by type and primary key only; the path is logged without its query
    string, so search terms never reach the log."""
    user = request.user if request.user.is_authenticated else None
    return AccessLog.objects.create(
        user=user,
        agency_id=getattr(user, "agency_id", None),
        role=getattr(user, "role", ""),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=obj.pk,
        purpose=purpose[:255],
        ip_address=client_ip(request),
        path=request.path[:255],
    )
