"""Showing a figure the way its kind asks: ratios to 0.01, shares as percentages, counts whole."""

from django import template
from django.utils.safestring import mark_safe

from reports import figures as F

register = template.Library()


@register.filter
def figure(value, kind: str = "ratio"):
    """A figure for people (`figures.shown`): "–" (with a spoken "no figure") when there is
    nothing to divide by."""
    text = F.shown(value, kind)
    return mark_safe(F.NO_FIGURE_HTML) if text is None else text  # noqa: S308 - a constant


@register.filter
def raw(value):
    """The figure as the download has it (for the data tables beside charts)."""
    return "" if value is None else value


@register.filter
def get(mapping, key):
    return mapping.get(key) if mapping else None
