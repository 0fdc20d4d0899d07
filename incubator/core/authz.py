"""Authorization helpers: each domain writes its policy in ``permissions.py``; views enforce it here."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def require(allowed: bool) -> None:
    """Stop the request with 403 unless ``allowed``; call it before doing any work."""
    if not allowed:
        abort(403)


def roles_required(*roles: str):
    """Decorator: the user must be signed in and hold one of ``roles`` (admins pass as managers)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            require(current_user.has_role(*roles))
            return view(*args, **kwargs)

        return wrapped

    return decorator


def manager_required(view):
    return roles_required("manager")(view)
