"""Matching a cohort: settings, runs, manual changes to proposals (swap, lock, remove) and publication.

A run keeps published and accepted pairs and locked proposals, replaces the other proposals with the
matcher's optimum (``incubator.mentoring.matching``), and records who was left short and why. Runs and
publications take the cohort's row lock (SQLite serialises writers already), and a partial unique index
allows one active match per mentor and startup, so two at once cannot duplicate a pair.
"""
from __future__ import annotations

import time

import sqlalchemy as sa
from flask_babel import gettext as _

from incubator.audit.services import record
from incubator.auth.models import Role, User
from incubator.cohorts.models import Cohort, CohortStatus
from incubator.core.errors import ConflictError, ServiceError
from incubator.db import utcnow
from incubator.extensions import db
from incubator.mentoring.matching import Explanation, Reason, explain, solve, violations
from incubator.mentoring.models import ExpertiseTag, Match, MatchingSettings, MatchRun, MatchStatus
from incubator.mentoring.models.profiles import MAX_MENTORS_PER_STARTUP
from incubator.mentoring.services import match_notices
from incubator.mentoring.services.matching_inputs import (
    build_problem,
    conflicts_by_mentor,
    mentor_data,
    mentor_loads,
    mentor_rows,
    startup_data,
    startup_zones,
)
from incubator.mentoring.services.profiles import needs_for
from incubator.progress.services import lock

SETTING_LIMITS = {
    "mentors_per_startup": (1, MAX_MENTORS_PER_STARTUP),
    "weight_needs": (0, 10), "weight_sector": (0, 10), "weight_timezone": (0, 10),
    "must_weight": (1, 10), "nice_weight": (0, 10), "min_score": (0, 100),
    "work_start_hour": (0, 23), "work_end_hour": (1, 24),
}


# Settings -------------------------------------------------------------------------------------------


def settings_for(cohort: Cohort) -> MatchingSettings:
    """The cohort's saved settings, or the defaults (not added to the session)."""
    return db.session.get(MatchingSettings, cohort.id) or MatchingSettings.defaults(cohort.id)


def save_settings(actor: User, cohort: Cohort, data: dict) -> MatchingSettings:
    """Save a cohort's matching settings (weights 0–10, mentors per startup, minimum score in %, working day).

    :raises ServiceError: a value is out of range, all score weights are 0, or the working day is empty.
    """
    errors = {}
    for key, (low, high) in SETTING_LIMITS.items():
        value = data.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            errors[key] = [_("Give a whole number from %(low)d to %(high)d.", low=low, high=high)]
    if not errors and data["weight_needs"] + data["weight_sector"] + data["weight_timezone"] == 0:
        errors["weight_needs"] = [_("At least one of the three score weights must be above 0.")]
    if not errors and data["work_start_hour"] >= data["work_end_hour"]:
        errors["work_end_hour"] = [_("The working day must end after it starts.")]
    if errors:
        raise ServiceError(_("Please correct the highlighted fields."), errors)
    settings = db.session.get(MatchingSettings, cohort.id)
    if settings is None:
        settings = MatchingSettings.defaults(cohort.id)
        db.session.add(settings)
    before = {key: getattr(settings, key) for key in SETTING_LIMITS}
    for key in SETTING_LIMITS:
        setattr(settings, key, data[key])
    settings.updated_by_id = actor.id
    db.session.flush()
    changed = {key: [before[key], data[key]] for key in SETTING_LIMITS if before[key] != data[key]}
    record(actor, "matching.settings_changed", cohort, **changed)
    return settings


# Runs -----------------------------------------------------------------------------------------------


def _check_open(cohort: Cohort) -> None:
    if cohort.status == CohortStatus.COMPLETED:
        raise ConflictError(_("%(cohort)s is completed; its matches can no longer change.", cohort=cohort.name))


def explanation_dict(found: Explanation, sector: str, tag_names: dict[int, str], declared_needs: bool) -> dict:
    """What a proposal shows (tag names are copied, so a later rename does not rewrite history)."""
    data = found.as_dict()
    for key in ("must_covered", "must_missing", "nice_covered"):
        data[key] = [tag_names.get(tag_id, "?") for tag_id in data[key]]
    return data | {"sector": sector, "needs_declared": declared_needs}


def run_matching(actor: User, cohort: Cohort) -> MatchRun:
    """Replace the cohort's unlocked proposals with the best assignment; keep every other pair.

    :return: the run, with ``proposed``, ``kept`` and ``shortfalls`` (startup id, missing, reason, compatible).
    :raises ConflictError: the cohort is completed.
    """
    lock(Cohort, cohort.id)
    _check_open(cohort)
    started = time.perf_counter()
    db.session.execute(sa.delete(Match).where(Match.cohort_id == cohort.id, Match.status == MatchStatus.PROPOSED,
                                              Match.locked.is_(False)).execution_options(synchronize_session="fetch"))
    settings = settings_for(cohort)
    weights = settings.weights()
    problem = build_problem(cohort)
    result = solve(problem.startups, problem.mentors, weights)
    by_startup = {s.id: s for s in problem.startups}
    by_mentor = {m.id: m for m in problem.mentors}
    run = MatchRun(
        cohort_id=cohort.id, run_by_id=actor.id, proposed=len(result.pairs), kept=problem.kept,
        shortfalls=[{"startup_id": s.startup_id, "missing": s.missing, "reason": s.reason.value,
                     "compatible": s.compatible} for s in result.shortfalls],
        settings={key: getattr(settings, key) for key in SETTING_LIMITS},
    )
    db.session.add(run)
    db.session.flush()
    if result.pairs:  # one executemany, however large the cohort
        db.session.execute(sa.insert(Match), [
            dict(cohort_id=cohort.id, startup_id=pair.startup_id, mentor_id=pair.mentor_id, run_id=run.id,
                 status=MatchStatus.PROPOSED, locked=False, score=pair.score, decline_reason="",
                 explanation=explanation_dict(explain(by_startup[pair.startup_id], by_mentor[pair.mentor_id], weights),
                                              problem.startup_rows[pair.startup_id].sector, problem.tag_names,
                                              pair.startup_id in problem.declared_needs))
            for pair in result.pairs
        ])
    run.elapsed_ms = int((time.perf_counter() - started) * 1000)
    db.session.flush()
    record(actor, "matching.run", cohort, proposed=run.proposed, kept=run.kept, short=len(run.shortfalls))
    return run


def latest_run(cohort: Cohort) -> MatchRun | None:
    return db.session.scalar(sa.select(MatchRun).where(MatchRun.cohort_id == cohort.id)
                             .order_by(MatchRun.id.desc()).limit(1))


# Publication ----------------------------------------------------------------------------------------


def publish(actor: User, cohort: Cohort) -> list[Match]:
    """Publish every proposal of the cohort: mentors are asked to accept, founders are told.

    :return: the matches published.
    :raises ConflictError: there is nothing to publish (someone else may just have published).
    """
    lock(Cohort, cohort.id)
    _check_open(cohort)
    matches = list(db.session.scalars(
        sa.select(Match).where(Match.cohort_id == cohort.id, Match.status == MatchStatus.PROPOSED)
        .order_by(Match.startup_id, Match.id)))
    if not matches:
        raise ConflictError(_("There are no proposals to publish. Run matching first."))
    now = utcnow()
    for match in matches:
        match.status, match.published_at, match.locked = MatchStatus.PUBLISHED, now, False
    db.session.flush()
    match_notices.published(matches)
    record(actor, "matching.published", cohort, published=len(matches))
    return matches


# Manual changes -------------------------------------------------------------------------------------


def _proposal(match: Match) -> None:
    if match.status != MatchStatus.PROPOSED:
        raise ConflictError(_("This match is already published; remove it instead, then propose another mentor."))


def _reason_text(reason: Reason, mentor: User, startup_name: str) -> str:
    texts = {
        Reason.NO_SHARED_LANGUAGE: _("%(mentor)s speaks none of the startup's languages.", mentor=mentor.name),
        Reason.CONFLICT_OF_INTEREST: _("%(mentor)s declared a conflict of interest with %(startup)s.",
                                       mentor=mentor.name, startup=startup_name),
        Reason.EXCLUDED: _("%(mentor)s is already matched with %(startup)s, declined it, or was removed from it.",
                           mentor=mentor.name, startup=startup_name),
        Reason.BELOW_MIN_SCORE: _("%(mentor)s scores below the cohort's minimum.", mentor=mentor.name),
        Reason.MENTORS_FULL: _("%(mentor)s has no free capacity.", mentor=mentor.name),
    }
    return texts.get(reason, _("%(mentor)s cannot be matched with this startup.", mentor=mentor.name))


def swap_options(match: Match) -> list[dict]:
    """Every mentor the proposal could be given to instead, best first: ``mentor``, ``explanation``,
    ``problems`` (reasons it is not allowed, empty when it is)."""
    startup = match.startup
    weights = settings_for(match.cohort).weights()
    now = utcnow()
    this = _startup_for_swap(match, now)
    loads = mentor_loads(skip_match_id=match.id)
    conflicts = conflicts_by_mentor()
    options = []
    for user, profile in mentor_rows():
        if user.id == match.mentor_id:
            continue
        data = mentor_data(user, profile, loads.get(user.id, 0), conflicts.get(user.id, frozenset()), now)
        found = explain(this, data, weights)
        problems = violations(this, data, weights, found.points) + ([Reason.MENTORS_FULL] if not data.free else [])
        options.append({"mentor": user, "explanation": found,
                        "problems": [_reason_text(r, user, startup.name) for r in problems]})
    return sorted(options, key=lambda o: (bool(o["problems"]), -o["explanation"].points, o["mentor"].name))


def _startup_for_swap(match: Match, now):
    others = db.session.execute(
        sa.select(Match.mentor_id, Match.status).where(Match.cohort_id == match.cohort_id,
                                                       Match.startup_id == match.startup_id, Match.id != match.id)
    ).all()
    taken = frozenset(m for m, status in others if status in (MatchStatus.PROPOSED, MatchStatus.PUBLISHED,
                                                               MatchStatus.ACCEPTED))
    refused = frozenset(m for m, status in others if status in (MatchStatus.DECLINED, MatchStatus.ENDED))
    zone = startup_zones([match.startup_id])[match.startup_id]
    return startup_data(match.startup, needs_for(match.startup), zone, now, kept=taken, excluded=refused - taken)


def swap_mentor(actor: User, match: Match, mentor: User) -> Match:
    """Give a proposal to another mentor, re-checking every hard constraint; the pair is then locked.

    :raises ConflictError: the match is published, or the mentor breaks a hard constraint (language,
        conflict of interest, capacity, already matched with or declined by this startup).
    """
    lock(Cohort, match.cohort_id)
    _check_open(match.cohort)
    _proposal(match)
    if mentor.role != Role.MENTOR or not mentor.is_active:
        raise ServiceError.on("mentor_id", _("Choose an active mentor."))
    rows = mentor_rows([mentor.id])
    if not rows:
        raise ServiceError.on("mentor_id", _("%(mentor)s has no mentor profile yet.", mentor=mentor.name))
    if mentor.id == match.mentor_id:
        return match
    now = utcnow()
    weights = settings_for(match.cohort).weights()
    this = _startup_for_swap(match, now)
    data = mentor_data(*rows[0], mentor_loads(skip_match_id=match.id).get(mentor.id, 0),
                       conflicts_by_mentor([mentor.id]).get(mentor.id, frozenset()), now)
    found = explain(this, data, weights)
    problems = [r for r in violations(this, data, weights) if r != Reason.BELOW_MIN_SCORE]
    if not data.free:
        problems.append(Reason.MENTORS_FULL)
    if problems:
        raise ConflictError.on("mentor_id", _reason_text(problems[0], mentor, match.startup.name))
    before = match.mentor.name
    match.mentor_id, match.mentor, match.score, match.locked = mentor.id, mentor, found.score, True
    match.explanation = explanation_dict(found, match.startup.sector, _tag_names(this, data),
                                         bool(this.must or this.nice))
    db.session.flush()
    record(actor, "match.swapped", match, label=match.startup.name, mentor=[before, mentor.name])
    return match


def _tag_names(startup, mentor) -> dict[int, str]:
    ids = startup.must | startup.nice | mentor.expertise
    return dict(db.session.execute(sa.select(ExpertiseTag.id, ExpertiseTag.name)
                                   .where(ExpertiseTag.id.in_(ids))).tuples().all()) if ids else {}


def set_locked(actor: User, match: Match, locked: bool) -> Match:
    """Lock a proposal (a re-run keeps it) or unlock it (a re-run may replace it)."""
    _check_open(match.cohort)
    _proposal(match)
    if match.locked != locked:
        match.locked = locked
        db.session.flush()
        record(actor, "match.locked" if locked else "match.unlocked", match, label=match.startup.name,
               mentor=match.mentor.name)
    return match


def remove_match(actor: User, match: Match) -> Match:
    """End a match. A proposal simply goes (and is not proposed again); for a published or accepted
    one the mentor and the founders are told.

    :raises ConflictError: the match already ended or was declined.
    """
    lock(Match, match.id)
    db.session.refresh(match)
    if not match.is_active:
        raise ConflictError(_("This match has already ended."))
    was = match.status
    match.status, match.ended_at, match.ended_by_id, match.locked = MatchStatus.ENDED, utcnow(), actor.id, False
    db.session.flush()
    if was != MatchStatus.PROPOSED:
        match_notices.ended(match)
    record(actor, "match.removed", match, label=match.startup.name, mentor=match.mentor.name, was=was.value)
    return match
