"""HTML of the printed documents, rendered to PDF by `reports.pdf.render_html_pdf` (the same
fonts, letterhead and local-only asset fetcher as the annual report; no network). Imported by
the PDF worker only (WeasyPrint is heavy)."""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string

from cases.access import FieldGroup
from paperwork.models import DocumentKind, PrintedDocument
from paperwork.selectors import (
    Signatory,
    agency_head,
    letter_content,
    signatory_for,
    summary_content,
)
from ppa.models import Agency, User
from referrals.forms import FIELD_GROUP_LABELS, FIELD_GROUP_ORDER


def _signer(document: PrintedDocument, agency: Agency) -> Signatory | None:
    user = User.objects.filter(pk=document.params.get("signer_id")).first()
    if document.kind == DocumentKind.CASE_SUMMARY:
        # The agency head signs a summary; without one, the supervisor who asked for it.
        head = agency_head(agency)
        if head is not None or user is None or user.role != "supervisor":
            return head
    return signatory_for(user, agency)


def _common(document: PrintedDocument, *, copy: bool) -> dict:
    from reports.pdf import ASSET_BASE, Letterhead

    agency = Agency.objects.select_related("region").get(pk=document.agency_id)
    return {
        "document": document,
        "letterhead": Letterhead.for_agency(agency),
        "signer": _signer(document, agency),
        "issued_on": dt.date.fromisoformat(document.params["issued_on"]),
        "copy": copy,
        "asset_base": ASSET_BASE,
        "case": document.case,
    }


def letter_html(document: PrintedDocument, *, copy: bool) -> str:
    referral = document.referral
    assert referral is not None, "a referral letter has its referral (check constraint)"
    groups = frozenset(document.params["groups"]) & FieldGroup.ALL
    context = _common(document, copy=copy) | {
        "referral": referral,
        "content": letter_content(referral, groups),
        "group_labels": [FIELD_GROUP_LABELS[g] for g in FIELD_GROUP_ORDER if g in groups],
    }
    return render_to_string("paperwork/pdf/referral_letter.html", context)


def summary_html(document: PrintedDocument) -> str:
    groups = frozenset(document.params["groups"]) & FieldGroup.ALL
    content = summary_content(
        document.case, groups, chronology=bool(document.params.get("chronology"))
    )
    context = _common(document, copy=False) | {"content": content}
    return render_to_string("paperwork/pdf/case_summary.html", context)


def document_html(document: PrintedDocument, *, copy: bool) -> str:
    if document.kind == DocumentKind.REFERRAL_LETTER:
        return letter_html(document, copy=copy)
    return summary_html(document)


def render_document_pdf(
    document: PrintedDocument, *, copy: bool, url_fetcher: object = None
) -> tuple[bytes, int]:
    from reports.pdf import render_html_pdf

    html = document_html(document, copy=copy)
    title = f"{document.get_kind_display()} {document.number or document.case.number}"
    return render_html_pdf(html, title=title, author=document.agency.name, url_fetcher=url_fetcher)
