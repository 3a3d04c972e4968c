"""Clocks of referrals: when the receiving agency must answer, when the supervisors hear of it.

Rules that count working days skip weekends and Indonesian public holidays (with cuti bersama)
through lokal-id (`cases.services.working_days_after`); rules in hours count calendar time.
The statutory clocks of a case (`cases.Deadline`) are opened by the cases app; the beat scan in
`referrals.services.deadline_scan` reminds and escalates them.
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from lokal import is_working_day

from cases.services import working_days_after


@dataclass(frozen=True)
class Rule:
    hours: int = 0
    working_days: int = 0
    calendar_days: int = 0


# Referral urgency -> how long the receiving agency has to answer, from delivery.
ANSWER_RULES: dict[str, Rule] = {
    "emergency": Rule(hours=24),
    "urgent": Rule(working_days=2),
    "normal": Rule(working_days=5),
}


def add_rule(start: dt.datetime, rule: Rule, tz: str = "") -> dt.datetime:
    """`start` plus the rule; working days are counted in the agency's local calendar."""
    zone = ZoneInfo(tz or settings.TIME_ZONE)
    if rule.hours:
        return start + dt.timedelta(hours=rule.hours)
    if rule.calendar_days:
        return start + dt.timedelta(days=rule.calendar_days)

    local = timezone.localtime(start, zone)
    day = local.date()
    try:
        holiday = not is_working_day(day)
    except ValueError:  # lokal-id has no calendar for that year
        holiday = day.weekday() >= 5
    if holiday:
        # A clock that starts on a holiday starts at the beginning of the next working day.
        day = working_days_after(day, 1)
        local = dt.datetime.combine(day, dt.time(8, 0), tzinfo=zone)
    due_day = working_days_after(day, rule.working_days)
    return dt.datetime.combine(due_day, local.timetz().replace(tzinfo=None), tzinfo=zone)


def answer_due(urgency: str, delivered_at: dt.datetime, tz: str = "") -> dt.datetime:
    return add_rule(delivered_at, ANSWER_RULES.get(urgency, ANSWER_RULES["normal"]), tz)


def escalation_due(accept_by: dt.datetime, tz: str = "") -> dt.datetime:
    """After the reminder, the supervisors hear of it one working day later."""
    return add_rule(accept_by, Rule(working_days=settings.REFERRAL_ESCALATE_WORKING_DAYS), tz)
