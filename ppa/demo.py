"""Demo agencies and users for `make run` (Kota Payakumbuh and its partners). Synthetic only."""

import secrets
from pathlib import Path

from django.conf import settings
from django.db import transaction

from ppa.management.commands.load_regions import load_regions
from ppa.models import Agency, Region, Role, User
from ppa.services import agency_create, role_groups_sync, user_set_role

CITY = "13.76"  # Kota Payakumbuh, Sumatera Barat
NEIGHBOUR = "13.07"  # Kabupaten Lima Puluh Kota: another UPTD PPA, to show isolation

AGENCIES = [
    # (key, name, short name, kind, region)
    ("uptd", "UPTD PPA Kota Payakumbuh", "UPTD PPA Payakumbuh", Agency.Kind.UPTD_PPA, CITY),
    ("dinas", "DP3AP2KB Kota Payakumbuh", "DP3AP2KB Payakumbuh", Agency.Kind.DP3AP2KB, CITY),
    (
        "police",
        "Unit PPA Satreskrim Polres Payakumbuh",
        "Unit PPA Polres",
        Agency.Kind.POLICE_PPA,
        CITY,
    ),
    ("hospital", "RSUD dr. Adnaan WD Payakumbuh", "RSUD Adnaan WD", Agency.Kind.HEALTH, CITY),
    (
        "prosecutor",
        "Kejaksaan Negeri Payakumbuh",
        "Kejari Payakumbuh",
        Agency.Kind.PROSECUTOR,
        CITY,
    ),
    (
        "religious_court",
        "Pengadilan Agama Payakumbuh",
        "PA Payakumbuh",
        Agency.Kind.RELIGIOUS_COURT,
        CITY,
    ),
    (
        "social",
        "Dinas Sosial Kota Payakumbuh",
        "Dinsos Payakumbuh",
        Agency.Kind.SOCIAL_SERVICE,
        CITY,
    ),
    ("legal_aid", "LBH Padang Pos Payakumbuh", "LBH Payakumbuh", Agency.Kind.LEGAL_AID, CITY),
    ("safe_house", "Rumah Aman Kota Payakumbuh", "Rumah Aman", Agency.Kind.SAFE_HOUSE, CITY),
    (
        "other_uptd",
        "UPTD PPA Kabupaten Lima Puluh Kota",
        "UPTD PPA Lima Puluh Kota",
        Agency.Kind.UPTD_PPA,
        NEIGHBOUR,
    ),
]

USERS = [
    # (username, full name, role, agency key)
    ("pengaduan", "Rina Pengaduan", Role.INTAKE, "uptd"),
    ("manajer", "Dewi Manajer Kasus", Role.CASE_WORKER, "uptd"),
    ("kepala", "Yusuf Kepala UPTD", Role.SUPERVISOR, "uptd"),
    ("polisi", "Bripka Sari Unit PPA", Role.PARTNER, "police"),
    ("rsud", "dr. Hana RSUD", Role.PARTNER, "hospital"),
    ("pejabat", "Ibu Kadis DP3AP2KB", Role.OFFICIAL, "dinas"),
    ("admin", "Admin Sinergi", Role.ADMIN, None),
    ("luar", "Petugas UPTD Lima Puluh Kota", Role.CASE_WORKER, "other_uptd"),
]


def password_file() -> Path:
    return Path(settings.VAR_DIR) / "demo-passwords.txt"


@transaction.atomic
def seed_core() -> tuple[dict[str, Agency], list[tuple[str, str, str]]]:
    """Regions, role groups, agencies and one user per role. Idempotent: existing users keep
    their passwords (kept in var/demo-passwords.txt, which git ignores)."""
    load_regions([CITY, NEIGHBOUR])
    role_groups_sync()
    agencies: dict[str, Agency] = {}
    for key, name, short, kind, region in AGENCIES:
        agency = Agency.objects.filter(name=name).first()
        if agency is None:
            agency = agency_create(
                name=name, short_name=short, kind=kind, region=Region.objects.get(code=region)
            )
        agencies[key] = agency
    uptd = agencies["uptd"]
    if not uptd.head_name:
        uptd.head_name, uptd.head_title = "Drs. Ahmad Fauzi, M.Si", "Kepala UPTD PPA"
        uptd.save(update_fields=["head_name", "head_title"])

    known = {}
    path = password_file()
    if path.exists():
        for line in path.read_text().splitlines():
            username, _sep, password = line.partition(" ")
            known[username] = password
    credentials = []
    for username, full_name, role, agency_key in USERS:
        user = User.objects.filter(username=username).first()
        if user is None or username not in known:
            first, _sep, last = full_name.partition(" ")
            user = user or User(username=username, first_name=first, last_name=last)
            known[username] = secrets.token_urlsafe(9)
            user.set_password(known[username])
            user.is_staff = role == Role.ADMIN
            user.is_superuser = role == Role.ADMIN
            user.save()
        user_set_role(user=user, role=role, agency=agencies[agency_key] if agency_key else None)
        credentials.append((username, known[username], str(Role(role).label)))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{u} {p}\n" for u, p, _r in credentials))
    path.chmod(0o600)
    return agencies, credentials
