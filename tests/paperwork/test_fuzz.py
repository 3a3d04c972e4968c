"""Fuzzing of the printed-document forms: no input answers 500, markup comes back as text."""

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import make_case
from tests.security.test_fuzz import FUZZ, TEXT, no_raw_markup


@pytest.mark.django_db
@FUZZ
@given(reason=TEXT, chronology=st.sampled_from(["", "on", "\x00", "<b>"]))
def test_summary_request_form(world, reason, chronology):
    client = Client()
    client.force_login(world.users["case_worker_own"])
    case = make_case(world.users["case_worker_own"])
    url = reverse("paperwork:summary_request", kwargs={"code": case.code})
    response = client.post(url, {"reason": reason, "chronology": chronology}, secure=True)
    assert response.status_code in (200, 302)
    no_raw_markup(response)


@pytest.mark.django_db
@FUZZ
@given(referral=TEXT, checksum=TEXT)
def test_letter_verify_form(world, referral, checksum):
    client = Client()
    client.force_login(world.users["partner_own"])
    response = client.get(
        reverse("paperwork:letter_verify"),
        {"referral": referral, "checksum": checksum},
        secure=True,
    )
    assert response.status_code == 200
    no_raw_markup(response)


@pytest.mark.django_db
@FUZZ
@given(name=TEXT, title=TEXT, nip=TEXT, which=st.sampled_from(["signer", "head"]))
def test_signature_forms(world, name, title, nip, which):
    client = Client()
    client.force_login(world.users["supervisor_own"])
    data = {which: "1", "title": title, "nip": nip, "head_name": name, "head_title": title}
    response = client.post(reverse("paperwork:signatures"), data | {"head_nip": nip}, secure=True)
    assert response.status_code in (200, 302)  # refused: the page again, with its messages
    no_raw_markup(response)


DATES = st.one_of(TEXT, st.sampled_from(["2024-05-01", "2024-02-30", "2999-01-01", "", "\x00"]))


@pytest.mark.django_db
@FUZZ
@given(start=DATES, end=DATES, only_new=st.sampled_from(["", "on", "x"]), reason=TEXT)
def test_simfoni_export_form(world, start, end, only_new, reason):
    client = Client()
    client.force_login(world.users["data_officer_own"])
    data = {"period_from": start, "period_to": end, "only_new": only_new, "reason": reason}
    response = client.post(reverse("paperwork:simfoni"), data, secure=True)
    assert response.status_code in (200, 302)  # the progress page of the file, or the form again
    no_raw_markup(response)
