"""Rules about what a case may be, as plain functions of plain data (no database, no request).

Intake, case edit, person edit, the data-quality page and the case import all ask the same
function, so a case is never counted under a type its victims do not fit.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from cases.models import CaseType, Sex

ADULT_AGE = 18  # UU 35/2014 Pasal 1: a child is a person under 18


@dataclass(frozen=True)
class VictimFacts:
    """What the case-type rule needs of one victim: sex code (`Sex`, or "" when not stated)
    and age in whole years on the case's reference date (the incident, else the report),
    None when neither a birth date nor an age is known."""

    sex: str
    age: int | None


def _may_be_adult_woman(victim: VictimFacts) -> bool:
    """A woman aged 18 or over, or a victim whose sex or age is unknown and could be one."""
    sex_fits = victim.sex in (Sex.FEMALE, "")
    return sex_fits and (victim.age is None or victim.age >= ADULT_AGE)


def _may_be_child(victim: VictimFacts) -> bool:
    return victim.age is None or victim.age < ADULT_AGE


def case_type_problem(*, case_type: str, victims: Sequence[VictimFacts]) -> str | None:
    """Why `case_type` does not fit these victims, with what to choose instead; None if it fits.

    KtP (violence against women) needs at least one woman aged 18 or over at the incident;
    AMPK (children needing special protection) at least one child, under 18 at the incident.
    A victim whose sex or age is unknown counts as fitting (it cannot be shown not to); the
    intake asks for both. Other types have no rule on the victims here.
    """
    if not victims:
        return None
    if case_type == CaseType.KTP and not any(_may_be_adult_woman(v) for v in victims):
        if any(_may_be_child(v) for v in victims):
            return _(
                "Jenis kasus KtP memerlukan sedikitnya satu korban perempuan berusia 18 tahun "
                "atau lebih pada tanggal kejadian; kasus ini tidak memilikinya. Bila korbannya "
                "anak, pilih jenis kasus AMPK; atau periksa tanggal lahir dan jenis kelamin korban."
            )
        return _(
            "Jenis kasus KtP memerlukan sedikitnya satu korban perempuan berusia 18 tahun atau "
            "lebih pada tanggal kejadian; kasus ini hanya memiliki korban laki-laki dewasa. "
            "Pilih jenis kasus Lainnya (atau TPPO bila perdagangan orang), atau periksa jenis "
            "kelamin korban."
        )
    if case_type == CaseType.AMPK and not any(_may_be_child(v) for v in victims):
        return _(
            "Jenis kasus AMPK memerlukan sedikitnya satu korban anak (di bawah 18 tahun pada "
            "tanggal kejadian); semua korban dalam kasus ini dewasa. Pilih jenis kasus KtP bila "
            "korbannya perempuan dewasa, Lainnya bila tidak, atau periksa tanggal lahir korban."
        )
    return None
