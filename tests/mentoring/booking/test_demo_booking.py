"""``flask demo`` gives the mentoring sessions something to show: hours in four zones, office hours, a policy,
past sessions with notes, ratings, a shared endorsement and a no-show, and upcoming sessions."""
from __future__ import annotations

import sqlalchemy as sa

from incubator.auth.services import find_user
from incubator.db import utcnow
from incubator.extensions import db
from incubator.mentoring.models.availability import AvailabilityRule, MentoringPolicy, OfficeHours
from incubator.mentoring.models.bookings import BookingStatus, MentorBooking, NoteSide, SessionNote
from incubator.mentoring.reporting import mentor_endorsements


def test_the_demo_has_sessions_to_look_at(app):
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    zones = set(db.session.scalars(sa.select(sa.distinct(AvailabilityRule.mentor_id))))
    assert len(zones) == 4
    assert db.session.scalar(sa.select(MentoringPolicy.monthly_minutes)) == 240
    assert db.session.scalar(sa.select(sa.func.count(OfficeHours.id))) >= 3
    now = utcnow()
    bookings = db.session.scalars(sa.select(MentorBooking)).all()
    assert sum(b.was_held(now) for b in bookings) >= 6
    assert any(b.status == BookingStatus.NO_SHOW for b in bookings)
    assert any(b.office_hours_id for b in bookings)
    founder = find_user("founder@example.com")
    theirs = [b for b in bookings if any(m.user_id == founder.id for m in b.startup.members)]
    assert any(b.starts_at > now for b in theirs) and any(b.was_held(now) for b in theirs)
    notes = db.session.scalars(sa.select(SessionNote)).all()
    assert {n.side for n in notes} == {NoteSide.MENTOR, NoteSide.STARTUP}
    shared = next(n for n in notes if n.share)
    assert mentor_endorsements(shared.booking.startup_id)
    # Past sessions and their notifications are dated in the past, not at load time.
    past = next(b for b in bookings if b.was_held(now))
    assert past.created_at < past.starts_at
