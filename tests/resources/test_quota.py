"""Allowance arithmetic in Asia/Phnom_Penh: which allowance applies, what counts, week and month boundaries
(split by the minute), refusals on free resources with what is left, paid use on priced ones."""
from __future__ import annotations

from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa

from incubator.core.errors import ServiceError
from incubator.extensions import db
from incubator.resources.models import AllowancePeriod, Booking, BookingStatus, ResourceType
from incubator.resources.quota import assess, current_lines, price_of, startup_overview, windows_touched
from incubator.resources.services.bookings import create_booking
from tests.resources.conftest import NOW, pp
from tests.resources.factories import AllowanceFactory, BookingFactory, CreditsFactory, ResourceFactory

ROUND_THE_CLOCK = [(day, time(0), time(23, 59)) for day in range(7)]


def book(actor, resource, startup, start, end, **kwargs):
    return create_booking(actor, resource, startup=startup, starts_at=start, ends_at=end, now=NOW, **kwargs)


@pytest.fixture
def desk():
    """A free resource open round the clock (23:59 means until midnight)."""
    return ResourceFactory(name="Hot desk B1", type=ResourceType.HOT_DESK, open_hours=ROUND_THE_CLOCK,
                           max_minutes=24 * 60)


def test_weeks_are_split_at_midnight_between_sunday_and_monday_in_phnom_penh(startup):
    # Sunday 23:00 to Monday 01:00 in Phnom Penh is Sunday 16:00 to 18:00 UTC: one hour in each ISO week.
    windows = windows_touched(AllowancePeriod.WEEK, pp(2026, 11, 29, 23), pp(2026, 11, 30, 1), startup)
    assert [(w.first_day, w.last_day) for w in windows] == [(date(2026, 11, 23), date(2026, 11, 29)),
                                                           (date(2026, 11, 30), date(2026, 12, 6))]
    assert windows[0].end == pp(2026, 11, 30)


def test_months_follow_phnom_penh_not_utc(startup):
    # 1 December 00:00-02:00 in Phnom Penh is still 30 November in UTC; it belongs to December.
    windows = windows_touched(AllowancePeriod.MONTH, pp(2026, 12, 1, 0), pp(2026, 12, 1, 2), startup)
    assert [(w.first_day, w.last_day) for w in windows] == [(date(2026, 12, 1), date(2026, 12, 31))]


def test_a_booking_crossing_a_week_boundary_counts_minute_by_minute(founder, startup, cohort, desk):
    AllowanceFactory(cohort=cohort, resource_type=ResourceType.HOT_DESK, period=AllowancePeriod.WEEK, amount=120)
    BookingFactory(resource=desk, startup=startup, starts_at=pp(2026, 11, 28, 10), ends_at=pp(2026, 11, 28, 11, 30))
    # 30 minutes left in the week of 23 November; this needs 60 there (and 60 in the next week).
    with pytest.raises(ServiceError) as caught:
        book(founder, desk, startup, pp(2026, 11, 29, 23), pp(2026, 11, 30, 1))
    message = caught.value.fields["ends_at"][0]
    assert "beyond your allowance for Hot desk" in message
    assert "0.5 h left per week starting 23 Nov (this booking needs 1 h)" in message
    # 30 minutes on each side fits.
    booking = book(founder, desk, startup, pp(2026, 11, 29, 23, 30), pp(2026, 11, 30, 0, 30)).first
    next_week = windows_touched(AllowancePeriod.WEEK, pp(2026, 12, 1), pp(2026, 12, 1, 1), startup)[0]
    result = assess(startup, desk, pp(2026, 12, 1, 10), pp(2026, 12, 1, 11, 30), 90)
    line = next(line for line in result.lines if line.window == next_week)
    assert (line.used, line.remaining, line.covered) == (30, 90, 90)
    assert result.uncovered == 0 and booking.amount_minor == 0


def test_a_booking_crossing_a_month_boundary(founder, startup, cohort, desk):
    AllowanceFactory(cohort=cohort, resource=desk, period=AllowancePeriod.MONTH, amount=60)
    BookingFactory(resource=desk, startup=startup, starts_at=pp(2026, 11, 30, 10), ends_at=pp(2026, 11, 30, 11))
    # November is used up: the half hour before midnight is refused; December's part alone would fit.
    with pytest.raises(ServiceError) as caught:
        book(founder, desk, startup, pp(2026, 11, 30, 23, 30), pp(2026, 12, 1, 0, 30))
    message = caught.value.fields["ends_at"][0]
    assert "0 h left per month starting 1 Nov (this booking needs 0.5 h)" in message
    assert "1 Dec" not in message
    # 1 December 00:00 to 01:00 in Phnom Penh (still 30 November in UTC) is December's.
    assert book(founder, desk, startup, pp(2026, 12, 1, 0), pp(2026, 12, 1, 1)).first.id
    with pytest.raises(ServiceError, match="0 h left per month starting 1 Dec"):
        book(founder, desk, startup, pp(2026, 12, 1, 1), pp(2026, 12, 1, 1, 30))


def test_the_most_specific_allowance_wins(founder, startup, cohort, room):
    AllowanceFactory(cohort=cohort, resource_type=ResourceType.MEETING_ROOM, amount=600)
    AllowanceFactory(cohort=cohort, resource=room, amount=240)
    own = AllowanceFactory(startup=startup, resource_type=ResourceType.MEETING_ROOM, amount=60)
    result = assess(startup, room, pp(2026, 11, 24, 10), pp(2026, 11, 24, 12), 120)
    assert [line.allowance.id for line in result.lines] == [own.id]  # the startup's own beats the cohort's
    assert result.uncovered == 60
    exact = AllowanceFactory(startup=startup, resource=room, amount=180)
    result = assess(startup, room, pp(2026, 11, 24, 10), pp(2026, 11, 24, 12), 120)
    assert [line.allowance.id for line in result.lines] == [exact.id] and result.uncovered == 0


def test_a_type_allowance_counts_every_resource_of_the_type(founder, startup, cohort, room):
    other_room = ResourceFactory()
    desk = ResourceFactory(type=ResourceType.HOT_DESK)
    AllowanceFactory(cohort=cohort, resource_type=ResourceType.MEETING_ROOM, amount=120)
    BookingFactory(resource=other_room, startup=startup, starts_at=pp(2026, 11, 24, 8), ends_at=pp(2026, 11, 24, 9))
    BookingFactory(resource=desk, startup=startup, starts_at=pp(2026, 11, 24, 8), ends_at=pp(2026, 11, 24, 12))
    [line] = current_lines(startup, room, NOW)
    assert (line.used, line.remaining) == (60, 60)


def test_what_counts_against_an_allowance(founder, startup, other_startup, cohort, room):
    AllowanceFactory(cohort=cohort, resource=room, amount=600)
    slots = [(BookingStatus.CONFIRMED, 60), (BookingStatus.PENDING, 30), (BookingStatus.NO_SHOW, 60),
             (BookingStatus.CHECKED_IN, 90), (BookingStatus.AWAITING_PAYMENT, 30), (BookingStatus.CANCELLED, 120),
             (BookingStatus.REJECTED, 120), (BookingStatus.EXPIRED, 120)]
    for n, (status, minutes) in enumerate(slots):
        start = pp(2026, 11, 23, 8 + 2 * n)
        BookingFactory(resource=room, startup=startup, starts_at=start, ends_at=start + timedelta(minutes=minutes),
                       status=status)
    BookingFactory(resource=room, startup=other_startup, starts_at=pp(2026, 11, 24, 10), ends_at=pp(2026, 11, 24, 14))
    [line] = current_lines(startup, room, NOW)
    assert line.used == 60 + 30 + 60 + 90 + 30  # not the cancelled, rejected, expired or the other startup's


def test_week_and_month_both_apply(founder, startup, cohort, room):
    AllowanceFactory(cohort=cohort, resource=room, period=AllowancePeriod.WEEK, amount=240)
    AllowanceFactory(cohort=cohort, resource=room, period=AllowancePeriod.MONTH, amount=300)
    BookingFactory(resource=room, startup=startup, starts_at=pp(2026, 11, 17, 9), ends_at=pp(2026, 11, 17, 13))
    result = assess(startup, room, pp(2026, 11, 24, 10), pp(2026, 11, 24, 12), 120)
    # The week has 4 h left but the month only 1 h: 1 h is beyond.
    assert result.uncovered == 60
    with pytest.raises(ServiceError, match="1 h left per month"):
        book(founder, room, startup, pp(2026, 11, 24, 10), pp(2026, 11, 24, 12))


def test_priced_resource_beyond_the_allowance_is_paid_use(founder, startup, cohort):
    studio = ResourceFactory(price_minor=500)  # USD 5.00 per hour
    AllowanceFactory(cohort=cohort, resource=studio, amount=60)
    booking = book(founder, studio, startup, pp(2026, 11, 24, 10), pp(2026, 11, 24, 12, 30)).first
    assert (booking.paid_quantity, booking.amount_minor, booking.currency) == (90, 750, "USD")


def test_priced_resource_without_an_allowance_is_paid_in_full_and_free_is_unlimited(founder, startup, room):
    studio = ResourceFactory(price_minor=400, currency="KHR")
    booking = book(founder, studio, startup, pp(2026, 11, 24, 10), pp(2026, 11, 24, 11, 30)).first
    assert (booking.paid_quantity, booking.amount_minor, booking.currency) == (90, 600, "KHR")
    assert book(founder, room, startup, pp(2026, 11, 24, 10), pp(2026, 11, 24, 14)).first.amount_minor == 0


def test_price_rounds_half_up():
    studio = ResourceFactory(price_minor=333)
    assert price_of(studio, 30) == 167 and price_of(studio, 60) == 333 and price_of(studio, 1) == 6


def test_a_programme_allowance_covers_only_the_programmes_dates(founder, startup, cohort):
    lab = ResourceFactory(advance_days=365)
    AllowanceFactory(cohort=cohort, resource=lab, period=AllowancePeriod.COHORT, amount=600)
    assert book(founder, lab, startup, pp(2027, 2, 28, 10), pp(2027, 2, 28, 11)).first.id  # the last day
    with pytest.raises(ServiceError, match="covers only your programme's dates"):
        book(founder, lab, startup, pp(2027, 3, 1, 10), pp(2027, 3, 1, 11))


def test_credits_allowance_in_units(founder, startup, cohort):
    credits = CreditsFactory()
    priced = CreditsFactory(price_minor=100)  # USD 1.00 per unit
    AllowanceFactory(cohort=cohort, resource_type=ResourceType.CREDITS, period=AllowancePeriod.COHORT, amount=1000)
    create_booking(founder, credits, startup=startup, units=800, now=NOW)
    with pytest.raises(ServiceError) as caught:
        create_booking(founder, credits, startup=startup, units=300, now=NOW)
    assert "200 USD of credit left for the whole programme" in caught.value.fields["units"][0]
    booking = create_booking(founder, priced, startup=startup, units=300, now=NOW).first
    assert (booking.paid_quantity, booking.amount_minor) == (100, 10000)


def test_recurring_bookings_use_the_allowance_week_after_week(founder, startup, cohort, room):
    AllowanceFactory(cohort=cohort, resource=room, period=AllowancePeriod.MONTH, amount=180)
    with pytest.raises(ServiceError, match="0 h left per month starting 1 Dec"):
        book(founder, room, startup, pp(2026, 12, 1, 10), pp(2026, 12, 1, 11), weeks=4)
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 0  # all or nothing
    studio = ResourceFactory(price_minor=1000)
    AllowanceFactory(cohort=cohort, resource=studio, period=AllowancePeriod.MONTH, amount=180)
    outcome = book(founder, studio, startup, pp(2026, 12, 1, 10), pp(2026, 12, 1, 11), weeks=4)
    assert [b.amount_minor for b in outcome.bookings] == [0, 0, 0, 1000]


def test_managers_go_beyond_the_allowance_but_it_counts(founder, manager, startup, cohort, room):
    AllowanceFactory(cohort=cohort, resource=room, amount=60)
    booking = book(manager, room, startup, pp(2026, 11, 24, 10), pp(2026, 11, 24, 13)).first
    assert booking.amount_minor == 0
    [line] = current_lines(startup, room, NOW)
    assert (line.used, line.remaining) == (180, 0)
    with pytest.raises(ServiceError, match="0 h left per week"):
        book(founder, room, startup, pp(2026, 11, 25, 10), pp(2026, 11, 25, 10, 30))


def test_the_overview_shows_a_startups_own_allowance_instead_of_its_cohorts(startup, other_startup, cohort, room):
    AllowanceFactory(cohort=cohort, resource_type=ResourceType.MEETING_ROOM, amount=600)
    AllowanceFactory(cohort=cohort, resource_type=ResourceType.HOT_DESK, period=AllowancePeriod.MONTH, amount=60)
    AllowanceFactory(startup=startup, resource_type=ResourceType.MEETING_ROOM, amount=900)
    BookingFactory(resource=room, startup=startup, starts_at=pp(2026, 11, 24, 10), ends_at=pp(2026, 11, 24, 11))
    lines = {(line.allowance.target_label, line.allowance.period): line for line in startup_overview(startup, NOW)}
    assert set(lines) == {("Meeting room", AllowancePeriod.WEEK), ("Hot desk", AllowancePeriod.MONTH)}
    assert (lines[("Meeting room", AllowancePeriod.WEEK)].amount, lines[("Meeting room", AllowancePeriod.WEEK)].used) \
        == (900, 60)
    other = {line.allowance.target_label: line.amount for line in startup_overview(other_startup, NOW)}
    assert other == {"Hot desk": 60, "Meeting room": 600}
