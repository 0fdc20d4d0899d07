"""A tranche becomes payable when its milestone is verified or its date comes; the daily job
``grant_tranches_due`` tells the founders (per tranche) and the managers (one message), once."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from incubator.auth.models import Role
from incubator.cohorts.models import StartupStatus
from incubator.extensions import db
from incubator.grants.models import Grant, Tranche, TrancheState
from incubator.grants.services.ledger import record_disbursement
from incubator.grants.services.plans import create_grant, update_grant
from incubator.grants.tasks import newly_payable
from incubator.jobs.registry import get_job
from incubator.jobs.runner import SKIPPED, SUCCEEDED, run_job
from incubator.notifications.models import Notification, OutboxMessage
from incubator.progress.models import Milestone, MilestoneStatus
from incubator.progress.services.milestones import update_milestone, verify_milestone
from tests.factories import UserFactory
from tests.grants.conftest import TODAY, plan


def _at_8_15(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 1, 15, tzinfo=timezone.utc)  # 08:15 in Phnom Penh


def notices(user_id: int) -> list[Notification]:
    db.session.expire_all()
    return db.session.scalars(sa.select(Notification).where(Notification.user_id == user_id,
                                                            Notification.category == "grants")
                              .order_by(Notification.id)).all()


def test_the_job_is_registered_daily_with_catch_up():
    spec = get_job("grant_tranches_due")
    assert spec.task == "incubator.grants.tasks:grant_tranches_due" and spec.catch_up
    assert spec.period.value == "day"


def test_tranche_becomes_payable_when_its_milestone_is_verified(app, manager, founder, grant, milestones):
    tranche = grant.tranches[1]
    assert tranche.state(TODAY) == TrancheState.WAITING
    verify_milestone(manager, milestones["pending"], approve=True)
    db.session.expire_all()
    tranche = db.session.get(Tranche, tranche.id)
    assert tranche.is_unlocked(TODAY) and tranche.state(TODAY) == TrancheState.PAYABLE
    # Sent back instead: not payable (the milestone is back in progress).
    third = db.session.get(Tranche, grant.tranches[2].id)
    planned = db.session.get(Milestone, milestones["planned"].id)
    update_milestone(manager, planned, {"status": "done", "evidence_url": "https://example.org/mvp"})
    verify_milestone(manager, planned, approve=False, comment="The link is broken.")
    assert third.state(TODAY) == TrancheState.WAITING


def test_job_announces_each_payable_tranche_once(app, manager, founder, grant, milestones):
    second_manager = UserFactory(role=Role.MANAGER, email="dara@example.org", locale="km")
    verify_milestone(manager, milestones["pending"], approve=True)
    db.session.commit()

    outcome = run_job(app, "grant_tranches_due", now=_at_8_15(TODAY))
    assert outcome.status == SUCCEEDED, outcome.error
    assert outcome.summary == "2 tranches of 1 startups became payable; 4 messages"
    titles = [n.title for n in notices(founder.id)]
    assert titles == ["Tranche 1: On signing of your grant is now payable: $3,000.00",
                      "Tranche 2: Discovery of your grant is now payable: $3,000.00"]
    bodies = [n.body for n in notices(founder.id)]
    assert "has come" in bodies[0] and "“30 customer interviews” was verified" in bodies[1]
    [manager_notice] = notices(manager.id)
    assert manager_notice.title == "2 grant tranches are now payable" and manager_notice.link == "/grants/"
    assert "Kasekor Cold Chain: Tranche 2: Discovery ($3,000.00)" in manager_notice.body
    assert len(notices(second_manager.id)) == 1  # written in Khmer, her language
    assert {m.category for m in db.session.scalars(sa.select(OutboxMessage))} == {"grants"}
    assert all(t.payable_notified_at for t in db.session.get(Grant, grant.id).tranches[:2])

    # The same day again is skipped; a forced run and the next day find nothing new.
    assert run_job(app, "grant_tranches_due", now=_at_8_15(TODAY) + timedelta(hours=1)).status == SKIPPED
    forced = run_job(app, "grant_tranches_due", now=_at_8_15(TODAY) + timedelta(hours=2), force=True)
    assert forced.summary == "no tranche became payable"
    assert run_job(app, "grant_tranches_due", now=_at_8_15(TODAY + timedelta(days=1))).summary == \
        "no tranche became payable"
    assert len(notices(founder.id)) == 2 and len(notices(manager.id)) == 1


def test_a_date_tranche_is_announced_on_its_day(app, manager, founder, startup, milestones):
    day = TODAY + timedelta(days=5)
    create_grant(manager, startup, plan(milestones, total="3000", tranches=[
        {"amount": "3000", "unlock": "date", "due_on": day}]))
    db.session.commit()
    assert run_job(app, "grant_tranches_due", now=_at_8_15(day - timedelta(days=1))).summary == \
        "no tranche became payable"
    assert run_job(app, "grant_tranches_due", now=_at_8_15(day)).summary.startswith("1 tranches")
    assert len(notices(founder.id)) == 1


def test_paid_tranches_and_withdrawn_startups_are_not_announced(manager, founder, startup, grant, milestones,
                                                                 other_startup):
    record_disbursement(manager, grant, {"tranche_id": grant.tranches[0].id, "amount": "3000", "paid_on": TODAY,
                                         "reference": "ABA-1"})
    assert newly_payable(TODAY) == []  # the payment already told the founders
    gone = create_grant(manager, other_startup, plan(milestones, total="100", tranches=[
        {"amount": "100", "unlock": "date", "due_on": TODAY}]))
    other_startup.status = StartupStatus.WITHDRAWN
    db.session.flush()
    assert gone.tranches[0].is_unlocked(TODAY) and newly_payable(TODAY) == []


def test_a_changed_condition_is_announced_again(app, manager, founder, grant, milestones):
    db.session.commit()
    run_job(app, "grant_tranches_due", now=_at_8_15(TODAY))
    assert len(notices(founder.id)) == 1
    grant = db.session.get(Grant, grant.id)
    data = plan(milestones)
    data["tranches"][0]["due_on"] = TODAY - timedelta(days=1)
    update_grant(manager, grant, data)
    db.session.commit()
    run_job(app, "grant_tranches_due", now=_at_8_15(TODAY), force=True)
    assert len(notices(founder.id)) == 2


def test_newly_payable_reads_in_one_query(manager, founder, grant, milestones, count_queries):
    with count_queries() as counter:
        tranches = newly_payable(TODAY)
        names = [(t.grant.startup.name, t.milestone) for t in tranches]
    assert counter.count == 1 and names == [("Kasekor Cold Chain", None)]


def test_the_milestone_must_be_verified_not_just_done(manager, grant, milestones):
    milestone = db.session.get(Milestone, milestones["pending"].id)
    assert milestone.status == MilestoneStatus.DONE
    assert not grant.tranches[1].is_unlocked(TODAY)
