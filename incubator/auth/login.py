"""Flask-Login wiring: the cookie id carries a nonce so a password change signs out other sessions."""
from __future__ import annotations

from flask import redirect, request, url_for
from flask_babel import lazy_gettext as _l

from incubator.auth.models import User
from incubator.core.errors import error_response, wants_json
from incubator.extensions import db, login_manager

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please sign in to see that page.")
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(cookie_id: str) -> User | None:
    user_id, _, nonce = cookie_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_nonce != nonce:
        return None
    return user


@login_manager.unauthorized_handler
def unauthorized():
    if wants_json():
        return error_response(401)
    from flask import flash

    flash(login_manager.login_message, login_manager.login_message_category)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
