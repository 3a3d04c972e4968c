import pytest

from reports.selectors import ReportParams
from tests.reports.data import build_dataset


@pytest.fixture
def dataset(world):
    build_dataset(world)
    return world


@pytest.fixture
def params():
    return ReportParams(year_from=2021, year_to=2023, region_code="13.76")


# The real-worker test (test_heartbeat.py) is transactional: its flush removes the seed data,
# which the referrals conftest puts back after each such test; do the same here.
from tests.referrals.conftest import pytest_runtest_teardown  # noqa: E402,F401
