"""Reading requests into pydantic models and writing models back as JSON responses."""
from __future__ import annotations

import json
from typing import TypeVar

import sqlalchemy as sa
from flask import Response, jsonify, request
from flask_babel import gettext as _
from pydantic import BaseModel, ValidationError

from incubator.api.v1.errors import InvalidInput, abort_json
from incubator.api.v1.schemas import PageQuery
from incubator.extensions import db

M = TypeVar("M", bound=BaseModel)


def json_body() -> dict:
    """The request body as a JSON object; an empty body is ``{}`` (so missing fields give 422).

    :raises HTTPException: 400 when the body is not JSON or not an object.
    """
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError):
        abort_json(400, _("The request body is not valid JSON."))
    if not isinstance(payload, dict):
        abort_json(400, _("The request body must be a JSON object."))
    return payload


def _unstorable_text(value, path: tuple = ()) -> list[tuple]:
    # NUL bytes and lone surrogates pass JSON and pydantic but make PostgreSQL or the UTF-8 encoder fail.
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return [path]
        return [path] if "\x00" in value else []
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    return [found for key, item in items for found in _unstorable_text(item, (*path, key))]


def validate(model: type[M], data: dict) -> M:
    """Validate client input with ``model``.

    :raises InvalidInput: a 422 listing the translated problems per field.
    """
    unstorable = _unstorable_text(data)
    if unstorable:
        message = _("This text contains characters that are not allowed.")
        raise InvalidInput(_("Some of the information is not valid."),
                           {".".join(str(part) for part in path) or "body": [message] for path in unstorable})
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput.from_validation(exc) from exc


def parse_body(model: type[M]) -> M:
    """Validate the JSON body with ``model``."""
    return validate(model, json_body())


def parse_query(model: type[M]) -> M:
    """Validate the query string with ``model`` (the first value of each parameter)."""
    return validate(model, request.args.to_dict())


def respond(model: BaseModel, status: int = 200, location: str | None = None) -> Response:
    """Serialize ``model`` as the JSON response body."""
    response = jsonify(model.model_dump(mode="json"))
    response.status_code = status
    if location:
        response.headers["Location"] = location
    return response


def paginate(query: sa.Select, args: PageQuery) -> tuple[list, dict]:
    """Run one page of ``query`` (plus one count query).

    :return: the page's rows and the envelope fields ``page``, ``per_page``, ``total``, ``next_page``.
    """
    page = db.paginate(query, page=args.page, per_page=args.per_page, error_out=False, count=True)
    envelope = {
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total or 0,
        "next_page": page.next_num if page.has_next else None,
    }
    return list(page.items), envelope


def first_or_404(query: sa.Select, message: str):
    """The first row of ``query``, or a 404 with ``message`` (already translated)."""
    found = db.session.scalar(query)
    if found is None:
        abort_json(404, message)
    return found
