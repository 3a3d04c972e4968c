"""Synthetic cases for the demo (`manage.py seed_demo`): five years of Kota Payakumbuh.

Every name, date and story is generated; nothing comes from a real case. The numbers are of
the size a city UPTD PPA reports (a dozen cases of violence against women a year, a little
more for children, a few trafficking, ABH and child-marriage cases). Idempotent: each
synthetic case has a fixed intake token, so a second run creates nothing."""

import datetime as dt
import random
import uuid

from django.db import transaction
from django.utils import timezone

from cases import services
from cases.models import (
    AbhDetail,
    Case,
    CaseType,
    ChildLegalRole,
    IntakeChannel,
    PersonRole,
    RiskLevel,
    Sex,
    Step,
)
from ppa.models import Agency, Region, Role, User

NAMESPACE = uuid.UUID("6f1c2a52-8d1e-4c7b-9a43-2b1f0c9d7e11")
# Per year, oldest first: (KtP, AMPK, TPPO, ABH, child marriage).
PER_YEAR = [
    (12, 17, 1, 3, 2),
    (14, 21, 0, 4, 3),
    (4, 15, 1, 2, 1),
    (11, 19, 1, 3, 2),
    (9, 16, 0, 2, 2),
]
WOMEN = ["Rina", "Sari", "Dewi", "Yulia", "Fitri", "Nofri", "Mega", "Rahmi", "Elsa", "Vivi"]
GIRLS = ["Aisyah", "Nabila", "Zahra", "Salsa", "Keysha", "Putri", "Naura", "Syifa", "Alya"]
BOYS = ["Rafi", "Fajar", "Arif", "Dimas", "Ilham", "Rizky", "Fikri", "Bayu", "Gilang"]
MEN = ["Andi", "Budi", "Joni", "Herman", "Syafri", "Yusra", "Zulkifli", "Irwan", "Dedi"]
FAMILY = ["Putra", "Yanti", "Saputra", "Wati", "Hidayat", "Lestari", "Pratama", "Sintetis"]
STORIES: dict[str, str] = {
    CaseType.KTP: "Korban (data sintetis) melaporkan kekerasan oleh pasangannya di rumah.",
    CaseType.AMPK: "Data sintetis: anak korban dilaporkan oleh keluarga setelah kejadian.",
    CaseType.TPPO: "Data sintetis: korban direkrut dengan janji pekerjaan di luar daerah.",
    CaseType.ABH: "Data sintetis: anak berhadapan dengan hukum, didampingi dalam diversi.",
    CaseType.CHILD_MARRIAGE: "Data sintetis: permohonan rekomendasi dispensasi kawin.",
}


def _name(rng: random.Random, first: list[str]) -> str:
    return f"{rng.choice(first)} {rng.choice(FAMILY)}"


def _people(rng: random.Random, case_type: str, reported: dt.date) -> tuple[list, list]:
    child = case_type != CaseType.KTP
    if child:
        sex = Sex.FEMALE if rng.random() < 0.7 else Sex.MALE
        age = rng.randint(4, 17) if case_type != CaseType.CHILD_MARRIAGE else rng.randint(14, 17)
        first = GIRLS if sex == Sex.FEMALE else BOYS
    else:
        sex, age, first = Sex.FEMALE, rng.randint(19, 58), WOMEN
    birth = reported - dt.timedelta(days=age * 365 + rng.randint(20, 300))
    if case_type in (CaseType.ABH, CaseType.CHILD_MARRIAGE):
        forms: list[str] = []
        subtypes: list[str] = []
    elif case_type == CaseType.TPPO:
        forms, subtypes = [], [rng.choice(["tppo_eksploitasi_seksual", "tppo_kerja_paksa"])]
    elif case_type == CaseType.KTP:
        forms = rng.sample(["fisik", "psikis", "penelantaran"], rng.randint(1, 2))
        subtypes = ["pkdrt_fisik"] if "fisik" in forms else []
    else:
        forms = rng.sample(["fisik", "psikis", "penelantaran"], 1) if rng.random() < 0.5 else []
        subtypes = [] if forms else [rng.choice(["tpks_persetubuhan_anak", "tpks_pencabulan"])]
    victim = services.PersonData(
        role=PersonRole.VICTIM,
        key="v0",
        name=_name(rng, first),
        sex=sex,
        birth_date=birth,
        violence_form_ids=forms,
        violence_subtype_ids=subtypes,
        ampk_category_ids=["kejahatan_seksual"] if subtypes and child else [],
        child_legal_role=ChildLegalRole.IN_CONFLICT if case_type == CaseType.ABH else "",
    )
    people, links = [victim], []
    if case_type not in (CaseType.ABH, CaseType.CHILD_MARRIAGE):
        relationship = (
            "suami_istri"
            if case_type == CaseType.KTP
            else rng.choice(["orang_tua", "keluarga", "tetangga", "pacar_teman", "guru", "na"])
        )
        people.append(
            services.PersonData(
                role=PersonRole.PERPETRATOR,
                key="p0",
                name=_name(rng, MEN),
                sex=Sex.MALE,
                stated_age=rng.randint(18, 60),
            )
        )
        links.append(("p0", "v0", relationship))
    return people, links


def _actor(agency: Agency) -> User | None:
    return (
        User.objects.filter(agency=agency, role__in=[Role.INTAKE, Role.CASE_WORKER], is_active=True)
        .order_by("role", "id")
        .first()
    )


def seed_cases(agencies: dict[str, Agency]) -> int:
    """Create the synthetic cases that do not exist yet; return how many were created."""
    uptd = agencies.get("uptd")
    if uptd is None:
        return 0
    intake = _actor(uptd)
    worker = User.objects.filter(agency=uptd, role=Role.CASE_WORKER).first() or intake
    supervisor = User.objects.filter(agency=uptd, role=Role.SUPERVISOR).first()
    if intake is None:
        return 0
    today = timezone.localdate()
    districts = list(Region.objects.filter(parent_id=uptd.region_id, level=3).order_by("code"))
    villages: dict[str, list[str]] = {}
    for code, parent in Region.objects.filter(
        parent__parent_id=uptd.region_id, level=4
    ).values_list("code", "parent_id"):
        villages.setdefault(parent, []).append(code)
    created = 0
    years = range(today.year - len(PER_YEAR) + 1, today.year + 1)
    for year, counts in zip(years, PER_YEAR, strict=True):
        types = [CaseType.KTP, CaseType.AMPK, CaseType.TPPO, CaseType.ABH, CaseType.CHILD_MARRIAGE]
        for case_type, count in zip(types, counts, strict=True):
            for i in range(count):
                token = uuid.uuid5(NAMESPACE, f"payakumbuh-{year}-{case_type}-{i}")
                if Case.objects.filter(intake_token=token).exists():
                    continue
                rng = random.Random(str(token))  # noqa: S311 (synthetic demo data)
                created += _one_case(
                    rng,
                    token,
                    year,
                    case_type,
                    today,
                    intake,
                    worker,
                    supervisor,
                    districts,
                    villages,
                )
    other = agencies.get("other_uptd")
    other_actor = _actor(other) if other else None
    if other_actor is not None:
        for i in range(3):
            token = uuid.uuid5(NAMESPACE, f"limapuluhkota-{i}")
            if Case.objects.filter(intake_token=token).exists():
                continue
            rng = random.Random(str(token))  # noqa: S311 (synthetic demo data)
            created += _one_case(
                rng, token, today.year, CaseType.KTP, today, other_actor, None, None, [], {}
            )
    return created


CHANNELS = [
    IntakeChannel.WALK_IN,
    IntakeChannel.PHONE,
    IntakeChannel.WHATSAPP,
    IntakeChannel.THIRD_PARTY,
    IntakeChannel.REFERRAL,
]
PLACES = ["rumah_tangga", "rumah_tangga", "sekolah", "fasilitas_umum", "daring", "lainnya"]


def _details(rng: random.Random, case_type: str, year: int, today: dt.date) -> dict:
    """The type-specific part of a synthetic case."""
    if case_type == CaseType.CHILD_MARRIAGE:
        return {
            "child_marriage": {
                "bride_age": rng.randint(14, 18),
                "groom_age": rng.randint(18, 30),
                "dispensation_requested": True,
                "court": "Pengadilan Agama Payakumbuh",
                "counselling_given": True,
            }
        }
    if case_type == CaseType.TPPO:
        return {"trafficking": {"destination": "Malaysia", "destination_abroad": True}}
    if case_type == CaseType.ABH:
        diversion = AbhDetail.Diversion.AGREED if year < today.year else AbhDetail.Diversion.PENDING
        return {"abh": {"diversion_status": diversion}}
    return {}


def _handle(
    rng: random.Random,
    case: Case,
    reported: dt.date,
    today: dt.date,
    worker: User,
    supervisor: User | None,
) -> None:
    """Take a registered synthetic case through the steps its age allows."""
    age_days = (today - reported).days
    if age_days > 7:  # older clocks were met in time
        for deadline in case.deadlines.all():
            deadline.done_at = deadline.due_at - dt.timedelta(hours=rng.randint(1, 20))
            deadline.save(update_fields=["done_at"])
    case = services.case_assign(
        actor=supervisor or worker, case=case, version=case.version, worker=worker
    )
    victim = case.people.get(role=PersonRole.VICTIM)
    services.service_record(
        actor=worker,
        case=case,
        victim=victim,
        service_type_id=rng.choice(
            ["pengaduan", "kesehatan", "bantuan_hukum", "rehabilitasi_sosial"]
        ),
        function_id="pengelolaan_kasus",
        provider=case.agency,
        given_on=min(reported + dt.timedelta(days=rng.randint(0, 5)), today),
    )
    steps = [Step.ASSESSMENT, Step.PLAN, Step.INTERVENTION, Step.MONITORING]
    reach = len(steps) if age_days > 120 else min(len(steps), age_days // 20)
    for step in steps[:reach]:
        case = services.case_step_advance(
            actor=worker,
            case=case,
            version=case.version,
            to_step=step,
            body=f"Catatan sintetis tahap {Step(step).label.lower()}.",
        )
    if age_days > 180 and supervisor is not None and rng.random() < 0.85:
        case = services.case_closure_request(
            actor=worker, case=case, version=case.version, report="Laporan terminasi sintetis."
        )
        services.case_closure_decide(
            actor=supervisor, case=case, version=case.version, approve=True
        )


@transaction.atomic
def _one_case(
    rng: random.Random,
    token: uuid.UUID,
    year: int,
    case_type: str,
    today: dt.date,
    intake: User,
    worker: User | None,
    supervisor: User | None,
    districts: list[Region],
    villages: dict[str, list[str]],
) -> int:
    last_day = min(dt.date(year, 12, 31), today)
    first_day = dt.date(year, 1, 1)
    reported = first_day + dt.timedelta(days=rng.randint(0, (last_day - first_day).days))
    incident = max(
        first_day - dt.timedelta(days=30), reported - dt.timedelta(days=rng.randint(0, 40))
    )
    district = rng.choice(districts) if districts else None
    village = rng.choice(villages.get(district.code, [None])) if district else None
    people, links = _people(rng, case_type, reported)
    details = _details(rng, case_type, year, today)
    data = services.CaseData(
        intake_channel=rng.choice(CHANNELS),
        reported_on=reported,
        incident_date=incident,
        description=STORIES[case_type],
        place_id=rng.choice(PLACES),
        case_type=case_type,
        risk_level=rng.choice([RiskLevel.HIGH, RiskLevel.MEDIUM, RiskLevel.MEDIUM, RiskLevel.LOW]),
        incident_district_id=district.code if district else None,
        incident_village_id=village,
        consent_sharing=rng.random() < 0.6,
    )
    case, created = services.case_register(
        actor=intake,
        data=data,
        people=people,
        links=links,
        intake_token=token,
        details=details,
    )
    if not created or worker is None:
        return int(created)
    _handle(rng, case, reported, today, worker, supervisor)
    return 1
