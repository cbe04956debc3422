"""E-mail that works from an inbox: every message goes as plain text and HTML, rendered from
`templates/email/<name>.txt` and `.html`, and every link in it is absolute (SITE_URL), since
a link in an e-mail has no page to be relative to. Messages name workers, teams and case
references, never the people supported."""

from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse


def absolute_url(path: str) -> str:
    """The address of a path on this site, for an e-mail (SITE_URL, without a trailing /)."""
    return settings.SITE_URL.rstrip("/") + path


def link(name: str, *args) -> str:
    """The absolute address of a named page: `link("team_flags", team.pk)`."""
    return absolute_url(reverse(name, args=args))


def message(
    *, subject: str, template: str, context: dict, to: Sequence[str]
) -> EmailMultiAlternatives:
    """A message with a plain-text body and an HTML alternative, from the named templates."""
    context = {"site_url": settings.SITE_URL.rstrip("/"), "subject": subject, **context}
    text = render_to_string(f"email/{template}.txt", context)
    html = render_to_string(f"email/{template}.html", context)
    mail = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, list(to))
    mail.attach_alternative(html, "text/html")
    return mail


def send(*, subject: str, template: str, context: dict, to: Sequence[str]) -> int:
    """Render and send one message; a mail server that fails is logged, not raised (a page or
    a job must not fail because an inbox could not be reached). Returns the number sent."""
    return message(subject=subject, template=template, context=context, to=to).send(
        fail_silently=True
    )
