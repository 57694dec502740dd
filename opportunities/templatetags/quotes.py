"""The quote's pages: a product's name in the reader's language."""

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def product_name(product) -> str:
    return product.name(get_language() or "en")
