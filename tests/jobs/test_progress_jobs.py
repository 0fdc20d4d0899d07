"""The progress jobs: check-in reminder and nudge, managers' digest, overdue-milestone alerts.

Times are in Asia/Phnom_Penh (UTC+7): Monday 23 November 2026 09:00 there is 02:00 UTC.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
import time_machine

from incubator.auth.models import Role
from incubator.cohorts.models import CohortStatus, StartupStatus
from incubator.extensions import db
from incubator.jobs.registry import get_job
from incubator.jobs.runner import SKIPPED, SUCCEEDED, catch_up, run_job
from incubator.notifications.models import Notification, OutboxMessage
from incubator.notifications.services import set_email_preference
from incubator.progress.models import CheckIn, Milestone, MilestoneStatus
from tests.factories import CohortFactory, StartupFactory, TeamMemberFactory, UserFactory, founder_of


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


MONDAY_9 = utc(2026, 11, 23, 2, 0)  # Monday 09:00 in Phnom Penh, ISO week 2026-W48
MONDAY = date(2026, 11, 23)
LAST_MONDAY = date(2026, 11, 16)
THURSDAY_9 = utc(2026, 11, 26, 2, 0)


def emails(category: str | None = None) -> list[OutboxMessage]:
    db.session.expire_all()
    query = sa.select(OutboxMessage).order_by(OutboxMessage.id)
    if category:
        query = query.where(OutboxMessage.category == category)
    return db.session.scalars(query).all()


def recipients(category: str | None = None) -> list[str]:
    return sorted(message.to_email for message in emails(category))


def notifications_of(user_id: int) -> list[Notification]:
    db.session.expire_all()
    return db.session.scalars(sa.select(Notification).where(Notification.user_id == user_id)).all()


def checkin(startup, week_start: date, **kwargs) -> CheckIn:
    row = CheckIn(startup_id=startup.id, week_start=week_start, morale=kwargs.pop("morale", 4), **kwargs)
    db.session.add(row)
    db.session.flush()
    return row


def milestone(startup, title: str, due_on: date, status=MilestoneStatus.PLANNED) -> Milestone:
    row = Milestone(startup_id=startup.id, title=title, due_on=due_on, status=status)
    db.session.add(row)
    db.session.flush()
    return row


@pytest.fixture
def world():
    """A running cohort with startups in every situation, plus a completed cohort; committed."""
    running = CohortFactory(name="Cohort Running", status=CohortStatus.RUNNING)
    completed = CohortFactory(name="Cohort Done", status=CohortStatus.COMPLETED)
    silent = StartupFactory(cohort=running, name="Silent Solar")
    reporting = StartupFactory(cohort=running, name="Reporting Rice")
    withdrawn = StartupFactory(cohort=running, name="Withdrawn Water", status=StartupStatus.WITHDRAWN)
    graduated = StartupFactory(cohort=running, name="Graduated Grain", status=StartupStatus.GRADUATED)
    old = StartupFactory(cohort=completed, name="Old Orchard")
    people = {
        "silent": founder_of(silent, email="silent@example.org"),
        "silent_seoul": founder_of(silent, email="seoul@example.org", timezone="Asia/Seoul"),
        "silent_inactive": founder_of(silent, email="gone@example.org", is_active=False),
        "reporting": founder_of(reporting, email="reporting@example.org"),
        "withdrawn": founder_of(withdrawn, email="withdrawn@example.org"),
        "graduated": founder_of(graduated, email="graduated@example.org"),
        "old": founder_of(old, email="old@example.org"),
        "manager": UserFactory(role=Role.MANAGER, email="manager@example.org"),
        "manager2": UserFactory(role=Role.MANAGER, email="manager2@example.org", locale="km"),
        "manager_off": UserFactory(role=Role.MANAGER, email="retired@example.org", is_active=False),
    }
    # A team member without an account and a mentor on the team are never emailed.
    TeamMemberFactory(startup=silent, user=None, email="no-account@example.org")
    mentor = UserFactory(role=Role.MENTOR, email="mentor@example.org")
    TeamMemberFactory(startup=silent, user=mentor, email=mentor.email, is_founder=False)
    checkin(reporting, MONDAY)
    ids = {name: user.id for name, user in people.items()}
    ids.update(running=running.id, silent_id=silent.id, reporting_id=reporting.id, completed=completed.id)
    startups = {"silent": silent, "reporting": reporting, "withdrawn": withdrawn, "graduated": graduated,
                "old": old}
    db.session.commit()
    return ids, startups


# Weekly check-in reminder ----------------------------------------------------------------------


def test_monday_reminder_goes_only_to_active_founders_of_tracked_startups_without_a_checkin(app, world):
    ids, _ = world
    with time_machine.travel(MONDAY_9, tick=False):
        outcome = run_job(app, "weekly_checkin_reminder")
    assert (outcome.status, outcome.period_key) == (SUCCEEDED, "2026-W48")
    assert recipients() == ["seoul@example.org", "silent@example.org"]
    message = emails()[0]
    assert message.category == "reminders" and message.subject == "Time for the weekly check-in of Silent Solar"
    assert message.dedupe_key == f"notify:weekly_checkin_reminder:2026-W48:{ids['silent_id']}:{ids['silent']}"
    assert f"http://127.0.0.1:5000/progress/startups/{ids['silent_id']}/checkin" in message.body_text
    assert "for the week of 23 November 2026" in message.body_text and "23 November 2026" in message.body_html
    assert message.list_unsubscribe and message.list_unsubscribe in message.body_text  # one-click unsubscribe
    [notice] = notifications_of(ids["silent"])
    assert notice.link == f"/progress/startups/{ids['silent_id']}/checkin" and notice.category == "reminders"
    for name in ("reporting", "withdrawn", "graduated", "old", "silent_inactive", "manager"):
        assert notifications_of(ids[name]) == []


def test_reminder_is_once_per_week_and_a_forced_run_only_reaches_people_not_told_yet(app, world):
    ids, startups = world
    assert run_job(app, "weekly_checkin_reminder", now=MONDAY_9).status == SUCCEEDED
    assert run_job(app, "weekly_checkin_reminder", now=MONDAY_9 + timedelta(hours=1)).status == SKIPPED
    forced = run_job(app, "weekly_checkin_reminder", now=MONDAY_9 + timedelta(hours=2), force=True)
    assert forced.status == SUCCEEDED and forced.period_key.startswith("manual:")
    assert len(emails()) == 2  # the dedupe keys come from the week, not the run key
    late = founder_of(startups["silent"], email="late@example.org")
    db.session.commit()
    run_job(app, "weekly_checkin_reminder", now=MONDAY_9 + timedelta(hours=3), force=True)
    assert recipients() == ["late@example.org", "seoul@example.org", "silent@example.org"]
    assert late.id  # the forced run told the founder added since
    # Next week is a new period: everyone without a check-in is reminded again (Reporting Rice too now).
    run_job(app, "weekly_checkin_reminder", now=MONDAY_9 + timedelta(days=7))
    assert len(emails()) == 3 + 4 and "reporting@example.org" in recipients()


def test_reminder_is_caught_up_once_when_the_scheduler_was_down(app, world):
    wednesday = MONDAY_9 + timedelta(days=2)
    spec = get_job("weekly_checkin_reminder")
    assert [o.status for o in catch_up(app, now=wednesday, jobs=[spec])] == [SUCCEEDED]
    assert catch_up(app, now=wednesday + timedelta(minutes=10), jobs=[spec]) == []
    assert len(emails()) == 2


def test_email_preference_off_keeps_the_in_app_reminder(app, world):
    ids, _ = world
    from incubator.auth.models import User

    set_email_preference(db.session.get(User, ids["silent"]), "reminders", False)
    db.session.commit()
    run_job(app, "weekly_checkin_reminder", now=MONDAY_9)
    assert recipients() == ["seoul@example.org"]
    assert len(notifications_of(ids["silent"])) == 1


def test_week_boundary_follows_phnom_penh_not_utc(app, world):
    ids, startups = world
    checkin(startups["silent"], LAST_MONDAY)  # Silent Solar checked in for week 47 only
    db.session.commit()
    sunday_night = utc(2026, 11, 22, 16, 30)  # Sunday 23:30 in Phnom Penh: still week 47
    assert run_job(app, "weekly_checkin_reminder", now=sunday_night).period_key == "2026-W47"
    # Silent Solar has week 47's check-in; Reporting Rice only week 48's, so it is reminded for week 47.
    assert recipients() == ["reporting@example.org"]
    monday_early = utc(2026, 11, 22, 17, 30)  # Monday 00:30 in Phnom Penh, still Sunday in UTC
    assert run_job(app, "weekly_checkin_reminder", now=monday_early).period_key == "2026-W48"
    assert recipients() == ["reporting@example.org", "seoul@example.org", "silent@example.org"]
    assert [m.dedupe_key.split(":")[2] for m in emails()] == ["2026-W47", "2026-W48", "2026-W48"]


# Thursday nudge ------------------------------------------------------------------------------


def test_thursday_nudge_goes_to_those_still_without_a_checkin(app, world):
    ids, startups = world
    run_job(app, "weekly_checkin_reminder", now=MONDAY_9)
    checkin(startups["silent"], MONDAY)  # Silent Solar checked in on Tuesday
    other = StartupFactory(cohort=startups["silent"].cohort, name="Late Lotus")
    founder_of(other, email="lotus@example.org")
    db.session.commit()
    with time_machine.travel(THURSDAY_9, tick=False):
        outcome = run_job(app, "checkin_nudge")
    assert (outcome.status, outcome.period_key) == (SUCCEEDED, "2026-W48")
    [nudge] = [m for m in emails() if m.dedupe_key.startswith("notify:checkin_nudge:")]
    assert nudge.to_email == "lotus@example.org"
    assert nudge.subject == "Reminder: Late Lotus has not checked in this week"
    assert "has not sent its check-in for the week of 23 November 2026 yet" in nudge.body_text


def test_nudge_is_caught_up_only_within_24_hours(app, world):
    spec = get_job("checkin_nudge")
    assert catch_up(app, now=THURSDAY_9 + timedelta(days=2), jobs=[spec]) == []  # Saturday: too late
    assert emails() == []
    assert [o.status for o in catch_up(app, now=THURSDAY_9 + timedelta(hours=20), jobs=[spec])] == [SUCCEEDED]
    assert recipients() == ["seoul@example.org", "silent@example.org"]


# Managers' digest ----------------------------------------------------------------------------


def test_weekly_digest_lists_missing_checkins_overdue_milestones_and_help_flags(app, world):
    ids, startups = world
    checkin(startups["reporting"], LAST_MONDAY, help_requested=True, help_text="Need a lawyer for the lease.",
            help_tags=["legal"])
    milestone(startups["silent"], "Company registered", date(2026, 11, 1))
    milestone(startups["reporting"], "Pilot with 3 farms", date(2026, 11, 20), MilestoneStatus.IN_PROGRESS)
    milestone(startups["reporting"], "Done already", date(2026, 11, 2), MilestoneStatus.DONE)
    milestone(startups["reporting"], "Due today", MONDAY)
    milestone(startups["withdrawn"], "Withdrawn work", date(2026, 11, 1))
    milestone(startups["old"], "Old cohort work", date(2026, 11, 1))
    db.session.commit()
    with time_machine.travel(MONDAY_9 - timedelta(hours=1), tick=False):  # Monday 08:00
        outcome = run_job(app, "manager_digest")
    assert outcome.status == SUCCEEDED and outcome.summary == "digest for 1 cohorts sent to 2 managers"
    assert recipients("digests") == ["manager2@example.org", "manager@example.org"]
    english = next(m for m in emails() if m.to_email == "manager@example.org")
    text = english.body_text
    assert "Check-ins are counted for the week of 16 November 2026" in text
    assert "== Cohort Running ==" in text and "Active startups: 2" in text and "Cohort Done" not in text
    assert "Missing check-ins: 1\n- Silent Solar\n" in text  # Reporting Rice checked in last week
    assert "Overdue milestones: 2\n- Silent Solar: Company registered · due 1 November 2026\n" in text
    assert "- Reporting Rice: Pilot with 3 farms · due 20 November 2026" in text
    assert "Due today" not in text and "Done already" not in text and "Withdrawn work" not in text
    assert "Open help requests: 1\n- Reporting Rice (Legal): Need a lawyer for the lease." in text
    assert f"Dashboard: http://127.0.0.1:5000/progress/cohorts/{ids['running']}" in text
    assert f'href="http://127.0.0.1:5000/progress/cohorts/{ids["running"]}"' in english.body_html
    assert english.list_unsubscribe and "Weekly digest" in text
    [notice] = notifications_of(ids["manager"])
    assert notice.body == "Missing check-ins last week: 1. Overdue milestones: 2. Open help requests: 1."
    assert notice.link == f"/progress/cohorts/{ids['running']}"
    assert '<html lang="km">' in next(m for m in emails() if m.to_email == "manager2@example.org").body_html
    assert run_job(app, "manager_digest", now=MONDAY_9).status == SKIPPED
    run_job(app, "manager_digest", now=MONDAY_9, force=True)
    assert len(emails("digests")) == 2


def test_digest_shows_the_first_few_items_and_how_many_more(app, world):
    ids, startups = world
    for n in range(7):
        StartupFactory(cohort=startups["silent"].cohort, name=f"Quiet {n}")
    db.session.commit()
    run_job(app, "manager_digest", now=MONDAY_9)
    text = emails("digests")[0].body_text
    # Silent Solar, Reporting Rice (its check-in is for this week, not last week) and the 7 new ones.
    assert "Missing check-ins: 9" in text and "- and 4 more" in text and text.count("\n- Quiet ") <= 5


# Overdue milestones --------------------------------------------------------------------------


def test_overdue_alerts_to_founders_per_startup_and_one_combined_message_per_manager(app, world):
    ids, startups = world
    milestone(startups["silent"], "Company registered", date(2026, 11, 1))
    milestone(startups["silent"], "First sale", date(2026, 11, 22), MilestoneStatus.IN_PROGRESS)
    milestone(startups["reporting"], "Pilot with 3 farms", date(2026, 11, 20))
    milestone(startups["reporting"], "Missed it", date(2026, 11, 2), MilestoneStatus.MISSED)
    milestone(startups["reporting"], "Due today", MONDAY)
    milestone(startups["graduated"], "Graduated work", date(2026, 11, 1))
    milestone(startups["old"], "Old cohort work", date(2026, 11, 1))
    db.session.commit()
    with time_machine.travel(MONDAY_9 - timedelta(hours=1), tick=False):  # 08:00
        outcome = run_job(app, "overdue_milestones")
    assert (outcome.status, outcome.period_key) == (SUCCEEDED, "2026-11-23")
    assert outcome.summary == "3 overdue milestones of 2 startups; 5 messages"
    assert recipients() == ["manager2@example.org", "manager@example.org", "reporting@example.org",
                            "seoul@example.org", "silent@example.org"]
    by_to = {m.to_email: m for m in emails()}
    silent = by_to["silent@example.org"]
    assert silent.subject == "2 overdue milestones at Silent Solar" and silent.category == "reminders"
    assert "- Company registered · due 1 November 2026\n- First sale · due 22 November 2026" in silent.body_text
    assert "Pilot" not in silent.body_text
    assert by_to["reporting@example.org"].subject == "1 overdue milestone at Reporting Rice"
    manager = by_to["manager@example.org"]
    assert manager.subject == "3 overdue milestones in the running cohorts"
    assert "Silent Solar (2):" in manager.body_text and "Reporting Rice (1):" in manager.body_text
    for absent in ("Missed it", "Due today", "Graduated work", "Old cohort work"):
        assert absent not in manager.body_text
    assert manager.dedupe_key == f"notify:overdue_milestones:2026-11-23:manager:{ids['manager']}"
    # A rerun, a catch-up or a forced run the same day sends nothing more; the next day alerts again.
    assert run_job(app, "overdue_milestones", now=MONDAY_9).status == SKIPPED
    assert catch_up(app, now=MONDAY_9 + timedelta(hours=3), jobs=[get_job("overdue_milestones")]) == []
    run_job(app, "overdue_milestones", now=MONDAY_9 + timedelta(hours=4), force=True)
    assert len(emails()) == 5
    run_job(app, "overdue_milestones", now=MONDAY_9 + timedelta(days=1))
    assert len(emails()) == 10


def test_no_overdue_milestones_no_messages(app, world):
    assert run_job(app, "overdue_milestones", now=MONDAY_9).summary == "no overdue milestones"
    assert emails() == []


# A fixed number of queries -------------------------------------------------------------------


def _crowd(cohort, count: int) -> None:
    """Startups without founder accounts: no check-ins, an overdue milestone and an open help flag each."""
    for _n in range(count):
        startup = StartupFactory(cohort=cohort)
        TeamMemberFactory(startup=startup, user=None)
        milestone(startup, "Late", date(2026, 10, 1))
        checkin(startup, LAST_MONDAY - timedelta(days=7), help_requested=True, help_text="Help")


@pytest.mark.parametrize(("job", "first", "second"), [
    ("weekly_checkin_reminder", "2026-W48", "2026-W49"),
    ("checkin_nudge", "2026-W48", "2026-W49"),
    ("manager_digest", "2026-W48", "2026-W49"),
    ("overdue_milestones", "2026-11-23", "2026-11-24"),
])
def test_each_job_runs_a_fixed_number_of_queries_whatever_the_number_of_startups(
        app, world, count_queries, job, first, second):
    ids, startups = world
    milestone(startups["silent"], "Company registered", date(2026, 11, 1))
    checkin(startups["reporting"], MONDAY + timedelta(days=7))  # so that both weeks remind the same people
    _crowd(startups["silent"].cohort, 2)
    db.session.commit()
    with count_queries() as few:
        assert run_job(app, job, period=first, now=MONDAY_9).status == SUCCEEDED
    sent = len(emails())
    _crowd(startups["silent"].cohort, 40)
    other = CohortFactory(status=CohortStatus.RUNNING)
    _crowd(other, 20)
    db.session.commit()
    with count_queries() as many:
        assert run_job(app, job, period=second, now=MONDAY_9 + timedelta(days=7)).status == SUCCEEDED
    # The same people are told (the crowd has no founder accounts), so the same statements run.
    assert len(emails()) == 2 * sent > 0
    assert many.count == few.count, "\n".join(many.statements)


def test_reminders_and_digests_can_be_turned_off_on_the_preferences_page(app, client, login):
    founder = UserFactory(role=Role.FOUNDER)
    manager = UserFactory(role=Role.MANAGER)
    db.session.commit()
    login(founder)
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert "email_reminders" in page and "email_digests" not in page
    client.post("/auth/logout")
    login(manager)
    page = client.get("/notifications/preferences").get_data(as_text=True)
    assert "email_reminders" in page and "email_digests" in page
