"""Telling both sides of a mentoring session what happened to it: booked, moved, cancelled, no-show, reminders.

Every message goes through ``notify`` (in-app, plus email unless the person turned "Mentoring sessions"
email off), in the recipient's language, with times in the recipient's zone (titles format the time
lazily, so it is rendered inside ``notify``'s forced zone) and, in the email, also the mentor's local time.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import LazyString, format_datetime
from flask_babel import lazy_gettext as _l

from incubator.auth.models import User
from incubator.core.urls import app_path, external_url
from incubator.mentoring.models.bookings import MentorBooking
from incubator.notifications.services import notify
from incubator.progress.reminders import founders_of

CATEGORY = "mentoring"


def _when(instant: datetime) -> LazyString:
    return LazyString(lambda: format_datetime(instant, "EEE d MMM y, HH:mm"))


def participants(booking: MentorBooking, founders: dict[int, list[User]] | None = None) -> list[tuple[User, str]]:
    """The session's people with their side: the mentor, then the startup's active founder accounts.

    :param founders: startup id to founder accounts, when the caller already loaded them (a job's sweep).
    """
    if founders is None:
        founders = founders_of({booking.startup_id})
    people = [(booking.mentor, "mentor")] if booking.mentor.is_active else []
    return people + [(user, "startup") for user in founders.get(booking.startup_id, [])]


def _title(event: str, side: str, booking: MentorBooking):
    when, mentor, startup = _when(booking.starts_at), booking.mentor.name, booking.startup.name
    if event == "booked":
        if side == "mentor":
            return _l("New mentoring session with %(startup)s on %(when)s", startup=startup, when=when)
        return _l("Mentoring session with %(mentor)s booked for %(when)s", mentor=mentor, when=when)
    if event == "moved":
        other = startup if side == "mentor" else mentor
        return _l("Mentoring session with %(other)s moved to %(when)s", other=other, when=when)
    if event == "cancelled":
        other = startup if side == "mentor" else mentor
        return _l("Cancelled: mentoring session with %(other)s on %(when)s", other=other, when=when)
    if event == "no_show":
        return _l("Marked as missed: your session with %(mentor)s on %(when)s", mentor=mentor, when=when)
    other = startup if side == "mentor" else mentor
    if event == "reminder_24h":
        return _l("Reminder: mentoring session with %(other)s on %(when)s", other=other, when=when)
    return _l("Starting soon: mentoring session with %(other)s at %(when)s", other=other, when=when)


def _body(event: str, actor: User | None, reason: str):
    if event == "booked":
        return _l("Agenda and joining details are on the session page; add it to your calendar from there.")
    if event in ("moved", "cancelled"):
        name = actor.name if actor is not None else ""
        return _l("By %(name)s. Reason: %(reason)s", name=name, reason=reason)
    if event == "no_show":
        return _l("The mentor recorded that nobody from the startup came. If that is wrong, tell the incubator team.")
    return _l("Agenda and joining details are on the session page.")


def session_changed(booking: MentorBooking, event: str, actor: User | None, reason: str = "",
                    previous: datetime | None = None, sides: tuple[str, ...] = ("mentor", "startup"),
                    dedupe: str | None = None, founders: dict[int, list[User]] | None = None) -> int:
    """Tell the session's people (except ``actor``) about ``event``.

    :param event: ``booked``, ``moved``, ``cancelled``, ``no_show``, ``reminder_24h`` or ``reminder_1h``.
    :param previous: the old start of a moved session (shown in the email).
    :param sides: which sides to tell (``no_show`` goes to the startup only).
    :param dedupe: the dedupe key's stem; default ``mentor-session:<id>:<event>:<sequence>``.
    :param founders: preloaded founder accounts per startup (see ``participants``).
    :return: how many people were told.
    """
    if event == "no_show":
        sides = ("startup",)
    stem = dedupe or f"mentor-session:{booking.id}:{event}:{booking.sequence}"
    link = app_path("mentor_booking.view_booking", booking_id=booking.id)
    ics = external_url("mentor_booking.booking_ics", booking_id=booking.id)
    told = 0
    for user, side in participants(booking, founders):
        if side not in sides or (actor is not None and user.id == actor.id):
            continue
        done = notify(user, CATEGORY, _title(event, side, booking), _body(event, actor, reason), link=link,
                      email_template="mentor_session", dedupe_key=f"{stem}:{user.id}",
                      booking=booking, event=event, side=side, reason=reason, previous=previous, ics_url=ics,
                      actor_name=actor.name if actor is not None else "")
        told += done is not None
    return told
