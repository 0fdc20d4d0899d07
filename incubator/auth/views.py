"""Signing in and out, password reset, accepting invitations, the profile and API tokens."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import refresh
from flask_login import current_user, login_required, login_user, logout_user

from incubator.auth import forms, services
from incubator.auth.models import ROLE_LABELS, ApiToken, Role
from incubator.core.errors import ServiceError
from incubator.core.uow import FAILED, attempt, commit, perform
from incubator.core.urls import is_safe_next
from incubator.extensions import db, limiter

bp = Blueprint("auth", __name__)


def _login_account_key() -> str:
    return "login-account:" + services.normalize_email(request.form.get("email", ""))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_IP"], methods=["POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT_ACCOUNT"], methods=["POST"], key_func=_login_account_key)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = forms.LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            db.session.rollback()
            flash(_("That email and password do not match an active account."), "danger")
        else:
            commit()
            login_user(user, remember=form.remember.data)
            session["lang"] = user.locale
            target = request.args.get("next", "")
            return redirect(target if is_safe_next(target) else url_for("home.index"))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout():
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("home.index"))


@bp.route("/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_RATE_LIMIT"], methods=["POST"])
def forgot_password():
    form = forms.ForgotPasswordForm()
    if form.validate_on_submit():
        perform(services.request_password_reset, form.email.data)
        flash(_("If an account uses that email, a reset link is on its way. It works for 2 hours."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        services.user_for_reset_token(token)
    except ServiceError as exc:
        return render_template("auth/link_problem.html", message=exc.message), 400
    form = forms.ResetPasswordForm()
    if form.validate_on_submit() and attempt(form, services.reset_password, token, form.password.data) is not FAILED:
        flash(_("Your password is set. Please sign in."), "success")
        return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    try:
        invitation = services.load_invitation(token)
    except ServiceError as exc:
        return render_template("auth/link_problem.html", message=exc.message), exc.status
    if not current_user.is_authenticated and "lang" not in session:
        # Show the page in the language the invitation was written in, until the person picks another.
        session["lang"] = invitation.locale
        refresh()
    form = forms.AcceptInvitationForm(name=invitation.name or None, locale=invitation.locale)
    if form.validate_on_submit():
        user = attempt(form, services.accept_invitation, token, form.name.data, form.password.data,
                       locale=form.locale.data, timezone=form.timezone.data)
        if user is not FAILED:
            login_user(user)
            flash(_("Welcome, %(name)s! Your account is ready.", name=user.name), "success")
            return redirect(url_for("home.index"))
    return render_template("auth/accept_invitation.html", form=form, invitation=invitation)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = forms.ProfileForm(obj=current_user)
    if form.validate_on_submit():
        if attempt(form, services.update_profile, current_user, form.name.data, form.locale.data,
                   form.timezone.data) is not FAILED:
            session["lang"] = form.locale.data
            flash(_("Profile saved."), "success")
            return redirect(url_for("auth.profile"))
    return _render_profile(profile_form=form)


@bp.post("/profile/password")
@login_required
def change_password():
    form = forms.ChangePasswordForm(prefix="pw")
    if form.validate_on_submit():
        done = attempt(form, services.change_password, current_user, form.current_password.data,
                       form.new_password.data)
        if done is not FAILED:
            # The cookie id changed with the password: sign this session in again so it survives.
            login_user(current_user._get_current_object())
            flash(_("Password changed. Other devices have been signed out."), "success")
            return redirect(url_for("auth.profile"))
    return _render_profile(password_form=form), 422


@bp.post("/profile/tokens")
@login_required
def create_token():
    form = forms.ApiTokenForm(prefix="token")
    if form.validate_on_submit():
        result = attempt(form, services.create_api_token, current_user, form.name.data)
        if result is not FAILED:
            return _render_profile(new_token=result[1])
    return _render_profile(token_form=form), 422


@bp.post("/profile/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    token = db.get_or_404(ApiToken, token_id)
    if token.user_id != current_user.id:
        abort(404)
    perform(services.revoke_api_token, current_user, token)
    flash(_("Token revoked."), "info")
    return redirect(url_for("auth.profile"))


def _render_profile(profile_form=None, password_form=None, token_form=None, new_token=None):
    tokens = db.session.scalars(
        db.select(ApiToken).where(ApiToken.user_id == current_user.id).order_by(ApiToken.created_at.desc())
    ).all()
    return render_template(
        "auth/profile.html",
        profile_form=profile_form or forms.ProfileForm(obj=current_user),
        password_form=password_form or forms.ChangePasswordForm(prefix="pw"),
        token_form=token_form or forms.ApiTokenForm(prefix="token", formdata=None),
        tokens=tokens,
        new_token=new_token,
    )


from incubator.auth import admin_views  # noqa: E402,F401  (registers the people pages on this blueprint)

INVITATION_STATUS_LABELS = {
    "pending": _l("Pending"),
    "accepted": _l("Accepted"),
    "revoked": _l("Revoked"),
    "expired": _l("Expired"),
}


@bp.app_template_filter("role_label")
def role_label(value: str) -> str:
    return str(ROLE_LABELS.get(Role(value), value))


@bp.app_template_filter("invitation_status")
def invitation_status(value: str) -> str:
    return str(INVITATION_STATUS_LABELS.get(value, value))
