"""Template questions for the buttons other apps' pages show (the rules are paperwork.access)."""

from django import template

from paperwork import access as paper_access

register = template.Library()


@register.simple_tag(takes_context=True)
def can_print_letter(context: template.Context, referral: object) -> bool:
    return paper_access.can_print_referral_letter(context["request"].user, referral)


@register.simple_tag(takes_context=True)
def can_print_summary(context: template.Context, case: object) -> bool:
    user = context["request"].user
    return hasattr(case, "access") and paper_access.can_print_case_summary(user, case)
