"""`{% person_facts p show_identity %}`: what the case page and its print say of one person,
as a `<dl class="facts">`, written in Python.

As template markup (an include per person, some twenty tags and filters each) a person cost
about 0.4 ms of the case page's rendering; here it is one list of (term, value) pairs joined
once. Every value is escaped (`html.escape`, as Django's autoescaping); the terms are the
translated words the template had."""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cases.models import Person
from cases.selectors import choice_label
from ppa.dates import when

register = template.Library()


@register.simple_tag
def person_facts(p: Person, show_identity: bool) -> SafeString:
    facts: list[tuple[str, str]] = []  # (term, escaped value)
    if show_identity:
        facts.append((_("Nama"), escape(p.name)))
        if p.nik_masked:
            facts.append((_("NIK"), escape(p.nik_masked)))
        if p.birth_date:
            facts.append((_("Tanggal lahir"), escape(when(p.birth_date, "date"))))
    else:
        facts.append((_("Inisial"), escape(p.initials)))
    facts.append((_("Jenis kelamin"), escape(str(choice_label(Person, "sex", p.sex) or "—"))))
    facts.append((_("Usia saat kejadian"), _age(p)))
    if p.has_disability:
        kinds = [str(kind) for kind in p.lists.disability_types]  # type: ignore[attr-defined]
        facts.append((_("Disabilitas"), escape(", ".join(kinds) if kinds else _("Ya"))))
    if show_identity:
        facts += _identity(p)
    if p.child_legal_role:
        role = choice_label(Person, "child_legal_role", p.child_legal_role)
        facts.append((_("Status anak (ABH)"), escape(str(role))))
    rows = "".join(f"<dt>{escape(term)}</dt><dd>{value}</dd>" for term, value in facts)
    return mark_safe(f'<dl class="facts">{rows}</dl>')  # noqa: S308 (every value is escaped)


def _age(p: Person) -> str:
    if p.age is None:
        return escape(_("tidak diketahui"))
    years = ngettext("%(years)s tahun", "%(years)s tahun", p.age) % {"years": p.age}
    age = f"{escape(years)} ({escape(p.age_group)})"
    if p.is_child:
        age += f" · <strong>{escape(_('anak'))}</strong>"
    return age


def _identity(p: Person) -> list[tuple[str, str]]:
    """Education, work, marriage, address, phone and relation: shown with the identity."""
    facts = [
        (term, escape(str(value)))
        for term, value in (
            (_("Pendidikan"), p.education),
            (_("Pekerjaan"), p.occupation),
            (_("Status perkawinan"), p.marital_status),
        )
        if value
    ]
    if p.address or p.address_region:
        region = f" ({escape(p.address_region.name)})" if p.address_region else ""
        facts.append((_("Alamat"), escape(p.address) + region))
    if p.phone:
        facts.append((_("Telepon"), escape(p.phone)))
    if p.relation_to_victim:
        facts.append((_("Hubungan dengan korban"), escape(p.relation_to_victim)))
    return facts
