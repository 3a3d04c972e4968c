"""What a printed document shows, as plain data read from the database (no rendering here).

Every block is limited by field groups (`cases.access.FieldGroup`): a referral letter by the
groups the referral shares with the receiving agency (the letter never shows more than the
receiver sees in the app), a case summary by the groups the requesting user may see."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch

from cases.access import FieldGroup
from cases.models import Case, LegalProcess, PerpetratorLink, Person, PersonRole, ServiceGiven
from paperwork.models import SignerProfile
from ppa.models import Agency, User
from referrals.models import Referral


@dataclass
class Signatory:
    """Who signs: never printed without a name."""

    name: str
    title: str
    nip: str = ""


@dataclass
class PersonBlock:
    label: str  # the name when identity is shared, else the initials
    sex: str = ""
    age: str = ""
    identity: dict[str, str] = field(default_factory=dict)
    forms: list[str] = field(default_factory=list)
    services: list[dict[str, object]] = field(default_factory=list)
    relationships: list[str] = field(default_factory=list)
    legal_steps: list[dict[str, object]] = field(default_factory=list)


def signatory_for(user: User | None, agency: Agency) -> Signatory | None:
    """A user's signature: their name and their title (own profile, the agency head's title
    when they are the head, or their role at the agency). None without a user."""
    if user is None:
        return None
    profile = SignerProfile.objects.filter(user=user).first()
    name = user.get_full_name().strip() or user.username
    title = profile.title if profile and profile.title else ""
    if not title and agency.head_name and agency.head_name.strip() == name:
        title = agency.head_title
    if not title:
        title = f"{user.get_role_display()} {agency.short_name or agency.name}"
    return Signatory(name=name, title=title, nip=profile.nip if profile else "")


def agency_head(agency: Agency) -> Signatory | None:
    if not agency.head_name.strip():
        return None
    return Signatory(agency.head_name, agency.head_title or agency.name, agency.head_nip)


def _age(person: Person) -> str:
    return str(person.age) if person.age is not None else ""


def _identity(person: Person) -> dict[str, str]:
    return {
        "nik": person.nik_masked,
        "birth_date": person.birth_date.isoformat() if person.birth_date else "",
        "address": person.address,
        "phone": person.phone,
    }


def _person(person: Person, *, identity: bool) -> PersonBlock:
    return PersonBlock(
        label=person.name if identity else person.initials,
        sex=person.get_sex_display(),
        age=_age(person),
        identity=_identity(person) if identity else {},
    )


def incident_facts(case: Case) -> dict[str, object]:
    return {
        "reported_on": case.reported_on,
        "incident_date": case.incident_date,
        "case_type": case.get_case_type_display(),
        "place": str(case.place) if case.place_id else "",
        "district": str(case.incident_district) if case.incident_district_id else "",
    }


@dataclass
class LetterContent:
    groups: frozenset[str]
    incident: dict[str, object] | None
    victims: list[PersonBlock]
    perpetrators: list[PersonBlock]
    narrative: str
    documents: list[str]
    services: list[str]


def letter_content(referral: Referral, groups: frozenset[str]) -> LetterContent:
    """The shared parts of the referred case: the referred victims (needs, and identity only
    when shared), the incident, perpetrators, chronology and document titles only when their
    group is shared."""
    case = referral.case
    identity = FieldGroup.VICTIM_IDENTITY in groups
    victims: list[PersonBlock] = []
    if FieldGroup.VICTIM_NEEDS in groups:
        for person in referral.victims.prefetch_related("violence_forms").order_by("pk"):
            block = _person(person, identity=identity)
            if FieldGroup.INCIDENT in groups:
                block.forms = [str(f) for f in person.violence_forms.all()]
            victims.append(block)
    perpetrators: list[PersonBlock] = []
    if FieldGroup.PERPETRATORS in groups:
        for person in case.people.filter(role=PersonRole.PERPETRATOR).order_by("pk"):
            perpetrators.append(_person(person, identity=False))
    return LetterContent(
        groups=groups,
        incident=incident_facts(case) if FieldGroup.INCIDENT in groups else None,
        victims=victims,
        perpetrators=perpetrators,
        narrative=case.description if FieldGroup.NARRATIVE in groups else "",
        documents=(
            [d.get_kind_display() for d in case.documents.order_by("uploaded_at", "pk")]
            if FieldGroup.DOCUMENTS in groups
            else []
        ),
        services=[str(s) for s in referral.services.order_by("order", "code")],
    )


@dataclass
class SummaryContent:
    incident: dict[str, object] | None
    victims: list[PersonBlock]
    perpetrators: list[PersonBlock]
    chronology: str
    with_chronology: bool


def _services(person: Person) -> list[dict[str, object]]:
    return [
        {
            "on": s.given_on,
            "type": str(s.service_type),
            "provider": str(s.provider) if s.provider_id else "",
        }
        for s in person.services.all()
    ]


def _legal_steps(person: Person) -> list[dict[str, object]]:
    return [
        {
            "on": step.started_on,
            "stage": step.get_stage_display(),
            "outcome": step.get_outcome_display(),
        }
        for step in person.legal_steps.all()
    ]


def summary_content(case: Case, groups: frozenset[str], *, chronology: bool) -> SummaryContent:
    """The case facts, each victim's services, each perpetrator's legal process (with the
    relationship to the victims), and the chronology only when asked and visible."""
    people = case.people.prefetch_related(
        "violence_forms",
        Prefetch(
            "services",
            queryset=ServiceGiven.objects.select_related("service_type", "provider").order_by(
                "given_on", "pk"
            ),
        ),
        Prefetch("legal_steps", queryset=LegalProcess.objects.order_by("started_on", "pk")),
        Prefetch(
            "victim_links",
            queryset=PerpetratorLink.objects.select_related("relationship", "victim"),
        ),
    ).order_by("pk")
    identity = FieldGroup.VICTIM_IDENTITY in groups
    victims, perpetrators = [], []
    for person in people:
        if person.role == PersonRole.VICTIM and FieldGroup.VICTIM_NEEDS in groups:
            block = _person(person, identity=identity)
            block.forms = [str(f) for f in person.violence_forms.all()]
            block.services = _services(person)
            victims.append(block)
        elif person.role == PersonRole.PERPETRATOR and FieldGroup.PERPETRATORS in groups:
            block = _person(person, identity=False)
            block.relationships = [
                f"{link.relationship} ({link.victim.initials})"
                for link in person.victim_links.all()
            ]
            block.legal_steps = _legal_steps(person)
            perpetrators.append(block)
    shown = chronology and FieldGroup.NARRATIVE in groups
    return SummaryContent(
        incident=incident_facts(case) if FieldGroup.INCIDENT in groups else None,
        victims=victims,
        perpetrators=perpetrators,
        chronology=case.description if shown else "",
        with_chronology=shown,
    )
