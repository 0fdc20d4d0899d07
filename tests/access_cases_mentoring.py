"""Access-matrix cases for mentor profiles, the taxonomy, needs and matching (web pages and API).

World: ``mentor`` has an ACCEPTED match with the founder's startup (so "mentor" = the matched mentor of the
founder's startup) and a PUBLISHED one with the other founder's startup, waiting for an answer;
``other_mentor`` has a PROPOSED (unpublished) match with the founder's startup, which only managers see.
"""
from __future__ import annotations

from incubator.cohorts.models import Startup
from incubator.extensions import db
from incubator.mentoring.models import MatchStatus, MentorConflict
from tests.access_cases import MANAGERS, Route, page, submit
from tests.factories import StartupFactory
from tests.mentoring.factories import ExpertiseTagFactory, match, mentor, needs

FOUNDERS = frozenset({"founder", "other_founder"})
MENTORS = frozenset({"mentor", "other_mentor"})
BROWSERS = MANAGERS | MENTORS | FOUNDERS  # the mentor directory: founders of running startups included
SELF_MENTOR = MANAGERS | {"mentor"}  # the mentor's own profile and conflicts (URL points at "mentor")
NEEDS_EDITORS = MANAGERS | {"founder"}
NEEDS_READERS = NEEDS_EDITORS | {"mentor"}  # its matched mentor reads the needs
RUNNING = {"cohort_id": "running_cohort_id"}
PROPOSAL = {"match_id": "proposal_match_id"}
WAITING = {"match_id": "published_match_id"}
REDIRECT = frozenset({302})

ROUTES: dict[tuple[str, str], Route] = {
    # Directory and profiles --------------------------------------------------------------------
    ("mentoring.home", "GET"): Route(MANAGERS | MENTORS | FOUNDERS, ok=REDIRECT),
    ("mentoring.list_mentors", "GET"): page(BROWSERS),
    ("mentoring.view_mentor", "GET"): page(BROWSERS),
    ("mentoring.my_profile", "GET"): Route(MENTORS, ok=REDIRECT),
    ("mentoring.edit_profile", "GET"): page(SELF_MENTOR),
    ("mentoring.edit_profile", "POST"): submit(SELF_MENTOR),
    ("mentoring.add_conflict", "POST"): submit(SELF_MENTOR),
    ("mentoring.remove_conflict", "POST"): submit(SELF_MENTOR),
    # Taxonomy (managers) --------------------------------------------------------------------------
    ("mentoring.list_tags", "GET"): page(MANAGERS),
    ("mentoring.list_tags", "POST"): submit(MANAGERS),
    ("mentoring.edit_tag", "GET"): page(MANAGERS),
    ("mentoring.edit_tag", "POST"): submit(MANAGERS),
    ("mentoring.archive_tag", "POST"): submit(MANAGERS),
    # A startup's needs and mentors -----------------------------------------------------------------
    ("mentoring.startup_needs", "GET"): page(NEEDS_READERS),
    ("mentoring.edit_needs", "GET"): page(NEEDS_EDITORS),
    ("mentoring.edit_needs", "POST"): submit(NEEDS_EDITORS),
    ("mentoring.startup_mentors", "GET"): page(NEEDS_EDITORS),
    # Matching (managers) --------------------------------------------------------------------------
    ("mentoring.cohorts", "GET"): page(MANAGERS),
    ("mentoring.proposals", "GET"): page(MANAGERS, args=RUNNING),
    ("mentoring.matching_settings", "GET"): page(MANAGERS, args=RUNNING),
    ("mentoring.matching_settings", "POST"): submit(MANAGERS, args=RUNNING),
    ("mentoring.run_matching", "POST"): submit(MANAGERS, args=RUNNING),
    ("mentoring.publish", "POST"): submit(MANAGERS, args=RUNNING),
    ("mentoring.swap", "GET"): page(MANAGERS, args=PROPOSAL),
    ("mentoring.swap", "POST"): submit(MANAGERS, args=PROPOSAL),
    ("mentoring.lock_match", "POST"): submit(MANAGERS, args=PROPOSAL),
    ("mentoring.remove_match", "POST"): submit(MANAGERS, args=PROPOSAL),
    # Mentors answer ------------------------------------------------------------------------------
    ("mentoring.my_startups", "GET"): page(MENTORS),
    ("mentoring.accept_match", "POST"): submit({"mentor"}, args=WAITING),
    ("mentoring.decline_match", "POST"): submit({"mentor"}, args=WAITING),
    # API ------------------------------------------------------------------------------------------
    ("api_v1.list_mentors", "GET"): page(BROWSERS),
    ("api_v1.get_mentor", "GET"): page(BROWSERS),
    ("api_v1.list_expertise_tags", "GET"): page(BROWSERS),
    ("api_v1.get_startup_needs", "GET"): page(NEEDS_READERS),
    ("api_v1.update_startup_needs", "PUT"): submit(NEEDS_EDITORS),
    ("api_v1.run_matching", "POST"): submit(MANAGERS, args=RUNNING),
    ("api_v1.publish_matches", "POST"): submit(MANAGERS, args=RUNNING),
    ("api_v1.list_matches", "GET"): page(BROWSERS),
    ("api_v1.get_match", "GET"): page(MANAGERS | {"mentor", "founder"}),
    ("api_v1.accept_match", "POST"): submit({"mentor"}, args=WAITING),
    ("api_v1.decline_match", "POST"): submit({"mentor"}, args=WAITING),
}


def build_mentoring_world(world: dict) -> dict:
    """Profiles, a taxonomy, the founder's needs and one match per state (see the module docstring).

    :return: ``mentor_id`` (the matched mentor's user id), ``match_id`` (its ACCEPTED match with the founder's
        startup), ``published_match_id``, ``proposal_match_id``, ``tag_id``, ``conflict_id``.
    """
    users = world["users"]
    startup = world["startup"]
    other_startup = db.session.query(Startup).filter(Startup.cohort_id == startup.cohort_id,
                                                     Startup.id != startup.id).order_by(Startup.id).first()
    export, finance = ExpertiseTagFactory(name="Export markets"), ExpertiseTagFactory(name="Fundraising")
    mentor(languages=("en", "km"), sectors=("agritech",), tags=(export, finance), capacity=3, user=users["mentor"])
    mentor(languages=("en",), tags=(finance,), capacity=2, user=users["other_mentor"])
    needs(startup, must=(export,), nice=(finance,), notes="Export to Thailand.")
    accepted = match(startup, users["mentor"], MatchStatus.ACCEPTED)
    waiting = match(other_startup, users["mentor"], MatchStatus.PUBLISHED)
    proposal = match(startup, users["other_mentor"], MatchStatus.PROPOSED)
    elsewhere = StartupFactory(name="Siem Reap Silk")  # in another cohort: the mentor is not matched with it
    conflict = MentorConflict(mentor_id=users["mentor"].id, startup_id=elsewhere.id, reason="Family")
    db.session.add(conflict)
    db.session.commit()
    return {"mentor_id": users["mentor"].id, "match_id": accepted.id, "published_match_id": waiting.id,
            "proposal_match_id": proposal.id, "tag_id": export.id, "conflict_id": conflict.id}


def build(world: dict) -> dict:
    return build_mentoring_world(world)
