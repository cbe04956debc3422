"""Sending a create form again (a double click, or Save pressed again after the connection
dropped while the first request was saved) makes one record, and the second submit lands on
the first record's page. The one-time form token: caseload/core/once.py."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from caseload.core import once
from caseload.core.models import FormToken, ImportRun
from participants.models import Contact
from tests.imports.sample import sample, write_xlsx
from tests.participants.factories import held_case

pytestmark = pytest.mark.django_db


def _token(page: str) -> str:
    return re.search(r'name="once_token" value="([0-9a-f]{32})"', page).group(1)


def _visit(**overrides) -> dict:
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    visit = {"occurred_on": yesterday, "occurred_time": "10:30", "contact_type": "home_visit"}
    return visit | {"seen": "yes", "duration_minutes": "45", "travel_minutes": "0"} | overrides


@pytest.fixture
def own_case(caseworker):
    return held_case(caseworker.worker, opened_on=timezone.localdate() - timedelta(days=60))


class TestLoggingAContact:
    def test_the_same_form_sent_twice_logs_one_contact_and_lands_on_it(
        self, client_for, caseworker, own_case
    ):
        client = client_for(caseworker)
        url = reverse("contact_create", args=[own_case.pk])
        form = _visit(once_token=_token(client.get(url).content.decode()))
        first = client.post(url, form)
        again = client.post(url, form, follow=True)
        contact = Contact.objects.get(case=own_case)
        assert first.status_code == 302 and first.url == own_case.get_absolute_url()
        assert again.redirect_chain[-1][0] == contact.get_absolute_url()
        assert "logged when the form was first sent; not twice" in again.content.decode()

    def test_each_drawing_of_the_form_is_a_new_token_so_two_visits_are_two_contacts(
        self, client_for, caseworker, own_case
    ):
        client = client_for(caseworker)
        url = reverse("contact_create", args=[own_case.pk])
        for time in ("09:00", "15:00"):
            token = _token(client.get(url).content.decode())
            client.post(url, _visit(once_token=token, occurred_time=time))
        assert Contact.objects.filter(case=own_case).count() == 2

    def test_a_form_with_errors_keeps_its_token_and_saves_once_corrected(
        self, client_for, caseworker, own_case
    ):
        client = client_for(caseworker)
        url = reverse("contact_create", args=[own_case.pk])
        token = _token(client.get(url).content.decode())
        wrong = client.post(url, _visit(once_token=token, duration_minutes="-5"))
        assert wrong.status_code == 200 and _token(wrong.content.decode()) == token
        assert not FormToken.objects.exists()
        assert client.post(url, _visit(once_token=token)).status_code == 302
        assert client.post(url, _visit(once_token=token)).status_code == 302
        assert Contact.objects.filter(case=own_case).count() == 1

    def test_someone_elses_token_is_not_theirs_to_replay(
        self, client_for, caseworker, manager, own_case
    ):
        url = reverse("contact_create", args=[own_case.pk])
        token = _token(client_for(caseworker).get(url).content.decode())
        client_for(caseworker).post(url, _visit(once_token=token))
        response = client_for(manager).post(url, _visit(once_token=token))
        assert response.status_code == 403
        assert Contact.objects.count() == 1

    def test_an_outsider_cannot_log_a_contact_with_or_without_a_token(
        self, client_for, caseworker, outsider, own_case
    ):
        url = reverse("contact_create", args=[own_case.pk])
        token = _token(client_for(caseworker).get(url).content.decode())
        assert client_for(outsider).post(url, _visit(once_token=token)).status_code == 404
        assert not Contact.objects.exists() and not FormToken.objects.exists()


class TestUploadingAnImport:
    @pytest.fixture(autouse=True)
    def _private_import_dir(self, settings, tmp_path):
        settings.IMPORT_DIR = tmp_path / "imports"

    def test_the_same_upload_sent_twice_makes_one_run_and_lands_on_it(
        self, client_for, administrator, tmp_path
    ):
        client = client_for(administrator)
        url = reverse("import_list")
        token = _token(client.get(url).content.decode())
        raw = write_xlsx(tmp_path / "council.xlsx", sample()).read_bytes()
        posts = [
            client.post(
                url, {"files": SimpleUploadedFile("council.xlsx", raw), "once_token": token}
            )
            for _ in range(2)
        ]
        run = ImportRun.objects.get()
        assert [p.status_code for p in posts] == [302, 302]
        assert posts[0].url == posts[1].url == run.get_absolute_url()
        assert len(list((tmp_path / "imports").iterdir())) == 1


def test_a_write_that_fails_leaves_the_token_unused(rf, caseworker):
    from django.core.exceptions import ValidationError

    request = rf.post("/", {"once_token": once.new_token()})
    request.user = caseworker

    def refused():
        raise ValidationError("no")

    with pytest.raises(ValidationError):
        once.submit(request, refused, url=str)
    assert not FormToken.objects.exists()
    done = once.submit(request, lambda: "/made/", url=str)
    assert (done.url, done.repeated) == ("/made/", False)
    assert once.submit(request, lambda: "/again/", url=str) == once.Done("/made/", repeated=True)


def test_old_tokens_are_forgotten(rf, caseworker):
    stale = FormToken.objects.create(
        token="a" * 32,
        user=caseworker,
        result_url="/old/",
        used_at=timezone.now() - timedelta(days=once.TOKEN_DAYS + 1),
    )
    request = rf.post("/", {"once_token": once.new_token()})
    request.user = caseworker
    once.submit(request, lambda: "/new/", url=str)
    assert not FormToken.objects.filter(pk=stale.pk).exists()


class TestEveryCreateForm:
    """Opening a case, recording a person and saving a scheme version: sent twice, one record,
    and the second lands on it; another team's manager cannot use the form at all."""

    def test_opening_a_case_twice_opens_one(self, client_for, manager, team, outsider_manager):
        from caseload.core.models import Case
        from tests.participants.factories import CaseFactory

        person = CaseFactory(team=team, status="closed", closed_on=timezone.localdate()).participant
        client = client_for(manager)
        url = reverse("case_create", args=[person.pk])
        form = {
            "team": team.pk,
            "case_type": "child_in_need",
            "need_level": "low",
            "court": "none",
            "opened_on": timezone.localdate().isoformat(),
            "once_token": _token(client.get(url).content.decode()),
        }
        first = client.post(url, form)
        again = client.post(url, form, follow=True)
        case = Case.objects.get(participant=person, status="awaiting_allocation")
        assert first.url == case.get_absolute_url()
        assert again.redirect_chain[-1][0] == case.get_absolute_url()
        assert "opened when the form was first sent; not twice" in again.content.decode()
        assert client_for(outsider_manager).post(url, form).status_code in (403, 404)
        assert Case.objects.filter(participant=person, status="awaiting_allocation").count() == 1

    def test_recording_a_person_twice_records_one(self, client_for, manager, outsider):
        from participants.models import Participant

        client = client_for(manager)
        url = reverse("participant_create")
        form = {
            "given_name": "Robin",
            "family_name": "Twiceley",
            "date_of_birth": "2015-03-04",
            "once_token": _token(client.get(url).content.decode()),
        }
        first = client.post(url, form)
        again = client.post(url, form, follow=True)
        person = Participant.objects.get(family_name="Twiceley")
        assert first.url == person.get_absolute_url()
        assert again.redirect_chain[-1][0] == person.get_absolute_url()
        assert Participant.objects.filter(family_name="Twiceley").count() == 1
        assert client_for(outsider).get(person.get_absolute_url()).status_code == 404

    def test_saving_a_scheme_version_twice_saves_one(self, client_for, director, manager):
        from weighting.models import WeightingScheme

        client = client_for(director)
        url = reverse("scheme_edit")
        page = client.get(url)
        form = {name: field.initial for name, field in page.context["form"].fields.items()}
        form = {k: v for k, v in form.items() if v is not None}
        form |= {
            "in_force_from": (timezone.localdate() + timedelta(days=7)).isoformat(),
            "note": "Court work weighs more",
            "once_token": _token(page.content.decode()),
        }
        before = WeightingScheme.objects.count()
        first = client.post(url, form)
        assert first.status_code == 302, first.context["form"].errors
        client.post(url, form)
        assert WeightingScheme.objects.count() == before + 1
        assert client_for(manager).post(url, form).status_code == 403
