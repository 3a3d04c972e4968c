"""Addresses of codes put together without a resolver walk: always the text `reverse()` gives."""

import uuid

import pytest
from django.template import Context, Engine, RequestContext, Template
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse, set_script_prefix

from ppa.addresses import code_url

CASE, PERSON = uuid.uuid4(), uuid.uuid4()


def test_the_same_address_as_reverse_for_any_codes():
    for _ in range(3):  # later calls come from the kept pieces
        case, person = uuid.uuid4(), uuid.uuid4()
        assert code_url("cases:detail", code=case) == reverse("cases:detail", kwargs={"code": case})
        assert code_url("cases:person_edit", code=case, person=person) == reverse(
            "cases:person_edit", kwargs={"code": case, "person": person}
        )
        assert (
            code_url("cases:person_edit", person=person, code=case)
            == f"/kasus/{case}/orang/{person}/ubah/"
        )


def test_other_arguments_go_to_reverse_with_its_errors():
    assert code_url("cases:deadline_done", code=CASE, kind="police_report") == (
        f"/kasus/{CASE}/batas-waktu/police_report/"
    )
    assert code_url("cases:detail", code=str(CASE)) == f"/kasus/{CASE}/"
    with pytest.raises(NoReverseMatch):
        code_url("cases:detail", code="bukan-kode")
    with pytest.raises(NoReverseMatch):
        code_url("cases:list", code=CASE)  # a name without that part
    with pytest.raises(NoReverseMatch):
        code_url("cases:tidak-ada", code=CASE)


def test_the_script_prefix_of_the_request_is_kept_apart():
    assert code_url("cases:detail", code=CASE) == f"/kasus/{CASE}/"
    set_script_prefix("/ppa/")
    try:
        assert code_url("cases:detail", code=CASE) == f"/ppa/kasus/{CASE}/"
    finally:
        set_script_prefix("/")
    assert code_url("cases:detail", code=CASE) == f"/kasus/{CASE}/"


def test_the_url_tag_writes_what_djangos_writes():
    source = (
        "{% url 'cases:person_edit' code=case person=person %}|{% url 'cases:detail' code=case %}|"
        "{% url 'cases:detail' code=text %}|{% url 'cases:list' %}|{% url 'cases:detail' case %}|"
        "{% url 'cases:detail' code=case as kept %}{{ kept }}|"
        "{% url 'cases:tidak-ada' code=case as missing %}[{{ missing }}]"
    )
    django_engine = Engine(libraries={}, builtins=[])  # Django's own url tag
    values = {"case": CASE, "person": PERSON, "text": str(CASE)}
    request = RequestFactory().get("/")
    for context in (Context(values), RequestContext(request, values)):
        assert Template(source).render(context) == django_engine.from_string(source).render(context)
    with pytest.raises(NoReverseMatch):
        Template("{% url 'cases:tidak-ada' code=case %}").render(Context(values))


def test_an_address_without_parts_is_kept_as_reverse_gives_it():
    assert code_url("cases:list") == reverse("cases:list") == "/kasus/"
    set_script_prefix("/ppa/")
    try:
        assert code_url("cases:list") == "/ppa/kasus/"
    finally:
        set_script_prefix("/")
