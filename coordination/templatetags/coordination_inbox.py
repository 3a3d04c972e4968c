"""The follow-up actions block of the inbox page (the referrals inbox template loads it, so the
referrals layer never imports this app)."""

from django import template

from coordination import selectors

register = template.Library()


@register.inclusion_tag("coordination/_inbox.html")
def coordination_inbox(user) -> dict:
    return {"actions": selectors.inbox_actions(user, limit=10)}
