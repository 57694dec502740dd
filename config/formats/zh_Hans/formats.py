"""Simplified Chinese formats: Django's, except that amounts are grouped by thousands with
a comma (12,000.00), as Chinese quotations, contracts and finance reports write them;
Django's own has no separator at all (12000.00)."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
