"""The form renderer: Django's own widget templates, with the common widgets drawn in Python.

Profiling the sign-in page and the filter forms showed a large share of each page's rendering time
in Django's widget templates: an `<input>` is three templates (text.html, input.html, attrs.html)
and a `<select>` one template per option. The plain inputs, textareas and selects are written
here directly, with the same markup and escaping as Django's templates; any other widget, or a
widget given its own template, is rendered by its template as before.
"""

from django.forms.renderers import TemplatesSetting
from django.utils.html import conditional_escape, escape

_INPUT_TEMPLATES = frozenset(
    f"django/forms/widgets/{kind}.html"
    for kind in ("input", "text", "password", "email", "number", "url", "search", "tel", "hidden", "date")
)
_TEXTAREA = "django/forms/widgets/textarea.html"
_SELECT = "django/forms/widgets/select.html"
_OPTION = "django/forms/widgets/select_option.html"


def _attrs(attrs) -> str:
    """attrs.html: ` name="value"` for each attribute, the name alone for True, nothing for False."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            out.append(f" {name}")
        else:
            out.append(f' {name}="{escape(value)}"')
    return "".join(out)


def _input(widget) -> str:
    value = "" if widget["value"] is None else f' value="{escape(widget["value"])}"'
    return f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _textarea(widget) -> str:
    value = conditional_escape(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _select(widget):
    parts = [f'<select name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in group_choices:
            if option["template_name"] != _OPTION:
                return None
            parts.append(
                f'\n  <option value="{escape(option["value"])}"{_attrs(option["attrs"])}>'
                f"{conditional_escape(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class FastWidgetRenderer(TemplatesSetting):
    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None and widget.get("template_name") == template_name:
            if template_name in _INPUT_TEMPLATES and "type" in widget:
                return _input(widget)
            if template_name == _TEXTAREA:
                return _textarea(widget)
            if template_name == _SELECT:
                html = _select(widget)
                if html is not None:
                    return html
        return super().render(template_name, context, request=request)
