"""A small synthetic world for tests: two cities, each with an UPTD, a DP3AP2KB and a police
unit, and one user per role. Personas are named `<role>_<own|other>`."""

from dataclasses import dataclass, field

from ppa.models import Agency, Region, Role, User
from ppa.services import agency_create, user_set_role

PASSWORD = "uji-coba-sandi-panjang-2024"  # noqa: S105 (test users only)


@dataclass
class World:
    agencies: dict[str, Agency] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    @property
    def uptd(self) -> Agency:
        return self.agencies["uptd_own"]

    @property
    def other_uptd(self) -> Agency:
        return self.agencies["uptd_other"]

    def user(self, persona: str) -> User | None:
        return None if persona == "anon" else self.users[persona]


PERSONAS = [
    "anon",
    "intake_own",
    "case_worker_own",
    "supervisor_own",
    "partner_own",
    "official_own",
    "intake_other",
    "case_worker_other",
    "supervisor_other",
    "partner_other",
    "official_other",
    "admin",
]


def make_user(username: str, role: str, agency: Agency | None) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, first_name=username.replace("_", " ").title()
    )
    return user_set_role(user=user, role=role, agency=agency)


def build_world() -> World:
    w = World()
    for side, city, city_name in (
        ("own", "13.76", "Payakumbuh"),
        ("other", "13.07", "Lima Puluh Kota"),
    ):
        region = Region.objects.get(code=city)
        for kind, key, label in (
            (Agency.Kind.UPTD_PPA, "uptd", "UPTD PPA"),
            (Agency.Kind.DP3AP2KB, "dinas", "DP3AP2KB"),
            (Agency.Kind.POLICE_PPA, "police", "Unit PPA Polres"),
        ):
            w.agencies[f"{key}_{side}"] = agency_create(
                name=f"{label} {city_name}", kind=kind, region=region
            )
        w.users[f"intake_{side}"] = make_user(
            f"intake_{side}", Role.INTAKE, w.agencies[f"uptd_{side}"]
        )
        w.users[f"case_worker_{side}"] = make_user(
            f"case_worker_{side}", Role.CASE_WORKER, w.agencies[f"uptd_{side}"]
        )
        w.users[f"supervisor_{side}"] = make_user(
            f"supervisor_{side}", Role.SUPERVISOR, w.agencies[f"uptd_{side}"]
        )
        w.users[f"partner_{side}"] = make_user(
            f"partner_{side}", Role.PARTNER, w.agencies[f"police_{side}"]
        )
        w.users[f"official_{side}"] = make_user(
            f"official_{side}", Role.OFFICIAL, w.agencies[f"dinas_{side}"]
        )
    admin = make_user("admin", Role.ADMIN, None)
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    w.users["admin"] = admin
    return w
