"""The follow-up actions block of the inbox page (the referrals inbox template loads it, so the
referrals layer never imports this app)."""

from django import template

from coordination import selectors
from coordination.models import FollowUpAction
from ppa.models import User

register = template.Library()


@register.inclusion_tag("coordination/_inbox.html")
def coordination_inbox(user: User) -> dict[str, list[FollowUpAction]]:
    return {"actions": selectors.inbox_actions(user, limit=10)}
