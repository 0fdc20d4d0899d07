"""Benchmark open-slot generation (``incubator.mentoring.slots.regular_slots``), the work behind every
"Book a mentor" page and ``GET /api/v1/mentors/<id>/slots``.

A mentor in Berlin with weekly hours on every weekday (three ranges a day), a few exceptions and a given
number of sessions already booked; slots are generated for a 7-day page (the web) and a 31-day range
(the API's usual ask), across the October daylight-saving change. Prints one row per case: the number of
slots found and the median time per call on one core. Target: under 20 ms for a 31-day range with 200
sessions booked.

    python bench/mentor_slots.py
    python bench/mentor_slots.py --booked 0 50 500 --repeat 50
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time as clock
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from incubator.mentoring.slots import DatedChange, Rules, WeeklyRange, regular_slots  # noqa: E402

START = datetime(2026, 10, 15, 0, 0, tzinfo=timezone.utc)
NOW = START - timedelta(days=1)


def rules() -> Rules:
    ranges = ((time(8), time(11)), (time(13), time(15, 30)), (time(19), time(21)))
    weekly = tuple(WeeklyRange(day, a, b) for day in range(5) for a, b in ranges)
    changes = (DatedChange(date(2026, 10, 21), extra=False),
               DatedChange(date(2026, 10, 28), extra=False, start=time(13), end=time(14)),
               DatedChange(date(2026, 10, 24), extra=True, start=time(10), end=time(12)))
    return Rules(zone="Europe/Berlin", weekly=weekly, changes=changes, slot_minutes=45, buffer_minutes=15,
                 notice_hours=12, window_days=60)


def booked(count: int) -> list[tuple[datetime, datetime]]:
    """``count`` sessions spread over the range (some on slot times, some off the grid)."""
    step = timedelta(days=31) / max(count, 1)
    return [(START + step * i, START + step * i + timedelta(minutes=45)) for i in range(count)]


def measure(days: int, count: int, repeat: int) -> tuple[int, float]:
    weekly, taken = rules(), booked(count)
    end = START + timedelta(days=days)
    timings, found = [], []
    for _ in range(repeat):
        began = clock.perf_counter()
        found = regular_slots(weekly, START, end, NOW, taken)
        timings.append((clock.perf_counter() - began) * 1000)
    return len(found), statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--booked", type=int, nargs="+", default=[0, 50, 200, 1000])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    print(f"{'days':>5} {'booked':>7} {'slots':>6} {'median ms':>10}")
    for days in (7, 31):
        for count in args.booked:
            slots, median = measure(days, count, args.repeat)
            print(f"{days:>5} {count:>7} {slots:>6} {median:>10.2f}")


if __name__ == "__main__":
    main()
