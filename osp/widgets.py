"""Django's select widgets with a template that writes the options in place
(osp/jinja2/osp/widgets/select.html) instead of including Django's option template once
per option: a list page's owner filter has an option per person in scope (221 for a
director), on every request."""

from django import forms


class Select(forms.Select):
    template_name = "osp/widgets/select.html"


class SelectMultiple(forms.SelectMultiple):
    template_name = "osp/widgets/select.html"
