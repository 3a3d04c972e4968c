"""`{% url %}` for every template (a builtin, settings.TEMPLATES): Django's tag, except that an
address without arguments, or whose arguments are all codes (UUIDs, given by name), comes
from `ppa.addresses` instead of a resolver walk. Same text, same errors, same `as` form."""

from typing import Any

from django import template
from django.template.base import Parser, Token
from django.template.context import Context
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape

from ppa.addresses import code_url

register = template.Library()


class KeptURLNode(URLNode):
    def __init__(self, node: URLNode) -> None:
        super().__init__(node.view_name, node.args, node.kwargs, node.asvar)

    def render(self, context: Context) -> str:
        if self.args:
            return super().render(context)
        kwargs = {name: value.resolve(context) for name, value in self.kwargs.items()}
        request: Any = getattr(context, "request", None)  # a RequestContext's
        try:  # the application Django's tag reverses in, found the same way
            current_app = request.current_app
        except AttributeError:
            current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
        try:  # `reverse()` itself, inside, for anything but codes
            url = code_url(self.view_name.resolve(context), current_app, **kwargs)
        except NoReverseMatch:
            if self.asvar is None:
                raise
            url = ""
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser: Parser, token: Token) -> KeptURLNode:
    return KeptURLNode(django_url(parser, token))
