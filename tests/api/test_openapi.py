"""The OpenAPI document covers every API route and looks like valid OpenAPI 3.1."""
from __future__ import annotations

import re

API_PREFIX = "/api/v1"
METHODS = {"get", "post", "put", "patch", "delete"}


def _document(client) -> dict:
    response = client.get(f"{API_PREFIX}/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _resolve(document: dict, ref: str) -> dict:
    node = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def _refs(node):
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_every_api_rule_is_documented(app, client):
    paths = _document(client)["paths"]
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.startswith(API_PREFIX + "/")]
    assert len(rules) >= 12
    for rule in rules:
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule.removeprefix(API_PREFIX))
        assert path in paths, rule.rule
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in paths[path], f"{method} {rule.rule}"


def test_document_is_openapi_3_1(client):
    document = _document(client)
    assert document["openapi"] == "3.1.0"
    assert document["info"]["title"] and document["info"]["version"]
    assert document["servers"] == [{"url": API_PREFIX}]
    bearer = document["components"]["securitySchemes"]["bearerAuth"]
    assert (bearer["type"], bearer["scheme"]) == ("http", "bearer")
    operation_ids = []
    for path, item in document["paths"].items():
        assert path.startswith("/")
        for method, operation in item.items():
            assert method in METHODS
            assert operation["responses"], f"{method} {path}"
            assert operation["summary"]
            operation_ids.append(operation["operationId"])
            for name in re.findall(r"{(\w+)}", path):
                assert any(p["name"] == name and p["in"] == "path" for p in operation["parameters"])
    assert len(operation_ids) == len(set(operation_ids))
    for ref in set(_refs(document)):
        assert ref.startswith("#/components/"), ref
        assert _resolve(document, ref), ref


def test_errors_and_security_are_described(client):
    document = _document(client)
    error = document["components"]["schemas"]["ErrorResponse"]
    assert error["required"] == ["error"]
    detail = document["components"]["schemas"]["ErrorDetail"]
    assert set(detail["properties"]) == {"code", "message", "fields"}
    list_cohorts = document["paths"]["/cohorts"]["get"]
    assert list_cohorts["security"] == [{"bearerAuth": []}]
    assert {"200", "401", "403", "422"} <= set(list_cohorts["responses"])
    assert {p["name"] for p in list_cohorts["parameters"]} >= {"page", "per_page", "status"}
    apply = document["paths"]["/cohorts/{cohort_id}/applications"]["post"]
    assert apply["security"] == []
    assert "multipart/form-data" in apply["requestBody"]["content"]
    assert {"201", "404", "409", "422"} <= set(apply["responses"])
    create = document["paths"]["/cohorts"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CohortCreate"}
    assert "400" in create["responses"]
