"""Helpers for the yearly-recap tests: a recap written through the service, and the form body
the pages post."""

import datetime as dt

from ppa.models import Region
from reports import services
from reports.models import RecapPopulation, YearlyRecap

FORM_FIELDS = (
    "fisik",
    "psikis",
    "seksual",
    "eksploitasi",
    "trafficking",
    "penelantaran",
    "lainnya",
)


def make_recap(
    world, year: int, cases: int, *, user: str = "official_own", **values
) -> YearlyRecap:
    defaults = {
        "region": Region.objects.get(code="13.76"),
        "year": year,
        "population": RecapPopulation.BOTH,
        "cases": cases,
        "source_document": f"Laporan Tahunan P2TP2A {year}",
        "source_meeting": f"Rakor PPA Januari {year + 1}",
        "source_date": dt.date(year + 1, 1, 15),
    }
    return services.recap_create(actor=world.users[user], values={**defaults, **values})


def recap_post(year: int = 2019, cases: int = 12, **extra: object) -> dict:
    body = {
        "region": "13.76",
        "year": str(year),
        "population": "ktp_kta",
        "cases": str(cases),
        "victims": "",
        "perpetrators": "",
        "victims_female": "",
        "victims_male": "",
        **{f"form_{c}": "" for c in FORM_FIELDS},
        "source_document": f"Laporan Tahunan P2TP2A {year}",
        "source_meeting": f"Rakor PPA Januari {year + 1}",
        "source_date": f"{year + 1}-01-15",
        "note": "",
    }
    return {**body, **{k: str(v) for k, v in extra.items()}}
