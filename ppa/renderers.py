"""The form renderer: Django's project templates (`TemplatesSetting`), with the select list
written in Python.

A select rendered through its template cost about 10 microseconds per option and a tenth of a
millisecond per list on top (the nine of an open case page: 3.4 ms, bench/README.md); here it
is one string join over the options Django's widget already prepared (`widget.optgroups`),
with the markup the template had, every name, value and label escaped. A choice field has no
maximum length, so none of templates/django/forms/widgets/attrs.html's `data-maxlength` is
needed here."""

from typing import Any

from django.forms.renderers import TemplatesSetting
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

SELECT = "django/forms/widgets/select.html"


class FormRenderer(TemplatesSetting):
    def render(self, template_name: str, context: dict, request: Any = None) -> str:
        if template_name == SELECT:
            return select_html(context["widget"])
        return super().render(template_name, context, request)


def attrs_html(attrs: dict) -> str:
    """` name="value"` for each attribute; True writes the name alone, False nothing."""
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def select_html(widget: dict) -> SafeString:
    out = [f'<select name="{conditional_escape(widget["name"])}"{attrs_html(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            out.append(
                f'\n  <option value="{conditional_escape(option["value"])}"'
                f"{attrs_html(option['attrs'])}>"
                f"{conditional_escape(option['label'])}</option>"
            )
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return mark_safe("".join(out))  # noqa: S308 (every value above is escaped)
