"""Telling people about things: in-app notifications, email by preference, and one-click unsubscribe.

``notify`` is the one entry point for domain code. It writes the notification in the recipient's
language and time zone and, unless they turned email off for that category, queues the email in the
same transaction (sent after commit, like every email).
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from incubator.auth.models import User
from incubator.auth.tokens import TokenInvalid, sign, unsign
from incubator.core.errors import ServiceError
from incubator.core.i18n import force_timezone
from incubator.core.urls import external_url, is_safe_next
from incubator.db import utcnow
from incubator.extensions import db
from incubator.notifications.categories import BY_KEY, Category, categories_for, get_category
from incubator.notifications.email import queue_email
from incubator.notifications.models import Notification, NotificationPreference

UNSUBSCRIBE_SALT = "unsubscribe"


def notify(
    user: User,
    category: str,
    title,
    body="",
    link: str = "",
    email_template: str | None = None,
    dedupe_key: str | None = None,
    **context,
) -> Notification | None:
    """Tell ``user`` about something: always in the app, by email if their preference allows.

    :param category: a key of ``categories.CATEGORIES``; essential categories are always emailed.
    :param title: a lazy string, rendered in the recipient's language and time zone (so dates in it
        are in their zone); also the email's subject.
    :param body: a lazy string (or ``""``), rendered the same way.
    :param link: a path inside the app the notification opens (``app_path(...)``); absolute in the email.
    :param email_template: ``emails/<name>.{txt,html}``; default ``notification`` (title, body, link).
        It receives ``user``, ``title``, ``body``, ``link`` and ``context``.
    :param dedupe_key: unique per event; a second call with the same key does nothing (job reruns).
    :return: the notification, or ``None`` for a repeated ``dedupe_key`` or an inactive account.
    """
    kind = get_category(category)
    if not user.is_active:
        return None
    if dedupe_key and db.session.scalar(sa.select(Notification.id).where(Notification.dedupe_key == dedupe_key)):
        return None
    if link and not is_safe_next(link):
        raise ValueError(f"notification links must be paths inside the app: {link!r}")
    with force_locale(user.locale), force_timezone(user.timezone):
        title_text, body_text = str(title)[:255], str(body)
    notification = Notification(user_id=user.id, category=kind.key, title=title_text, body=body_text, link=link,
                                dedupe_key=dedupe_key)
    db.session.add(notification)
    db.session.flush()
    if kind.essential or email_enabled(user, kind.key):
        queue_email(
            user.email,
            title_text,
            email_template or "notification",
            locale=user.locale,
            timezone=user.timezone,
            category=kind.key,
            dedupe_key=f"notify:{dedupe_key}" if dedupe_key else None,
            unsubscribe_url=None if kind.essential else unsubscribe_url(user, kind.key),
            preferences_url=external_url("inbox.preferences"),
            category_label=kind.label,
            user=user,
            title=title_text,
            body=body_text,
            link=external_url("home.index").rstrip("/") + link if link else "",
            **context,
        )
    return notification


# Preferences ---------------------------------------------------------------------------------


def email_enabled(user: User, category: str) -> bool:
    """Whether ``user`` gets email for ``category`` (on unless they turned it off; essential: always)."""
    if get_category(category).essential:
        return True
    choice = db.session.scalar(
        sa.select(NotificationPreference.email).where(
            NotificationPreference.user_id == user.id, NotificationPreference.category == category
        )
    )
    return True if choice is None else choice


def preferences_for(user: User) -> list[tuple[Category, bool]]:
    """The categories on ``user``'s preferences page, each with whether email is on."""
    stored = dict(
        db.session.execute(
            sa.select(NotificationPreference.category, NotificationPreference.email).where(
                NotificationPreference.user_id == user.id
            )
        ).all()
    )
    return [(c, True if c.essential else stored.get(c.key, True)) for c in categories_for(user.role.value)]


def set_email_preference(user: User, category: str, enabled: bool) -> None:
    """Turn email for one category on or off; essential categories cannot be turned off."""
    kind = BY_KEY.get(category)
    if kind is None or kind.essential:
        raise ServiceError(_("Emails about your account cannot be turned off."))
    row = db.session.scalar(
        sa.select(NotificationPreference).where(
            NotificationPreference.user_id == user.id, NotificationPreference.category == category
        )
    )
    if row is None:
        row = NotificationPreference(user_id=user.id, category=category)
        db.session.add(row)
    row.email = enabled
    db.session.flush()


def set_preferences(user: User, choices: dict[str, bool]) -> None:
    """Save the preferences page: ``choices`` maps each non-essential category shown to email on/off."""
    for kind, _current in preferences_for(user):
        if not kind.essential and kind.key in choices:
            set_email_preference(user, kind.key, bool(choices[kind.key]))


# Unsubscribe links -----------------------------------------------------------------------------


def unsubscribe_url(user: User, category: str) -> str:
    """A link that turns off email for ``category``, without signing in (it does not expire)."""
    return external_url("inbox.unsubscribe", token=sign({"u": user.id, "c": category}, UNSUBSCRIBE_SALT))


def read_unsubscribe_token(token: str) -> tuple[User, Category]:
    """The account and category an unsubscribe link is for.

    :raises ServiceError: the link was altered, or the account or category no longer exists.
    """
    invalid = ServiceError(_("This unsubscribe link is not valid. Sign in and change your email "
                             "preferences instead."))
    try:
        data = unsign(token, UNSUBSCRIBE_SALT, max_age=None)
    except TokenInvalid as exc:
        raise invalid from exc
    user = db.session.get(User, data["u"]) if isinstance(data.get("u"), int) else None
    kind = BY_KEY.get(data.get("c")) if isinstance(data.get("c"), str) else None
    if user is None or not user.is_active or kind is None:
        raise invalid
    if kind.essential:
        raise ServiceError(_("Emails about your account cannot be turned off."))
    return user, kind


def unsubscribe(token: str) -> tuple[User, Category]:
    """Turn off the email an unsubscribe link is for; doing it twice is harmless."""
    user, kind = read_unsubscribe_token(token)
    set_email_preference(user, kind.key, False)
    return user, kind


# Reading -------------------------------------------------------------------------------------


def unread_count(user_id: int) -> int:
    """How many notifications ``user_id`` has not read (one indexed count query)."""
    return db.session.scalar(
        sa.select(sa.func.count(Notification.id)).where(Notification.user_id == user_id,
                                                        Notification.read_at.is_(None))
    )


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = utcnow()
        db.session.flush()


def mark_all_read(user: User) -> int:
    """Mark every unread notification of ``user`` read; returns how many there were."""
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount

