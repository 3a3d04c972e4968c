"""No input makes a coordination form answer 500, markup typed in comes back as text, and a
refused form changes nothing."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coordination.models import Decision, Meeting
from tests.coordination.community import make_report
from tests.coordination.helpers import make_decision, make_meeting

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
RAW = "<script>alert(1)</script>"
text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)
value = st.one_of(
    text,
    st.sampled_from(
        ["", "0", "-1", "99999999999999999999", "2024-02-30T10:00", "2999-01-01", RAW]
        + ["in_progress", "done", "open", "13.76", "13.07", "2025", "public", "x" * 5000]
    ),
)


def post(client, url: str, data: dict):
    response = client.post(url, data)
    assert response.status_code in (200, 302, 400)
    assert RAW not in response.content.decode(errors="ignore")
    return response


MEETING_FIELDS = ["title", "starts_at", "place", "invited", "guests", "agenda"]


@FUZZ
@given(data=st.dictionaries(st.sampled_from(MEETING_FIELDS), st.lists(value, max_size=3)))
def test_meeting_form(world, client, data):
    client.force_login(world.users["official_own"])
    before = Meeting.objects.count()
    if post(client, reverse("coordination:create"), data).status_code != 302:
        assert Meeting.objects.count() == before


DECISION_FIELDS = ["agenda_item", "text", "action_agency", "action_description", "action_due"]


@FUZZ
@given(
    form=st.sampled_from(["decision", "action_create", "attendance", "minutes"]),
    data=st.dictionaries(
        st.sampled_from([*DECISION_FIELDS, "decision", "present_0", "who_0", "item_1", "item_2"]),
        st.lists(value, max_size=2),
    ),
)
def test_meeting_page_forms(world, client, form, data):
    meeting = make_meeting(world)
    make_decision(world, meeting)
    client.force_login(world.users["official_own"])
    before = Decision.objects.count()
    response = post(client, reverse(f"coordination:{form}", kwargs={"code": meeting.code}), data)
    if form == "decision" and response.status_code != 302:
        assert Decision.objects.count() == before


@FUZZ
@given(status=value, note=value)
def test_progress_form(world, client, status, note):
    _d, action = make_decision(world, make_meeting(world))
    client.force_login(world.users["partner_own"])
    post(
        client,
        reverse("coordination:action", kwargs={"code": action.code}),
        {
            "status": status,
            "note": note,
        },
    )


PACK_FIELDS = ["region", "period", "year", "period_number", "date_from", "date_to"]
PACK_FIELDS += ["edition", "language"]


@FUZZ
@given(data=st.dictionaries(st.sampled_from(PACK_FIELDS), value))
def test_pack_form(world, client, data):
    meeting = make_meeting(world)
    client.force_login(world.users["official_own"])
    post(client, reverse("reports:meeting_pack", kwargs={"code": meeting.code}), data)


REPORT_FIELDS = ["what_happened", "village", "at_risk_age", "at_risk_sex", "urgency"]
REPORT_FIELDS += ["contact", "consent_to_contact"]


@FUZZ
@given(data=st.dictionaries(st.sampled_from(REPORT_FIELDS), st.lists(value, max_size=2)))
def test_community_report_form(world, client, data):
    client.force_login(world.users["task_force_own"])
    post(client, reverse("community:create"), data)


@FUZZ
@given(reason=value)
def test_close_report_form(world, client, reason):
    report = make_report(world)
    client.force_login(world.users["intake_own"])
    post(client, reverse("community:close", kwargs={"code": report.code}), {"reason": reason})


PREVENTION_FIELDS = ["kind", "held_on", "region", "place", "target_group", "topics"]
PREVENTION_FIELDS += ["girls", "boys", "women", "men"]


@FUZZ
@given(data=st.dictionaries(st.sampled_from(PREVENTION_FIELDS), st.lists(value, max_size=2)))
def test_prevention_form(world, client, data):
    client.force_login(world.users["official_own"])
    post(client, reverse("prevention:create"), data)
