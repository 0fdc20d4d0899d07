"""The demo's resources: the NSTC building's rooms, desks, lab equipment, clinic and credits, the running cohort's
allowances and four weeks of bookings with every outcome worth looking at."""
from __future__ import annotations

import sqlalchemy as sa

from incubator.demo import loader
from incubator.extensions import db
from incubator.resources.models import Allowance, Blackout, Booking, BookingStatus, Certification, Resource


def test_demo_resources(app, monkeypatch):
    monkeypatch.setattr(loader, "DOMAIN_DEMOS", ("resources",))  # this domain's part of the demo only
    loader.load_demo()
    db.session.flush()
    resources = {r.name: r for r in db.session.scalars(sa.select(Resource))}
    assert len(resources) == 10 and all(r.photo_path for r in resources.values())
    assert {r.type.value for r in resources.values()} == {"meeting_room", "event_space", "hot_desk", "equipment",
                                                         "service", "credits"}
    printer, pcr = resources["3D printer (Prusa MK4)"], resources["PCR machine (Bio-Rad T100)"]
    assert printer.requires_training and printer.price_minor == 300
    assert pcr.requires_training and pcr.requires_approval and (pcr.price_minor, pcr.currency) == (4_000_000, "KHR")
    assert db.session.scalar(sa.select(sa.func.count(Allowance.id))) == 8
    assert db.session.scalar(sa.select(Certification.resource_id)) == printer.id
    assert db.session.scalar(sa.select(sa.func.count(Blackout.id))) >= 1
    statuses = dict(db.session.execute(sa.select(Booking.status, sa.func.count()).group_by(Booking.status)).all())
    for status in (BookingStatus.CHECKED_IN, BookingStatus.NO_SHOW, BookingStatus.CONFIRMED, BookingStatus.PENDING):
        assert statuses.get(status, 0) >= 1, statuses
    assert db.session.scalar(sa.select(sa.func.count(Booking.id)).where(Booking.series_id.is_not(None))) >= 2
    assert db.session.scalar(sa.select(sa.func.count(Booking.id)).where(Booking.amount_minor > 0)) >= 1
