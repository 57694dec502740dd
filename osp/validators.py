"""Rules for text that comes from outside, shared by every route.

PostgreSQL refuses a NUL character in text (and `\\u0000` in jsonb): a value holding one is
invalid input, refused with Django's own rule and message before it reaches a query.
Forms (`forms.CharField`) and serializers (DRF's `CharField`, its `SearchFilter`) apply
that validator already; the paths that take text without a form field (sync records,
list searches, keys in an address) ask this module.
"""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator

prohibit_null_characters = ProhibitNullCharactersValidator()


def _refused(text) -> list[str]:
    """The validator's messages if `text` is a text holding a NUL, else none."""
    if isinstance(text, str):
        try:
            prohibit_null_characters(text)
        except ValidationError as e:
            return e.messages
    return []


def null_character_errors(values: Mapping) -> dict[str, list[str]]:
    """Messages by name for each text in `values` that holds a NUL. A name holding one is
    reported as `non_field_errors`: it cannot be repeated as a key of an answer that is
    stored (jsonb)."""
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        if messages := _refused(name):
            errors["non_field_errors"] = messages
        elif messages := _refused(value):
            errors[name] = messages
    return errors


def has_null_character(*texts) -> bool:
    return any(_refused(text) for text in texts)
