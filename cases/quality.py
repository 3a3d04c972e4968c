"""Data-quality reads for supervisors: registered cases whose facts no longer fit a rule.

The SQL finds the candidates; `cases.rules.case_type_problem` (the rule intake and edits
enforce) confirms each one and says why, so the page and the forms never disagree.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q

from cases.models import Case, CaseType, Person, PersonRole
from cases.rules import ADULT_AGE, VictimFacts, case_type_problem
from ppa.models import User

MAX_ROWS = 200


@dataclass(frozen=True)
class TypeMismatch:
    """One case whose type does not fit its victims (no names: number, type, date, reason)."""

    code: str
    number: str
    case_type: str
    reported_on: dt.date
    problem: str


def _victims(**conditions: object) -> Exists:
    return Exists(
        Person.objects.filter(case=OuterRef("pk"), role=PersonRole.VICTIM).filter(**conditions)
    )


def _fitting_victim(case_type: str) -> Exists:
    """A victim that may fit the type, as `case_type_problem` judges it (unknown = fits)."""
    if case_type == CaseType.KTP:
        return Exists(
            Person.objects.filter(
                Q(age__isnull=True) | Q(age__gte=ADULT_AGE),
                case=OuterRef("pk"),
                role=PersonRole.VICTIM,
                sex__in=["P", ""],
            )
        )
    return Exists(
        Person.objects.filter(
            Q(age__isnull=True) | Q(age__lt=ADULT_AGE), case=OuterRef("pk"), role=PersonRole.VICTIM
        )
    )


def case_type_mismatches(user: User) -> list[TypeMismatch]:
    """Cases of the user's agency (newest first, at most `MAX_ROWS`) whose type no longer fits
    their victims, e.g. a KtP case whose only victim's birth date was corrected to a child's.
    Two queries whatever the number of rows."""
    if user.agency_id is None:
        return []
    wrong = Q(Q(case_type=CaseType.KTP), ~_fitting_victim(CaseType.KTP)) | Q(
        Q(case_type=CaseType.AMPK), ~_fitting_victim(CaseType.AMPK)
    )
    victims = Person.objects.filter(role=PersonRole.VICTIM).only("case_id", "sex", "age")
    cases = (
        Case.objects.filter(agency_id=user.agency_id)
        .filter(_victims(), wrong)
        .only("code", "number", "case_type", "reported_on")
        .prefetch_related(Prefetch("people", queryset=victims, to_attr="victim_rows"))
        .order_by("-reported_on", "-id")[:MAX_ROWS]
    )
    rows = []
    for case in cases:
        facts = [VictimFacts(sex=p.sex, age=p.age) for p in case.victim_rows]
        problem = case_type_problem(case_type=case.case_type, victims=facts)
        if problem:
            rows.append(
                TypeMismatch(
                    code=str(case.code),
                    number=case.number,
                    case_type=case.get_case_type_display(),
                    reported_on=case.reported_on,
                    problem=problem,
                )
            )
    return rows
