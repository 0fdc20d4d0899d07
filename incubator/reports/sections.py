"""The sections of a startup's investor one-pager: founders consent to each one separately.

The header (name, sector, stage) always shows: it says what the document is about. Everything else is
shared with investors only when the startup's founders tick it. A new profile shares the company snapshot
and the problem and solution, which the startup already made public when it applied; figures, funding,
endorsements and contact details wait for the founders' choice.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

SECTIONS = {
    "company": _l("Company snapshot"),
    "team": _l("Team"),
    "problem_solution": _l("Problem and solution"),
    "traction": _l("Traction (monthly figures)"),
    "milestones": _l("Verified milestones"),
    "funding": _l("Funding history and current ask"),
    "endorsements": _l("Mentor endorsements"),
    "contact": _l("Contact"),
}

SECTION_HELP = {
    "company": _l("Logo, province, year founded, website and the short description from your profile."),
    "team": _l("Names and roles of your team members (never their email or gender)."),
    "problem_solution": _l("The problem you solve and how, as written on this page."),
    "traction": _l("Monthly revenue, customers, users and employees from your KPI reports, as charts and a table."),
    "milestones": _l("Milestones the incubator team has verified."),
    "funding": _l("Your funding rounds and what you are raising now."),
    "endorsements": _l("Ratings and comments mentors chose to make public about their sessions with you."),
    "contact": _l("The contact person, email and phone below."),
}

DEFAULT_SECTIONS = ("company", "problem_solution")


def section_label(key: str) -> str:
    return str(SECTIONS.get(key, key))


def clean_sections(keys) -> list[str]:
    """Known section keys only, in the document's order, without repeats."""
    chosen = set(keys or ())
    return [key for key in SECTIONS if key in chosen]
