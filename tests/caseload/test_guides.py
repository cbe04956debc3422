"""The guides the pages and files point to are served by the app from docs/, so every
reference to a document is a link that works."""

import pytest
from django.urls import reverse

from caseload.config import guides

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("slug", sorted(guides.GUIDES))
def test_every_guide_is_a_page_with_described_tables(client_for, caseworker, slug):
    page = client_for(caseworker).get(reverse(guides.url_name(slug)))
    assert page.status_code == 200
    html = page.content.decode()
    assert f"<title>{guides.GUIDES[slug][1]}" in html
    assert html.count("<table") == html.count("<caption>")
    assert "<th>" not in html  # every header cell has a scope


def test_a_link_to_another_guide_is_that_guides_page(client_for, caseworker):
    html = client_for(caseworker).get(reverse("guide_security")).content.decode()
    assert "<h1>Security, audit and data protection</h1>" in html
    assert guides._link_target("figures.md#on-a-date") == "/guides/figures/#on-a-date"
    assert guides._link_target("docs/import-format.md") == "/guides/import-format/"
    assert guides._link_target("https://example.org/x.md") == "https://example.org/x.md"


def test_raw_html_in_a_guide_is_shown_as_text_not_run(tmp_path, settings):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "figures.md").write_text("# T\n\n<script>alert(1)</script>\n")
    settings.BASE_DIR = tmp_path
    html = guides._rendered("figures.md", 1.0)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_an_unknown_guide_is_not_found_and_signed_out_people_are_sent_to_sign_in(
    client_for, client, outsider
):
    assert client.get(reverse("guide_figures"))["Location"].startswith(reverse("login"))
    # Guides describe the product, not anyone's records: any signed-in user may read them.
    assert client_for(outsider).get(reverse("guide_figures")).status_code == 200
    assert client_for(outsider).get("/guides/secrets/").status_code == 404


def test_the_pages_and_files_that_mention_a_guide_link_to_it(client_for, administrator):
    html = client_for(administrator).get(reverse("import_list")).content.decode()
    assert 'href="/guides/import-format/"' in html and "docs/import-format.md" not in html
    assert 'href="/guides/figures/"' in html  # the footer, on every page
