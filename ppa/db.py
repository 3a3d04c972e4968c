"""Reads for statistics from a PostgreSQL streaming replica, with a fallback to the primary.

With `DATABASE_REPLICA_URL` set, the settings define a second connection, `replica`, to a hot
standby fed by PostgreSQL's own streaming replication. Statistics, dashboards, exports and
report figures ask `reporting_source()` where to read and run inside `reading_from(source)`;
`ReplicaRouter` then sends their ORM reads there. Everything else, every write included, uses
the primary: the router answers `None` (the default database) outside `reading_from`.

The replica is used only while it is fresh enough:
- it answers, and is in recovery (a promoted or misconfigured server is not a replica);
- it has replayed everything the primary has written (then its data is as of now), or its
  last replayed transaction is at most `REPLICA_MAX_LAG_SECONDS` old (default 300);
- and it has replayed the user's own last change (`wrote_at`, kept in the session by
  `WriteMarkMiddleware`): a user never misses what they just did.
Otherwise reads fall back to the primary and the page still answers. `ReadSource.as_of` is
the moment the figures describe, shown on the dashboard and in reports as "data per ...".
"""

from __future__ import annotations

import contextvars
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

REPLICA = "replica"
PRIMARY = "default"
WROTE_AT_SESSION_KEY = "ppa_wrote_at"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

logger = logging.getLogger(__name__)
_read_alias: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "ppa_read_alias", default=None
)


@dataclass(frozen=True)
class ReadSource:
    """Where a statistics read goes, and as of when its figures are."""

    alias: str
    as_of: datetime
    reason: str  # "primary" (no replica configured), "replica", "lagging", "down", "own-write"

    @property
    def is_replica(self) -> bool:
        return self.alias == REPLICA


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def _replica_position() -> tuple[bool, str | None, datetime | None]:
    """(in recovery, replayed WAL position, time of the last replayed transaction)."""
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(
            "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text, "
            "pg_last_xact_replay_timestamp()"
        )
        in_recovery, lsn, replayed_at = cursor.fetchone()
    return bool(in_recovery), lsn, replayed_at


def _caught_up(replay_lsn: str) -> bool:
    """True when the replica has replayed everything the primary has written so far."""
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute(
            "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s::pg_lsn) <= 0", [replay_lsn]
        )
        return bool(cursor.fetchone()[0])


def reporting_source(*, wrote_at: float | None = None) -> ReadSource:
    """Decide where a statistics read goes (see the module docstring for the rules)."""
    now = timezone.now()
    if not replica_configured():
        return ReadSource(PRIMARY, now, "primary")
    try:
        in_recovery, lsn, replayed_at = _replica_position()
        caught_up = in_recovery and lsn is not None and _caught_up(lsn)
    except DatabaseError:
        logger.warning("replica unreachable: statistics read from the primary")
        connections[REPLICA].close()
        return ReadSource(PRIMARY, now, "down")
    if not in_recovery or lsn is None:
        logger.warning("replica is not in recovery: statistics read from the primary")
        return ReadSource(PRIMARY, now, "down")
    as_of = now if caught_up else (replayed_at or now)
    if wrote_at is not None and as_of.timestamp() < wrote_at:
        return ReadSource(PRIMARY, now, "own-write")
    if (now - as_of).total_seconds() > settings.REPLICA_MAX_LAG_SECONDS:
        logger.warning("replica lags more than REPLICA_MAX_LAG_SECONDS: reading the primary")
        return ReadSource(PRIMARY, now, "lagging")
    return ReadSource(REPLICA, as_of, "replica")


def request_reporting_source(request: HttpRequest) -> ReadSource:
    """`reporting_source` for a page: the user's own last change must be visible."""
    wrote_at = request.session.get(WROTE_AT_SESSION_KEY) if hasattr(request, "session") else None
    return reporting_source(wrote_at=float(wrote_at) if wrote_at is not None else None)


@contextmanager
def reading_from(source: ReadSource) -> Iterator[ReadSource]:
    """Route the ORM reads inside the block to `source.alias` (writes stay on the primary)."""
    token = _read_alias.set(source.alias)
    try:
        yield source
    finally:
        _read_alias.reset(token)


def current_read_alias() -> str:
    """The alias reads go to right now: the one `reading_from` chose, else the primary."""
    return _read_alias.get() or PRIMARY


class ReplicaRouter:
    """Reads inside `reading_from(...)` go to the chosen alias; everything else to the primary."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        return _read_alias.get()

    def db_for_write(self, model: type[Any], **hints: Any) -> str | None:
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db == PRIMARY


class WriteMarkMiddleware:
    """Remember in the session when the user last sent a change (any unsafe method), so that
    statistics read right after it come from the primary until the replica has replayed it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            replica_configured()
            and request.method not in SAFE_METHODS
            and getattr(request, "user", None) is not None
            and request.user.is_authenticated
        ):
            request.session[WROTE_AT_SESSION_KEY] = time.time()
        return response
