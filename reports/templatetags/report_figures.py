"""Showing a figure the way its kind asks: ratios to 0.01, shares as percentages, counts whole."""

from decimal import Decimal

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def figure(value, kind: str = "ratio"):
    """A figure for people: "–" (with a spoken "no figure") when there is nothing to divide by."""
    if value is None:
        return format_html('–<span class="visually-hidden"> ({})</span>', "no figure")
    value = Decimal(str(value))
    if kind == "share":
        return f"{value * 100:.1f}%"
    if kind in ("ratio", "fte"):
        return f"{value:,.2f}"
    if kind == "days":
        return f"{value:.1f}".removesuffix(".0")
    return f"{int(value):,}"


@register.filter
def raw(value):
    """The figure as the download has it (for the data tables beside charts)."""
    return "" if value is None else value


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None
