"""Template questions for the buttons other apps' pages show (the rules are paperwork.access)."""

from django import template

from cases.models import Case
from paperwork import access as paper_access
from referrals.models import Referral

register = template.Library()


@register.simple_tag(takes_context=True)
def can_print_letter(context: template.Context, referral: Referral) -> bool:
    return paper_access.can_print_referral_letter(context["request"].user, referral)


@register.simple_tag(takes_context=True)
def can_print_summary(context: template.Context, case: Case) -> bool:
    user = context["request"].user
    return hasattr(case, "access") and paper_access.can_print_case_summary(user, case)
