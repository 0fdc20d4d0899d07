"""The operation registry: each API route is declared once, and the OpenAPI 3.1 document is built from it.

``@operation(...)`` registers the Flask rule (token-protected unless ``auth=False``) and records
its method, summary, query/body/response models and extra error codes. ``GET /api/v1/openapi.json``
turns the records into paths, with schemas from pydantic's ``models_json_schema`` under
``components/schemas``.
"""
from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass

from flask import jsonify, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from incubator.api.v1 import api_v1
from incubator.api.v1.auth import token_required
from incubator.api.v1.schemas import ErrorResponse

REF = "#/components/schemas/{model}"
SECURITY_SCHEME = "bearerAuth"
_PATH_PARAM = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
_INTEGER_CONVERTERS = {"int", "id"}

ERROR_RESPONSES = {
    400: ("BadRequest", _l("The request body is not valid JSON or not a JSON object.")),
    401: ("Unauthorized", _l("The API token is missing, not valid or revoked.")),
    403: ("Forbidden", _l("The token's user may not do this.")),
    404: ("NotFound", _l("No such resource.")),
    409: ("Conflict", _l("The operation clashes with the current state (already decided, full, taken).")),
    413: ("TooLarge", _l("The upload is too large.")),
    422: ("Invalid", _l("Some input is not valid; see error.fields.")),
    429: ("TooManyRequests", _l("Too many requests; wait and retry.")),
}


@dataclass(frozen=True)
class Operation:
    """One method on one URL rule, as documented."""

    rule: str
    method: str
    endpoint: str
    summary: str
    description: str
    tag: str
    auth: bool
    query: type[BaseModel] | None
    body: type[BaseModel] | None
    multipart: bool
    files: dict[str, str]
    response: type[BaseModel] | None
    status: int
    errors: tuple[int, ...] = ()

    def error_codes(self) -> list[int]:
        """The error statuses this operation can answer, implied by its auth, path and input."""
        codes = set(self.errors)
        if self.auth:
            codes |= {401, 403}
        # A path id, or a body naming another resource by id (``resource_id``, ``mentor_id``), can name nothing.
        if "<" in self.rule or (self.body is not None and any(f.endswith("_id") for f in self.body.model_fields)):
            codes.add(404)
        if self.body is not None and not self.multipart:
            codes.add(400)
        if self.body is not None or self.query is not None:
            codes.add(422)
        return sorted(codes)


OPERATIONS: list[Operation] = []


def operation(
    rule: str,
    method: str = "GET",
    *,
    summary: str,
    tag: str,
    auth: bool = True,
    query: type[BaseModel] | None = None,
    body: type[BaseModel] | None = None,
    multipart: bool = False,
    files: dict[str, str] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    errors: tuple[int, ...] = (),
) -> Callable:
    """Register ``view`` on the API blueprint and in the OpenAPI registry.

    :param summary: a short (lazily translated) title for the document.
    :param auth: require a valid bearer token (401 otherwise) before the view runs.
    :param query: the model of the query parameters; ``body`` the request body's.
    :param multipart: the body is multipart/form-data; ``files`` maps file fields to media types.
    :param response: the success body's model, sent with ``status``.
    :param errors: error statuses beyond those implied (401/403 with auth, 404 with a path id, 400/422 with input).
    """

    def decorator(view: Callable) -> Callable:
        api_v1.add_url_rule(rule, view.__name__, token_required(view) if auth else view, methods=[method])
        OPERATIONS.append(
            Operation(
                rule=rule, method=method.upper(), endpoint=view.__name__, summary=summary,
                description=inspect.getdoc(view) or "", tag=tag, auth=auth, query=query, body=body,
                multipart=multipart, files=files or {}, response=response, status=status, errors=errors,
            )
        )
        return view

    return decorator


def openapi_path(rule: str) -> str:
    """``/cohorts/<id:cohort_id>`` becomes ``/cohorts/{cohort_id}``."""
    return _PATH_PARAM.sub(lambda m: "{" + m.group("name") + "}", rule)


def _path_parameters(rule: str) -> list[dict]:
    params = []
    for match in _PATH_PARAM.finditer(rule):
        integer = match.group("converter") in _INTEGER_CONVERTERS
        schema = {"type": "integer", "minimum": 1} if integer else {"type": "string"}
        params.append({"name": match.group("name"), "in": "path", "required": True, "schema": schema})
    return params


def _query_parameters(name: str, schemas: dict) -> list[dict]:
    # Query models are flat; their properties become parameters and the model itself is dropped.
    model_schema = schemas.pop(name)
    required = set(model_schema.get("required", []))
    params = []
    for prop, schema in model_schema.get("properties", {}).items():
        param = {"name": prop, "in": "query", "required": prop in required, "schema": schema}
        if "description" in schema:
            param["description"] = schema["description"]
        params.append(param)
    return params


def _request_body(op: Operation, ref: dict, schemas: dict) -> dict:
    if not op.multipart:
        return {"required": True, "content": {"application/json": {"schema": ref}}}
    file_props = {name: {"type": "string", "contentMediaType": media} for name, media in op.files.items()}
    model = schemas[ref["$ref"].rsplit("/", 1)[-1]]
    properties = model.get("properties", {})
    # One object with the form's fields and its files: an allOf of the model (which forbids unknown fields) and
    # the file fields could never be satisfied, and generated clients and fuzzers cannot build a request for it.
    schema = {
        "type": "object",
        "properties": {**properties, **file_props},
        "required": sorted({*model.get("required", []), *file_props}),
        "additionalProperties": False,
    }
    # In a form, list and object fields travel as JSON text.
    encoding = {
        name: {"contentType": "application/json"}
        for name, prop in properties.items()
        if prop.get("type") in ("array", "object")
    }
    return {"required": True, "content": {"multipart/form-data": {"schema": schema, "encoding": encoding}}}


def build_document() -> dict:
    """The OpenAPI 3.1 document for every registered operation.

    :return: a JSON-serialisable dict.
    """
    inputs = {m for op in OPERATIONS for m in (op.query, op.body) if m is not None}
    outputs = {op.response for op in OPERATIONS if op.response is not None} | {ErrorResponse}
    keys = [(m, "validation") for m in sorted(inputs, key=lambda m: m.__name__)]
    keys += [(m, "serialization") for m in sorted(outputs, key=lambda m: m.__name__)]
    refs, top = models_json_schema(keys, ref_template=REF)
    schemas = top.get("$defs", {})
    query_params = {
        m: _query_parameters(refs[(m, "validation")]["$ref"].rsplit("/", 1)[-1], schemas)
        for m in {op.query for op in OPERATIONS if op.query is not None}
    }
    error_ref = refs[(ErrorResponse, "serialization")]

    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        doc = {
            "operationId": op.endpoint,
            "summary": str(op.summary),
            "tags": [op.tag],
            "security": [{SECURITY_SCHEME: []}] if op.auth else [],
            "parameters": _path_parameters(op.rule) + (query_params[op.query] if op.query else []),
        }
        if op.description:
            doc["description"] = op.description
        if op.body is not None:
            doc["requestBody"] = _request_body(op, refs[(op.body, "validation")], schemas)
        success: dict = {"description": _("Success.")}
        success["content"] = {"application/json": {"schema": refs[(op.response, "serialization")]
                                                   if op.response else {"type": "object"}}}
        doc["responses"] = {str(op.status): success}
        for code in op.error_codes():
            doc["responses"][str(code)] = {"$ref": f"#/components/responses/{ERROR_RESPONSES[code][0]}"}
        paths.setdefault(openapi_path(op.rule), {})[op.method.lower()] = doc

    return {
        "openapi": "3.1.0",
        "info": {
            "title": _("Incubator API"),
            "version": "1.0.0",
            "description": _("Cohorts, startups and applications of the Technology Business Incubator. "
                             "Authenticate with a personal API token from your profile page."),
        },
        "servers": [{"url": url_for("api_v1.openapi_document").removesuffix("/openapi.json")}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "responses": {
                name: {"description": str(text), "content": {"application/json": {"schema": error_ref}}}
                for name, text in ERROR_RESPONSES.values()
            },
            "securitySchemes": {
                SECURITY_SCHEME: {"type": "http", "scheme": "bearer",
                                  "description": _("A personal API token: Authorization: Bearer inc_...")}
            },
        },
    }


@operation("/openapi.json", summary=_l("This OpenAPI 3.1 document"), tag="meta", auth=False)
def openapi_document():
    """The machine-readable description of this API."""
    return jsonify(build_document())
