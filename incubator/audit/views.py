"""The audit log page (managers)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, render_template, request
from sqlalchemy.orm import selectinload

from incubator.audit.labels import action_label, detail_pair, detail_texts
from incubator.audit.models import AuditEntry
from incubator.core.authz import manager_required
from incubator.core.pagination import page_args
from incubator.extensions import db

bp = Blueprint("audit", __name__)
bp.add_app_template_filter(action_label, "audit_action")
bp.add_app_template_global(detail_pair, "audit_detail")
bp.add_app_template_global(detail_texts, "audit_details")


@bp.get("/")
@manager_required
def list_entries():
    query = sa.select(AuditEntry).options(selectinload(AuditEntry.actor)).order_by(AuditEntry.id.desc())
    action = request.args.get("action", "").strip()
    if action:
        query = query.where(AuditEntry.action.startswith(action[:64]))
    page, per_page = page_args(50)
    entries = db.paginate(query, page=page, per_page=per_page)
    return render_template("audit/list.html", entries=entries, action=action)
