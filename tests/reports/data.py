"""Hand-counted synthetic data for the statistics tests (Kota Payakumbuh, 2021-2023).

The series 12 / 14 / 4 mirrors what the city reported at its 2024 rakor. 2021 and 2022 are
plain cases (one adult woman, one male perpetrator, husband, household, Payakumbuh Barat);
2023 holds four hand-built cases that exercise every breakdown. Expected figures are written
out in EXPECTED below, counted by hand from this file, never computed by the code under test.
"""

import datetime as dt

from django.utils import timezone

from cases.models import CaseType, LegalBasis, Person, PersonRole, ServiceGiven, Status
from tests.factories import make_case

SENTINEL_NAME = "Sentinel Zzyzx Korbanita"
SENTINEL_PERPETRATOR = "Qwerty Pelakuwan Sentinel"


def add_service(actor, victim: Person, service: str, on: dt.date) -> None:
    ServiceGiven.objects.create(
        victim=victim,
        service_type_id=service,
        provider=actor.agency,
        given_on=on,
        recorded_by=actor,
    )


def plain_cases(actor, year: int, count: int, **kwargs) -> list:
    cases = []
    for i in range(count):
        reported = dt.date(year, 2, 1) + dt.timedelta(days=20 * i)
        cases.append(
            make_case(
                actor, reported_on=reported, incident_date=reported - dt.timedelta(days=3), **kwargs
            )
        )
    return cases


def build_dataset(world) -> dict:
    actor = world.users["intake_own"]
    # 2021: 12 plain cases; one has no incident date (counted by reporting date only).
    c2021 = plain_cases(actor, 2021, 11)
    c2021.append(make_case(actor, reported_on=dt.date(2021, 12, 1), incident_date=None))
    # 2022: 10 plain + 4 online (sub-place "daring" rolls up to "lainnya"), Payakumbuh Utara.
    plain_cases(actor, 2022, 10)
    plain_cases(actor, 2022, 4, place="daring", district="13.76.02")

    # 2023, case 1: a school, two child victims, one teacher linked to both.
    c1 = make_case(
        actor,
        reported_on=dt.date(2023, 3, 10),
        incident_date=dt.date(2023, 3, 1),
        case_type=CaseType.AMPK,
        place="sekolah",
        district="13.76.03",
        relationship="guru",
        victims=[
            {
                "name": SENTINEL_NAME,
                "sex": "P",
                "birth_date": dt.date(2010, 6, 1),  # 12 at the incident
                "violence_form_ids": ["seksual", "psikis"],
                "ampk_category_ids": ["kejahatan_seksual"],
            },
            {
                "name": "Anak Sintetis Dua",
                "sex": "L",
                "birth_date": dt.date(2008, 1, 1),  # 15
                "violence_form_ids": ["fisik"],
                "ampk_category_ids": ["kekerasan_fisik_psikis", "disabilitas"],
                "has_disability": True,
            },
        ],
        perpetrators=[{"name": SENTINEL_PERPETRATOR, "stated_age": 35}],
    )
    girl = c1.people.get(name=SENTINEL_NAME)
    add_service(actor, girl, "pengaduan", dt.date(2023, 3, 10))
    add_service(actor, girl, "pengaduan", dt.date(2023, 4, 10))  # twice: still one victim
    add_service(actor, girl, "kesehatan", dt.date(2023, 3, 11))
    add_service(actor, girl, "rehabilitasi_sosial", dt.date(2023, 5, 1))

    # 2023, case 2: household, one woman, husband and his mother (two relationships); closed.
    c2 = make_case(
        actor,
        reported_on=dt.date(2023, 5, 5),
        incident_date=dt.date(2023, 4, 28),
        place="rumah_tangga",
        district="13.76.01",
        victims=[
            {
                "birth_date": dt.date(1985, 2, 1),  # 38
                "violence_form_ids": ["fisik", "psikis", "penelantaran"],
                "education_id": "slta",
                "occupation_id": "ibu_rumah_tangga",
                "marital_status_id": "kawin_tercatat",
            }
        ],
        perpetrators=[{"stated_age": 40}, {"sex": "P", "stated_age": 60}],
    )
    mother_link = c2.people.get(role=PersonRole.PERPETRATOR, sex="P").victim_links.get()
    mother_link.relationship_id = "keluarga"
    mother_link.save(update_fields=["relationship"])
    woman = c2.people.get(role=PersonRole.VICTIM)
    add_service(actor, woman, "pengaduan", dt.date(2023, 5, 5))
    add_service(actor, woman, "bantuan_hukum", dt.date(2023, 5, 20))
    c2.status, c2.closed_at = Status.CLOSED, timezone.now()
    c2.save(update_fields=["status", "closed_at"])

    # 2023, case 3: trafficking, workplace, incident in December 2022, kecamatan unknown.
    c3 = make_case(
        actor,
        reported_on=dt.date(2023, 8, 1),
        incident_date=dt.date(2022, 12, 20),
        case_type=CaseType.TPPO,
        place="tempat_kerja",
        district=None,
        relationship="majikan",
        victims=[
            {
                "birth_date": None,
                "stated_age": 22,
                "violence_form_ids": ["seksual", "eksploitasi", "trafficking"],
            }
        ],
        perpetrators=[{"stated_age": 45}],
    )
    add_service(actor, c3.people.get(role=PersonRole.VICTIM), "pengaduan", dt.date(2023, 8, 1))

    # 2023, case 4: an older man, public facility, kecamatan across the city border; no
    # consent for statistics, but processed under a legal obligation: counted.
    make_case(
        actor,
        reported_on=dt.date(2023, 11, 20),
        incident_date=dt.date(2023, 11, 18),
        place="fasilitas_umum",
        district="13.07.03",
        relationship="tetangga",
        case_type=CaseType.OTHER,  # an adult man: not KtP
        victims=[{"sex": "L", "birth_date": None, "stated_age": 70}],
        perpetrators=[{"stated_age": 30}],
        consent_statistics=False,
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
    )

    # Not counted: consent refused; another city's UPTD; before the period.
    make_case(
        actor,
        reported_on=dt.date(2023, 6, 1),
        incident_date=dt.date(2023, 6, 1),
        consent_statistics=False,
        legal_basis=LegalBasis.CONSENT,
    )
    make_case(
        world.users["intake_other"],
        reported_on=dt.date(2023, 6, 1),
        incident_date=dt.date(2023, 6, 1),
        district="13.07.01",
    )
    make_case(actor, reported_on=dt.date(2020, 6, 1), incident_date=dt.date(2020, 6, 1))
    return {"c2021": c2021}


# Per year 2021, 2022, 2023 (reporting date basis, Kota Payakumbuh, all case types).
EXPECTED = {
    "headline": {"cases": [12, 14, 4], "victims": [12, 14, 5], "perpetrators": [12, 14, 5]},
    "cases_status": {"open": [12, 14, 3], "closed": [0, 0, 1]},
    "victims_sex": {"P": [12, 14, 3], "L": [0, 0, 2]},
    "victims_age": {
        "0-5": [0, 0, 0],
        "6-12": [0, 0, 1],
        "13-17": [0, 0, 1],
        "18-24": [0, 0, 1],
        "25-44": [12, 14, 1],
        "45-59": [0, 0, 0],
        "60+": [0, 0, 1],
    },
    "victims_status": {"anak": [0, 0, 2], "dewasa": [12, 14, 3]},
    "victims_sex_status": {
        "anak:P": [0, 0, 1],
        "anak:L": [0, 0, 1],
        "dewasa:P": [12, 14, 2],
        "dewasa:L": [0, 0, 1],
    },
    "victims_form": {
        "fisik": [12, 14, 3],
        "psikis": [0, 0, 2],
        "seksual": [0, 0, 2],
        "eksploitasi": [0, 0, 1],
        "trafficking": [0, 0, 1],
        "penelantaran": [0, 0, 1],
        "lainnya": [0, 0, 0],
    },
    "victims_education": {"slta": [0, 0, 1], "_unknown": [12, 14, 4]},
    "victims_occupation": {"ibu_rumah_tangga": [0, 0, 1], "_unknown": [12, 14, 4]},
    "victims_marital": {"kawin_tercatat": [0, 0, 1], "_unknown": [12, 14, 4]},
    "victims_disability": {"ya": [0, 0, 1], "tidak": [12, 14, 4]},
    "cases_place": {
        "rumah_tangga": [12, 10, 1],
        "tempat_kerja": [0, 0, 1],
        "sekolah": [0, 0, 1],
        "fasilitas_umum": [0, 0, 1],
        "lembaga_pendidikan_kilat": [0, 0, 0],
        "lainnya": [0, 4, 0],
    },
    "cases_area": {
        "13.76.01": [12, 10, 1],
        "13.76.02": [0, 4, 0],
        "13.76.03": [0, 0, 1],
        "_outside": [0, 0, 1],
        "_unknown": [0, 0, 1],
    },
    "perpetrators_sex": {"L": [12, 14, 4], "P": [0, 0, 1]},
    "perpetrators_age": {"25-44": [12, 14, 3], "45-59": [0, 0, 1], "60+": [0, 0, 1]},
    "perpetrators_relationship": {
        "suami_istri": [12, 14, 1],
        "keluarga": [0, 0, 1],
        "guru": [0, 0, 1],
        "majikan": [0, 0, 1],
        "tetangga": [0, 0, 1],
        "orang_tua": [0, 0, 0],
    },
    "victims_service": {
        "pengaduan": [0, 0, 3],
        "kesehatan": [0, 0, 1],
        "bantuan_hukum": [0, 0, 1],
        "rehabilitasi_sosial": [0, 0, 1],
        "pemulangan": [0, 0, 0],
        "any": [0, 0, 3],
    },
    "kla_ampk": {
        "kejahatan_seksual": [0, 0, 1],
        "kekerasan_fisik_psikis": [0, 0, 1],
        "disabilitas": [0, 0, 1],
        "hiv": [0, 0, 0],
    },
    "kla_served": {
        "children": [0, 0, 2],
        "children_served": [0, 0, 1],
        "trafficked": [0, 0, 0],
        "trafficked_served": [0, 0, 0],
        "disabled_children_served": [0, 0, 0],
    },
}
