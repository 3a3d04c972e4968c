"""The permission matrix: every URL × every persona (role × own/other agency) × expected status.

Each app declares its rows in `tests/<app>/matrix.py` as `ROWS = [Row(...), ...]`;
`tests/test_permission_matrix.py` runs them all and fails on any URL pattern without a row.
Objects are created on the *own* side (UPTD PPA Payakumbuh); personas of the other city must
get 404 for anything that names an object, so nothing reveals that it exists.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from tests.world import PERSONAS, World


@dataclass(frozen=True)
class Row:
    name: str  # URL name, e.g. "cases:detail"
    expect: dict[str, int]  # persona -> status; personas not listed get `default`
    default: int = 404
    method: str = "get"
    setup: Callable[[World], dict] = field(default=lambda w: {})  # -> reverse() kwargs
    data: Callable[[World, dict], dict] = field(default=lambda w, kwargs: {})  # POST body
    anon: int = 302  # anonymous users are sent to the login page
    id: str = ""  # to tell apart two rows of the same URL

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.name}{'[' + self.id + ']' if self.id else ''}"


def own_staff(status: int) -> dict[str, int]:
    return dict.fromkeys(("intake_own", "case_worker_own", "supervisor_own"), status)


def data_officer(own: int, other: int | None = None) -> dict[str, int]:
    """The SIMFONI data officer of the own UPTD and of the other city's UPTD: the SIMFONI export
    of their own office and their account pages, nothing else (no case, report or meeting)."""
    return {"data_officer_own": own, "data_officer_other": own if other is None else other}


def everyone(status: int) -> dict[str, int]:
    return {p: status for p in PERSONAS if p != "anon"}
