import pytest
from django.test import RequestFactory

from ppa.audit import log_access
from ppa.exports import safe_cell
from ppa.models import AccessLog


@pytest.mark.parametrize("raw", ["=1+1", "+62812", "-5", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_text_is_neutralised(raw):
    assert safe_cell(raw) == "'" + raw


@pytest.mark.parametrize("raw", ["Payakumbuh", 12, 3.5, None, ""])
def test_other_values_pass_unchanged(raw):
    assert safe_cell(raw) == raw


@pytest.mark.django_db
def test_access_log_names_the_object_and_never_the_query_string(world):
    request = RequestFactory().get("/kasus/abc/?q=Nama+Korban", REMOTE_ADDR="10.1.2.3")
    request.user = world.users["case_worker_own"]
    entry = log_access(request, action=AccessLog.Action.VIEW, obj=world.uptd)
    assert (entry.object_type, entry.object_id) == ("ppa.agency", world.uptd.pk)
    assert entry.path == "/kasus/abc/" and entry.ip_address == "10.1.2.3"
    assert entry.agency_id == world.uptd.pk and entry.role == "case_worker"
