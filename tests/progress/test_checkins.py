"""Weekly check-ins: one per ISO week in Asia/Phnom_Penh, editable until the week ends, help flags."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
import time_machine
from sqlalchemy.exc import IntegrityError

from incubator.audit.models import AuditEntry
from incubator.core.errors import ConflictError, ServiceError
from incubator.extensions import db
from incubator.progress.models import CheckIn
from incubator.progress.periods import current_week_start, iso_week_label, week_ends_at
from incubator.progress.services.checkins import resolve_help, submit_checkin, update_checkin
from tests.progress.conftest import pp

FORM = {"progress": "Signed two pilot farms.", "blockers": "", "help_text": "", "morale": "4"}


def _checkins(startup) -> list[CheckIn]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(CheckIn).where(CheckIn.startup_id == startup.id)
                                   .order_by(CheckIn.week_start)))


# The week, in Phnom Penh ---------------------------------------------------------------------------


@pytest.mark.parametrize(("moment", "monday", "label"), [
    (pp(2026, 11, 22, 23, 59, 59), date(2026, 11, 16), "2026-W47"),  # Sunday night: still week 47
    (pp(2026, 11, 23, 0, 0, 0), date(2026, 11, 23), "2026-W48"),  # Monday 00:00 starts week 48
    (pp(2026, 12, 31, 12, 0), date(2026, 12, 28), "2026-W53"),  # 2026 has 53 ISO weeks
    (pp(2027, 1, 3, 23, 0), date(2026, 12, 28), "2026-W53"),  # Sunday 3 January is still 2026's last week
    (pp(2027, 1, 4, 0, 30), date(2027, 1, 4), "2027-W01"),
])
def test_iso_week_follows_phnom_penh_time(app, moment, monday, label):
    with time_machine.travel(moment, tick=False):
        assert current_week_start() == monday
        assert iso_week_label(current_week_start()) == label


def test_week_ends_at_monday_midnight_phnom_penh_which_is_sunday_17_utc(app):
    assert week_ends_at(date(2026, 11, 16)).isoformat() == "2026-11-22T17:00:00+00:00"


def test_checkin_just_before_and_after_midnight_land_in_different_weeks(client, login, founder, startup):
    with time_machine.travel(pp(2026, 11, 22, 23, 58), tick=False):
        login(founder)
        assert client.post(f"/progress/startups/{startup.id}/checkin", data=FORM).status_code == 302
    with time_machine.travel(pp(2026, 11, 23, 0, 1), tick=False):
        assert client.post(f"/progress/startups/{startup.id}/checkin",
                           data=FORM | {"progress": "New week."}).status_code == 302
    assert [(c.week_start, c.iso_week) for c in _checkins(startup)] == [
        (date(2026, 11, 16), "2026-W47"), (date(2026, 11, 23), "2026-W48")]


def test_a_founder_abroad_still_follows_the_phnom_penh_week(client, login, founder, startup):
    founder.timezone = "Europe/Berlin"
    # Sunday 20:00 in Berlin is already Monday 02:00 in Phnom Penh.
    with time_machine.travel(pp(2026, 11, 23, 2, 0), tick=False):
        login(founder)
        client.post(f"/progress/startups/{startup.id}/checkin", data=FORM)
    assert _checkins(startup)[0].iso_week == "2026-W48"


# One per week --------------------------------------------------------------------------------------


def test_second_checkin_in_a_week_is_refused(founder, startup):
    with time_machine.travel(pp(2026, 11, 18, 9, 0), tick=False):
        submit_checkin(founder, startup, {"progress": "First", "morale": 3})
        with pytest.raises(ConflictError, match="already has a check-in"):
            submit_checkin(founder, startup, {"progress": "Second", "morale": 5})


def test_the_database_refuses_two_checkins_for_one_week(startup):
    db.session.add_all([CheckIn(startup_id=startup.id, week_start=date(2026, 11, 16), progress="a", morale=3),
                        CheckIn(startup_id=startup.id, week_start=date(2026, 11, 16), progress="b", morale=3)])
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_the_web_form_edits_this_weeks_checkin_instead_of_adding_one(client, login, founder, startup):
    with time_machine.travel(pp(2026, 11, 18, 9, 0), tick=False):
        login(founder)
        client.post(f"/progress/startups/{startup.id}/checkin", data=FORM)
        page = client.get(f"/progress/startups/{startup.id}/checkin").get_data(as_text=True)
        assert "Signed two pilot farms." in page  # prefilled for editing
        client.post(f"/progress/startups/{startup.id}/checkin", data=FORM | {"morale": "2"})
    [checkin] = _checkins(startup)
    assert checkin.morale == 2


# Editable until the week ends ----------------------------------------------------------------------


def test_edit_allowed_until_sunday_midnight_then_refused(founder, startup):
    with time_machine.travel(pp(2026, 11, 17, 9, 0), tick=False):
        checkin = submit_checkin(founder, startup, {"progress": "Started", "morale": 3})
    with time_machine.travel(pp(2026, 11, 22, 23, 59, 59), tick=False):
        update_checkin(founder, checkin, {"progress": "Finished", "morale": 4})
    with time_machine.travel(pp(2026, 11, 23, 0, 0, 0), tick=False), \
            pytest.raises(ConflictError, match="has ended"):
        update_checkin(founder, checkin, {"progress": "Too late", "morale": 5})
    assert checkin.progress == "Finished"


def test_editing_a_past_week_through_the_api_is_a_409(client, api_token, founder, startup):
    with time_machine.travel(pp(2026, 11, 17, 9, 0), tick=False):
        checkin = submit_checkin(founder, startup, {"progress": "Started", "morale": 3})
        db.session.commit()
    headers = api_token(founder)
    with time_machine.travel(pp(2026, 11, 24, 9, 0), tick=False):
        response = client.patch(f"/api/v1/checkins/{checkin.id}", json={"morale": 5}, headers=headers)
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "conflict"


# Validation ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("data", "field"), [
    ({"progress": "", "morale": 3}, "progress"),
    ({"progress": "x", "morale": 0}, "morale"),
    ({"progress": "x", "morale": 6}, "morale"),
    ({"progress": "x", "morale": None}, "morale"),
    ({"progress": "x", "morale": 3, "help_tags": ["astrology"]}, "help_tags"),
    ({"progress": "x" * 5001, "morale": 3}, "progress"),
])
def test_bad_checkins_are_refused_field_by_field(founder, startup, data, field):
    with pytest.raises(ServiceError) as caught:
        submit_checkin(founder, startup, data)
    assert field in caught.value.fields


def test_web_form_shows_errors_for_a_missing_morale(client, login, founder, startup):
    login(founder)
    response = client.post(f"/progress/startups/{startup.id}/checkin", data={"progress": "x"})
    assert response.status_code == 422
    assert "morale from 1 to 5." in response.get_data(as_text=True)
    assert _checkins(startup) == []


# Help flags -----------------------------------------------------------------------------------------


def test_help_raises_a_flag_that_a_manager_resolves_with_a_comment_founders_see(client, login, founder, manager,
                                                                              startup, cohort):
    login(founder)
    client.post(f"/progress/startups/{startup.id}/checkin",
                data=FORM | {"help_text": "We need a contract lawyer.", "help_tags": ["legal", "finance"]})
    [checkin] = _checkins(startup)
    assert checkin.help_open and checkin.help_tags == ["legal", "finance"]
    client.post("/auth/logout")

    login(manager)
    dashboard = client.get(f"/progress/cohorts/{cohort.id}").get_data(as_text=True)
    assert "We need a contract lawyer." in dashboard
    response = client.post(f"/progress/checkins/{checkin.id}/resolve",
                           data={"comment": "Introduced you to Sopheap at the legal clinic."})
    assert response.status_code == 302
    assert "We need a contract lawyer." not in client.get(f"/progress/cohorts/{cohort.id}").get_data(as_text=True)
    client.post("/auth/logout")

    login(founder)
    page = client.get(f"/progress/startups/{startup.id}").get_data(as_text=True)
    assert "Introduced you to Sopheap at the legal clinic." in page
    assert manager.name in page


def test_resolving_needs_a_comment_and_an_open_flag(manager, founder, startup):
    quiet = submit_checkin(founder, startup, {"progress": "Fine", "morale": 4})
    with pytest.raises(ConflictError, match="did not ask for help"):
        resolve_help(manager, quiet, "ok")
    update_checkin(founder, quiet, {"progress": "Fine", "morale": 4, "help_tags": ["hiring"]})
    with pytest.raises(ServiceError) as caught:
        resolve_help(manager, quiet, "  ")
    assert "comment" in caught.value.fields
    resolve_help(manager, quiet, "Shared two CVs.")
    with pytest.raises(ConflictError, match="already resolved"):
        resolve_help(manager, quiet, "again")


def test_asking_for_new_help_reopens_a_resolved_flag(manager, founder, startup):
    checkin = submit_checkin(founder, startup, {"progress": "x", "morale": 3, "help_text": "Need a designer"})
    resolve_help(manager, checkin, "Ask Dara.")
    update_checkin(founder, checkin, {"progress": "x, and more", "morale": 3, "help_text": "Need a designer"})
    assert not checkin.help_open  # the help itself did not change
    update_checkin(founder, checkin, {"progress": "x", "morale": 3, "help_text": "Need a designer and a lawyer"})
    assert checkin.help_open and checkin.help_resolution == ""


def test_check_in_changes_are_audited(founder, startup):
    checkin = submit_checkin(founder, startup, {"progress": "x", "morale": 3})
    update_checkin(founder, checkin, {"progress": "y", "morale": 3})
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["checkin.submitted", "checkin.updated"]
    details = db.session.scalar(sa.select(AuditEntry.details).order_by(AuditEntry.id.desc()))
    assert details["fields"] == ["progress"]


def test_mobile_checkin_form_has_the_week_and_deadline(client, login, founder, startup):
    with time_machine.travel(pp(2026, 11, 18, 9, 0), tick=False):
        login(founder)
        page = client.get(f"/progress/startups/{startup.id}/checkin").get_data(as_text=True)
    assert "week 2026-W47" in page
    assert "until Sunday 22 Nov, 23:59" in page  # the week's last minute, shown in the founder's zone
