"""The access audit: every view, change, print and export of a person or case is recorded in
the same request, to a table the application can neither change nor empty."""

import pytest
from django.contrib.sessions.models import Session
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from security.choices import AuditAction
from security.models import AuditEvent, AuditTrailIsAppendOnly, UserSession
from tests.caseload.factories import WorkerFactory
from tests.participants.factories import held_case

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.7"


@pytest.fixture
def own_case(caseworker):
    return held_case(caseworker.worker)


def _events(action, obj=None):
    rows = AuditEvent.objects.filter(action=action)
    return rows.about(obj) if obj is not None else rows


def test_viewing_a_case_records_who_their_role_when_what_and_from_where(
    client_for, caseworker, own_case
):
    response = client_for(caseworker).get(
        reverse("case_detail", args=[own_case.pk]), REMOTE_ADDR=ADDRESS
    )
    assert response.status_code == 200
    event = _events(AuditAction.VIEW, own_case).get()
    assert event.user == caseworker
    assert event.username == "alice"
    assert event.role == "caseworker"
    assert event.ip_address == ADDRESS
    assert event.subject_id == own_case.participant_id
    assert event.object_repr == f"Case {own_case.reference}"
    assert event.at is not None


def test_the_trail_names_records_by_reference_not_by_the_persons_name(
    client_for, caseworker, own_case
):
    client_for(caseworker).get(reverse("participant_detail", args=[own_case.participant_id]))
    event = _events(AuditAction.VIEW, own_case.participant).get()
    assert own_case.participant.family_name not in event.object_repr
    assert own_case.participant.reference in event.object_repr


def test_opening_a_page_to_print_is_recorded_as_a_print(client_for, caseworker, own_case):
    client_for(caseworker).get(reverse("case_detail", args=[own_case.pk]) + "?print=1")
    assert _events(AuditAction.PRINT, own_case).count() == 1


def test_changing_and_closing_a_case_are_recorded(client_for, caseworker, own_case):
    client = client_for(caseworker)
    client.post(
        reverse("case_update", args=[own_case.pk]),
        {"case_type": "child_in_need", "need_level": "high", "court": "none", "reference": "X1"},
    )
    client.post(
        reverse("case_close", args=[own_case.pk]),
        {"closed_on": "2026-01-20", "closure_reason": "needs_met"},
    )
    edits = list(_events(AuditAction.EDIT, own_case).order_by("at", "pk"))
    assert [e.detail for e in edits] == ["", "closed"]


def test_recording_a_person_and_a_search_are_recorded(client_for, caseworker):
    client = client_for(caseworker)
    client.post(
        reverse("participant_create"),
        {"given_name": "Ada", "family_name": "Auditson", "date_of_birth": "2014-02-03"},
    )
    assert _events(AuditAction.CREATE).count() == 1
    client.get(reverse("participant_list"), {"q": "Auditson"})
    search = _events(AuditAction.SEARCH).get()
    assert search.detail == "1 found"


def test_a_refused_request_shows_nothing_and_records_no_view(client_for, outsider, own_case):
    response = client_for(outsider).get(reverse("case_detail", args=[own_case.pk]))
    assert response.status_code == 404
    assert not _events(AuditAction.VIEW, own_case).exists()


def test_audit_rows_are_written_in_the_request_even_when_redis_is_down(
    client_for, caseworker, own_case, settings
):
    """Point the cache and the Celery broker at a closed port: the page still opens and its
    audit row is there when the response comes back (no background job involved)."""
    from django.core.cache import caches

    from caseload.config.celery import app

    closed = "redis://127.0.0.1:9/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": closed,
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    with pytest.raises(Exception, match="(?i)connect"):
        caches["default"].get("is-redis-there")
    old = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = closed, False
    try:
        response = client_for(caseworker).get(reverse("case_detail", args=[own_case.pk]))
    finally:
        app.conf.broker_url, app.conf.task_always_eager = old
    assert response.status_code == 200
    assert _events(AuditAction.VIEW, own_case).count() == 1


def test_the_model_refuses_to_change_or_delete_an_audit_row(client_for, caseworker, own_case):
    client_for(caseworker).get(reverse("case_detail", args=[own_case.pk]))
    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    event.detail = "tampered"
    with pytest.raises(AuditTrailIsAppendOnly):
        event.save()
    with pytest.raises(AuditTrailIsAppendOnly):
        event.delete()
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(detail="tampered")
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).detail == ""


def _raw(sql, params):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_postgresql_refuses_updates_and_deletes_of_audit_rows_whoever_asks(
    require_postgres, client_for, caseworker, own_case
):
    client_for(caseworker).get(reverse("case_detail", args=[own_case.pk]))
    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE security_auditevent SET detail = 'x' WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM security_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, detail="").exists()


def test_sqlite_refuses_updates_of_audit_rows_too(client_for, caseworker, own_case):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite trigger; PostgreSQL has its own test")
    client_for(caseworker).get(reverse("case_detail", args=[own_case.pk]))
    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE security_auditevent SET detail = 'x' WHERE id = %s", [event.pk])


# Who has looked at this record


def test_a_manager_sees_who_has_looked_at_their_teams_case(
    client_for, client, caseworker, manager, own_case
):
    client_for(caseworker).get(reverse("case_detail", args=[own_case.pk]), REMOTE_ADDR=ADDRESS)
    response = client_for(manager).get(reverse("case_access_log", args=[own_case.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert caseworker.get_full_name() in html
    assert ADDRESS in html
    assert "Viewed" in html
    assert "<caption>" in html


def test_the_persons_log_covers_their_cases_too(client_for, caseworker, manager, own_case):
    client_for(caseworker).get(reverse("case_detail", args=[own_case.pk]))
    response = client_for(manager).get(
        reverse("participant_access_log", args=[own_case.participant_id])
    )
    assert f"Case {own_case.reference}" in response.content.decode()


def test_the_persons_log_leaves_out_cases_the_reader_cannot_see(
    client_for, manager, outsider, other_team, own_case
):
    from tests.participants.factories import CaseFactory

    elsewhere = CaseFactory(team=other_team, participant=own_case.participant, reference="C-HID")
    client_for(outsider).get(reverse("case_detail", args=[elsewhere.pk]))
    response = client_for(manager).get(
        reverse("participant_access_log", args=[own_case.participant_id])
    )
    assert "C-HID" not in response.content.decode()


def test_an_administrator_sees_the_log_and_the_links_show_for_them(
    client_for, administrator, own_case
):
    client = client_for(administrator)
    page = client.get(reverse("case_detail", args=[own_case.pk])).content.decode()
    assert reverse("case_access_log", args=[own_case.pk]) in page
    assert client.get(reverse("case_access_log", args=[own_case.pk])).status_code == 200


def test_caseworkers_may_not_read_the_log(client_for, caseworker, own_case):
    assert (
        client_for(caseworker).get(reverse("case_access_log", args=[own_case.pk])).status_code
        == 403
    )


def test_a_director_reads_who_looked_at_records_in_their_organisation_only(
    client_for, director, own_case
):
    from tests.caseload.factories import OrganisationFactory, UserFactory

    assert (
        client_for(director).get(reverse("case_access_log", args=[own_case.pk])).status_code == 200
    )
    person_log = reverse("participant_access_log", args=[own_case.participant_id])
    assert client_for(director).get(person_log).status_code == 200
    elsewhere = UserFactory(role="director", organisation=OrganisationFactory())
    assert (
        client_for(elsewhere).get(reverse("case_access_log", args=[own_case.pk])).status_code == 404
    )
    assert client_for(elsewhere).get(person_log).status_code == 404


def test_looking_at_a_page_twice_in_a_moment_is_one_row_and_later_it_is_another(
    client_for, manager, own_case, settings
):
    from security.models import AuditEvent

    client = client_for(manager)
    url = reverse("case_detail", args=[own_case.pk])
    client.get(url)
    client.get(url)
    views = AuditEvent.objects.filter(action="view", object_id=own_case.pk, path=url)
    assert views.count() == 1
    settings.AUDIT_VIEW_WINDOW_SECONDS = 0  # as if the first look was longer ago than the window
    client.get(url)
    assert views.count() == 2


def test_another_teams_manager_gets_not_found_for_the_log(client_for, outsider_manager, own_case):
    client = client_for(outsider_manager)
    assert client.get(reverse("case_access_log", args=[own_case.pk])).status_code == 404
    assert (
        client.get(reverse("participant_access_log", args=[own_case.participant_id])).status_code
        == 404
    )


def test_the_log_page_paginates_with_a_fixed_number_of_queries(
    client_for, caseworker, manager, own_case, django_assert_max_num_queries, settings
):
    settings.PAGE_SIZE = 5
    settings.AUDIT_VIEW_WINDOW_SECONDS = 0  # twelve separate looks
    cw = client_for(caseworker)
    for _ in range(12):
        cw.get(reverse("case_detail", args=[own_case.pk]))
    client = client_for(manager)
    url = reverse("case_access_log", args=[own_case.pk])
    with django_assert_max_num_queries(14):
        response = client.get(url, {"page": 2})
    assert "Page 2 of 3" in response.content.decode()


# Sign-ins and account changes


def test_signing_in_and_a_failed_sign_in_are_recorded(client, caseworker):
    client.post(reverse("login"), {"username": "alice", "password": "wrong"}, REMOTE_ADDR=ADDRESS)
    failed = AuditEvent.objects.get(action=AuditAction.SIGN_IN_FAILED)
    assert (failed.username, failed.ip_address, failed.user) == ("alice", ADDRESS, None)
    client.post(
        reverse("login"),
        {"username": "alice", "password": "a-long-test-password-1"},
        REMOTE_ADDR=ADDRESS,
    )
    signed_in = AuditEvent.objects.get(action=AuditAction.SIGN_IN)
    assert (signed_in.user, signed_in.ip_address) == (caseworker, ADDRESS)
    client.post(reverse("logout"))
    assert AuditEvent.objects.filter(action=AuditAction.SIGN_OUT, user=caseworker).exists()


def test_changing_your_password_is_recorded(client_for, caseworker):
    client_for(caseworker).post(
        reverse("password_change"),
        {
            "old_password": "a-long-test-password-1",
            "new_password1": "a-brand-new-passphrase-77",
            "new_password2": "a-brand-new-passphrase-77",
        },
    )
    event = AuditEvent.objects.get(action=AuditAction.PASSWORD_CHANGE)
    assert event.user == caseworker and event.object_id == caseworker.pk


def test_an_administrator_changing_a_role_in_the_admin_is_recorded(
    client_for, administrator, caseworker
):
    administrator.is_superuser = True
    administrator.save()
    client = client_for(administrator)
    url = reverse("admin:caseload_user_change", args=[caseworker.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(role="manager", organisation=caseworker.organisation_id, groups=[])
    data.update({"user_permissions": [], "date_joined_0": "2026-01-01", "date_joined_1": "09:00"})
    data.pop("date_joined", None)
    data.pop("last_login", None)
    response = client.post(url, data)
    assert response.status_code == 302, (
        getattr(response, "context", {}) and response.context["adminform"].form.errors
    )
    event = AuditEvent.objects.get(action=AuditAction.ROLE_CHANGE, object_id=caseworker.pk)
    assert event.user == administrator
    assert event.detail == "caseworker → manager"
    assert event.object_repr == "User alice"


def test_deactivating_a_user_ends_every_session_they_hold(client, caseworker):
    client.force_login(caseworker)
    assert client.get(reverse("home")).status_code == 200
    assert UserSession.objects.filter(user=caseworker).count() == 1
    key = client.session.session_key

    caseworker.is_active = False
    caseworker.save()

    assert not Session.objects.filter(session_key=key).exists()
    assert not UserSession.objects.filter(user=caseworker).exists()
    assert client.get(reverse("home")).status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.DEACTIVATED)
    assert event.detail == "1 session(s) ended"
    assert event.username == "system"


def test_deactivation_ends_a_session_whose_key_changed_after_a_password_change(client, caseworker):
    client.force_login(caseworker)
    key_at_sign_in = client.session.session_key
    client.post(
        reverse("password_change"),
        {
            "old_password": "a-long-test-password-1",
            "new_password1": "a-brand-new-passphrase-77",
            "new_password2": "a-brand-new-passphrase-77",
        },
    )
    key_now = client.session.session_key
    assert key_now != key_at_sign_in
    assert UserSession.objects.get(user=caseworker).session_key == key_now

    caseworker.refresh_from_db()
    caseworker.is_active = False
    caseworker.save()

    assert not Session.objects.filter(session_key=key_now).exists()


def test_another_teams_worker_is_not_affected_by_a_deactivation(client, caseworker, team):
    other = WorkerFactory(team=team)
    assert other.user is None  # only users with sessions are signed out
    client.force_login(caseworker)
    caseworker.is_active = False
    caseworker.save()
    assert UserSession.objects.count() == 0
