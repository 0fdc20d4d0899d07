"""The outbox: every email the app produced, readable by managers (the demo has no mail server)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l

from incubator.core.authz import manager_required
from incubator.core.pagination import page_args
from incubator.extensions import db
from incubator.notifications.email import MAX_ATTEMPTS
from incubator.notifications.models import OutboxMessage

bp = Blueprint("notifications", __name__)


@bp.get("/")
@manager_required
def list_messages():
    page, per_page = page_args(30)
    messages = db.paginate(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()), page=page, per_page=per_page)
    return render_template("notifications/list.html", messages=messages, max_attempts=MAX_ATTEMPTS)


@bp.get("/<int:message_id>")
@manager_required
def view_message(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    return render_template("notifications/view.html", message=message, max_attempts=MAX_ATTEMPTS)


OUTBOX_STATUS_LABELS = {
    "pending": _l("Waiting to send"),
    "sent": _l("Sent"),
    "failed": _l("Failed"),
    "stored": _l("Kept here (no mail server)"),
}


@bp.app_template_filter("outbox_status")
def outbox_status(value: str) -> str:
    return str(OUTBOX_STATUS_LABELS.get(value, value))
