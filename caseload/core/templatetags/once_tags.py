"""`{% once_token %}`: the one-time token for the form being drawn (caseload/core/once.py)."""

from django import template

from caseload.core import once

register = template.Library()


@register.simple_tag(takes_context=True)
def once_token(context) -> str:
    """The token this form was sent with, when it is drawn again after an error (nothing was
    made with it); else a fresh one."""
    request = context.get("request")
    if request is not None and request.method == "POST":
        return once.posted_token(request) or once.new_token()
    return once.new_token()
