"""Slot generation (pure): a mentor in Berlin, a founder in Phnom Penh, across both daylight-saving changes."""
from __future__ import annotations

from datetime import date, timedelta

from incubator.mentoring.slots import (
    DatedChange,
    Rules,
    WeeklyRange,
    group_by_day,
    local_ranges,
    office_hours_slots,
    regular_slots,
)
from tests.mentoring.booking.conftest import BERLIN, PHNOM_PENH, berlin, hm, utc

MONDAY, SUNDAY = 0, 6


def rules(*ranges, changes=(), slot=45, buffer=15, notice=12, window=30) -> Rules:
    return Rules(zone="Europe/Berlin", weekly=tuple(WeeklyRange(d, hm(a), hm(b)) for d, a, b in ranges),
                 changes=tuple(changes), slot_minutes=slot, buffer_minutes=buffer, notice_hours=notice,
                 window_days=window)


def starts(slots) -> list:
    return [s.starts_at for s in slots]


def test_berlin_nine_oclock_moves_in_utc_and_phnom_penh_in_march():
    weekly = rules((MONDAY, "09:00", "10:00"), slot=60, buffer=0)
    now = utc(2026, 3, 10, 0, 0)
    found = regular_slots(weekly, utc(2026, 3, 16), utc(2026, 4, 7), now)
    assert starts(found) == [utc(2026, 3, 16, 8), utc(2026, 3, 23, 8), utc(2026, 3, 30, 7), utc(2026, 4, 6, 7)]
    # Always 09:00 for the mentor; 15:00 and then 14:00 for a founder in Phnom Penh.
    assert {s.starts_at.astimezone(BERLIN).strftime("%H:%M") for s in found} == {"09:00"}
    assert [s.starts_at.astimezone(PHNOM_PENH).strftime("%a %d %H:%M") for s in found] == [
        "Mon 16 15:00", "Mon 23 15:00", "Mon 30 14:00", "Mon 06 14:00"]


def test_berlin_nine_oclock_moves_back_in_october():
    weekly = rules((MONDAY, "09:00", "10:00"), slot=60, buffer=0)
    found = regular_slots(weekly, utc(2026, 10, 19), utc(2026, 10, 27), utc(2026, 10, 1))
    assert starts(found) == [utc(2026, 10, 19, 7), utc(2026, 10, 26, 8)]
    assert [s.starts_at.astimezone(PHNOM_PENH).hour for s in found] == [14, 15]


def test_range_across_the_spring_forward_hour_has_real_length_slots():
    # 01:00-04:00 on 29 March is only two real hours in Berlin: 02:00-03:00 does not exist.
    weekly = rules((SUNDAY, "01:00", "04:00"), slot=60, buffer=0)
    found = regular_slots(weekly, utc(2026, 3, 28), utc(2026, 3, 30), utc(2026, 3, 1))
    assert starts(found) == [utc(2026, 3, 29, 0), utc(2026, 3, 29, 1)]
    assert all(s.minutes == 60 for s in found)
    assert [s.starts_at.astimezone(BERLIN).strftime("%H:%M %Z") for s in found] == ["01:00 CET", "03:00 CEST"]


def test_range_across_the_fall_back_hour_has_four_slots():
    # 01:00-04:00 on 25 October lasts four real hours: 02:00-03:00 happens twice.
    weekly = rules((SUNDAY, "01:00", "04:00"), slot=60, buffer=0)
    found = regular_slots(weekly, utc(2026, 10, 24), utc(2026, 10, 26), utc(2026, 10, 1))
    assert starts(found) == [utc(2026, 10, 24, 23), utc(2026, 10, 25, 0), utc(2026, 10, 25, 1), utc(2026, 10, 25, 2)]
    assert [s.starts_at.astimezone(BERLIN).strftime("%H:%M %Z") for s in found] == [
        "01:00 CEST", "02:00 CEST", "02:00 CET", "03:00 CET"]
    # In Phnom Penh the first of them falls on Sunday morning, the same day as the others.
    days = group_by_day(found, "Asia/Phnom_Penh")
    assert [(day, len(items)) for day, items in days] == [(date(2026, 10, 25), 4)]


def test_slots_follow_length_and_buffer_in_a_range():
    weekly = rules((MONDAY, "09:00", "12:00"), slot=45, buffer=15)
    found = regular_slots(weekly, utc(2026, 1, 5), utc(2026, 1, 6), utc(2026, 1, 1))
    assert [s.starts_at.astimezone(BERLIN).strftime("%H:%M") for s in found] == ["09:00", "10:00", "11:00"]
    assert all(s.minutes == 45 for s in found)


def test_minimum_notice_hides_slots_too_soon_and_keeps_the_boundary():
    weekly = rules((MONDAY, "09:00", "12:00"), slot=45, buffer=15, notice=12)
    # 12 hours before 10:00 Berlin on Monday 5 January (09:00 UTC) is 21:00 UTC on Sunday.
    found = regular_slots(weekly, utc(2026, 1, 5), utc(2026, 1, 6), utc(2026, 1, 4, 21, 0))
    assert starts(found) == [berlin(2026, 1, 5, 10), berlin(2026, 1, 5, 11)]
    later = regular_slots(weekly, utc(2026, 1, 5), utc(2026, 1, 6), utc(2026, 1, 4, 21, 1))
    assert starts(later) == [berlin(2026, 1, 5, 11)]


def test_booking_window_hides_slots_too_far_ahead():
    weekly = rules((MONDAY, "09:00", "10:00"), slot=60, buffer=0, notice=0, window=14)
    now = berlin(2026, 1, 5, 9, 0)
    found = regular_slots(weekly, now, now + timedelta(days=40), now)
    # Today's 09:00 (no notice needed), then one and two weeks ahead (exactly 14 days is still inside).
    assert starts(found) == [berlin(2026, 1, 5, 9), berlin(2026, 1, 12, 9), berlin(2026, 1, 19, 9)]


def test_taken_time_and_buffers_remove_neighbouring_slots():
    weekly = rules((MONDAY, "09:00", "12:00"), slot=45, buffer=15)
    taken = [(berlin(2026, 1, 5, 10, 30), berlin(2026, 1, 5, 11, 15))]  # an office-hours session off the grid
    found = regular_slots(weekly, utc(2026, 1, 5), utc(2026, 1, 6), utc(2026, 1, 1), taken)
    assert starts(found) == [berlin(2026, 1, 5, 9)]
    exact = [(berlin(2026, 1, 5, 9), berlin(2026, 1, 5, 9, 45))]
    found = regular_slots(weekly, utc(2026, 1, 5), utc(2026, 1, 6), utc(2026, 1, 1), exact)
    assert starts(found) == [berlin(2026, 1, 5, 10), berlin(2026, 1, 5, 11)]


def test_blocked_office_hours_are_not_weekly_slots():
    weekly = rules((MONDAY, "09:00", "12:00"), slot=45, buffer=15)
    blocked = [(berlin(2026, 1, 5, 10), berlin(2026, 1, 5, 11))]
    found = regular_slots(weekly, utc(2026, 1, 5), utc(2026, 1, 6), utc(2026, 1, 1), blocked=blocked)
    assert starts(found) == [berlin(2026, 1, 5, 9), berlin(2026, 1, 5, 11)]


def test_exceptions_take_days_off_cut_hours_and_add_extra_hours():
    monday, tuesday, wednesday = date(2026, 1, 5), date(2026, 1, 6), date(2026, 1, 7)
    weekly = rules((MONDAY, "09:00", "12:00"), (1, "09:00", "12:00"), changes=[
        DatedChange(monday, extra=False),
        DatedChange(tuesday, extra=False, start=hm("10:00"), end=hm("11:00")),
        DatedChange(wednesday, extra=True, start=hm("14:00"), end=hm("15:00")),
    ])
    assert local_ranges(weekly, monday) == []
    assert local_ranges(weekly, tuesday) == [(hm("09:00"), hm("10:00")), (hm("11:00"), hm("12:00"))]
    assert local_ranges(weekly, wednesday) == [(hm("14:00"), hm("15:00"))]
    found = regular_slots(weekly, utc(2026, 1, 5), utc(2026, 1, 8), utc(2026, 1, 1))
    assert starts(found) == [berlin(2026, 1, 6, 9), berlin(2026, 1, 6, 11), berlin(2026, 1, 7, 14)]


def test_overlapping_extra_hours_merge_with_weekly_hours():
    weekly = rules((MONDAY, "09:00", "11:00"), changes=[
        DatedChange(date(2026, 1, 5), extra=True, start=hm("10:00"), end=hm("12:00"))])
    assert local_ranges(weekly, date(2026, 1, 5)) == [(hm("09:00"), hm("12:00"))]


def test_evening_in_berlin_is_the_next_morning_in_phnom_penh():
    weekly = rules((MONDAY, "20:00", "21:00"), slot=60, buffer=0)
    found = regular_slots(weekly, utc(2026, 1, 5), utc(2026, 1, 7), utc(2026, 1, 1))
    assert [day for day, _slots in group_by_day(found, "Asia/Phnom_Penh")] == [date(2026, 1, 6)]
    assert found[0].starts_at.astimezone(PHNOM_PENH).strftime("%a %H:%M") == "Tue 02:00"


def test_office_hours_slots_keep_notice_and_buffer_but_no_window():
    block = (berlin(2026, 6, 1, 14), berlin(2026, 6, 1, 16))
    now = utc(2026, 1, 1)  # five months ahead: beyond any booking window, still open
    found = office_hours_slots(block, 30, 10, 12, now, office_hours_id=7)
    assert [s.starts_at.astimezone(BERLIN).strftime("%H:%M") for s in found] == ["14:00", "14:40", "15:20"]
    assert {s.office_hours_id for s in found} == {7}
    taken = [(berlin(2026, 6, 1, 14, 40), berlin(2026, 6, 1, 15, 10))]
    left = office_hours_slots(block, 30, 10, 12, now, taken, 7)
    assert [s.starts_at.astimezone(BERLIN).strftime("%H:%M") for s in left] == ["14:00", "15:20"]  # 10 min apart
    longer = [(berlin(2026, 6, 1, 14, 35), berlin(2026, 6, 1, 15, 15))]
    assert office_hours_slots(block, 30, 10, 12, now, longer, 7) == []
    soon = office_hours_slots(block, 30, 10, 12, berlin(2026, 6, 1, 3))  # 12 hours' notice: from 15:00 on
    assert [s.starts_at.astimezone(BERLIN).strftime("%H:%M") for s in soon] == ["15:20"]
    assert office_hours_slots(block, 30, 10, 12, berlin(2026, 6, 1, 3, 30)) == []
