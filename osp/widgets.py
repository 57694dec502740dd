"""Django's select widgets, drawn in Python: the same HTML without a template render per
option. A list page's filters draw a choice per stage and per person in scope (hundreds
for a director) on every request (issue #7)."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


class _DrawnInPython:
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, options, _index in widget["optgroups"]:
            drawn = format_html_join("", '<option value="{}"{}>{}</option>', (
                (str(o["value"]), flatatt(o["attrs"]), o["label"]) for o in options))
            groups.append(format_html('<optgroup label="{}">{}</optgroup>', group_name, drawn)
                          if group_name else drawn)
        return format_html('<select name="{}"{}>{}</select>', widget["name"],
                           flatatt(widget["attrs"]), mark_safe("".join(groups)))


class Select(_DrawnInPython, forms.Select):
    pass


class SelectMultiple(_DrawnInPython, forms.SelectMultiple):
    pass
