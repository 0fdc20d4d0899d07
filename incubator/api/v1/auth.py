"""Personal API tokens: ``Authorization: Bearer <token>`` identifies the user for one request.

The session cookie is ignored on purpose. The API is exempt from CSRF, so a browser's login
cookie must never authorize an API call; only the bearer token counts. The resolved user is
handed to Flask-Login (``g._login_user``, the attribute ``current_user`` reads), so the domain
permission functions receive a ``User`` exactly as they do for web pages.
"""
from __future__ import annotations

from functools import wraps

from flask import g, request
from flask_babel import gettext as _
from flask_login import current_user

from incubator.api.v1 import api_v1
from incubator.api.v1.errors import unauthorized
from incubator.auth.services import user_for_api_token
from incubator.core.uow import commit
from incubator.extensions import db, login_manager


@api_v1.before_request
def authenticate_request():
    """Resolve the bearer token, if any; a token that is sent but not valid is always a 401."""
    g._login_user = login_manager.anonymous_user()
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _sep, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return unauthorized(_("Use the header Authorization: Bearer <token>."))
    user = user_for_api_token(token.strip())
    if user is None:
        return unauthorized(_("This API token is not valid, has been revoked, or its account is inactive."))
    if db.session.dirty:
        # The token's last-used stamp moved; keep it even when the call itself only reads.
        commit()
    g._login_user = user
    return None


def token_required(view):
    """Decorator: answer 401 unless the request carried a valid API token."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return unauthorized()
        return view(*args, **kwargs)

    return wrapped
