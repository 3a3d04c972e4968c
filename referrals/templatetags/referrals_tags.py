"""The referral panel of the case page.

The case page belongs to the cases app, which may not import referrals (a layer above); the
page's template loads this tag instead, so the panel's data still comes from
`referrals.selectors.case_referrals` (three queries, as before) while the cases code stays
unaware of referrals.
"""

from typing import Any

from django import template
from django.template.context import Context

from cases.models import Case
from referrals.selectors import case_referrals

register = template.Library()


@register.inclusion_tag("referrals/_case_panel.html", takes_context=True)
def case_referral_panel(context: Context, case: Case) -> dict[str, Any]:
    """The referrals of `case` that the page's user may see, and whether they may refer it."""
    return {"case": case, "referrals": case_referrals(context["request"].user, case)}
