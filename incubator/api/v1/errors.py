"""JSON errors for the API: every failure is ``{"error": {"code", "message", "fields"}}``.

Blueprint handlers cover errors raised inside API views (403, 404, 413, service refusals).
Unmatched URLs and wrong methods under ``/api/`` never reach a blueprint; the app-wide handler in
``incubator.core.errors`` already answers those in the same JSON shape.

Pydantic errors become ``InvalidInput`` (422) where input is parsed (``payloads.validate``), not in
a handler for every ``ValidationError``: a response model that fails to validate is our bug and
must stay a 500 instead of blaming the client.
"""
from __future__ import annotations

from typing import NoReturn

from flask_babel import gettext as _
from flask_babel import ngettext
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, default_exceptions

from incubator.api.v1 import api_v1
from incubator.core.errors import ServiceError, error_response
from incubator.extensions import db


def abort_json(status: int, message: str | None = None) -> NoReturn:
    """Stop the request with ``status`` and an optional (already translated) message.

    :raises HTTPException: always.
    """
    exc = default_exceptions[status](description=message)
    exc.custom_message = message is not None  # the convention core.errors reads
    raise exc


class InvalidInput(ServiceError):
    """The request's input failed its pydantic model; ``fields`` holds translated messages per field."""

    @classmethod
    def from_validation(cls, exc: ValidationError) -> InvalidInput:
        return cls(_("Some of the information is not valid."), field_errors(exc))


def unauthorized(message: str | None = None):
    """A 401 response that tells the client how to authenticate (RFC 6750)."""
    response = error_response(401, message or _("Send a valid API token: Authorization: Bearer <token>."))
    response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


_MESSAGES = {
    "missing": lambda ctx: _("This field is required."),
    "extra_forbidden": lambda ctx: _("Unknown field."),
    "string_type": lambda ctx: _("Enter text."),
    "string_too_short": lambda ctx: (
        _("This field is required.") if ctx.get("min_length") == 1
        else _("Enter at least %(n)s characters.", n=ctx.get("min_length"))
    ),
    "string_too_long": lambda ctx: _("Enter at most %(n)s characters.", n=ctx.get("max_length")),
    "too_short": lambda ctx: ngettext("Give at least %(num)d item.", "Give at least %(num)d items.",
                                      ctx.get("min_length", 1)),
    "too_long": lambda ctx: ngettext("Give at most %(num)d item.", "Give at most %(num)d items.",
                                     ctx.get("max_length", 1)),
    "int_type": lambda ctx: _("Enter a whole number."),
    "int_parsing": lambda ctx: _("Enter a whole number."),
    "int_from_float": lambda ctx: _("Enter a whole number."),
    "greater_than_equal": lambda ctx: _("Must be at least %(n)s.", n=ctx.get("ge")),
    "less_than_equal": lambda ctx: _("Must be at most %(n)s.", n=ctx.get("le")),
    "bool_type": lambda ctx: _("Enter true or false."),
    "bool_parsing": lambda ctx: _("Enter true or false."),
    "date_type": lambda ctx: _("Enter a date as YYYY-MM-DD."),
    "date_parsing": lambda ctx: _("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": lambda ctx: _("Enter a date as YYYY-MM-DD."),
    "date_from_datetime_inexact": lambda ctx: _("Enter a date as YYYY-MM-DD."),
    "datetime_type": lambda ctx: _("Enter a date and time in ISO 8601 format."),
    "datetime_parsing": lambda ctx: _("Enter a date and time in ISO 8601 format."),
    "datetime_from_date_parsing": lambda ctx: _("Enter a date and time in ISO 8601 format."),
    "timezone_aware": lambda ctx: _("Include a UTC offset, for example 2026-03-01T17:00:00+07:00."),
    "enum": lambda ctx: _("Choose one of: %(choices)s.", choices=ctx.get("expected", "")),
    "literal_error": lambda ctx: _("Choose one of: %(choices)s.", choices=ctx.get("expected", "")),
    "list_type": lambda ctx: _("Give a list."),
    "dict_type": lambda ctx: _("Give an object."),
    "model_type": lambda ctx: _("Give an object."),
    "model_attributes_type": lambda ctx: _("Give an object."),
    # Our own validators raise ValueError with a message that is already translated.
    "value_error": lambda ctx: str(ctx.get("error", "")) or _("This value is not valid."),
}


def field_errors(exc: ValidationError) -> dict[str, list[str]]:
    """Translated messages keyed by dotted field path (``founders.0.email``)."""
    fields: dict[str, list[str]] = {}
    for error in exc.errors(include_url=False, include_input=False):
        path = ".".join(str(part) for part in error["loc"]) or "body"
        message = _MESSAGES.get(error["type"], lambda ctx: _("This value is not valid."))(error.get("ctx") or {})
        fields.setdefault(path, []).append(message)
    return fields


@api_v1.errorhandler(HTTPException)
def handle_http_error(exc: HTTPException):
    """Any HTTP error raised in an API view (403, 404, 413, 429...) as JSON."""
    status = exc.code or 500
    if status == 401:
        return unauthorized()
    message = exc.description if getattr(exc, "custom_message", False) else None
    response = error_response(status, message)
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


@api_v1.errorhandler(ServiceError)
def handle_service_error(exc: ServiceError):
    """A service refused or the input was invalid: its status (422 or 409), message and fields; nothing is kept."""
    db.session.rollback()
    return error_response(exc.status, exc.message, exc.code, exc.fields)
