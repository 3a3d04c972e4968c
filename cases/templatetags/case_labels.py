"""`{{ obj|label:"field" }}`: the label of a coded field's value, as `get_<field>_display`
gives it, for the case page and its print.

`get_<field>_display` hashes every label of the field's choices on each call (Django makes
the choices hashable first), and each label is a lazy translation: a page with a few dozen
coded values spent hundreds of translation look-ups on it. This reads the label of the one
value."""

from django import template
from django.db.models import Model

from cases.selectors import choice_label

register = template.Library()


@register.filter
def label(obj: Model, name: str) -> object:
    return choice_label(type(obj), name, getattr(obj, name))
