"""Login rate limit, session bookkeeping and append-only audit tables."""

import datetime as dt
import time
from typing import cast

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import cache
from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone
from django.utils.module_loading import import_string
from simple_history.models import HistoricalRecords
from simple_history.signals import post_create_historical_record

from ppa.audit import client_ip
from ppa.models import HistoryOrigin, User, UserSession

AUTH_AT_SESSION_KEY = "ppa_auth_at"

# --- Login rate limit ---------------------------------------------------------------------


def login_rate() -> tuple[int, int]:
    count, seconds = settings.LOGIN_RATE_PER_IP.split("/")
    return int(count), int(seconds)


def login_rate_exceeded(request: HttpRequest) -> bool:
    """Count a login POST from the client's address in a fixed window; True once over the
    limit. Runs before authentication, so a flood costs no password hashing."""
    limit, window = login_rate()
    bucket = int(time.time() // window)
    key = f"login-rate:{client_ip(request) or 'unknown'}:{bucket}"
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=window + 5)
        count = 1
    return count > limit


# --- Sessions -------------------------------------------------------------------------------


def session_store(session_key: str) -> SessionBase:
    return import_string(f"{settings.SESSION_ENGINE}.SessionStore")(session_key=session_key)


def session_track(
    request: HttpRequest, *, user: User | None = None, previous_key: str | None = None
) -> None:
    """Remember the current session of the signed-in user (at login, and after the session
    id changed: OTP verification, password change)."""
    session = request.session
    if session.session_key is None:
        session.save()
    if previous_key and previous_key != session.session_key:
        UserSession.objects.filter(session_key=previous_key).delete()
    UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user or cast(User, request.user),
            "ip_address": client_ip(request),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:200],
        },
    )


def sessions_end(user: User, *, keep: str | None = None) -> int:
    """End every session of the user (except `keep`, the current one); returns how many."""
    rows = UserSession.objects.filter(user=user)
    if keep:
        rows = rows.exclude(session_key=keep)
    keys = list(rows.values_list("session_key", flat=True))
    for key in keys:
        session_store(key).delete()
    rows.delete()
    return len(keys)


@receiver(user_logged_in)
def _on_login(sender: object, request: HttpRequest | None, user: User, **kwargs: object) -> None:
    if request is None or not hasattr(request, "session"):
        return
    request.session[AUTH_AT_SESSION_KEY] = int(time.time())
    # Sessions that the absolute cap has ended anyway.
    oldest = timezone.now() - dt.timedelta(seconds=settings.SESSION_ABSOLUTE_SECONDS)
    UserSession.objects.filter(user=user, created_at__lt=oldest).delete()
    session_track(request, user=user)


@receiver(user_logged_out)
def _on_logout(
    sender: object, request: HttpRequest | None, user: User | None, **kwargs: object
) -> None:
    if request is not None and getattr(request, "session", None) is not None:
        key = request.session.session_key
        if key:
            UserSession.objects.filter(session_key=key).delete()


@receiver(post_save, sender=User)
def _on_user_saved(sender: type[User], instance: User, created: bool, **kwargs: object) -> None:
    """A deactivated user is signed out everywhere at once."""
    if not created and not instance.is_active:
        sessions_end(instance)


# --- Where each history row came from -------------------------------------------------------


@receiver(post_create_historical_record)
def _history_origin(sender: object, history_instance: Model, **kwargs: object) -> None:
    request = getattr(HistoricalRecords.context, "request", None)
    if request is None:
        return  # commands and tasks: the history row's user (if any) says who
    user = getattr(request, "user", None)
    authenticated = isinstance(user, User) and user.is_authenticated
    HistoryOrigin.objects.create(
        history_model=history_instance._meta.label_lower,
        history_pk=history_instance.pk,
        agency_id=user.agency_id if isinstance(user, User) and authenticated else None,
        role=user.role if isinstance(user, User) and authenticated else "",
        ip_address=client_ip(request),
    )


# --- Append-only audit tables ----------------------------------------------------------------

APPEND_ONLY_FUNCTION = """
CREATE OR REPLACE FUNCTION ppa_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Anonymisation after the retention period may blank personal fields of history rows
  -- (privacy.services.case_anonymise sets this for its own transaction only).
  IF TG_OP = 'UPDATE' AND TG_TABLE_NAME LIKE '%historical%'
     AND current_setting('ppa.allow_history_rewrite', true) = 'on' THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'Sinergi PPA: % on % refused: audit tables are append-only',
    TG_OP, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$;
"""
APPEND_ONLY_TABLES = ("ppa_accesslog", "ppa_historyorigin")


def audit_tables(conn: BaseDatabaseWrapper = connection) -> list[str]:
    """The access log, the history origins and every simple-history table (any app's)."""
    names = conn.introspection.table_names()
    return sorted(n for n in names if n in APPEND_ONLY_TABLES or "historical" in n)


def install_append_only_triggers(conn: BaseDatabaseWrapper = connection) -> list[str]:
    """Install (idempotently) a trigger refusing UPDATE and DELETE on every audit table."""
    tables = audit_tables(conn)
    qn = conn.ops.quote_name
    with conn.cursor() as cursor:
        cursor.execute(APPEND_ONLY_FUNCTION)
        for table in tables:
            cursor.execute(f"DROP TRIGGER IF EXISTS ppa_append_only ON {qn(table)}")
            cursor.execute(
                f"CREATE TRIGGER ppa_append_only BEFORE UPDATE OR DELETE ON {qn(table)} "
                "FOR EACH ROW EXECUTE FUNCTION ppa_refuse_change()"
            )
    return tables
