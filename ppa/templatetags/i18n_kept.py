"""The library templates load as `{% load i18n %}` (settings.TEMPLATES, "libraries"): Django's
own, except that `{% translate "text" %}` of a constant text keeps its translation.

Django's `translate` tag looks the text up again on every render: a lazy string, the active
translation of the request (a context-local read), the catalogues one after another, then
escaping, about 7 µs each; the case page renders ninety of them. A constant text without
context (`context "..."`), filters or `as` gives the same string for the same language and
escaping, so each tag keeps what it rendered per (language, autoescape) and gives that again.
Everything else (a variable, `as`, `context`, `blocktranslate`, the other tags and
filters) is Django's, unchanged.
"""

from django import template
from django.template.base import Parser, Token
from django.template.context import Context
from django.templatetags import i18n
from django.utils import translation
from django.utils.safestring import SafeString

register = template.Library()
register.tags.update(i18n.register.tags)
register.filters.update(i18n.register.filters)


class KeptTranslateNode(i18n.TranslateNode):
    def __init__(self, node: i18n.TranslateNode) -> None:
        super().__init__(node.filter_expression, node.noop, node.asvar, node.message_context)
        expression = self.filter_expression
        self.constant = (
            not self.asvar
            and self.message_context is None
            and not expression.filters
            and expression.var.lookups is None  # a literal text, not a variable
        )
        self.rendered: dict[tuple[str | None, bool], str | SafeString] = {}

    def render(self, context: Context) -> str:
        if not self.constant:
            return super().render(context)
        key = (translation.get_language(), context.autoescape)
        text = self.rendered.get(key)
        if text is None:
            text = self.rendered[key] = super().render(context)
        return text


@register.tag("translate")
@register.tag("trans")
def do_translate(parser: Parser, token: Token) -> KeptTranslateNode:
    return KeptTranslateNode(i18n.do_translate(parser, token))
