"""Gauges for cases against promise and points against bandwidth (numbers always shown)."""

from decimal import Decimal

from django import template

register = template.Library()


@register.inclusion_tag("weighting/_gauge.html")
def gauge(value, limit, *, floor=0, label="", unit=""):
    """A <meter> with the numbers beside it: green up to the limit, red above it."""
    value = Decimal(value or 0)
    limit = Decimal(limit or 0)
    floor = Decimal(floor or 0)
    top = max(value, limit * Decimal("1.25"), Decimal(1))
    above = value > limit
    return {
        "value": value,
        "limit": limit,
        "floor": floor,
        "max": top,
        "above": above,
        "below": value < floor,
        "label": label,
        "unit": unit,
    }
