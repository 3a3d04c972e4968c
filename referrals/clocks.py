"""Clocks: when a referral must be answered, when a statutory deadline falls due.

Rules that count working days skip weekends and Indonesian public holidays (with cuti bersama)
through lokal-id; rules in hours (3×24 jam) count calendar time, as the laws do.
"""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from lokal import add_working_days, is_working_day


@dataclass(frozen=True)
class Rule:
    hours: int = 0
    working_days: int = 0
    calendar_days: int = 0
    legal_basis: str = ""


# cases.Deadline.Kind -> rule. The legal basis is stored with the clock so the UI can say why.
DEADLINE_RULES: dict[str, Rule] = {
    "police_report_tpks": Rule(
        hours=72, legal_basis="UU 12/2022 (TPKS): laporan ke polisi 3×24 jam"
    ),
    "response_medium": Rule(hours=6, legal_basis="Permen PPPA 2/2022: respons risiko sedang"),
    "follow_up": Rule(working_days=3, legal_basis="Standar layanan: tindak lanjut 3 hari kerja"),
    "diversion": Rule(calendar_days=30, legal_basis="UU 11/2012 (SPPA): diversi 30 hari"),
}

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
    if not is_working_day(day):
        # A clock that starts on a holiday starts at the beginning of the next working day.
        day = add_working_days(day, 1)
        local = dt.datetime.combine(day, dt.time(8, 0), tzinfo=zone)
    due_day = add_working_days(day, rule.working_days)
    return dt.datetime.combine(due_day, local.timetz().replace(tzinfo=None), tzinfo=zone)


def answer_due(urgency: str, delivered_at: dt.datetime, tz: str = "") -> dt.datetime:
    return add_rule(delivered_at, ANSWER_RULES.get(urgency, ANSWER_RULES["normal"]), tz)


def escalation_due(accept_by: dt.datetime, tz: str = "") -> dt.datetime:
    """After the reminder, the supervisors hear of it one working day later."""
    return add_rule(accept_by, Rule(working_days=settings.REFERRAL_ESCALATE_WORKING_DAYS), tz)
