"""Running, changing and publishing a cohort's matches; mentors' answers; notifications and audit."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from incubator.audit.models import AuditEntry
from incubator.cohorts.models import CohortStatus
from incubator.core.errors import ConflictError, ForbiddenError, ServiceError
from incubator.extensions import db
from incubator.mentoring import queries
from incubator.mentoring.models import Match, MatchStatus, MentorConflict
from incubator.mentoring.services import match_answers
from incubator.mentoring.services import matching as services
from incubator.notifications.models import Notification, OutboxMessage
from tests.factories import CohortFactory, StartupFactory
from tests.mentoring.factories import match, mentor


def pairs(cohort, *statuses):
    statuses = statuses or (MatchStatus.PROPOSED, MatchStatus.PUBLISHED, MatchStatus.ACCEPTED)
    rows = db.session.execute(sa.select(Match.startup_id, Match.mentor_id).where(
        Match.cohort_id == cohort.id, Match.status.in_(statuses))).all()
    return set(rows)


def ids(w, *names):
    return {(w.startups[s].id, w.mentors[m].id) for s, m in names}


def test_run_proposes_the_best_pairs_and_explains_them(matching_world):
    w = matching_world
    run = services.run_matching(w.manager, w.cohort)
    assert pairs(w.cohort) == ids(w, ("kasekor", "dara"), ("angkorpay", "jiwoo"), ("biolab", "anna"))
    assert (run.proposed, run.kept, run.shortfalls) == (3, 0, [])
    kasekor = db.session.scalar(sa.select(Match).where(Match.startup_id == w.startups["kasekor"].id))
    assert kasekor.status == MatchStatus.PROPOSED and kasekor.run_id == run.id
    assert kasekor.explanation["must_covered"] == ["Cold chain"]
    assert kasekor.explanation["nice_covered"] == ["Export"]
    assert kasekor.explanation["languages"] == ["km"]
    assert kasekor.explanation["sector_match"] is True and kasekor.explanation["overlap_hours"] == 9
    assert kasekor.score == pytest.approx(1.0)
    assert db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.action == "matching.run"))


def test_run_keeps_accepted_published_and_locked_pairs_and_replaces_the_rest(matching_world):
    w = matching_world
    match(w.startups["angkorpay"], w.mentors["dara"], MatchStatus.ACCEPTED)
    match(w.startups["biolab"], w.mentors["jiwoo"], MatchStatus.PROPOSED, locked=True)
    stale = match(w.startups["kasekor"], w.mentors["anna"], MatchStatus.PROPOSED)
    run = services.run_matching(w.manager, w.cohort)
    assert db.session.get(Match, stale.id) is None
    assert run.kept == 2 and run.proposed == 0
    assert pairs(w.cohort) == ids(w, ("angkorpay", "dara"), ("biolab", "jiwoo"))
    # Kasekor speaks only Khmer and Dara, the only Khmer speaker, is full.
    assert run.shortfalls == [{"startup_id": w.startups["kasekor"].id, "missing": 1, "reason": "mentors_full",
                               "compatible": 1}]


def test_declined_and_removed_pairs_are_not_proposed_again(matching_world):
    w = matching_world
    match(w.startups["kasekor"], w.mentors["dara"], MatchStatus.DECLINED, decline_reason="Busy")
    removed = match(w.startups["biolab"], w.mentors["anna"], MatchStatus.PROPOSED)
    services.remove_match(w.manager, removed)
    run = services.run_matching(w.manager, w.cohort)
    assert (w.startups["kasekor"].id, w.mentors["dara"].id) not in pairs(w.cohort)
    assert (w.startups["biolab"].id, w.mentors["anna"].id) not in pairs(w.cohort)
    reasons = {s["startup_id"]: s["reason"] for s in run.shortfalls}
    assert reasons[w.startups["kasekor"].id] == "excluded"


def test_capacity_counts_matches_in_other_cohorts(matching_world):
    w = matching_world
    other = StartupFactory(cohort=CohortFactory(status=CohortStatus.RUNNING), name="Elsewhere")
    match(other, w.mentors["dara"], MatchStatus.ACCEPTED)
    run = services.run_matching(w.manager, w.cohort)
    assert all(m != w.mentors["dara"].id for _, m in pairs(w.cohort))
    assert {s["reason"] for s in run.shortfalls} == {"mentors_full"}


def test_conflicts_of_interest_are_respected(matching_world):
    w = matching_world
    db.session.add(MentorConflict(mentor_id=w.mentors["dara"].id, startup_id=w.startups["kasekor"].id))
    run = services.run_matching(w.manager, w.cohort)
    assert (w.startups["kasekor"].id, w.mentors["dara"].id) not in pairs(w.cohort)
    assert run.shortfalls[0]["reason"] == "conflict_of_interest"


def test_k_mentors_per_startup_from_the_cohort_settings(matching_world):
    w = matching_world
    data = {key: getattr(services.settings_for(w.cohort), key) for key in services.SETTING_LIMITS}
    services.save_settings(w.manager, w.cohort, data | {"mentors_per_startup": 2})
    for key in ("dara", "jiwoo", "anna"):
        db.session.execute(sa.text("UPDATE mentor_profiles SET capacity = 3 WHERE user_id = :id"),
                           {"id": w.mentors[key].id})
    run = services.run_matching(w.manager, w.cohort)
    per_startup = {}
    for startup_id, _ in pairs(w.cohort):
        per_startup[startup_id] = per_startup.get(startup_id, 0) + 1
    assert per_startup[w.startups["angkorpay"].id] == 2 and per_startup[w.startups["biolab"].id] == 2
    assert per_startup[w.startups["kasekor"].id] == 1  # only Dara speaks Khmer
    assert run.shortfalls == [{"startup_id": w.startups["kasekor"].id, "missing": 1, "reason": "excluded",
                               "compatible": 0}]


def test_settings_are_validated(matching_world):
    w = matching_world
    data = {key: getattr(services.settings_for(w.cohort), key) for key in services.SETTING_LIMITS}
    cases = ((dict(mentors_per_startup=0), "mentors_per_startup"), (dict(min_score=101), "min_score"),
             (dict(weight_needs=0, weight_sector=0, weight_timezone=0), "weight_needs"),
             (dict(work_start_hour=18, work_end_hour=9), "work_end_hour"), (dict(must_weight="3"), "must_weight"))
    for bad, field in cases:
        with pytest.raises(ServiceError) as caught:
            services.save_settings(w.manager, w.cohort, data | bad)
        assert field in caught.value.fields


def test_a_completed_cohort_cannot_be_matched(matching_world):
    w = matching_world
    w.cohort.status = CohortStatus.COMPLETED
    with pytest.raises(ConflictError):
        services.run_matching(w.manager, w.cohort)


def test_publish_notifies_mentors_and_founders(matching_world):
    w = matching_world
    services.run_matching(w.manager, w.cohort)
    published = services.publish(w.manager, w.cohort)
    assert len(published) == 3 and all(m.status == MatchStatus.PUBLISHED and m.published_at for m in published)
    for user in [*w.mentors.values(), *w.founders.values()]:
        assert db.session.scalar(sa.select(Notification).where(Notification.user_id == user.id,
                                                               Notification.category == "matching")), user.name
    emails = db.session.scalars(sa.select(OutboxMessage.to_email).where(OutboxMessage.category == "matching")).all()
    assert w.mentors["dara"].email in emails and w.founders["kasekor"].email in emails
    with pytest.raises(ConflictError):
        services.publish(w.manager, w.cohort)


def test_swap_rechecks_hard_constraints_and_locks(matching_world):
    w = matching_world
    services.run_matching(w.manager, w.cohort)
    proposal = db.session.scalar(sa.select(Match).where(Match.startup_id == w.startups["kasekor"].id))
    with pytest.raises(ConflictError) as language:
        services.swap_mentor(w.manager, proposal, w.mentors["jiwoo"])
    assert "speaks none" in language.value.message
    newcomer = mentor(languages=("km",), capacity=1, name="Sreyneang Kong")
    db.session.add(MentorConflict(mentor_id=newcomer.id, startup_id=w.startups["kasekor"].id))
    db.session.flush()
    with pytest.raises(ConflictError) as conflict:
        services.swap_mentor(w.manager, proposal, newcomer)
    assert "conflict" in conflict.value.message
    db.session.execute(sa.delete(MentorConflict))
    biolab = db.session.scalar(sa.select(Match).where(Match.startup_id == w.startups["biolab"].id))
    with pytest.raises(ConflictError) as full:
        services.swap_mentor(w.manager, biolab, w.mentors["dara"])  # Dara's one place is taken by Kasekor
    assert "capacity" in full.value.message
    services.swap_mentor(w.manager, proposal, newcomer)
    assert (proposal.mentor_id, proposal.locked) == (newcomer.id, True)
    assert proposal.explanation["must_covered"] == [] and proposal.explanation["must_missing"] == ["Cold chain"]
    options = services.swap_options(biolab)
    assert [o["mentor"].name for o in options if not o["problems"]] == ["Dara Pich"]  # Kasekor freed Dara


def test_swap_and_lock_only_on_proposals(matching_world):
    w = matching_world
    accepted = match(w.startups["kasekor"], w.mentors["dara"], MatchStatus.ACCEPTED)
    with pytest.raises(ConflictError):
        services.swap_mentor(w.manager, accepted, w.mentors["anna"])
    with pytest.raises(ConflictError):
        services.set_locked(w.manager, accepted, True)
    proposal = match(w.startups["biolab"], w.mentors["anna"])
    services.set_locked(w.manager, proposal, True)
    assert proposal.locked


def test_removing_an_accepted_match_tells_both_sides(matching_world):
    w = matching_world
    accepted = match(w.startups["kasekor"], w.mentors["dara"], MatchStatus.ACCEPTED)
    services.remove_match(w.manager, accepted)
    assert accepted.status == MatchStatus.ENDED and accepted.ended_by_id == w.manager.id
    told = db.session.scalars(sa.select(Notification.user_id).where(Notification.category == "matching")).all()
    assert set(told) == {w.mentors["dara"].id, w.founders["kasekor"].id}
    with pytest.raises(ConflictError):
        services.remove_match(w.manager, accepted)


def test_accept_then_founders_may_book(matching_world):
    w = matching_world
    published = match(w.startups["kasekor"], w.mentors["dara"], MatchStatus.PUBLISHED)
    assert queries.accepted_match(w.mentors["dara"].id, w.startups["kasekor"].id) is None
    match_answers.accept_match(w.mentors["dara"], published)
    assert queries.accepted_match(w.mentors["dara"].id, w.startups["kasekor"].id).id == published.id
    assert queries.mentors_of_startup(w.startups["kasekor"].id) == [w.mentors["dara"]]
    assert queries.startups_of_mentor(w.mentors["dara"].id) == [w.startups["kasekor"]]
    assert db.session.scalar(sa.select(Notification).where(Notification.user_id == w.founders["kasekor"].id))
    with pytest.raises(ConflictError):
        match_answers.accept_match(w.mentors["dara"], published)
    with pytest.raises(ConflictError):
        match_answers.decline_match(w.mentors["dara"], published, "Changed my mind")


def test_decline_needs_a_reason_and_tells_managers(matching_world):
    w = matching_world
    published = match(w.startups["kasekor"], w.mentors["dara"], MatchStatus.PUBLISHED)
    with pytest.raises(ServiceError) as empty:
        match_answers.decline_match(w.mentors["dara"], published, "   ")
    assert "reason" in empty.value.fields
    with pytest.raises(ForbiddenError):
        match_answers.decline_match(w.mentors["anna"], published, "Not mine")
    match_answers.decline_match(w.mentors["dara"], published, "Travelling all quarter")
    assert (published.status, published.decline_reason) == (MatchStatus.DECLINED, "Travelling all quarter")
    manager_notice = db.session.scalar(sa.select(Notification).where(Notification.user_id == w.manager.id))
    assert "Travelling all quarter" in manager_notice.body
    founder_notice = db.session.scalar(sa.select(Notification).where(Notification.user_id == w.founders["kasekor"].id))
    assert "Travelling" not in founder_notice.body  # the reason is for the incubator team


def test_unique_index_refuses_a_second_active_pair(matching_world):
    w = matching_world
    match(w.startups["kasekor"], w.mentors["dara"], MatchStatus.PROPOSED)
    with pytest.raises(sa.exc.IntegrityError):
        with db.session.begin_nested():
            match(w.startups["kasekor"], w.mentors["dara"], MatchStatus.PUBLISHED)
    match(w.startups["kasekor"], w.mentors["anna"], MatchStatus.DECLINED)
    match(w.startups["kasekor"], w.mentors["anna"], MatchStatus.PROPOSED)  # declined pairs do not block
