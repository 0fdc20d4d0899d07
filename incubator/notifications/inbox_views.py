"""Each user's notifications (list, mark read), their email preferences and the no-login unsubscribe page."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, g, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_required

from incubator.core.errors import ServiceError
from incubator.core.pagination import page_args
from incubator.core.uow import FAILED, attempt, perform
from incubator.core.urls import is_safe_next
from incubator.extensions import db
from incubator.notifications import services
from incubator.notifications.forms import UnsubscribeForm, preferences_form
from incubator.notifications.models import Notification

bp = Blueprint("inbox", __name__)


@bp.get("/")
@login_required
def list_notifications():
    page, per_page = page_args(30)
    notifications = db.paginate(
        sa.select(Notification).where(Notification.user_id == current_user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()),
        page=page, per_page=per_page,
    )
    return render_template("notifications/inbox.html", notifications=notifications)


def _own(notification_id: int) -> Notification:
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != current_user.id:
        abort(404)  # someone else's notification is answered as if it did not exist
    return notification


@bp.post("/<int:notification_id>/open")
@login_required
def open_notification(notification_id: int):
    notification = _own(notification_id)
    link = notification.link
    perform(services.mark_read, notification)
    return redirect(link if is_safe_next(link) else url_for("inbox.list_notifications"))


@bp.post("/<int:notification_id>/read")
@login_required
def mark_read(notification_id: int):
    perform(services.mark_read, _own(notification_id))
    return redirect(url_for("inbox.list_notifications"))


@bp.post("/read-all")
@login_required
def mark_all_read():
    count = perform(services.mark_all_read, current_user)
    if count:
        flash(_("All notifications marked as read."), "success")
    return redirect(url_for("inbox.list_notifications"))


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    choices = services.preferences_for(current_user)
    form = preferences_form(choices)
    if form.validate_on_submit():
        data = {kind.key: form[f"email_{kind.key}"].data for kind, _on in choices if not kind.essential}
        if attempt(form, services.set_preferences, current_user, data) is not FAILED:
            flash(_("Email preferences saved."), "success")
            return redirect(url_for("inbox.preferences"))
    return render_template("notifications/preferences.html", form=form, choices=choices)


def _masked(email: str) -> str:
    name, _at, domain = email.partition("@")
    return f"{name[:1]}•••@{domain}"


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    try:
        user, kind = services.read_unsubscribe_token(token)
    except ServiceError as exc:
        return render_template("notifications/unsubscribe.html", problem=exc.message), 400
    if not current_user.is_authenticated and "lang" not in session:
        session["lang"] = user.locale  # the page in the language the email was written in
        refresh()
    form = UnsubscribeForm()
    done = False
    if form.validate_on_submit():
        perform(services.unsubscribe, token)
        done = True
    return render_template("notifications/unsubscribe.html", form=form, kind=kind, email=_masked(user.email),
                           done=done)


@bp.app_context_processor
def inject_unread_count():
    def unread_notifications() -> int:
        """The navbar badge: one count query per request, only when a signed-in page asks for it."""
        if not current_user.is_authenticated:
            return 0
        if "unread_notifications" not in g:
            g.unread_notifications = services.unread_count(current_user.id)
        return g.unread_notifications

    return {"unread_notifications": unread_notifications}
