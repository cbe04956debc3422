"""Date fields render ISO dates, the only value a browser's date picker accepts."""

from datetime import date

from django.utils import timezone

from caseload.casework.forms import CaseCloseForm
from caseload.core.forms import DateInput


def test_a_date_field_shows_its_date_in_iso_form_whatever_the_language(settings):
    settings.LANGUAGE_CODE = "en-gb"
    html = DateInput().render("closed_on", date(2026, 3, 14))
    assert 'type="date"' in html
    assert 'value="2026-03-14"' in html


def test_the_close_form_offers_today_as_a_date_the_browser_can_show():
    form = CaseCloseForm()
    assert 'value="' + timezone.localdate().isoformat() in str(form["closed_on"])
