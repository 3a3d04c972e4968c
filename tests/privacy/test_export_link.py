import pytest
from django.urls import reverse

from tests.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "shown"),
    [("case_worker_own", True), ("supervisor_own", True), ("intake_own", False)],
)
def test_case_page_offers_the_record_export_only_to_those_who_may_export(
    world, client, persona, shown
):
    case = make_case(world.users["intake_own"])
    client.force_login(world.users[persona])
    page = client.get(reverse("cases:detail", kwargs={"code": case.code})).content.decode()
    export_url = reverse("privacy:export_request", kwargs={"code": case.code})
    assert (export_url in page) is shown
    assert client.get(export_url).status_code == (200 if shown else 403)
