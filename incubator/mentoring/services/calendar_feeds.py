"""Private calendar feeds: a secret URL per user that calendar apps subscribe to (read-only, revocable).

The URL carries a signed ``{user id, nonce}``; only the nonce is stored. Revoking clears it (every copy
of the old URL stops working); creating a new feed picks a new nonce. Anyone holding the URL sees the
owner's sessions (times, startups, mentors, agendas), so it is shown only to its owner.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from incubator.audit.services import record
from incubator.auth.models import Role, User
from incubator.auth.tokens import TokenInvalid, sign, unsign
from incubator.cohorts.models import Cohort, CohortStatus, TeamMember
from incubator.core.urls import external_url
from incubator.db import utcnow
from incubator.extensions import db
from incubator.mentoring.models.bookings import CalendarFeed, MentorBooking

FEED_SALT = "calendar-feed"
PAST_DAYS = 60  # how far back a feed reaches
MAX_EVENTS = 500
STAMP_EVERY = timedelta(hours=1)  # record "last fetched" at most this often (apps poll often)


def _audited(user: User) -> User:
    """The user behind Flask-Login's ``current_user`` proxy (audit entries name the target's table)."""
    return user._get_current_object() if hasattr(user, "_get_current_object") else user


def feed_of(user: User) -> CalendarFeed | None:
    return db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def feed_url(feed: CalendarFeed) -> str | None:
    """The subscription URL of an active feed (``None`` once revoked)."""
    if feed is None or feed.nonce is None:
        return None
    return external_url("mentor_booking.calendar_feed", token=sign({"u": feed.user_id, "n": feed.nonce}, FEED_SALT))


def create_feed(user: User, now: datetime | None = None) -> CalendarFeed:
    """Give ``user`` a new feed URL; a previous URL stops working.

    :return: the feed (its URL from ``feed_url``).
    """
    feed = feed_of(user)
    renewed = feed is not None and feed.nonce is not None
    if feed is None:
        feed = CalendarFeed(user_id=user.id)
        db.session.add(feed)
    feed.nonce, feed.created_at, feed.last_fetched_at = secrets.token_hex(16), now or utcnow(), None
    db.session.flush()
    record(user, "mentoring.calendar_feed_renewed" if renewed else "mentoring.calendar_feed_created", _audited(user),
           label=user.name)
    return feed


def revoke_feed(user: User) -> bool:
    """Turn the feed URL off. :return: whether there was an active one."""
    feed = feed_of(user)
    if feed is None or feed.nonce is None:
        return False
    feed.nonce = None
    db.session.flush()
    record(user, "mentoring.calendar_feed_revoked", _audited(user), label=user.name)
    return True


def feed_owner(token: str, now: datetime | None = None) -> User | None:
    """The active account a feed token belongs to, or ``None`` (altered, revoked, or inactive account).

    Stamps "last fetched" at most once an hour.
    """
    try:
        data = unsign(token, FEED_SALT, max_age=None)
    except TokenInvalid:
        return None
    if not isinstance(data.get("u"), int) or not isinstance(data.get("n"), str):
        return None
    feed = db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.user_id == data["u"],
                                                           CalendarFeed.nonce == data["n"])
                             .options(joinedload(CalendarFeed.user)))
    if feed is None or not feed.user.is_active:
        return None
    now = now or utcnow()
    if feed.last_fetched_at is None or now - feed.last_fetched_at >= STAMP_EVERY:
        feed.last_fetched_at = now
        db.session.flush()
    return feed.user


def feed_bookings(user: User, now: datetime | None = None) -> list[MentorBooking]:
    """The sessions in ``user``'s feed: as mentor, as founder, or (managers) every session of running cohorts;
    from ``PAST_DAYS`` ago on, cancelled ones included so subscribed apps remove them. One query."""
    since = (now or utcnow()) - timedelta(days=PAST_DAYS)
    query = (sa.select(MentorBooking).where(MentorBooking.starts_at >= since)
             .options(joinedload(MentorBooking.startup), joinedload(MentorBooking.mentor))
             .order_by(MentorBooking.starts_at).limit(MAX_EVENTS))
    if user.role == Role.MENTOR:
        query = query.where(MentorBooking.mentor_id == user.id)
    elif user.role == Role.MANAGER:
        query = query.where(MentorBooking.cohort_id.in_(sa.select(Cohort.id).where(
            Cohort.status == CohortStatus.RUNNING)))
    else:
        query = query.where(MentorBooking.startup_id.in_(
            sa.select(TeamMember.startup_id).where(TeamMember.user_id == user.id)))
    return list(db.session.scalars(query))
