"""Django's select and input widgets, drawn in Python: the same HTML without a template
render, nor Django's dict of attributes, per option. A list page's filters draw a choice per
stage and per person in scope (221 for a director), and five inputs, on every request
(issue #7)."""

from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe


class _DrawnInPython:
    def render(self, name, value, attrs=None, renderer=None):
        many = self.allow_multiple_selected
        final = self.build_attrs(self.attrs, attrs)
        if many:
            final["multiple"] = True
        wanted = set(self.format_value(value))
        has_selected = False
        drawn = []

        def option(choice, label):
            # As ChoiceWidget.optgroups: a single select marks only the first match.
            nonlocal has_selected
            choice = "" if choice is None else str(choice)
            chosen = (many or not has_selected) and choice in wanted
            has_selected |= chosen
            return (f'<option value="{escape(choice)}"{" selected" if chosen else ""}>'
                    f'{conditional_escape(label)}</option>')

        for choice, label in self.choices:
            if isinstance(label, (list, tuple)):
                inner = "".join(option(c, sub) for c, sub in label)
                drawn.append(f'<optgroup label="{conditional_escape(choice)}">{inner}</optgroup>')
            else:
                drawn.append(option(choice, label))
        return mark_safe(f'<select name="{escape(name)}"{flatatt(final)}>{"".join(drawn)}</select>')


class Select(_DrawnInPython, forms.Select):
    pass


class SelectMultiple(_DrawnInPython, forms.SelectMultiple):
    pass


class _InputDrawnInPython:
    def render(self, name, value, attrs=None, renderer=None):
        value = self.format_value(value)
        shown = "" if value is None else f' value="{escape(str(value))}"'
        final = flatatt(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<input type="{escape(self.input_type)}" name="{escape(name)}"'
                         f'{shown}{final}>')


class HiddenInput(_InputDrawnInPython, forms.HiddenInput):
    pass


class DateInput(_InputDrawnInPython, forms.DateInput):
    pass
