"""``mentor_session_reminders``: every 5 minutes, sessions about a day and about an hour ahead, each reminder once."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
import time_machine

from incubator.extensions import db
from incubator.jobs.periods import Granularity
from incubator.jobs.registry import get_job
from incubator.jobs.runner import SUCCEEDED, catch_up, run_job
from incubator.mentoring.services.bookings import book_session, cancel_session, reschedule_session
from incubator.notifications.models import Notification, OutboxMessage
from tests.factories import founder_of
from tests.mentoring.booking.conftest import berlin, utc, weekly

BOOKED = utc(2026, 3, 16, 12, 0)
MONDAY_9 = berlin(2026, 3, 23, 9, 0)  # 08:00 UTC


@pytest.fixture
def booking(founder, startup, mentor):
    weekly(mentor, {0: [("09:00", "12:00")]}, window_days=60)
    made = book_session(founder, startup, mentor, MONDAY_9, "Pricing", now=BOOKED)
    db.session.execute(sa.delete(Notification))  # forget the booking confirmations
    db.session.execute(sa.delete(OutboxMessage))
    db.session.commit()
    return made


def reminders() -> list[tuple[int, str]]:
    db.session.expire_all()
    return [(n.user_id, n.title) for n in db.session.scalars(sa.select(Notification).order_by(Notification.id))]


def sweep(app, at):
    with time_machine.travel(at, tick=False):
        return run_job(app, "mentor_session_reminders")


def test_registered_every_five_minutes_without_catch_up():
    spec = get_job("mentor_session_reminders")
    assert spec.task == "incubator.mentoring.tasks:mentor_session_reminders"
    assert spec.period == Granularity.MINUTE and spec.catch_up is False


def test_a_day_before_both_sides_are_reminded_once(app, booking, founder, mentor):
    assert sweep(app, MONDAY_9 - timedelta(hours=24, minutes=5)).summary.startswith("0 reminders")
    outcome = sweep(app, MONDAY_9 - timedelta(hours=23, minutes=58))
    assert outcome.status == SUCCEEDED and outcome.summary.startswith("2 reminders for 1 of 1 sessions")
    assert sorted(reminders()) == sorted([
        (mentor.id, "Reminder: mentoring session with Kasekor Cold Chain on Mon 23 Mar 2026, 09:00"),
        (founder.id, "Reminder: mentoring session with Anna Becker on Mon 23 Mar 2026, 15:00")])
    for minutes in (5, 10, 60 * 10):  # later sweeps in the same day find nothing new
        sweep(app, MONDAY_9 - timedelta(hours=23, minutes=58) + timedelta(minutes=minutes))
    assert len(reminders()) == 2
    mail = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.to_email == founder.email))
    assert mail.dedupe_key == f"notify:mentor_session_reminders:{booking.id}:0:24h:{founder.id}"


def test_an_hour_before_comes_the_second_reminder(app, booking, founder, mentor):
    sweep(app, MONDAY_9 - timedelta(hours=23))
    sweep(app, MONDAY_9 - timedelta(minutes=58))
    titles = [title for _user, title in reminders()]
    assert sum(t.startswith("Starting soon:") for t in titles) == 2 and len(titles) == 4
    sweep(app, MONDAY_9 - timedelta(minutes=3))
    assert len(reminders()) == 4


def test_a_missed_sweep_is_covered_by_the_next(app, booking):
    # The scheduler was down from 25 hours before until 20 hours before: the next sweep still reminds.
    sweep(app, MONDAY_9 - timedelta(hours=20))
    assert len(reminders()) == 2


def test_cancelled_sessions_are_not_reminded(app, booking, founder):
    cancel_session(founder, booking, "Ill", now=BOOKED)
    db.session.execute(sa.delete(Notification))
    db.session.commit()
    sweep(app, MONDAY_9 - timedelta(hours=2))
    assert reminders() == []


def test_a_session_booked_late_skips_the_day_before_reminder(app, founder, startup, mentor):
    weekly(mentor, {0: [("09:00", "12:00")]}, notice_hours=2)
    book_session(founder, startup, mentor, MONDAY_9, "Urgent", now=MONDAY_9 - timedelta(hours=5))
    db.session.execute(sa.delete(Notification))
    db.session.commit()
    sweep(app, MONDAY_9 - timedelta(hours=4))
    assert reminders() == []
    sweep(app, MONDAY_9 - timedelta(minutes=55))
    assert len(reminders()) == 2


def test_a_moved_session_is_reminded_again_for_its_new_time(app, booking, manager):
    sweep(app, MONDAY_9 - timedelta(hours=23))
    reschedule_session(manager, booking, berlin(2026, 3, 30, 9, 0), "Next week", now=MONDAY_9 - timedelta(hours=22))
    db.session.commit()
    sweep(app, berlin(2026, 3, 30, 9, 0) - timedelta(hours=23))
    assert sum(title.startswith("Reminder:") and "30 Mar" in title for _u, title in reminders()) == 2


def test_inactive_people_are_skipped(app, booking, startup, founder):
    gone = founder_of(startup, is_active=False)
    db.session.commit()
    sweep(app, MONDAY_9 - timedelta(hours=23))
    assert gone.id not in {user_id for user_id, _title in reminders()}


def test_catch_up_never_runs_it(app, booking):
    with time_machine.travel(MONDAY_9 - timedelta(hours=23), tick=False):
        assert catch_up(app, jobs=[get_job("mentor_session_reminders")]) == []
    assert reminders() == []
