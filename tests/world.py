"""A small synthetic world for tests: two cities, each with an UPTD, a DP3AP2KB, a police
unit and a community task force (Satgas PPA), and one user per role. Personas are named
`<role>_<own|other>`."""

from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.models import Place
from cases.reference import seed_reference
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
    "task_force_own",
    "data_officer_own",
    "intake_other",
    "case_worker_other",
    "supervisor_other",
    "partner_other",
    "official_other",
    "task_force_other",
    "data_officer_other",
    "admin",
]


def make_user(username: str, role: str, agency: Agency | None) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, first_name=username.replace("_", " ").title()
    )
    return user_set_role(user=user, role=role, agency=agency)


def otp_enrol(user: User) -> TOTPDevice:
    """A confirmed authenticator for the user (tests compute codes with django_otp.oath)."""
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def otp_verify_session(client: Client, user: User) -> None:
    """Mark the client's session as having passed the second factor with the user's
    authenticator, as the OTP page does after a right code. No device: nothing to do."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


_plain_force_login = Client.force_login


def force_login_verified(self: Client, user: User, backend: str | None = None) -> None:
    """Client.force_login in the test suite (tests/conftest.py): the session is also
    OTP-verified when the user has an authenticator, so role tests need not repeat the
    second step. Tests of the second step itself use `force_login_unverified`."""
    _plain_force_login(self, user, backend)
    otp_verify_session(self, user)


def force_login_unverified(client: Client, user: User) -> None:
    _plain_force_login(client, user)


def ensure_reference_data() -> None:
    """The reference lists (seeded by a cases migration) are emptied by the flush after a
    transactional test; put them back so later tests do not depend on test order."""
    if not Place.objects.exists():
        seed_reference(apps)


def build_world() -> World:
    ensure_reference_data()
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
        # Types the office's cases into SIMFONI-PPA: the SIMFONI export, no case pages.
        w.users[f"data_officer_{side}"] = make_user(
            f"data_officer_{side}", Role.DATA_OFFICER, w.agencies[f"uptd_{side}"]
        )
        w.users[f"partner_{side}"] = make_user(
            f"partner_{side}", Role.PARTNER, w.agencies[f"police_{side}"]
        )
        w.users[f"official_{side}"] = make_user(
            f"official_{side}", Role.OFFICIAL, w.agencies[f"dinas_{side}"]
        )
        # A community task force (Satgas PPA / PATBM) of the city and one of its members.
        w.agencies[f"satgas_{side}"] = agency_create(
            name=f"Satgas PPA {city_name}", kind=Agency.Kind.TASK_FORCE, region=region
        )
        w.users[f"task_force_{side}"] = make_user(
            f"task_force_{side}", Role.TASK_FORCE, w.agencies[f"satgas_{side}"]
        )
    admin = make_user("admin", Role.ADMIN, None)
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    w.users["admin"] = admin
    # Roles that must use two factors are enrolled (settings.OTP_REQUIRED_ROLES).
    for user in w.users.values():
        if user.is_superuser or user.role in settings.OTP_REQUIRED_ROLES:
            otp_enrol(user)
    return w
