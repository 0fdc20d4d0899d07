"""JSON API v1, mounted at ``/api/v1``: bearer-token auth, JSON errors and an OpenAPI 3.1 document.

Route modules register their operations on ``api_v1`` through ``spec.operation``; importing them
here (after the blueprint exists) is what wires them up.
"""
from flask import Blueprint
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

api_v1 = Blueprint("api_v1", __name__)


class IdConverter(IntegerConverter):
    """A positive 32-bit id: anything larger is a 404, not a database overflow error."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        # NotFound rather than werkzeug's ValidationError: after a ValidationError the matcher answers
        # 405 for a POST whose path also has a GET rule, where the truth is that no such resource exists.
        if not 1 <= number <= 2**31 - 1:
            raise NotFound()
        return number


# Converters belong to the app's URL map; this must run before the routes below are bound.
api_v1.record_once(lambda state: state.app.url_map.converters.setdefault("id", IdConverter))

from incubator.api.v1 import (  # noqa: E402,F401
    applications,
    auth,
    billing,
    cohorts,
    errors,
    grants,
    mentor_booking,
    mentoring,
    progress,
    reports,
    resources,
    spec,
    startups,
)
