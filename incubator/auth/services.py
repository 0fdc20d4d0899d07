"""Account rules: creating users, invitations, passwords, profiles and API tokens."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from incubator.audit.services import record
from incubator.auth.models import ROLE_LABELS, ApiToken, Invitation, Role, User, new_session_nonce
from incubator.auth.passwords import burn_time, hash_password, password_problems, verify_password
from incubator.auth.tokens import INVITATION_SALT, RESET_SALT, TokenInvalid, fingerprint, sign, unsign
from incubator.core.errors import ConflictError, ServiceError
from incubator.core.i18n import incubator_name
from incubator.core.urls import app_path, external_url
from incubator.db import utcnow
from incubator.extensions import db
from incubator.notifications.email import queue_email
from incubator.notifications.services import notify


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalize_email(email)))


def _check_password(password: str, email: str, field: str = "password") -> None:
    problems = password_problems(password, email)
    if problems:
        raise ServiceError(problems[0], {field: problems})


def create_user(
    email: str,
    name: str,
    role: Role | str,
    password: str | None = None,
    is_admin: bool = False,
    locale: str = "en",
    timezone: str | None = None,
) -> User:
    """Create an account; the email must be new and the password must meet the policy.

    :return: the flushed user.
    """
    email = normalize_email(email)
    if find_user(email):
        raise ConflictError.on("email", _("An account with this email already exists."))
    user = User(
        email=email,
        name=name.strip() or email,
        role=Role(role),
        is_admin=is_admin and Role(role) == Role.MANAGER,
        locale=locale,
        timezone=timezone or current_app.config["DEFAULT_TIMEZONE"],
    )
    if password is not None:
        _check_password(password, email)
        user.password_hash = hash_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or ``None`` (same timing either way)."""
    user = find_user(email)
    if user is None or not user.password_hash:
        burn_time(password)
        return None
    if not verify_password(user.password_hash, password) or not user.is_active:
        return None
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def set_password(user: User, password: str, field: str = "password") -> None:
    """Set a new password and sign out every other session of this user."""
    _check_password(password, user.email, field)
    user.password_hash = hash_password(password)
    user.session_nonce = new_session_nonce()
    db.session.flush()


def change_password(user: User, current: str, new: str) -> None:
    if not verify_password(user.password_hash, current):
        raise ServiceError.on("current_password", _("Your current password is not correct."))
    set_password(user, new, field="new_password")


def update_profile(user: User, name: str, locale: str, timezone: str) -> None:
    if locale not in current_app.config["LANGUAGES"]:
        raise ServiceError.on("locale", _("Unknown language."))
    user.name, user.locale, user.timezone = name.strip(), locale, timezone
    db.session.flush()


# Invitations ---------------------------------------------------------------------------------


def _invitation_subject() -> LazyString:
    # Lazy so that both the sentence and the incubator's name come out in the recipient's language.
    return LazyString(lambda: _("You are invited to %(name)s", name=incubator_name()))


def invitation_link(invitation: Invitation) -> str:
    token = sign({"i": invitation.id, "n": invitation.token_nonce}, INVITATION_SALT)
    return external_url("auth.accept_invitation", token=token)


def invite_user(
    inviter: User | None, email: str, role: Role | str, name: str = "", startup=None, locale: str = "en"
) -> Invitation:
    """Invite someone by email to join with ``role``; founders are always invited to a startup.

    :param locale: the language of the email and of the page the link opens.
    :raises ConflictError: the email already has an account or a pending invitation.
    """
    email = normalize_email(email)
    role = Role(role)
    if (role == Role.FOUNDER) != (startup is not None):
        message = _("Choose the startup this founder joins.") if role == Role.FOUNDER else _(
            "Only founders are invited to a startup.")
        raise ServiceError.on("startup_id", message)
    if find_user(email):
        raise ConflictError.on("email", _("%(email)s already has an account.", email=email))
    pending = db.session.scalar(
        sa.select(Invitation.id).where(
            Invitation.email == email,
            Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > utcnow(),
        )
    )
    if pending:
        message = _("%(email)s already has a pending invitation. Send a new link from the People page instead.",
                    email=email)
        raise ConflictError.on("email", message)
    max_age = current_app.config["INVITATION_MAX_AGE_SECONDS"]
    now = utcnow()
    invitation = Invitation(
        email=email,
        name=name.strip(),
        role=role,
        startup_id=startup.id if startup is not None else None,
        invited_by_id=inviter.id if inviter else None,
        locale=locale,
        created_at=now,
        expires_at=now + timedelta(seconds=max_age),
    )
    db.session.add(invitation)
    db.session.flush()
    queue_email(
        email,
        _invitation_subject(),
        "invitation",
        locale=locale,
        link=invitation_link(invitation),
        role=role,
        startup=startup,
        inviter=inviter,
        days=max_age // 86400,
    )
    record(inviter, "invitation.sent", invitation, label=email, role=role.value, startup_id=invitation.startup_id)
    return invitation


def load_invitation(token: str) -> Invitation:
    """The pending invitation behind a link, or a ``ServiceError`` saying why the link is dead."""
    dead = ServiceError(_("This invitation link is not valid. Ask the incubator team for a new one."))
    try:
        data = unsign(token, INVITATION_SALT, current_app.config["INVITATION_MAX_AGE_SECONDS"])
    except TokenInvalid as exc:
        if exc.expired:
            raise ServiceError(_("This invitation has expired. Ask the incubator team for a new one.")) from exc
        raise dead from exc
    invitation = db.session.get(Invitation, data.get("i")) if isinstance(data.get("i"), int) else None
    if invitation is None or invitation.token_nonce != data.get("n") or invitation.revoked_at:
        raise dead
    if invitation.accepted_at:
        raise ConflictError(_("This invitation has already been used. Sign in instead."))
    if invitation.expires_at <= utcnow():
        raise ServiceError(_("This invitation has expired. Ask the incubator team for a new one."))
    return invitation


def accept_invitation(token: str, name: str, password: str, locale: str = "en", timezone: str | None = None) -> User:
    """Turn a pending invitation into an account; the link cannot be used again."""
    invitation = load_invitation(token)
    # Lock the row so two tabs accepting at once cannot both create the account.
    db.session.execute(sa.select(Invitation.id).where(Invitation.id == invitation.id).with_for_update())
    db.session.refresh(invitation)
    if invitation.accepted_at:
        raise ConflictError(_("This invitation has already been used. Sign in instead."))
    user = create_user(invitation.email, name, invitation.role, password, locale=locale, timezone=timezone)
    invitation.accepted_at = utcnow()
    invitation.accepted_user_id = user.id
    if invitation.startup_id:
        from incubator.cohorts.services import attach_founder

        attach_founder(invitation.startup, user)
    record(user, "invitation.accepted", invitation, label=invitation.email)
    _tell_inviter(invitation, user)
    return user


def _tell_inviter(invitation: Invitation, user: User) -> None:
    inviter = invitation.invited_by
    if inviter is None or inviter.id == user.id or not inviter.is_manager:
        return
    link = (app_path("cohorts.view_startup", startup_id=invitation.startup_id) if invitation.startup_id
            else app_path("auth.list_users"))
    notify(inviter, "team", _l("%(name)s accepted your invitation", name=user.name),
           _l("%(name)s (%(email)s) now has an account as %(role)s.", name=user.name, email=user.email,
              role=ROLE_LABELS[user.role]),
           link=link, dedupe_key=f"invitation-accepted:{invitation.id}")


def revoke_invitation(actor: User, invitation: Invitation) -> None:
    if invitation.accepted_at:
        raise ConflictError(_("This invitation was already accepted."))
    invitation.revoked_at = utcnow()
    db.session.flush()
    record(actor, "invitation.revoked", invitation, label=invitation.email)


def resend_invitation(actor: User, invitation: Invitation) -> Invitation:
    """Issue a fresh 7-day link; older links for this invitation stop working."""
    if invitation.accepted_at:
        raise ConflictError(_("This invitation was already accepted."))
    invitation.revoked_at = None
    invitation.token_nonce = secrets.token_hex(8)
    invitation.expires_at = utcnow() + timedelta(seconds=current_app.config["INVITATION_MAX_AGE_SECONDS"])
    db.session.flush()
    queue_email(
        invitation.email,
        _invitation_subject(),
        "invitation",
        locale=invitation.locale,
        link=invitation_link(invitation),
        role=invitation.role,
        startup=invitation.startup,
        inviter=actor,
        days=current_app.config["INVITATION_MAX_AGE_SECONDS"] // 86400,
    )
    record(actor, "invitation.resent", invitation, label=invitation.email)
    return invitation


# Password reset ------------------------------------------------------------------------------


def request_password_reset(email: str) -> None:
    """Email a reset link if the account exists; says nothing either way (no account probing)."""
    user = find_user(email)
    if user is None or not user.is_active:
        return
    token = sign({"u": user.id, "f": fingerprint(user.password_hash)}, RESET_SALT)
    queue_email(
        user.email,
        _l("Reset your password"),
        "password_reset",
        locale=user.locale,
        link=external_url("auth.reset_password", token=token),
        user=user,
        hours=current_app.config["PASSWORD_RESET_MAX_AGE_SECONDS"] // 3600,
    )


def user_for_reset_token(token: str) -> User:
    """The user a reset link is for; it dies once the password changes (single use)."""
    try:
        data = unsign(token, RESET_SALT, current_app.config["PASSWORD_RESET_MAX_AGE_SECONDS"])
    except TokenInvalid as exc:
        message = _("This reset link has expired.") if exc.expired else _("This reset link is not valid.")
        raise ServiceError(message) from exc
    user = db.session.get(User, data.get("u")) if isinstance(data.get("u"), int) else None
    if user is None or not user.is_active or data.get("f") != fingerprint(user.password_hash):
        raise ServiceError(_("This reset link has already been used or is not valid."))
    return user


def reset_password(token: str, password: str) -> User:
    user = user_for_reset_token(token)
    set_password(user, password)
    record(user, "password.reset", user, label=user.email)
    return user


# Roles ---------------------------------------------------------------------------------------


def change_role(actor: User, user: User, role: Role | str, is_admin: bool, is_active: bool) -> None:
    """Admins change another user's role, admin flag and whether the account is active."""
    if user.id == actor.id and (not is_admin or not is_active or Role(role) != Role.MANAGER):
        raise ServiceError(_("You cannot remove your own admin rights or deactivate yourself."))
    old = (user.role.value, user.is_admin, user.is_active)
    user.role = Role(role)
    user.is_admin = is_admin and user.role == Role.MANAGER
    user.is_active = is_active
    if not is_active:
        user.session_nonce = new_session_nonce()
    db.session.flush()
    new = (user.role.value, user.is_admin, user.is_active)
    changes = {name: [before, after] for name, before, after in zip(("role", "admin", "active"), old, new, strict=True)
               if before != after}
    record(actor, "user.role_changed", user, label=user.email, **changes)


# API tokens ----------------------------------------------------------------------------------

TOKEN_PREFIX = "inc_"


def _token_digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def create_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token; the plaintext is returned once and never stored."""
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id, name=name.strip()[:80], token_hash=_token_digest(plaintext), prefix=plaintext[:10]
    )
    db.session.add(token)
    db.session.flush()
    return token, plaintext


def revoke_api_token(user: User, token: ApiToken) -> None:
    if token.user_id != user.id:
        raise ServiceError(_("That token is not yours."))
    token.revoked_at = token.revoked_at or utcnow()
    db.session.flush()


def user_for_api_token(plaintext: str) -> User | None:
    if not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > 100:
        return None
    token = db.session.scalar(
        sa.select(ApiToken).where(ApiToken.token_hash == _token_digest(plaintext), ApiToken.revoked_at.is_(None))
    )
    if token is None or not token.user.is_active:
        return None
    now = utcnow()
    # Only write when the stamp is stale, so read-only API calls stay read-only.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        token.last_used_at = now
    return token.user
