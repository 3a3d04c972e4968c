"""Synthetic cases for tests (never real data). Built through the real intake service."""

import datetime as dt
import uuid

from cases.models import CaseType, IntakeChannel, PersonRole, RiskLevel
from cases.services import CaseData, PersonData, case_register


def make_case(
    actor,
    *,
    reported_on: dt.date = dt.date(2024, 5, 8),
    incident_date: dt.date | None = dt.date(2024, 5, 1),
    case_type: str = CaseType.KTP,
    place: str = "rumah_tangga",
    district: str | None = "13.76.01",
    victims: list[dict] | None = None,
    perpetrators: list[dict] | None = None,
    relationship: str = "suami_istri",
    description: str = "Kronologi sintetis untuk pengujian.",
    **case_fields,
):
    """A case with victims and perpetrators; each perpetrator is linked to every victim."""
    victims = victims if victims is not None else [{}]
    perpetrators = perpetrators if perpetrators is not None else [{}]
    people = []
    for i, v in enumerate(victims):
        people.append(
            PersonData(
                role=PersonRole.VICTIM,
                key=f"v{i}",
                **(
                    {
                        "name": f"Korban Sintetis {i + 1}",
                        "sex": "P",
                        "birth_date": dt.date(1990, 3, 2),
                        "violence_form_ids": ["fisik"],
                    }
                    | v
                ),
            )
        )
    for i, p in enumerate(perpetrators):
        people.append(
            PersonData(
                role=PersonRole.PERPETRATOR,
                key=f"p{i}",
                **({"name": f"Terlapor Sintetis {i + 1}", "sex": "L", "stated_age": 40} | p),
            )
        )
    links = [
        (f"p{j}", f"v{i}", relationship)
        for j in range(len(perpetrators))
        for i in range(len(victims))
    ]
    intake_token = case_fields.pop("intake_token", None) or uuid.uuid4()
    data = CaseData(
        intake_channel=case_fields.pop("intake_channel", IntakeChannel.WALK_IN),
        reported_on=reported_on,
        incident_date=incident_date,
        description=description,
        place_id=place,
        case_type=case_type,
        risk_level=case_fields.pop("risk_level", RiskLevel.MEDIUM),
        incident_district_id=district,
        **case_fields,
    )
    case, _created = case_register(
        actor=actor, data=data, people=people, links=links, intake_token=intake_token
    )
    return case
