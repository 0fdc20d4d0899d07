"""Mentoring sessions pages, mounted at ``/mentoring`` next to the profiles-and-matching pages.

The routes live by audience: ``availability`` (mentors: weekly hours, exceptions, office hours),
``booking`` (founders: choose a mentor and a slot), ``sessions`` (both sides: lists, detail, changes, notes),
``calendar`` (``.ics`` files and private feeds) and ``mentor_hours`` (managers: hours delivered, policies).
"""
from flask import Blueprint

from incubator.mentoring.services.bookings import format_minutes

bp = Blueprint("mentor_booking", __name__)
bp.add_app_template_global(format_minutes, "fmt_minutes")


@bp.app_template_filter("zone_city")
def zone_city(zone: str) -> str:
    """``Europe/Berlin`` as "Berlin", ``Asia/Phnom_Penh`` as "Phnom Penh" (a place people recognise)."""
    return (zone or "").rsplit("/", 1)[-1].replace("_", " ")


from incubator.mentoring.views import availability, booking, calendar, mentor_hours, sessions  # noqa: E402,F401
