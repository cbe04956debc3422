"""The load test: caseworkers logging contacts and reading My caseload, managers on the
allocation pages and team dashboard, directors on the dashboards. Loopback only, bounded by
locust's --run-time; run by bench/run.py.

Signed-in sessions (past two-factor) come from the file named by BENCH_SESSIONS, written by
`bench/measure.py --sessions`. Cookies are sent by hand on every request: the app marks its
cookies Secure (DEBUG is off) and this test speaks plain HTTP on loopback.
"""

import json
import os
import random
import re
from datetime import date, timedelta

from locust import HttpUser, between, task

SESSIONS = json.loads(open(os.environ["BENCH_SESSIONS"]).read())  # noqa: SIM115
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class SignedIn(HttpUser):
    abstract = True
    wait_time = between(0.5, 2.0)
    role = ""

    def cookie(self, **extra) -> dict:
        cookies = {"sessionid": SESSIONS[self.role], **extra}
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}

    def page(self, name: str) -> None:
        url, _ = SESSIONS["urls"].get(name, (None, None))
        if url is None:
            return
        with self.client.get(
            url, headers=self.cookie(), allow_redirects=False, name=name, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"HTTP {response.status_code}")


class Caseworker(SignedIn):
    weight = 3
    role = "caseworker"

    @task(2)
    def my_caseload(self):
        self.page("my_caseload")

    @task(3)
    def log_contact(self):
        case_pk = random.choice(SESSIONS["contact_case_pks"])  # noqa: S311
        url = f"/cases/{case_pk}/contacts/new/"
        with self.client.get(
            url,
            headers=self.cookie(),
            allow_redirects=False,
            name="contact_form",
            catch_response=True,
        ) as form:
            match = TOKEN.search(form.text)
            csrf = form.cookies.get("csrftoken")
            if form.status_code != 200 or not match or not csrf:
                form.failure(f"HTTP {form.status_code}, no form")
                return
        data = {
            "csrfmiddlewaretoken": match.group(1),
            "occurred_on": (date.today() - timedelta(days=1)).isoformat(),
            "occurred_time": "10:30",
            "contact_type": "phone",
            "seen": "no",
            "duration_minutes": "10",
            "travel_minutes": "0",
            "notes": "Load test: phone call, no answer.",
        }
        with self.client.post(
            url,
            data=data,
            headers=self.cookie(csrftoken=csrf),
            allow_redirects=False,
            name="contact_log",
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"HTTP {response.status_code}")


class Manager(SignedIn):
    weight = 2
    role = "manager"

    @task(3)
    def allocation_queue(self):
        self.page("allocation_queue")

    @task(2)
    def allocate_case(self):
        self.page("allocate_case")

    @task(2)
    def team_dashboard(self):
        self.page("team_dashboard")

    @task(1)
    def team_detail(self):
        self.page("team_detail")


class Director(SignedIn):
    weight = 1
    role = "director"

    @task(2)
    def director_dashboard(self):
        self.page("director_dashboard")

    @task(1)
    def organisation(self):
        self.page("organisation")
