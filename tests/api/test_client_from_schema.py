"""A client that knows nothing of Caseload but its schema: it fetches /api/schema/, finds
operations by their operationId, fills the path templates and checks every answer against the
response schema (jsonschema). As a manager it reads a team's loads; as a caseworker it finds
its own caseload, logs a contact on one of its cases, and is refused another team's case, as
the pages refuse it."""

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from participants.models import Contact
from tests.participants.factories import held_case

pytestmark = pytest.mark.django_db


class SchemaClient:
    """Calls the API by operationId, knowing only the OpenAPI document it was given."""

    def __init__(self, token: str):
        self.http = Client(HTTP_AUTHORIZATION=f"Token {token}")
        self.document = json.loads(self.http.get("/api/schema/?format=json").content)
        self.operations = {
            op["operationId"]: (path, method, op)
            for path, methods in self.document["paths"].items()
            for method, op in methods.items()
        }
        self.registry = Registry().with_resource(
            "urn:api", DRAFT202012.create_resource(self._as_json_schema(self.document))
        )

    def call(self, operation_id: str, body=None, **path_params):
        path, method, operation = self.operations[operation_id]
        url = re.sub(r"\{(\w+)\}", lambda m: str(path_params[m.group(1)]), path)
        if method == "post":
            response = self.http.post(url, body, content_type="application/json")
        else:
            response = self.http.get(url)
        documented = operation["responses"][str(response.status_code)]
        schema = documented["content"]["application/json"]["schema"]
        data = response.json()
        Draft202012Validator(self._as_json_schema(schema), registry=self.registry).validate(data)
        return response.status_code, data

    @classmethod
    def _as_json_schema(cls, node):
        """OpenAPI 3.0 as JSON Schema: `nullable: true` as a type list, boolean exclusive
        bounds as numbers, and references into the registered document."""
        if isinstance(node, list):
            return [cls._as_json_schema(item) for item in node]
        if not isinstance(node, dict):
            return node
        node = {key: cls._as_json_schema(value) for key, value in node.items()}
        if node.pop("nullable", False):
            if "type" in node:
                node["type"] = [node["type"], "null"]
            elif "enum" in node:
                node["enum"] = [*node["enum"], None]
            else:
                node = {"anyOf": [node, {"type": "null"}]}
        for bound in ("Maximum", "Minimum"):
            if node.get(f"exclusive{bound}") is True:
                node[f"exclusive{bound}"] = node.pop(bound.lower())
        if "$ref" in node and node["$ref"].startswith("#/"):
            node["$ref"] = "urn:api" + node["$ref"]
        return node


def test_a_client_from_the_schema_reads_loads_logs_a_contact_and_is_refused_elsewhere(
    token_for, manager, caseworker, team, outsider
):
    mine = held_case(caseworker.worker, opened_on=timezone.localdate() - timedelta(days=10))
    theirs = held_case(outsider.worker)

    as_manager = SchemaClient(token_for(manager))
    status, teams = as_manager.call("teams_list")
    assert status == 200 and [t["id"] for t in teams["results"]] == [team.pk]
    status, loads = as_manager.call("teams_retrieve", id=team.pk)
    assert status == 200
    alice = next(m for m in loads["members"] if m["worker"]["name"] == "Alice Social")
    assert alice["load"]["open_cases"] == 1

    as_caseworker = SchemaClient(token_for(caseworker))
    _, me = as_caseworker.call("me_retrieve")
    _, caseload = as_caseworker.call("workers_caseload_retrieve", id=me["worker"])
    [case] = caseload["cases"]
    assert case["id"] == mine.pk
    visit = {
        "occurred_at": (timezone.now() - timedelta(hours=1)).isoformat(),
        "contact_type": "home_visit",
        "seen": True,
        "duration_minutes": 40,
    }
    status, contact = as_caseworker.call("cases_contacts_create", visit, id=case["id"])
    assert status == 201 and Contact.objects.get(pk=contact["id"]).case_id == mine.pk

    assert as_caseworker.call("cases_retrieve", id=theirs.pk)[0] == 404
    assert as_caseworker.call("cases_contacts_create", visit, id=theirs.pk)[0] == 404
    assert as_caseworker.call("teams_retrieve", id=team.pk)[0] == 403
    assert not Contact.objects.filter(case=theirs).exists()
