"""Errors: domain exceptions raised by services and content-negotiated HTTP error responses."""
from __future__ import annotations

import logging

from flask import Flask, g, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from incubator.extensions import db

log = logging.getLogger(__name__)

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid",
    429: "too_many_requests",
    500: "server_error",
}


class ServiceError(Exception):
    """A rule refused the operation; nothing was changed. Views show ``message`` to the user."""

    status = 422
    code = "invalid"

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}

    @classmethod
    def on(cls, field: str, message: str) -> ServiceError:
        """The error for one field, shown beside that field (and as the API's message)."""
        return cls(message, {field: [message]})


class ConflictError(ServiceError):
    """The operation clashes with the current state (already decided, full, taken)."""

    status = 409
    code = "conflict"


class ForbiddenError(ServiceError):
    """A rule that depends on who acts refused the operation (a founder changing what only managers may)."""

    status = 403
    code = "forbidden"


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def error_response(status: int, message: str | None = None, code: str | None = None, fields: dict | None = None):
    """The one JSON error shape: ``{"error": {"code", "message", "fields"}}``."""
    payload = {
        "error": {
            "code": code or HTTP_CODES.get(status, "error"),
            "message": message or _default_message(status),
            "fields": fields or {},
        }
    }
    response = jsonify(payload)
    response.status_code = status
    return response


def _default_message(status: int) -> str:
    messages = {
        400: _("The request could not be understood."),
        401: _("Please sign in to continue."),
        403: _("You do not have permission to do that."),
        404: _("We could not find that page."),
        405: _("That action is not allowed here."),
        409: _("That clashes with the current state; reload and try again."),
        413: _("The upload is too large."),
        422: _("Some of the information is not valid."),
        429: _("Too many attempts. Please wait a minute and try again."),
        500: _("Something went wrong on our side. The team has been told."),
    }
    return messages.get(status, _("Something went wrong."))


def _render_error(status: int, message: str | None = None):
    if wants_json():
        return error_response(status, message)
    return (
        render_template(
            "errors/error.html",
            status=status,
            message=message or _default_message(status),
            request_id=g.get("request_id", ""),
        ),
        status,
    )


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def handle_http(exc: HTTPException):
        status = exc.code or 500
        custom = exc.description if getattr(exc, "custom_message", False) else None
        response = app.make_response(_render_error(status, custom))
        # Keep headers the exception carries, such as Allow on 405 and Retry-After on 429.
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(ServiceError)
    def handle_service_error(exc: ServiceError):
        db.session.rollback()
        if wants_json():
            return error_response(exc.status, exc.message, exc.code, exc.fields)
        return _render_error(exc.status, exc.message)

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        # Anything unexpected leaves the session unusable; roll back before rendering.
        db.session.rollback()
        log.exception("unhandled error (request %s)", g.get("request_id"))
        return _render_error(500)
