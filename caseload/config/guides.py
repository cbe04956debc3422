"""The guides people are pointed to (the import format, how the figures are worked out,
security), served by the app from the same Markdown files the repository keeps in `docs/`,
so every reference to a document is a link that works, and the page and the file never
disagree. Raw HTML in the files is not passed through."""

from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET
from markdown_it import MarkdownIt

# slug → (file in docs/, title)
GUIDES = {
    "import-format": ("import-format.md", "The import format"),
    "figures": ("figures.md", "How the figures are worked out"),
    "security": ("security.md", "Security, audit and data protection"),
}


def _doc_path(name: str) -> Path:
    return Path(settings.BASE_DIR) / "docs" / name


def _link_target(href: str) -> str:
    """A link from one guide to another file in docs/ becomes that guide's page."""
    name = href.split("#")[0].removeprefix("docs/").removeprefix("./")
    for slug, (file, _) in GUIDES.items():
        if name == file:
            return guide_url(slug) + (href[len(href.split("#")[0]) :])
    return href


def _renderer() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    headings: list[str] = []

    def heading_close(renderer, tokens, idx, options, env):
        headings.append(tokens[idx - 1].content)
        return f"</{tokens[idx].tag}>\n"

    def table_open(renderer, tokens, idx, options, env):
        under = headings[-1] if headings else "this guide"
        env["tables"] = env.get("tables", 0) + 1
        caption = f"Table {env['tables']}, under “{escape(under)}”"
        # A table wider than the window scrolls in its own region, which the keyboard can reach.
        return (
            f'<div class="table-responsive" tabindex="0" role="region" aria-label="{caption}">'
            f'<table class="table table-sm"><caption>{caption}</caption>\n'
        )

    def table_close(renderer, tokens, idx, options, env):
        return "</table></div>\n"

    def th_open(renderer, tokens, idx, options, env):
        return '<th scope="col">'

    def image(renderer, tokens, idx, options, env):
        # The repository's screenshots are not served: say what the picture shows instead.
        return f"<em>(screenshot: {escape(tokens[idx].content)})</em>"

    def link_open(renderer, tokens, idx, options, env):
        token = tokens[idx]
        token.attrSet("href", _link_target(token.attrGet("href") or ""))
        return renderer.renderToken(tokens, idx, options, env)

    for name, rule in {
        "heading_close": heading_close,
        "table_open": table_open,
        "table_close": table_close,
        "th_open": th_open,
        "link_open": link_open,
        "image": image,
    }.items():
        md.add_render_rule(name, rule)
    return md


@lru_cache(maxsize=len(GUIDES) * 2)
def _rendered(name: str, modified: float) -> str:
    """The guide as HTML (cached until the file changes)."""
    return _renderer().render(_doc_path(name).read_text(encoding="utf-8"), {})


def url_name(slug: str) -> str:
    """Each guide has its own URL name (guide_figures…): a page about no object."""
    return "guide_" + slug.replace("-", "_")


def guide_url(slug: str) -> str:
    return reverse(url_name(slug))


@require_GET
def guide(request, slug: str):
    """One guide, in the site's frame."""
    if slug not in GUIDES:
        raise Http404("No such guide")
    name, title = GUIDES[slug]
    path = _doc_path(name)
    if not path.exists():
        raise Http404("This guide is not installed")
    # The HTML comes from our own Markdown files with raw HTML switched off, never from user data.
    body = mark_safe(_rendered(name, path.stat().st_mtime))  # noqa: S308
    others = [(guide_url(other), t) for other, (_, t) in GUIDES.items() if other != slug]
    return render(request, "guide.html", {"title": title, "body": body, "others": others})
