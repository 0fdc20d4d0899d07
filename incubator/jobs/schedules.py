"""When a job fires: cron schedules in the incubator's time zone, described in words for the jobs page."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger
from babel.dates import get_day_names
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Schedule:
    """A cron schedule (APScheduler ``CronTrigger`` fields), always read in the incubator's time zone."""

    fields: dict = field(default_factory=dict)
    every_minutes: int = 0  # set by every(): describes "*/n" in words

    def trigger(self, tz: str) -> CronTrigger:
        return CronTrigger(timezone=ZoneInfo(tz), **self.fields)

    def next_fire_time(self, after: datetime, tz: str) -> datetime | None:
        """The first time at or after ``after`` this schedule fires (aware, in ``tz``)."""
        return self.trigger(tz).get_next_fire_time(None, after.astimezone(ZoneInfo(tz)))

    @property
    def cron(self) -> str:
        """The exact schedule, e.g. ``cron[day_of_week='mon', hour='9', minute='0']``."""
        return str(CronTrigger(timezone=ZoneInfo("UTC"), **self.fields))

    def describe(self) -> str:
        """The schedule in words, in the current language."""
        if self.every_minutes:
            return ngettext("Every minute", "Every %(num)d minutes", self.every_minutes)
        at = f"{int(self.fields.get('hour', 0)):02d}:{int(self.fields.get('minute', 0)):02d}"
        if "day_of_week" in self.fields:
            names = get_day_names("wide", locale=str(get_locale() or "en"))
            day = names[DAYS.index(self.fields["day_of_week"])]
            return _("Every %(day)s at %(time)s", day=day, time=at)
        if "day" in self.fields:
            return _("On day %(day)d of every month at %(time)s", day=int(self.fields["day"]), time=at)
        return _("Every day at %(time)s", time=at)


def every(minutes: int) -> Schedule:
    """Every ``minutes`` minutes, on the minute (``*/n``), so all schedulers fire at the same moments."""
    return Schedule({"minute": "*" if minutes == 1 else f"*/{minutes}"}, every_minutes=minutes)


def daily(hour: int, minute: int = 0) -> Schedule:
    return Schedule({"hour": hour, "minute": minute})


def weekly(day_of_week: str, hour: int, minute: int = 0) -> Schedule:
    if day_of_week not in DAYS:
        raise ValueError(f"day_of_week must be one of {DAYS}")
    return Schedule({"day_of_week": day_of_week, "hour": hour, "minute": minute})


def monthly(day: int, hour: int, minute: int = 0) -> Schedule:
    return Schedule({"day": day, "hour": hour, "minute": minute})
