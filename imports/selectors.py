"""Reads of the imports app: batch lists, possible duplicate people, existing figures."""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from cases import access as cases_access
from cases.models import Person
from imports import access
from imports.models import ImportBatch
from ppa.models import User
from reports.models import Population

DUPLICATE_LIMIT = 200
CHUNK = 500
DUPLICATE_CHUNK = 2000


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
    name and birth date. `people` are (sheet, row, name, birth date, NIK hash); looked up
    `DUPLICATE_CHUNK` at a time, two queries per chunk: the hashes as one array through the
    index on nik_hash, the (birth date, name) pairs as two arrays joined to the index on
    (birth_date, name) (no condition per person to build: that was most of the look-up's
    time)."""
    found: list[list[object]] = []
    visible = cases_access.visible_cases(user).values("pk")
    fields = ("nik_hash", "name", "birth_date", "case__number")
    for start in range(0, len(people), DUPLICATE_CHUNK):
        chunk = people[start : start + DUPLICATE_CHUNK]
        hashes = [p[4] for p in chunk if p[4]]
        pairs = [(p[3], p[2]) for p in chunk if p[2] and p[3]]
        by_hash: dict[str, str] = {}
        by_name: dict[tuple[str, dt.date], str] = {}
        if hashes:
            for hashed, _name, _birth, number in Person.objects.filter(
                case__in=visible, nik_hash__in=hashes
            ).values_list(*fields):
                by_hash.setdefault(hashed, number)
        if pairs:
            same_name = RawSQL(  # noqa: S611 (fixed text, values bound)
                f"SELECT p.id FROM {Person._meta.db_table} p "  # noqa: S608 (the model's table)
                "JOIN unnest(%s::date[], %s::text[]) "
                "AS u(birth_date, name) ON p.birth_date = u.birth_date AND p.name = u.name",
                [[b for b, _n in pairs], [n for _b, n in pairs]],
            )
            for hashed, name, birth, number in Person.objects.filter(
                case__in=visible, pk__in=same_name
            ).values_list(*fields):
                by_name.setdefault((name, birth), number)
                if hashed:
                    by_hash.setdefault(hashed, number)
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
