"""Yearly recaps in the statistics: the years an office has only totals for (no case-level
records) become columns of the same tables, marked as recaps. No query here: the selector reads
the recaps (`reports.selectors.report_recaps`) and hands them over as plain rows.

Rules (docs/recaps.md):
- a recap counts for its own region only (a province report does not add up city recaps);
- the report's case-type filter decides which recaps fit: all case types (women and children)
  take a recap of both ("ktp_kta"), or the KtP and KtA recaps of the year added up when there
  is no combined one; a KtP report takes the KtP recap; any other filter none;
- a year with case-level records in the report keeps the case-level figures; the recap is then
  only named in the notes with its figure;
- a count or breakdown the recap does not give is `NOT_AVAILABLE` ("tidak tersedia"), never 0.
"""

from __future__ import annotations

from typing import Any

from cases.models import CaseType
from reports.models import RECAP_FORMS, RecapPopulation
from reports.snapshot import NOT_AVAILABLE, UNKNOWN, Table

# Tables whose total is the victims, the cases or the perpetrators of the column.
VICTIM_TOTALS = {
    "victims_sex",
    "victims_age",
    "victims_status",
    "victims_sex_status",
    "victims_education",
    "victims_occupation",
    "victims_marital",
    "victims_disability",
}
CASE_TOTALS = {"cases_status", "cases_place", "cases_area"}
PERPETRATOR_TOTALS = {"perpetrators_sex", "perpetrators_age"}
COUNTS = ("cases", "victims", "perpetrators", "victims_female", "victims_male")


def _add(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b


def _combined(parts: list[dict]) -> dict:
    """One recap from the KtP and KtA recaps of a year (a count only where both give it)."""
    first, *rest = parts
    out = {**first, "forms": dict(first["forms"]), "parts": parts}
    for other in rest:
        for name in COUNTS:
            out[name] = _add(out[name], other[name])
        out["forms"] = {c: _add(out["forms"].get(c), other["forms"].get(c)) for c in RECAP_FORMS}
    out["population"] = RecapPopulation.BOTH.value
    return out


def fitting_recaps(recaps: list[dict], case_type: str) -> tuple[dict[int, dict], list[dict]]:
    """({year: the recap the report uses}, [recaps that do not fit its case-type filter])."""
    by_year: dict[int, dict[str, dict]] = {}
    for r in recaps:
        by_year.setdefault(r["year"], {})[r["population"]] = r
    used: dict[int, dict] = {}
    for year, pops in by_year.items():
        if case_type == "" and RecapPopulation.BOTH in pops:
            used[year] = {**pops[RecapPopulation.BOTH], "parts": [pops[RecapPopulation.BOTH]]}
        elif case_type == "" and {RecapPopulation.WOMEN, RecapPopulation.CHILDREN} <= set(pops):
            used[year] = _combined([pops[RecapPopulation.WOMEN], pops[RecapPopulation.CHILDREN]])
        elif case_type == CaseType.KTP and RecapPopulation.WOMEN in pops:
            used[year] = {**pops[RecapPopulation.WOMEN], "parts": [pops[RecapPopulation.WOMEN]]}
    parts = {id(p) for r in used.values() for p in r["parts"]}
    unfit = [r for r in recaps if id(r) not in parts]
    return used, unfit


def _or_na(value: int | None) -> int | str:
    return NOT_AVAILABLE if value is None else value


def _rate(count: int | None, population: object) -> float | str | None:
    if not isinstance(population, int) or not population:
        return None
    return NOT_AVAILABLE if count is None else round(count * 100_000 / population, 1)


def _cell(table: Table, code: str, recap: dict, column: int) -> Any:
    """The value of one row of `table` in a recap's column."""
    key = table.key
    if key == "headline":
        return _or_na(recap.get(code))
    if key == "victims_sex":
        female, male = recap["victims_female"], recap["victims_male"]
        values = {"P": female, "L": male, UNKNOWN: None if female is None else 0}
        return _or_na(values.get(code))
    if key == "victims_form":
        return _or_na(recap["forms"].get(code))
    if key == "rates":
        rows = {r.code: r.values[column] for r in table.rows}
        if code.startswith("pop_"):
            return rows[code]
        if code == "cases_rate":
            return _rate(recap["cases"], rows.get("pop_all"))
        if code == "women_rate":
            return _rate(recap["victims_female"], rows.get("pop_women"))
    return NOT_AVAILABLE


def _total(table: Table, recap: dict) -> Any:
    if table.key in VICTIM_TOTALS:
        return _or_na(recap["victims"])
    if table.key in CASE_TOTALS:
        return recap["cases"]
    if table.key in PERPETRATOR_TOTALS:
        return _or_na(recap["perpetrators"])
    return NOT_AVAILABLE


def apply_recaps(
    tables: list[Table], columns: list[int], case_counts: list[int], used: dict[int, dict]
) -> dict[int, int]:
    """Put each used recap into its year's column of every table (in place), for the years
    without case-level records in the report. Returns {year: cases counted case by case} of
    the years that keep their case-level figures although a recap exists."""
    kept: dict[int, int] = {}
    for column, year in enumerate(columns):
        recap = used.get(year)
        if recap is None:
            continue
        if case_counts[column] > 0:
            kept[year] = case_counts[column]
            continue
        for table in tables:
            if table.columns is not None:
                continue  # a table with columns of its own (the monthly trend)
            table.recaps = True
            for row in table.rows:
                row.values[column] = _cell(table, row.code, recap, column)
            if table.total is not None:
                table.total[column] = _total(table, recap)
    return kept


def _source(recap: dict) -> dict[str, str]:
    return {
        "document": recap["source_document"],
        "meeting": recap["source_meeting"],
        "date": recap["source_date"],
    }


def recap_entries(
    columns: list[int], used: dict[int, dict], kept: dict[int, int], unfit: list[dict]
) -> list[dict]:
    """What the snapshot stores about the recaps, per year (the notes are written from it when
    rendered, in the reader's language and edition): whether the column shows the recap, its
    figures, and where each part comes from."""
    entries = []
    for year in columns:
        if year not in used:
            continue
        recap = used[year]
        entries.append(
            {
                "year": year,
                "used": year not in kept,
                "case_level_cases": kept.get(year),
                "population": recap["population"],
                "cases": recap["cases"],
                "victims": recap["victims"],
                "sources": [
                    {**_source(p), "population": p["population"], "cases": p["cases"]}
                    for p in recap["parts"]
                ],
            }
        )
    for recap in unfit:
        entries.append(
            {
                "year": recap["year"],
                "used": False,
                "unfit": True,
                "case_level_cases": None,
                "population": recap["population"],
                "cases": recap["cases"],
                "victims": recap["victims"],
                "sources": [
                    {**_source(recap), "population": recap["population"], "cases": recap["cases"]}
                ],
            }
        )
    return sorted(entries, key=lambda e: (e["year"], e.get("unfit", False)))
