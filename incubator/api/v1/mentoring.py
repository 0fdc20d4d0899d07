"""Mentoring endpoints: the mentor directory, the expertise taxonomy, startups' needs, matching runs and matches.

The same permissions as the web pages: the directory is for managers, mentors and founders of running
startups; needs for managers, the startup's founders (and, to read, its matched mentors); runs, proposals
and publication for managers; accept and decline for the matched mentor. Proposals (before publication)
are visible to managers only.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import joinedload

from incubator.api.v1.mentoring_schemas import (
    DeclineIn,
    MatchListQuery,
    MatchOut,
    MatchPage,
    MentorListQuery,
    MentorOut,
    MentorPage,
    NeedsIn,
    NeedsOut,
    PublishOut,
    RunOut,
    TagList,
    TagOut,
)
from incubator.api.v1.payloads import first_or_404, paginate, parse_body, parse_query, respond
from incubator.api.v1.spec import operation
from incubator.api.v1.startups import load_startup
from incubator.cohorts.models import Cohort, Startup, TeamMember
from incubator.core.authz import require
from incubator.core.uow import perform
from incubator.mentoring import queries
from incubator.mentoring.models import Match, MatchStatus, MentorProfile
from incubator.mentoring.permissions import (
    can_answer_match,
    can_browse_mentors,
    can_edit_needs,
    can_list_matches,
    can_manage_mentoring,
    can_view_match,
    can_view_needs,
    is_mentor,
)
from incubator.mentoring.services import match_answers
from incubator.mentoring.services import matching as matching_services
from incubator.mentoring.services import profiles as profile_services

TAG = "mentoring"


# Mentors and the taxonomy -----------------------------------------------------------------------------


@operation("/mentors", summary=_l("List mentors"), tag=TAG, query=MentorListQuery, response=MentorPage)
def list_mentors():
    """Mentors with a profile, by name, filtered by words, expertise tag, language, sector or free capacity.

    Managers, mentors, and founders of startups in a running cohort.
    """
    require(can_browse_mentors(current_user))
    args = parse_query(MentorListQuery)
    filters = queries.DirectoryFilters(q=args.q, tag=args.tag_id, language=args.language or "",
                                       sector=args.sector or "", available=args.available)
    profiles, envelope = paginate(queries.directory_query(filters), args)
    loads = queries.active_loads([p.user_id for p in profiles])
    return respond(MentorPage(items=[MentorOut.of(p, loads.get(p.user_id, 0)) for p in profiles], **envelope))


@operation("/mentors/<id:mentor_id>", summary=_l("Get a mentor's profile"), tag=TAG, response=MentorOut)
def get_mentor(mentor_id: int):
    """One mentor's profile (``mentor_id`` is their user id); 404 for accounts without a mentor profile."""
    require(can_browse_mentors(current_user))
    profile = first_or_404(
        queries.directory_query(queries.DirectoryFilters()).where(MentorProfile.user_id == mentor_id),
        _("There is no mentor with id %(id)d.", id=mentor_id))
    return respond(MentorOut.of(profile, queries.active_loads([mentor_id]).get(mentor_id, 0)))


@operation("/expertise-tags", summary=_l("List the expertise taxonomy"), tag=TAG, response=TagList)
def list_expertise_tags():
    """Every tag, archived ones included (flagged), by category and name: the ids needs and profiles use."""
    require(can_browse_mentors(current_user) or current_user.role.value == "founder")
    return respond(TagList(items=[TagOut.of(t) for t in queries.all_tags()]))


# Needs --------------------------------------------------------------------------------------------------


@operation("/startups/<id:startup_id>/needs", summary=_l("Get a startup's mentoring needs"), tag=TAG,
           response=NeedsOut)
def get_startup_needs(startup_id: int):
    """Expertise tags (must or nice), languages and a note. Managers, its founders and its matched mentors."""
    startup = load_startup(startup_id)
    require(can_view_needs(current_user, startup))
    return respond(NeedsOut.of(startup.id, profile_services.needs_for(startup),
                               profile_services.DEFAULT_STARTUP_LANGUAGES))


@operation("/startups/<id:startup_id>/needs", "PUT", summary=_l("Set a startup's mentoring needs"), tag=TAG,
           body=NeedsIn, response=NeedsOut)
def update_startup_needs(startup_id: int):
    """Replace the needs (managers and the startup's founders). Unknown or archived tags are a 422."""
    startup = load_startup(startup_id)
    require(can_edit_needs(current_user, startup))
    body = parse_body(NeedsIn)
    tags = {t.tag_id: t.priority for t in body.tags}
    perform(profile_services.save_needs, current_user, startup,
            {"languages": body.languages, "notes": body.notes, "tags": tags})
    return respond(NeedsOut.of(startup.id, profile_services.needs_for(startup),
                               profile_services.DEFAULT_STARTUP_LANGUAGES))


# Matching -----------------------------------------------------------------------------------------------


def _cohort(cohort_id: int) -> Cohort:
    cohort = first_or_404(sa.select(Cohort).where(Cohort.id == cohort_id),
                          _("There is no cohort with id %(id)d.", id=cohort_id))
    require(can_manage_mentoring(current_user))
    return cohort


@operation("/cohorts/<id:cohort_id>/matching/run", "POST", summary=_l("Run mentor matching"), tag=TAG,
           response=RunOut, status=201, errors=(409,))
def run_matching(cohort_id: int):
    """Replace the cohort's unlocked proposals with the optimal assignment (managers).

    Published, accepted and locked pairs are kept; declined and removed pairs are not proposed again. The
    answer lists the startups left short and why. A completed cohort, or a run clashing with another, is a 409.
    """
    cohort = _cohort(cohort_id)
    run = perform(matching_services.run_matching, current_user, cohort)
    return respond(RunOut.of(run), 201)


@operation("/cohorts/<id:cohort_id>/matching/publish", "POST", summary=_l("Publish the proposals"), tag=TAG,
           response=PublishOut, errors=(409,))
def publish_matches(cohort_id: int):
    """Publish every proposal of the cohort: mentors are asked to accept, founders are told (managers).

    Nothing to publish (for example, someone just published) is a 409.
    """
    cohort = _cohort(cohort_id)
    matches = perform(matching_services.publish, current_user, cohort)
    return respond(PublishOut(published=len(matches), match_ids=[m.id for m in matches]))


def _visible_matches(args: MatchListQuery) -> sa.Select:
    query = sa.select(Match).options(joinedload(Match.startup), joinedload(Match.mentor)).order_by(Match.id)
    if not can_manage_mentoring(current_user):
        query = query.where(Match.status != MatchStatus.PROPOSED)
        if is_mentor(current_user):
            query = query.where(Match.mentor_id == current_user.id)
        else:
            mine = sa.select(TeamMember.startup_id).where(TeamMember.user_id == current_user.id)
            query = query.where(Match.startup_id.in_(mine))
    for column, value in ((Match.cohort_id, args.cohort_id), (Match.startup_id, args.startup_id),
                          (Match.mentor_id, args.mentor_id), (Match.status, args.status)):
        if value is not None:
            query = query.where(column == value)
    return query


def _show_reason(match: Match) -> bool:
    return can_manage_mentoring(current_user) or match.mentor_id == current_user.id


@operation("/matches", summary=_l("List matches"), tag=TAG, query=MatchListQuery, response=MatchPage)
def list_matches():
    """Matches the caller may see: managers every match (proposals included), mentors their own and founders
    their startups' (published, accepted, declined, ended)."""
    require(can_list_matches(current_user))
    args = parse_query(MatchListQuery)
    matches, envelope = paginate(_visible_matches(args), args)
    return respond(MatchPage(items=[MatchOut.of(m, _show_reason(m)) for m in matches], **envelope))


def _match(match_id: int, check=can_view_match) -> Match:
    match = first_or_404(
        sa.select(Match).where(Match.id == match_id)
        .options(joinedload(Match.startup).selectinload(Startup.members), joinedload(Match.mentor)),
        _("There is no match with id %(id)d.", id=match_id))
    require(check(current_user, match))
    return match


@operation("/matches/<id:match_id>", summary=_l("Get a match"), tag=TAG, response=MatchOut)
def get_match(match_id: int):
    """One match with why it was proposed. Proposals are for managers; published ones also for the mentor and
    the startup's founders."""
    match = _match(match_id)
    return respond(MatchOut.of(match, _show_reason(match)))


@operation("/matches/<id:match_id>/accept", "POST", summary=_l("Accept a match"), tag=TAG, response=MatchOut,
           errors=(409,))
def accept_match(match_id: int):
    """The matched mentor accepts; the founders are told and may book sessions. Not waiting any more: 409."""
    match = _match(match_id, can_answer_match)
    perform(match_answers.accept_match, current_user, match)
    return respond(MatchOut.of(_match(match_id), True))


@operation("/matches/<id:match_id>/decline", "POST", summary=_l("Decline a match"), tag=TAG, body=DeclineIn,
           response=MatchOut, errors=(409,))
def decline_match(match_id: int):
    """The matched mentor declines with a reason (shown to managers only); managers are told. 409 when the
    match is not waiting for an answer."""
    match = _match(match_id, can_answer_match)
    body = parse_body(DeclineIn)
    perform(match_answers.decline_match, current_user, match, body.reason)
    return respond(MatchOut.of(_match(match_id), True))

