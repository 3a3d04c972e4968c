"""The deadline agenda: a case worker's or supervisor's open deadlines (statutory clocks and
service-standard follow-ups of the agency's cases, replies owed on referrals received), overdue
first, then the coming days; and the same list as an iCalendar feed that carries each
deadline's kind and case number only, never a name."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Deadline
from ppa.models import Role, User
from referrals.models import Referral, ReferralStatus

WINDOWS = (7, 14, 28)
# At most this many overdue entries (the most recently overdue) and upcoming entries per
# source: an office with years of unfinished clocks still gets a page, not a dump.
LIMIT = 100


@dataclass
class Entry:
    uid: str
    kind: str
    case_number: str
    due_at: dt.datetime
    url: str
    overdue: bool


def _deadlines(user: User, now: dt.datetime, until: dt.datetime) -> list[Deadline]:
    assert user.agency_id is not None, "agenda() returns early for users without an agency"
    rows = Deadline.objects.filter(done_at__isnull=True, case__agency_id=user.agency_id)
    if user.role == Role.CASE_WORKER:
        rows = rows.filter(case__assigned_worker_id=user.pk)
    rows = rows.select_related("case").only("pk", "kind", "due_at", "case__number", "case__code")
    overdue = rows.filter(due_at__lt=now).order_by("-due_at", "-pk")[:LIMIT]
    upcoming = rows.filter(due_at__gte=now, due_at__lt=until).order_by("due_at", "pk")[:LIMIT]
    return [*overdue, *upcoming]


def _replies(user: User, now: dt.datetime, until: dt.datetime) -> list[Referral]:
    rows = (
        Referral.objects.filter(to_agency_id=user.agency_id, status=ReferralStatus.DELIVERED)
        .select_related("case")
        .only("pk", "code", "accept_by", "case__number")
    )
    overdue = rows.filter(accept_by__lt=now).order_by("-accept_by", "-pk")[:LIMIT]
    upcoming = rows.filter(accept_by__gte=now, accept_by__lt=until).order_by("accept_by", "pk")
    return [*overdue, *upcoming[:LIMIT]]


def _reply_entry(r: Referral, now: dt.datetime) -> Entry:
    # _replies filters on accept_by (a range lookup never matches NULL).
    assert r.accept_by is not None, "_replies selects referrals with an answer deadline only"
    return Entry(
        uid=f"referral-{r.pk}",
        kind=_("Jawaban rujukan yang diterima"),
        case_number=r.case.number,
        due_at=r.accept_by,
        url=reverse("referrals:detail", kwargs={"code": r.code}),
        overdue=r.accept_by < now,
    )


def agenda(user: User, *, days: int = 14, now: dt.datetime | None = None) -> list[Entry]:
    """Open deadlines due within `days` and the most recently overdue ones (at most `LIMIT` of
    each per source), overdue first. Four queries."""
    if user.agency_id is None or user.role not in (Role.CASE_WORKER, Role.SUPERVISOR):
        return []
    now = now or timezone.now()
    until = now + dt.timedelta(days=days)
    entries = [
        Entry(
            uid=f"deadline-{d.pk}",
            kind=d.get_kind_display(),
            case_number=d.case.number,
            due_at=d.due_at,
            url=reverse("cases:detail", kwargs={"code": d.case.code}),
            overdue=d.due_at < now,
        )
        for d in _deadlines(user, now, until)
    ]
    entries += [_reply_entry(r, now) for r in _replies(user, now, until)]
    return sorted(entries, key=lambda e: (not e.overdue, e.due_at, e.uid))


# --- iCalendar -----------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), token.encode(), hashlib.sha256).hexdigest()


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def ical(entries: list[Entry], *, now: dt.datetime | None = None) -> str:
    """RFC 5545 text: one 15-minute event per deadline, its kind and case number only."""
    stamp = _stamp(now or timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Sinergi PPA//Agenda batas waktu//ID",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_ics_text(_('Batas waktu Sinergi PPA'))}",
    ]
    for entry in entries:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{entry.uid}@sinergi-ppa",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{_stamp(entry.due_at)}",
            f"DTEND:{_stamp(entry.due_at + dt.timedelta(minutes=15))}",
            f"SUMMARY:{_ics_text(entry.kind)} · {_ics_text(entry.case_number)}",
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            "TRIGGER:-PT2H",
            f"DESCRIPTION:{_ics_text(entry.kind)}",
            "END:VALARM",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"
