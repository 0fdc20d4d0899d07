"""Notification categories: what a user can choose to get by email (in-app notifications are always kept).

A category that a planned feature will use is declared now with ``in_use=False`` and stays off the
preferences page until that feature ships (flip the flag in the same change).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

EVERY_ROLE = frozenset({"manager", "founder", "mentor", "investor"})


@dataclass(frozen=True)
class Category:
    key: str
    label: object
    description: object
    essential: bool = False  # always emailed; no unsubscribe link
    roles: frozenset[str] = EVERY_ROLE  # who sees it on the preferences page
    in_use: bool = True


CATEGORIES: tuple[Category, ...] = (
    Category("account", _l("Your account"),
             _l("Invitations, password resets and security messages. Always sent by email."), essential=True),
    Category("reviews", _l("Application reviews"), _l("When an application is assigned to you for review."),
             roles=frozenset({"manager", "mentor"})),
    Category("team", _l("People you invited"), _l("When someone you invited creates their account."),
             roles=frozenset({"manager"})),
    Category("reminders", _l("Reminders"), _l("Weekly check-in reminders and overdue milestones."),
             roles=frozenset({"manager", "founder"})),
    Category("digests", _l("Weekly digest"), _l("Missing check-ins, overdue milestones and open help requests."),
             roles=frozenset({"manager"})),
    Category("matching", _l("Mentor matching"),
             _l("Mentors matched with a startup, their answers, and matches that end."),
             roles=frozenset({"manager", "founder", "mentor"})),
    Category("mentoring", _l("Mentoring sessions"), _l("Sessions booked, moved or cancelled, and reminders "
                                                       "a day and an hour before."),
             roles=frozenset({"founder", "mentor"})),
    Category("bookings", _l("Resource bookings"), _l("Booking confirmations and reminders."),
             roles=frozenset({"manager", "founder"})),
    Category("payments", _l("Payments"), _l("Bills, payments received, refunds and payments that need a manager."),
             roles=frozenset({"manager", "founder"})),
    Category("grants", _l("Grants"), _l("When a tranche of a grant becomes payable, and when money is sent or a "
                                        "payment is reversed."), roles=frozenset({"manager", "founder"})),
    Category("reports", _l("Reports"), _l("When the incubator shares a report with you."),
             roles=frozenset({"investor"})),
)

BY_KEY = {category.key: category for category in CATEGORIES}


def get_category(key: str) -> Category:
    """The category ``key``; an unknown key is a programming error."""
    return BY_KEY[key]


def categories_for(role: str) -> list[Category]:
    """The categories shown on the preferences page of someone with ``role``."""
    return [c for c in CATEGORIES if c.in_use and role in c.roles]
