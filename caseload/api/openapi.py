"""What the schema says about errors, so a client written from it alone knows them: every
operation can answer 400 (a field named with what is wrong), 401 (no valid token), 403 (not
for your role), 404 (outside your scope, or no such record) and 429 (too many requests); a
write also 415 (not JSON). (A drf-spectacular postprocessing hook, SPECTACULAR_SETTINGS.)"""

ERRORS = {
    "400": ("Bad input: each field named, with what is wrong.", "ValidationErrors"),
    "401": ("No valid token (missing, wrong, revoked, expired or its user inactive).", "Error"),
    "403": ("Your role, or your part in this case, does not allow it.", "Error"),
    "404": ("Not found: no such record, or it is outside what you may see.", "Error"),
    "429": ("Too many requests: wait the seconds in Retry-After.", "Error"),
}
WRITE_ERRORS = {"415": ("The body must be JSON (Content-Type: application/json).", "Error")}
SCHEMAS = {
    "Error": {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "ValidationErrors": {
        "type": "object",
        "description": "Field name (or non_field_errors) → what is wrong with it.",
        "additionalProperties": True,
    },
}


def add_error_responses(result, generator, request, public):
    """Add the error answers to every operation of the schema `result`."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(SCHEMAS)
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            errors = {**ERRORS, **(WRITE_ERRORS if method in ("post", "put", "patch") else {})}
            responses = operation.setdefault("responses", {})
            for code, (description, schema) in errors.items():
                responses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{schema}"}
                            }
                        },
                    },
                )
    return result
