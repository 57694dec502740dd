"""osp.widgets' selects (their options written in the select's template) give the markup of
Django's own, option by option."""

import pytest
from django import forms
from django.forms.renderers import Jinja2

from osp import widgets

CHOICES = [("", "---------"), ("3", "Three & <more>"), ("a", 'Quote "a"'),
           ("Group", [("9.5", "Nine and a half"), ("10", "Ten")])]


@pytest.mark.parametrize(("ours", "django", "value"), [
    (widgets.Select, forms.Select, "9.5"),
    (widgets.Select, forms.Select, None),
    (widgets.Select, forms.Select, ""),
    (widgets.SelectMultiple, forms.SelectMultiple, ["3", "a", "10"]),
    (widgets.SelectMultiple, forms.SelectMultiple, []),
])
def test_the_same_markup_as_djangos_select(ours, django, value):
    attrs = {"id": "id_x", "data-autosubmit": True, "disabled": False}
    renderer = Jinja2()
    drawn = ours(choices=CHOICES).render("x", value, attrs, renderer=renderer)
    assert drawn == django(choices=CHOICES).render("x", value, attrs, renderer=renderer)
    assert "Three &amp; &lt;more&gt;" in drawn


def test_the_filter_form_uses_them(rf, people):
    from opportunities.forms import OpportunityFilter

    request = rf.get("/opportunities/")
    request.user = people.manager_a
    form = OpportunityFilter({}, request=request).form
    assert isinstance(form.fields["owner"].widget, widgets.Select)
    assert isinstance(form.fields["stage"].widget, widgets.SelectMultiple)
    html = str(form["owner"])
    assert html.startswith('<select name="owner" id="id_owner">')
    assert f'<option value="{people.rep_a.pk}">' in html
