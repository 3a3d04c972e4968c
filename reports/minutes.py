"""The minutes (notulen) of a coordination meeting as a PDF: the annual report's letterhead,
fonts and local-only asset fetcher (`reports.pdf`), the attendance list, the minutes per agenda
item, the decisions, the follow-up table with each action's status, and a signature block.

Meetings hold no victim data; the text is printed as typed (a case number stays a number and
is never looked up). Small documents: rendered in the request, not on the PDF queue.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from coordination.models import Meeting
from coordination.selectors import MeetingPage, meeting_page
from reports.pdf import ASSET_BASE, Letterhead, LocalAssetFetcher


def minutes_html(page: MeetingPage, letterhead: Letterhead) -> str:
    return render_to_string(
        "reports/pdf/minutes.html",
        {
            "page": page,
            "m": page.meeting,
            "letterhead": letterhead,
            "asset_base": ASSET_BASE,
            "printed_on": timezone.localdate(),
        },
    )


def render_minutes(meeting: Meeting) -> tuple[bytes, int]:
    """(PDF bytes, number of pages) of the meeting's minutes."""
    page = meeting_page(meeting)
    letterhead = Letterhead.for_agency(meeting.convening_agency)
    html = minutes_html(page, letterhead)
    document = HTML(string=html, base_url=ASSET_BASE, url_fetcher=LocalAssetFetcher()).render()
    document.metadata.title = f"Notulen {meeting.title}"
    document.metadata.authors = [letterhead.agency_name]
    return document.write_pdf(), len(document.pages)
