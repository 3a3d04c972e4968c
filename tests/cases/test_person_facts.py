"""What the case page and its print say of one person (`{% person_facts %}`)."""

import datetime as dt
from types import SimpleNamespace

from django.template import Context, Template
from django.utils import translation

from cases.models import Education, Person
from ppa.models import Region

TAG = Template("{% load case_people %}{% person_facts p show %}")


def person(**values) -> Person:
    p = Person(
        **{
            "name": "Siti <b>Aminah</b>",
            "nik_masked": "1371********0001",
            "birth_date": dt.date(2013, 5, 8),
            "sex": "P",
            "age": 12,
            "age_group": "6-12",
            "is_child": True,
            "has_disability": True,
            "address": "Jl. Melati & Mawar 3",
            "address_region": Region(name="Padang Timur"),
            "phone": "0812-0000-0000",
            "relation_to_victim": "",
            "child_legal_role": "victim",
            "education": Education(code="sd", label="SD", label_en="Primary school"),
        }
        | values
    )
    p.lists = SimpleNamespace(disability_types=["Fisik", "Rungu"])  # type: ignore[attr-defined]
    return p


def facts(p: Person, show: bool) -> str:
    return TAG.render(Context({"p": p, "show": show}))


def test_with_identity_every_fact_in_order_and_escaped():
    html = facts(person(), True)
    assert html == (
        '<dl class="facts"><dt>Nama</dt><dd>Siti &lt;b&gt;Aminah&lt;/b&gt;</dd>'
        "<dt>NIK</dt><dd>1371********0001</dd><dt>Tanggal lahir</dt><dd>8 Mei 2013</dd>"
        "<dt>Jenis kelamin</dt><dd>Perempuan</dd>"
        "<dt>Usia saat kejadian</dt><dd>12 tahun (6-12) · <strong>anak</strong></dd>"
        "<dt>Disabilitas</dt><dd>Fisik, Rungu</dd><dt>Pendidikan</dt><dd>SD</dd>"
        "<dt>Alamat</dt><dd>Jl. Melati &amp; Mawar 3 (Padang Timur)</dd>"
        "<dt>Telepon</dt><dd>0812-0000-0000</dd>"
        "<dt>Status anak (ABH)</dt><dd>Anak korban</dd></dl>"
    )


def test_without_identity_initials_and_no_name_address_or_phone():
    html = facts(person(), False)
    assert "<dt>Inisial</dt><dd>S&lt;</dd>" in html  # the initials of "Siti <b>Aminah</b>"
    for hidden in ("Siti", "1371", "2013", "Melati", "0812", "SD"):
        assert hidden not in html
    assert "<dd>Fisik, Rungu</dd>" in html and "<dd>Anak korban</dd>" in html


def test_unknown_age_and_sex_and_a_disability_of_no_named_kind():
    p = person(age=None, age_group="", is_child=None, sex="")
    p.lists.disability_types = []  # type: ignore[attr-defined]
    html = facts(p, False)
    assert "<dt>Jenis kelamin</dt><dd>—</dd>" in html
    assert "<dt>Usia saat kejadian</dt><dd>tidak diketahui</dd>" in html
    assert "<dt>Disabilitas</dt><dd>Ya</dd>" in html


def test_in_english():
    with translation.override("en"):
        html = facts(person(), True)
    assert "<dt>Name</dt>" in html and "8 May 2013" in html and "<dd>Female</dd>" in html
