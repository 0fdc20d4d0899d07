"""Mentors' availability page: weekly hours, booking rules, exceptions and office hours; the cohort policy page."""
from __future__ import annotations

from datetime import date, time

import pytest
import sqlalchemy as sa
import time_machine

from incubator.cohorts.models import CohortStatus
from incubator.core.errors import ConflictError, ServiceError
from incubator.extensions import db
from incubator.mentoring.models.availability import (
    AvailabilityException,
    BookingSettings,
    MentoringPolicy,
    OfficeHours,
)
from incubator.mentoring.services import availability
from tests.factories import CohortFactory, UserFactory
from tests.mentoring.booking.conftest import berlin, hm, utc

NOW = utc(2026, 3, 20, 12, 0)
FORM = {"slot_minutes": "45", "buffer_minutes": "15", "notice_hours": "12", "window_days": "30",
        "location": "https://meet.example.org/anna"}


def rules_of(mentor) -> list[tuple[int, str, str]]:
    return [(r.weekday, f"{r.start_time:%H:%M}", f"{r.end_time:%H:%M}") for r in availability.weekly_rules(mentor.id)]


def test_weekly_hours_replace_the_old_ones(mentor):
    availability.set_weekly_hours(mentor, {0: [(hm("09:00"), hm("12:00"))]})
    availability.set_weekly_hours(mentor, {2: [(hm("14:00"), hm("17:00")), (hm("09:00"), hm("10:00"))]})
    assert rules_of(mentor) == [(2, "09:00", "10:00"), (2, "14:00", "17:00")]


@pytest.mark.parametrize("ranges, message", [
    ([("12:00", "09:00")], "end after it starts"),
    ([("09:00", "12:00"), ("11:00", "13:00")], "overlap"),
    ([(f"{h:02d}:00", f"{h:02d}:30") for h in range(7)], "at most 6"),
])
def test_bad_weekly_hours_are_refused_per_day(mentor, ranges, message):
    with pytest.raises(ServiceError) as caught:
        availability.set_weekly_hours(mentor, {3: [(hm(a), hm(b)) for a, b in ranges]})
    assert message in caught.value.fields["day_3"][0]


def test_mentor_saves_the_weekly_grid_in_her_own_time(client, login, mentor):
    login(mentor)
    page = client.get("/mentoring/availability").get_data(as_text=True)
    assert "Europe/Berlin" in page and 'name="day_0"' in page
    response = client.post("/mentoring/availability", data=FORM | {"day_0": "09:00-12:00, 14:00–17:30",
                                                                   "day_4": "8.30-10.00", "paused": ""})
    assert response.status_code == 302
    assert rules_of(mentor) == [(0, "09:00", "12:00"), (0, "14:00", "17:30"), (4, "08:30", "10:00")]
    settings = availability.settings_for(mentor.id)
    assert (settings.id is not None, settings.location, settings.paused) == (True, FORM["location"], False)
    again = client.get("/mentoring/availability").get_data(as_text=True)
    assert 'value="09:00-12:00, 14:00-17:30"' in again


@pytest.mark.parametrize("changes, field_text", [
    ({"day_1": "nine to five"}, "Write times like 09:00-12:00"),
    ({"day_1": "25:00-26:00"}, "Use times from 00:00 to 23:59"),
    ({"day_1": "10:00-09:00"}, "must end after it starts"),
    ({"notice_hours": "400"}, "Number must be between 0 and 336"),
    ({"slot_minutes": "7"}, "Not a valid choice"),
])
def test_invalid_availability_is_shown_and_nothing_changes(client, login, mentor, changes, field_text):
    availability.set_weekly_hours(mentor, {0: [(hm("09:00"), hm("10:00"))]})
    login(mentor)
    response = client.post("/mentoring/availability", data=FORM | {"day_0": "09:00-12:00"} | changes)
    assert response.status_code == 422
    assert field_text in response.get_data(as_text=True)
    assert rules_of(mentor) == [(0, "09:00", "10:00")]
    assert db.session.scalar(sa.select(BookingSettings).where(BookingSettings.mentor_id == mentor.id)) is None


def test_only_mentors_have_an_availability_page(client, login, founder):
    login(founder)
    assert client.get("/mentoring/availability").status_code == 403


def test_exceptions_rules(mentor):
    today = date(2026, 3, 20)
    with pytest.raises(ServiceError, match="today or a later date"):
        availability.add_exception(mentor, {"day": date(2026, 3, 19), "kind": "off"}, now=NOW)
    with pytest.raises(ServiceError, match="extra hours' start and end"):
        availability.add_exception(mentor, {"day": today, "kind": "extra"}, now=NOW)
    with pytest.raises(ServiceError, match="both times"):
        availability.add_exception(mentor, {"day": today, "kind": "off", "start_time": hm("10:00")}, now=NOW)
    with pytest.raises(ServiceError, match="after the start"):
        availability.add_exception(mentor, {"day": today, "kind": "off", "start_time": hm("10:00"),
                                            "end_time": hm("09:00")}, now=NOW)
    added = availability.add_exception(mentor, {"day": today, "kind": "off", "note": "Holiday"}, now=NOW)
    assert added.whole_day and availability.upcoming_exceptions(mentor, NOW) == [added]


def test_mentor_adds_and_removes_exceptions_on_the_page(client, login, mentor):
    with time_machine.travel(NOW, tick=False):
        login(mentor)
        response = client.post("/mentoring/availability/exceptions",
                               data={"day": "2026-03-25", "kind": "extra", "start_time": "18:00",
                                     "end_time": "20:00", "note": "Evening for Asia"})
        assert response.status_code == 302
        refused = client.post("/mentoring/availability/exceptions", data={"day": "2026-03-25", "kind": "extra"})
        assert refused.status_code == 422 and "start and end" in refused.get_data(as_text=True)
    exception = db.session.scalar(sa.select(AvailabilityException))
    assert (exception.kind.value, exception.start_time, exception.end_time) == ("extra", time(18), time(20))
    other = UserFactory(role=mentor.role)
    db.session.commit()
    client.post("/auth/logout")
    login(other)
    assert client.post(f"/mentoring/availability/exceptions/{exception.id}/delete").status_code == 403
    client.post("/auth/logout")
    login(mentor)
    assert client.post(f"/mentoring/availability/exceptions/{exception.id}/delete").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(AvailabilityException.id))) == 0


def test_office_hours_repeat_weekly_and_cannot_overlap(mentor, cohort):
    data = {"day": date(2026, 3, 26), "start_time": hm("14:00"), "end_time": hm("16:00"), "slot_minutes": 30,
            "repeat_weeks": 3, "topic": "Fundraising"}
    blocks = availability.open_office_hours(mentor, cohort, data, now=NOW)
    assert [b.starts_at for b in blocks] == [berlin(2026, 3, 26, 14), berlin(2026, 4, 2, 14), berlin(2026, 4, 9, 14)]
    # 14:00 in Berlin is 13:00 UTC in winter and 12:00 UTC after the change on 29 March.
    assert [b.starts_at.hour for b in blocks] == [13, 12, 12]
    with pytest.raises(ConflictError, match="overlap"):
        availability.open_office_hours(mentor, cohort, data | {"repeat_weeks": 1, "day": date(2026, 4, 2),
                                                              "start_time": hm("15:00")}, now=NOW)


@pytest.mark.parametrize("changes, message", [
    ({"day": date(2026, 3, 19)}, "in the future"),
    ({"end_time": hm("13:00")}, "after the start"),
    ({"slot_minutes": 240}, "must fit inside"),
    ({"repeat_weeks": 13}, "1 to 12 weeks"),
    ({"end_time": hm("23:59"), "start_time": hm("08:00")}, "at most 12 hours"),
])
def test_office_hours_refusals(mentor, cohort, changes, message):
    data = {"day": date(2026, 3, 26), "start_time": hm("14:00"), "end_time": hm("16:00"), "slot_minutes": 30,
            "repeat_weeks": 1}
    with pytest.raises(ServiceError, match=message):
        availability.open_office_hours(mentor, cohort, data | changes, now=NOW)


def test_office_hours_need_a_running_cohort(mentor):
    planning = CohortFactory(status=CohortStatus.PLANNING)
    with pytest.raises(ServiceError, match="running cohort"):
        availability.open_office_hours(mentor, planning, {"day": date(2026, 3, 26), "start_time": hm("14:00"),
                                                          "end_time": hm("16:00"), "slot_minutes": 30}, now=NOW)


def test_mentor_opens_and_closes_office_hours_on_the_page(client, login, mentor, cohort):
    with time_machine.travel(NOW, tick=False):
        login(mentor)
        response = client.post("/mentoring/office-hours", data={
            "cohort_id": cohort.id, "day": "2026-03-26", "start_time": "14:00", "end_time": "16:00",
            "slot_minutes": "30", "repeat_weeks": "2", "topic": "Pitch practice", "location": ""})
        assert response.status_code == 302
        page = client.get("/mentoring/availability").get_data(as_text=True)
        assert "Pitch practice" in page and "Cohort Mekong" in page
        block = db.session.scalar(sa.select(OfficeHours).order_by(OfficeHours.id))
        assert client.post(f"/mentoring/office-hours/{block.id}/close").status_code == 302
    db.session.expire_all()
    assert db.session.get(OfficeHours, block.id).closed_at is not None


def test_the_page_previews_open_slots_in_the_mentors_time(client, login, mentor):
    availability.set_weekly_hours(mentor, {0: [(hm("09:00"), hm("10:00"))]})
    db.session.commit()
    with time_machine.travel(NOW, tick=False):
        login(mentor)
        page = client.get("/mentoring/availability").get_data(as_text=True)
    assert "Mon 23 Mar" in page and ">09:00<" in page


def test_managers_set_the_cohort_policy(client, login, manager, cohort):
    login(manager)
    page = client.get(f"/mentoring/cohorts/{cohort.id}/policy").get_data(as_text=True)
    assert 'value="4.0"' in page and 'value="24"' in page  # the defaults
    response = client.post(f"/mentoring/cohorts/{cohort.id}/policy",
                           data={"monthly_hours": "2.5", "cancel_cutoff_hours": "12"})
    assert response.status_code == 302
    policy = db.session.scalar(sa.select(MentoringPolicy).where(MentoringPolicy.cohort_id == cohort.id))
    assert (policy.monthly_minutes, policy.cancel_cutoff_hours, policy.updated_by_id) == (150, 12, manager.id)
    refused = client.post(f"/mentoring/cohorts/{cohort.id}/policy",
                          data={"monthly_hours": "-1", "cancel_cutoff_hours": "12"})
    assert refused.status_code == 422
