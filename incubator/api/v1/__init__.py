"""JSON API v1, mounted at ``/api/v1``: bearer-token auth, JSON errors and an OpenAPI 3.1 document.

Route modules register their operations on ``api_v1`` through ``spec.operation``; importing them
here (after the blueprint exists) is what wires them up.
"""
from flask import Blueprint
from werkzeug.routing import IntegerConverter

api_v1 = Blueprint("api_v1", __name__)


class IdConverter(IntegerConverter):
    """A positive 32-bit id: anything larger is a 404, not a database overflow error."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002  (werkzeug's signature)
        super().__init__(map, min=1, max=2**31 - 1)


# Converters belong to the app's URL map; this must run before the routes below are bound.
api_v1.record_once(lambda state: state.app.url_map.converters.setdefault("id", IdConverter))

from incubator.api.v1 import applications, auth, cohorts, errors, progress, spec, startups  # noqa: E402,F401
