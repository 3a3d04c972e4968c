"""No input makes a referral form or step answer 500, and a refused step changes nothing."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from referrals.models import Referral
from tests.factories import make_case
from tests.referrals.helpers import make_referral

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)
value = st.one_of(
    text,
    st.sampled_from(
        ["", "0", "-1", "99999999999999999999", "2024-02-30T10:00", "2999-01-01T00:00"]
        + ["incident", "narrative", "semua", "penegakan_hukum", "emergency", "x" * 3000]
    ),
)
FORM_FIELDS = ["to_agency", "services", "victims", "urgency", "reason", "shared_groups"]
FORM_FIELDS += ["accept_by", "consent_override_reason", "submit", "draft"]
NUL_KEYS = ["x\x00y", "reason\x00", "\x00"]  # refused with 400 before any view
KEYS = st.one_of(st.sampled_from(FORM_FIELDS), st.sampled_from(NUL_KEYS))


@FUZZ
@given(data=st.dictionaries(KEYS, st.lists(value, max_size=3)))
def test_referral_form_never_fails(world, client, data):
    worker = world.users["case_worker_own"]
    case = make_case(worker)
    client.force_login(worker)
    response = client.post(reverse("referrals:create", kwargs={"code": case.code}), data)
    if any("\x00" in key and values for key, values in data.items()):
        assert response.status_code == 400
    assert response.status_code in (200, 302, 400)
    if response.status_code == 302:
        referral = Referral.objects.get(case=case)
        assert referral.to_agency_id != case.agency_id


@FUZZ
@given(
    step=st.sampled_from(["decline", "cancel", "action", "complete", "accept", "approve"]),
    reason=value,
    nul_key=st.booleans(),
)
def test_receiving_steps_never_fail(world, client, step, reason, nul_key):
    referral = make_referral(world, status="delivered")
    client.force_login(world.users["partner_own"])
    url = reverse(f"referrals:{step}", kwargs={"code": referral.code})
    data = {f"{step}-reason": reason, f"{step}-note": reason}
    if nul_key:
        data[f"{step}-reason\x00"] = reason
    response = client.post(url, data)
    assert response.status_code in ((400,) if nul_key else (200, 302, 403))
    referral.refresh_from_db()
    if response.status_code != 302:
        assert referral.status == "delivered"
