"""The Jinja2 environment of the apps' jinja2/ templates (settings.TEMPLATES): Django's
filters, so a fragment formats amounts as the Django templates around it do."""

from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat, slugify
from jinja2 import Environment


def environment(**options) -> Environment:
    env = Environment(**options)
    env.filters.update(floatformat=floatformat, intcomma=intcomma, slugify=slugify)
    return env
