from tests.referrals.conftest import seeded  # noqa: F401 (transactional tests re-seed)
