"""Managers' people pages: accounts, invitations and (for admins) roles."""
from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from incubator.auth import forms, services
from incubator.auth.models import Invitation, Role, User
from incubator.auth.permissions import can_change_access, can_invite_role
from incubator.auth.views import bp
from incubator.cohorts.models import Startup, StartupStatus
from incubator.core.authz import manager_required, require
from incubator.core.pagination import page_args
from incubator.core.uow import FAILED, attempt, perform
from incubator.extensions import db


@bp.get("/people")
@manager_required
def list_users():
    page, per_page = page_args(50)
    users = db.paginate(sa.select(User).order_by(User.role, User.name), page=page, per_page=per_page)
    invitations = db.session.scalars(
        sa.select(Invitation)
        .where(Invitation.accepted_at.is_(None))
        .options(selectinload(Invitation.startup), selectinload(Invitation.invited_by))
        .order_by(Invitation.created_at.desc())
        .limit(100)
    ).all()
    return render_template("auth/users.html", users=users, invitations=invitations)


def _startup_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(
        sa.select(Startup.id, Startup.name).where(Startup.status == StartupStatus.ACTIVE).order_by(Startup.name)
    ).all()
    return [(0, _("— none —"))] + [(row.id, row.name) for row in rows]


@bp.route("/people/invite", methods=["GET", "POST"])
@manager_required
def invite():
    form = forms.InviteForm()
    form.startup_id.choices = _startup_choices()
    if not current_user.is_admin:
        form.role.choices = [c for c in form.role.choices if c[0] != Role.MANAGER.value]
    if form.validate_on_submit():
        require(can_invite_role(current_user, form.role.data))
        startup = db.session.get(Startup, form.startup_id.data) if form.startup_id.data else None
        invitation = attempt(form, services.invite_user, current_user, form.email.data, form.role.data,
                             name=form.name.data or "", startup=startup, locale=form.locale.data)
        if invitation is not FAILED:
            flash(_("Invitation sent to %(email)s. The link works for 7 days.", email=invitation.email), "success")
            return redirect(url_for("auth.list_users"))
    return render_template("auth/invite.html", form=form)


def _invitation_for_manager(invitation_id: int) -> Invitation:
    invitation = db.get_or_404(Invitation, invitation_id)
    require(can_invite_role(current_user, invitation.role))
    return invitation


@bp.post("/invitations/<int:invitation_id>/revoke")
@manager_required
def revoke_invitation(invitation_id: int):
    invitation = _invitation_for_manager(invitation_id)
    perform(services.revoke_invitation, current_user, invitation)
    flash(_("Invitation revoked."), "info")
    return redirect(url_for("auth.list_users"))


@bp.post("/invitations/<int:invitation_id>/resend")
@manager_required
def resend_invitation(invitation_id: int):
    invitation = _invitation_for_manager(invitation_id)
    perform(services.resend_invitation, current_user, invitation)
    flash(_("A new link was sent to %(email)s.", email=invitation.email), "success")
    return redirect(url_for("auth.list_users"))


@bp.route("/people/<int:user_id>", methods=["GET", "POST"])
@manager_required
def edit_access(user_id: int):
    user = db.get_or_404(User, user_id)
    require(can_change_access(current_user))
    form = forms.UserAccessForm(obj=user)
    if form.validate_on_submit():
        done = attempt(form, services.change_role, current_user, user, form.role.data, form.is_admin.data,
                       form.is_active.data)
        if done is not FAILED:
            flash(_("Access for %(name)s updated.", name=user.name), "success")
            return redirect(url_for("auth.list_users"))
    return render_template("auth/edit_access.html", form=form, user=user)
