"""A snapshot's page, PDF, CSV and logo for signed-in people; its shares; investors' "shared with me"."""
from __future__ import annotations

from datetime import timedelta

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from incubator.auth.models import User
from incubator.core.authz import require
from incubator.core.uow import FAILED, attempt
from incubator.extensions import db
from incubator.progress.periods import local_today
from incubator.reports import queries, services
from incubator.reports.forms import ConfirmForm, ShareForm
from incubator.reports.models import ReportShare, ReportSnapshot, ShareKind
from incubator.reports.permissions import (
    active_account_share,
    can_see_shared_with_me,
    can_share_snapshot,
    can_share_with_accounts,
    can_view_snapshot,
    is_startup_owner,
)
from incubator.reports.render import render_body
from incubator.reports.sections import section_label
from incubator.reports.views import bp
from incubator.reports.views.common import csv_response, load_snapshot, logo_response, pdf_response, private

DEFAULT_SHARE_DAYS = 30


def _load_for_viewing(snapshot_id: int, fmt: str) -> ReportSnapshot | None:
    """The snapshot, if the viewer may see it; an investor's view is counted, a withheld one-pager refused."""
    snapshot = load_snapshot(snapshot_id)
    require(can_view_snapshot(current_user, snapshot))
    if current_user.is_manager or is_startup_owner(current_user, snapshot):
        return snapshot
    share = active_account_share(current_user, snapshot)
    if services.withheld_sections(snapshot, services.current_consent(snapshot)):
        return None
    services.record_view(snapshot, fmt, share=share, viewer=current_user)
    db.session.commit()
    return snapshot


def _withheld_page():
    return private((render_template("reports/link_problem.html", reason="withheld"), 410))


def share_form(snapshot: ReportSnapshot) -> ShareForm:
    form = ShareForm(formdata=None, expires_on=local_today() + timedelta(days=DEFAULT_SHARE_DAYS))
    _share_choices(form)
    return form


def _share_choices(form: ShareForm) -> None:
    if can_share_with_accounts(current_user):
        form.recipient_id.choices = [(None, _("Choose an investor"))] + [
            (user.id, f"{user.name} ({user.email})") for user in queries.investors()]
    else:
        form.kind.choices = [choice for choice in form.kind.choices if choice[0] == "link"]


def _snapshot_page(snapshot: ReportSnapshot, form: ShareForm | None = None, status: int = 200):
    logo_url = url_for("reports.snapshot_logo", snapshot_id=snapshot.id) if snapshot.logo_path else None
    sharer = can_share_snapshot(current_user, snapshot)
    context = {"snapshot": snapshot, "body": render_body(snapshot.kind, snapshot.data, snapshot.locale, logo_url),
               "sharer": sharer}
    if sharer:
        shares = queries.shares_of(snapshot)
        context.update(shares=shares, views=queries.recent_views(snapshot), form=form or share_form(snapshot),
                       tokens={s.id: services.share_token(s) for s in shares if s.kind == ShareKind.LINK},
                       withheld=[section_label(key) for key in
                                 services.withheld_sections(snapshot, services.current_consent(snapshot))],
                       revoke_form=ConfirmForm(formdata=None), today=local_today())
    return private((render_template("reports/snapshot.html", **context), status))


@bp.get("/<int:snapshot_id>")
@login_required
def view_snapshot(snapshot_id: int):
    snapshot = _load_for_viewing(snapshot_id, "page")
    if snapshot is None:
        return _withheld_page()
    return _snapshot_page(snapshot)


@bp.get("/<int:snapshot_id>/pdf")
@login_required
def snapshot_pdf(snapshot_id: int):
    snapshot = _load_for_viewing(snapshot_id, "pdf")
    return _withheld_page() if snapshot is None else pdf_response(snapshot)


@bp.get("/<int:snapshot_id>/csv")
@login_required
def snapshot_csv(snapshot_id: int):
    snapshot = _load_for_viewing(snapshot_id, "csv")
    return _withheld_page() if snapshot is None else csv_response(snapshot)


@bp.get("/<int:snapshot_id>/logo")
@login_required
def snapshot_logo(snapshot_id: int):
    snapshot = load_snapshot(snapshot_id)
    require(can_view_snapshot(current_user, snapshot))
    return logo_response(snapshot)


@bp.post("/<int:snapshot_id>/shares")
@login_required
def create_share(snapshot_id: int):
    snapshot = load_snapshot(snapshot_id)
    require(can_share_snapshot(current_user, snapshot))
    form = ShareForm()
    _share_choices(form)
    if form.validate_on_submit():
        kind = ShareKind(form.kind.data)
        recipient = db.session.get(User, form.recipient_id.data) if form.recipient_id.data else None
        share = attempt(form, services.create_share, current_user, snapshot, kind, form.expires_on.data,
                        recipient=recipient, label=form.label.data or "")
        if share is not FAILED:
            if share.kind == ShareKind.LINK:
                flash(_("Link created. Copy it from the list of shares below and send it to whoever needs it."),
                      "success")
            else:
                flash(_("Shared with %(name)s; it is on their home page now.", name=recipient.name), "success")
            return redirect(url_for("reports.view_snapshot", snapshot_id=snapshot.id) + "#shares")
    return _snapshot_page(snapshot, form, 422)


@bp.post("/shares/<int:share_id>/revoke")
@login_required
def revoke_share(share_id: int):
    share = db.get_or_404(ReportShare, share_id)
    require(can_share_snapshot(current_user, share.snapshot))
    if attempt(ConfirmForm(), services.revoke_share, current_user, share) is not FAILED:
        flash(_("Revoked: the share no longer opens the report."), "success")
    return redirect(url_for("reports.view_snapshot", snapshot_id=share.snapshot_id) + "#shares")


@bp.get("/shared")
@login_required
def shared_with_me():
    require(can_see_shared_with_me(current_user))
    return render_template("reports/shared_with_me.html", shares=queries.shared_with(current_user))
