"""Django's own messages that its Simplified Chinese catalogue leaves untranslated.

Listed here so that `make messages` keeps them in our catalogue, which Django reads
before its own (LOCALE_PATHS come first): a model's `full_clean()` names an unknown
related record with this text, and services show it to people.
"""

from django.utils.translation import gettext_noop

UNTRANSLATED_IN_DJANGO = (
    gettext_noop("%(model)s instance with %(field)s %(value)r is not a valid choice."),
)
