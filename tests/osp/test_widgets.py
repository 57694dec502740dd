"""osp.widgets draws the same selects as Django's template-rendered widgets."""

import datetime
from html.parser import HTMLParser

import pytest
from django import forms

from osp import widgets


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.seen = []

    def handle_starttag(self, tag, attrs):
        self.seen.append(("start", tag, sorted(attrs, key=lambda a: a[0])))

    def handle_endtag(self, tag):
        self.seen.append(("end", tag))

    def handle_data(self, data):
        if data.strip():
            self.seen.append(("text", data.strip()))


def _parsed(html):
    parser = _Tags()
    parser.feed(html)
    return parser.seen


CHOICES = [("", "---------"), ("3", "3 · Plan approved"), ("9.5", "9.5 <paid> & booked"),
           ("Group", [("a", "A&B"), ("b", "B")])]


@pytest.mark.parametrize(("ours", "django", "value"), [
    (widgets.Select, forms.Select, "9.5"),
    (widgets.Select, forms.Select, None),
    (widgets.SelectMultiple, forms.SelectMultiple, ["3", "a"]),
])
def test_same_markup_as_django(ours, django, value):
    attrs = {"data-autosubmit": True, "aria-label": "Stage \"x\"", "disabled": False}
    drawn = ours(choices=CHOICES, attrs=attrs).render("stage", value, attrs={"id": "id_s"})
    expected = django(choices=CHOICES, attrs=attrs).render("stage", value, attrs={"id": "id_s"})
    assert _parsed(drawn) == _parsed(expected)
    assert "&lt;paid&gt; &amp; booked" in drawn  # escaped like a template


@pytest.mark.parametrize(("ours", "django"), [(widgets.Select, forms.Select),
                                               (widgets.SelectMultiple, forms.SelectMultiple)])
def test_a_repeated_value_and_an_empty_one_as_django_draws_them(ours, django):
    choices = [(None, "none"), ("a", "A"), ("a", "A again"), (7, "seven")]
    for value in ("a", ["a", "7"], None, ""):
        assert _parsed(ours(choices=choices).render("x", value)) == _parsed(
            django(choices=choices).render("x", value))


@pytest.mark.parametrize(("ours", "django", "attrs", "value"), [
    (widgets.HiddenInput, forms.HiddenInput, None, 5),
    (widgets.HiddenInput, forms.HiddenInput, None, None),
    (widgets.HiddenInput, forms.HiddenInput, None, ""),
    (widgets.HiddenInput, forms.HiddenInput, {"data-x": "a\"<b>'&"}, "2026Q1 \"<'&"),
    (widgets.DateInput, forms.DateInput, {"type": "date"}, datetime.date(2026, 1, 2)),
    (widgets.DateInput, forms.DateInput, {"type": "date", "required": True}, "2026-13-01"),
    (widgets.DateInput, forms.DateInput, {"type": "date", "disabled": False}, None),
])
def test_inputs_as_django_draws_them(ours, django, attrs, value):
    drawn = ours(attrs=attrs).render("team", value, attrs={"id": "id_team"})
    expected = django(attrs=attrs).render("team", value, attrs={"id": "id_team"})
    assert _parsed(drawn) == _parsed(expected)
    assert drawn.count("=") == expected.count("=")  # no attribute twice, none left out
