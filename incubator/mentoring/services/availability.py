"""Mentor availability: weekly hours, exceptions, booking settings, office hours, cohort policies, and the
open slots they produce. Services flush; the caller commits.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import gettext as _

from incubator.audit.services import record
from incubator.auth.models import User
from incubator.cohorts.models import Cohort, CohortStatus
from incubator.core.errors import ConflictError, ServiceError
from incubator.db import utcnow
from incubator.extensions import db
from incubator.mentoring import slots
from incubator.mentoring.models.availability import (
    AvailabilityException,
    AvailabilityRule,
    BookingSettings,
    ExceptionKind,
    MentoringPolicy,
    OfficeHours,
)
from incubator.mentoring.models.bookings import ACTIVE_STATUSES, MentorBooking

MAX_RANGES_PER_DAY = 6
MAX_OFFICE_HOURS = timedelta(hours=12)
MAX_REPEAT_WEEKS = 12
SETTING_LIMITS = {  # field: (lowest, highest), the same bounds as the table's CHECK constraints
    "slot_minutes": (15, 240),
    "buffer_minutes": (0, 120),
    "notice_hours": (0, 336),
    "window_days": (1, 180),
}


def _audited(user: User) -> User:
    """The user behind Flask-Login's ``current_user`` proxy (audit entries name the target's table)."""
    return user._get_current_object() if hasattr(user, "_get_current_object") else user


def _clock(value: time) -> str:
    return value.strftime("%H:%M")


def mentor_today(mentor: User, now: datetime | None = None) -> date:
    """Today's date on the mentor's own clock."""
    return (now or utcnow()).astimezone(ZoneInfo(mentor.timezone)).date()


# Weekly hours and settings ---------------------------------------------------------------------


def weekly_rules(mentor_id: int) -> list[AvailabilityRule]:
    return list(db.session.scalars(sa.select(AvailabilityRule).where(AvailabilityRule.mentor_id == mentor_id)
                                   .order_by(AvailabilityRule.weekday, AvailabilityRule.start_time)))


def set_weekly_hours(mentor: User, hours: dict[int, list[tuple[time, time]]]) -> list[AvailabilityRule]:
    """Replace the mentor's weekly hours (wall-clock times in the mentor's own time zone).

    :param hours: weekday (0 = Monday) to its ranges; a weekday left out has no hours.
    :return: the new rules.
    :raises ServiceError: a range ends before it starts, ranges overlap, or too many ranges in one day.
    """
    errors: dict[str, list[str]] = {}
    for weekday, ranges in hours.items():
        ordered = sorted(ranges)
        if any(end <= start for start, end in ordered):
            errors[f"day_{weekday}"] = [_("Each range must end after it starts, within the same day.")]
        elif any(later[0] < earlier[1] for earlier, later in zip(ordered, ordered[1:], strict=False)):
            errors[f"day_{weekday}"] = [_("These ranges overlap; join them into one.")]
        elif len(ordered) > MAX_RANGES_PER_DAY:
            errors[f"day_{weekday}"] = [_("Give at most %(n)d ranges a day.", n=MAX_RANGES_PER_DAY)]
    if errors:
        raise ServiceError(_("Please correct the highlighted days."), errors)
    db.session.execute(sa.delete(AvailabilityRule).where(AvailabilityRule.mentor_id == mentor.id))
    rules = [AvailabilityRule(mentor_id=mentor.id, weekday=weekday, start_time=start, end_time=end)
             for weekday, ranges in sorted(hours.items()) for start, end in sorted(ranges)]
    db.session.add_all(rules)
    db.session.flush()
    record(mentor, "mentoring.availability_changed", _audited(mentor), label=mentor.name,
           hours={str(w): [f"{_clock(s)}-{_clock(e)}" for s, e in sorted(r)] for w, r in sorted(hours.items()) if r})
    return rules


def _default_settings(mentor_id: int) -> BookingSettings:
    defaults = {column.key: column.default.arg for column in BookingSettings.__table__.columns
                if column.default is not None and not callable(column.default.arg)}
    return BookingSettings(mentor_id=mentor_id, **defaults)


def settings_for(mentor_id: int) -> BookingSettings:
    """The mentor's booking settings; defaults (not saved) when they never changed them."""
    found = db.session.scalar(sa.select(BookingSettings).where(BookingSettings.mentor_id == mentor_id))
    return found if found is not None else _default_settings(mentor_id)


def settings_for_many(mentor_ids: list[int]) -> dict[int, BookingSettings]:
    """Each mentor's booking settings (defaults where never changed), in one query."""
    found = {s.mentor_id: s for s in db.session.scalars(
        sa.select(BookingSettings).where(BookingSettings.mentor_id.in_(mentor_ids)))} if mentor_ids else {}
    return {mentor_id: found.get(mentor_id) or _default_settings(mentor_id) for mentor_id in mentor_ids}


def save_booking_settings(mentor: User, data: dict) -> BookingSettings:
    """Save slot length, buffer, minimum notice, booking window, join details and the pause switch.

    :param data: ``slot_minutes``, ``buffer_minutes``, ``notice_hours``, ``window_days`` (ints),
        ``location`` (text) and ``paused`` (bool).
    :raises ServiceError: a number is outside its range.
    """
    errors = {}
    for key, (low, high) in SETTING_LIMITS.items():
        value = data.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            errors[key] = [_("Enter a whole number from %(low)d to %(high)d.", low=low, high=high)]
    location = (data.get("location") or "").strip()
    if len(location) > 300:
        errors["location"] = [_("Keep this under 300 characters.")]
    if errors:
        raise ServiceError(_("Please correct the highlighted fields."), errors)
    settings = settings_for(mentor.id)
    if settings.id is None:
        db.session.add(settings)
    for key in SETTING_LIMITS:
        setattr(settings, key, data[key])
    settings.location, settings.paused = location, bool(data.get("paused"))
    db.session.flush()
    record(mentor, "mentoring.booking_settings_changed", _audited(mentor), label=mentor.name,
           **{key: data[key] for key in SETTING_LIMITS}, paused=settings.paused)
    return settings


# Exceptions -------------------------------------------------------------------------------------


def upcoming_exceptions(mentor: User, now: datetime | None = None) -> list[AvailabilityException]:
    return list(db.session.scalars(
        sa.select(AvailabilityException)
        .where(AvailabilityException.mentor_id == mentor.id, AvailabilityException.day >= mentor_today(mentor, now))
        .order_by(AvailabilityException.day, AvailabilityException.start_time)))


def add_exception(mentor: User, data: dict, now: datetime | None = None) -> AvailabilityException:
    """Add a day off (whole or part) or extra hours on one date of the mentor's calendar.

    :param data: ``day`` (date), ``kind`` (``off``/``extra``), ``start_time`` and ``end_time`` (both or
        neither; required for extra hours) and ``note``.
    :raises ServiceError: the date is past, the times are missing or out of order.
    """
    day, kind = data.get("day"), data.get("kind")
    start, end = data.get("start_time"), data.get("end_time")
    if kind not in set(ExceptionKind):
        raise ServiceError.on("kind", _("Choose whether you are away or adding hours."))
    if not isinstance(day, date) or day < mentor_today(mentor, now):
        raise ServiceError.on("day", _("Choose today or a later date."))
    if (start is None) != (end is None):
        raise ServiceError.on("end_time", _("Give both times, or neither for the whole day."))
    if kind == ExceptionKind.EXTRA and start is None:
        raise ServiceError.on("start_time", _("Give the extra hours' start and end."))
    if start is not None and end <= start:
        raise ServiceError.on("end_time", _("The end must be after the start."))
    exception = AvailabilityException(mentor_id=mentor.id, day=day, kind=ExceptionKind(kind), start_time=start,
                                      end_time=end, note=(data.get("note") or "").strip()[:200])
    db.session.add(exception)
    db.session.flush()
    record(mentor, "mentoring.exception_added", _audited(mentor), label=mentor.name, day=day.isoformat(), kind=kind)
    return exception


def delete_exception(mentor: User, exception: AvailabilityException) -> None:
    """Remove one of the mentor's own exceptions."""
    day = exception.day.isoformat()
    db.session.delete(exception)
    db.session.flush()
    record(mentor, "mentoring.exception_removed", _audited(mentor), label=mentor.name, day=day)


# Office hours -----------------------------------------------------------------------------------


def open_office_hours(mentor: User, cohort: Cohort, data: dict, now: datetime | None = None) -> list[OfficeHours]:
    """Open office hours any startup of ``cohort`` may book, once or on the same weekday for a few weeks.

    :param data: ``day`` (date), ``start_time``, ``end_time`` (the mentor's wall-clock times),
        ``slot_minutes``, ``repeat_weeks`` (1 = once), ``topic``, ``location``.
    :return: the blocks created, one per week.
    :raises ServiceError: past or inverted times, too long, slot longer than the block, or the cohort is
        not running. :raises ConflictError: a block overlaps the mentor's other office hours.
    """
    now = now or utcnow()
    if cohort.status != CohortStatus.RUNNING:
        raise ServiceError.on("cohort_id", _("Office hours are for a running cohort."))
    zone = ZoneInfo(mentor.timezone)
    day, start, end = data.get("day"), data.get("start_time"), data.get("end_time")
    minutes, weeks = data.get("slot_minutes"), data.get("repeat_weeks") or 1
    if not isinstance(day, date) or start is None or end is None:
        raise ServiceError(_("Give the date, start and end."))
    if end <= start:
        raise ServiceError.on("end_time", _("The end must be after the start."))
    if not isinstance(minutes, int) or not 15 <= minutes <= 240:
        raise ServiceError.on("slot_minutes", _("Enter a whole number from %(low)d to %(high)d.", low=15, high=240))
    if not 1 <= weeks <= MAX_REPEAT_WEEKS:
        raise ServiceError.on("repeat_weeks", _("Repeat for 1 to %(n)d weeks.", n=MAX_REPEAT_WEEKS))
    blocks = []
    for week in range(weeks):
        when = day + timedelta(weeks=week)
        starts_at, ends_at = slots.to_utc(when, start, zone), slots.to_utc(when, end, zone)
        if starts_at <= now:
            raise ServiceError.on("day", _("Office hours must start in the future."))
        if ends_at - starts_at > MAX_OFFICE_HOURS:
            raise ServiceError.on("end_time", _("Office hours last at most 12 hours."))
        if ends_at - starts_at < timedelta(minutes=minutes):
            raise ServiceError.on("slot_minutes", _("A session must fit inside the office hours."))
        blocks.append(OfficeHours(mentor_id=mentor.id, cohort_id=cohort.id, starts_at=starts_at, ends_at=ends_at,
                                  slot_minutes=minutes, topic=(data.get("topic") or "").strip()[:200],
                                  location=(data.get("location") or "").strip()[:300]))
    for block in blocks:
        clash = db.session.scalar(sa.select(OfficeHours.id).where(
            OfficeHours.mentor_id == mentor.id, OfficeHours.closed_at.is_(None),
            OfficeHours.starts_at < block.ends_at, OfficeHours.ends_at > block.starts_at))
        if clash is not None:
            raise ConflictError(_("These office hours overlap office hours you already opened."))
    db.session.add_all(blocks)
    db.session.flush()
    for block in blocks:
        record(mentor, "mentoring.office_hours_opened", block, label=cohort.name,
               starts_at=block.starts_at.isoformat())
    return blocks


def close_office_hours(actor: User, block: OfficeHours, now: datetime | None = None) -> OfficeHours:
    """Stop new bookings in an office-hours block; sessions already booked in it stay as they are.

    :raises ConflictError: it is already closed.
    """
    if block.closed_at is not None:
        raise ConflictError(_("These office hours are already closed."))
    block.closed_at = now or utcnow()
    db.session.flush()
    record(actor, "mentoring.office_hours_closed", block, label=block.cohort.name)
    return block


def upcoming_office_hours(now: datetime | None = None, mentor_id: int | None = None,
                          cohort_id: int | None = None) -> list[OfficeHours]:
    """Open office-hours blocks that have not ended, earliest first, with mentor and cohort loaded."""
    query = (sa.select(OfficeHours).where(OfficeHours.closed_at.is_(None), OfficeHours.ends_at > (now or utcnow()))
             .options(sa.orm.joinedload(OfficeHours.mentor), sa.orm.joinedload(OfficeHours.cohort))
             .order_by(OfficeHours.starts_at).limit(200))
    if mentor_id is not None:
        query = query.where(OfficeHours.mentor_id == mentor_id)
    if cohort_id is not None:
        query = query.where(OfficeHours.cohort_id == cohort_id)
    return list(db.session.scalars(query))


# Cohort policy ----------------------------------------------------------------------------------


def policy_for(cohort_id: int) -> MentoringPolicy:
    """The cohort's mentoring policy; the defaults (not saved) when managers never set one."""
    found = db.session.scalar(sa.select(MentoringPolicy).where(MentoringPolicy.cohort_id == cohort_id))
    if found is not None:
        return found
    defaults = {column.key: column.default.arg for column in MentoringPolicy.__table__.columns
                if column.default is not None and not callable(column.default.arg)}
    return MentoringPolicy(cohort_id=cohort_id, **defaults)


def save_policy(actor: User, cohort: Cohort, monthly_minutes: int, cancel_cutoff_hours: int) -> MentoringPolicy:
    """Set the cohort's monthly mentor-time allowance per startup (0 = no limit) and the change cut-off.

    :raises ServiceError: a value is out of range.
    """
    if not isinstance(monthly_minutes, int) or not 0 <= monthly_minutes <= 100 * 60:
        raise ServiceError.on("monthly_hours", _("Enter from 0 to 100 hours (0 means no limit)."))
    if not isinstance(cancel_cutoff_hours, int) or not 0 <= cancel_cutoff_hours <= 336:
        raise ServiceError.on("cancel_cutoff_hours", _("Enter a whole number from %(low)d to %(high)d.",
                                                       low=0, high=336))
    policy = policy_for(cohort.id)
    if policy.id is None:
        db.session.add(policy)
    policy.monthly_minutes, policy.cancel_cutoff_hours = monthly_minutes, cancel_cutoff_hours
    policy.updated_by_id = actor.id
    db.session.flush()
    record(actor, "mentoring.policy_changed", cohort, monthly_minutes=monthly_minutes,
           cancel_cutoff_hours=cancel_cutoff_hours)
    return policy


# Open slots --------------------------------------------------------------------------------------


def rules_for(mentor: User, start: datetime, end: datetime, settings: BookingSettings | None = None) -> slots.Rules:
    """The mentor's weekly hours, the exceptions near [start, end) and their settings, for ``slots``."""
    settings = settings or settings_for(mentor.id)
    zone = ZoneInfo(mentor.timezone)
    first, last = start.astimezone(zone).date() - timedelta(days=1), end.astimezone(zone).date() + timedelta(days=1)
    changes = db.session.scalars(sa.select(AvailabilityException).where(
        AvailabilityException.mentor_id == mentor.id, AvailabilityException.day.between(first, last)))
    return slots.Rules(
        zone=mentor.timezone,
        weekly=tuple(slots.WeeklyRange(r.weekday, r.start_time, r.end_time) for r in weekly_rules(mentor.id)),
        changes=tuple(slots.DatedChange(c.day, c.kind == ExceptionKind.EXTRA, c.start_time, c.end_time)
                      for c in changes),
        slot_minutes=settings.slot_minutes, buffer_minutes=settings.buffer_minutes,
        notice_hours=settings.notice_hours, window_days=settings.window_days,
    )


def taken_intervals(mentor_id: int, start: datetime, end: datetime,
                    exclude_booking_id: int | None = None) -> list[slots.Interval]:
    """The mentor's active sessions touching [start, end) (widened by a day for buffers)."""
    query = sa.select(MentorBooking.starts_at, MentorBooking.ends_at).where(
        MentorBooking.mentor_id == mentor_id, MentorBooking.status.in_(ACTIVE_STATUSES),
        MentorBooking.starts_at < end + timedelta(days=1), MentorBooking.ends_at > start - timedelta(days=1))
    if exclude_booking_id is not None:
        query = query.where(MentorBooking.id != exclude_booking_id)
    return [tuple(row) for row in db.session.execute(query)]


def regular_open_slots(mentor: User, start: datetime, end: datetime, now: datetime | None = None,
                       exclude_booking_id: int | None = None) -> list[slots.Slot]:
    """The mentor's open weekly-hours slots starting in [start, end) (none while bookings are paused).

    :param exclude_booking_id: a session being moved: its own time counts as free.
    """
    now = now or utcnow()
    settings = settings_for(mentor.id)
    if settings.paused:
        return []
    blocked = [(b.starts_at, b.ends_at) for b in db.session.scalars(sa.select(OfficeHours).where(
        OfficeHours.mentor_id == mentor.id, OfficeHours.closed_at.is_(None),
        OfficeHours.starts_at < end, OfficeHours.ends_at > start))]
    return slots.regular_slots(rules_for(mentor, start, end, settings), start, end, now,
                               taken_intervals(mentor.id, start, end, exclude_booking_id), blocked)


def office_hours_open_slots(block: OfficeHours, now: datetime | None = None,
                            exclude_booking_id: int | None = None) -> list[slots.Slot]:
    """The open slots of an office-hours block (none once it is closed)."""
    if block.closed_at is not None:
        return []
    settings = settings_for(block.mentor_id)
    taken = taken_intervals(block.mentor_id, block.starts_at, block.ends_at, exclude_booking_id)
    return slots.office_hours_slots((block.starts_at, block.ends_at), block.slot_minutes, settings.buffer_minutes,
                                    settings.notice_hours, now or utcnow(), taken, block.id)


def save_availability(mentor: User, hours: dict[int, list[tuple[time, time]]], settings: dict) -> BookingSettings:
    """Save the "My availability" page at once: weekly hours and booking settings (see the two services).

    :raises ServiceError: with the fields of both forms' problems.
    """
    set_weekly_hours(mentor, hours)
    return save_booking_settings(mentor, settings)
