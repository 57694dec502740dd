"""The widgets of the list filters, drawn on every request of a list page: Django's own,
from Django's own widget templates in their Jinja2 version (`FilterForm`), the selects
with a template that writes the options in place (osp/jinja2/osp/widgets/select.html)
instead of including Django's option template once per option. The owner filter has an
option per person in scope (221 for a director): Django's template engine took 17 ms for
them, Django's Jinja2 templates 7 ms, the one template about 1 ms."""

from django import forms
from django.forms.renderers import Jinja2


class Select(forms.Select):
    template_name = "osp/widgets/select.html"


class SelectMultiple(forms.SelectMultiple):
    template_name = "osp/widgets/select.html"


class FilterForm(forms.Form):
    """The form of a list's filters (a FilterSet's `Meta.form`), its widgets rendered by
    Django's Jinja2 form renderer. One renderer for every form: it holds the compiled
    templates."""

    default_renderer = Jinja2()


class DateInput(forms.DateInput):
    """The browser's date picker. Its value is always ISO 8601, the only format
    <input type="date"> reads: in the reader's input format (2026/12/07 in Chinese) the
    field showed empty, and a form saved unchanged lost its date."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")
