"""Reads of the imports app: batch lists, possible duplicate people, existing figures."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q, QuerySet

from cases import access as cases_access
from cases.models import Person
from imports import access
from imports.models import ImportBatch
from ppa.models import User
from reports.models import Population

DUPLICATE_LIMIT = 200
CHUNK = 500


def batches(user: User, kind: str) -> QuerySet[ImportBatch]:
    """The imports the user may see, newest first (one query, with the uploader's name)."""
    return (
        access.visible_batches(user)
        .filter(kind=kind)
        .select_related("created_by")
        .defer("problems", "duplicates", "notes")[:50]
    )


def possible_duplicate_people(
    user: User, people: list[tuple[str, int, str, dt.date | None, str]]
) -> list[list[object]]:
    """[sheet, row, case number] for people of a file who match a person of a case the user
    may see, as the intake's duplicate look-up does: the same NIK (keyed hash) or the same
    name and birth date. `people` are (sheet, row, name, birth date, NIK hash); looked up 500
    at a time through the indexes on nik_hash and (birth_date, name)."""
    found: list[list[object]] = []
    visible = cases_access.visible_cases(user).values("pk")
    for start in range(0, len(people), CHUNK):
        chunk = people[start : start + CHUNK]
        condition = Q(nik_hash__in=[p[4] for p in chunk if p[4]])
        for _sheet, _row, name, birth, _hash in chunk:
            if name and birth:
                condition |= Q(name=name, birth_date=birth)
        matches = Person.objects.filter(condition, case__in=visible).values_list(
            "nik_hash", "name", "birth_date", "case__number"
        )
        by_hash: dict[str, str] = {}
        by_name: dict[tuple[str, dt.date], str] = {}
        for hashed, name, birth, number in matches:
            if hashed:
                by_hash.setdefault(hashed, number)
            if birth:
                by_name.setdefault((name, birth), number)
        for sheet, row, name, birth, hashed in chunk:
            match = by_hash.get(hashed) if hashed else None
            match = match or (by_name.get((name, birth)) if birth else None)
            if match:
                found.append([sheet, row, match])
                if len(found) >= DUPLICATE_LIMIT:
                    return found
    return found


def population_existing(keys: Iterable[tuple[str, int, str, str]]) -> int:
    """How many of these (region, year, sex, age band) figures exist already (replaced)."""
    keys = list(keys)
    existing = 0
    for start in range(0, len(keys), CHUNK):
        condition = Q()
        for region, year, sex, band in keys[start : start + CHUNK]:
            condition |= Q(region_id=region, year=year, sex=sex, age_band=band)
        existing += Population.objects.filter(condition).count()
    return existing
