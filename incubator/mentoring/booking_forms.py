"""Forms for availability, office hours, booking, changing sessions, notes and the cohort's mentoring policy.

Forms parse and check types; the rules (ranges that overlap, notice, allowance, cut-off) and their messages
live in the services, so the API gets the same answers.
"""
from __future__ import annotations

import re
from datetime import datetime, time, timezone

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from incubator.core.forms import BaseForm, strip
from incubator.mentoring.models.availability import EXCEPTION_KIND_LABELS, WEEKDAY_LABELS
from incubator.mentoring.slots import Slot

SLOT_LENGTHS = (15, 20, 30, 45, 60, 90, 120)
BUFFERS = (0, 5, 10, 15, 30, 45, 60)
_RANGE = re.compile(r"^\s*(\d{1,2})[:.h]?(\d{2})\s*[-–—]\s*(\d{1,2})[:.h]?(\d{2})\s*$")


def _minutes_label(minutes: int):
    return _l("%(n)d minutes", n=minutes)  # lazy: rendered in the viewer's language


def parse_ranges(text: str) -> list[tuple[time, time]]:
    """``"09:00-12:00, 14:00-17:30"`` as time pairs; empty text means no hours.

    :raises ValueError: with a translated message when a part is not ``HH:MM-HH:MM``.
    """
    ranges = []
    for part in filter(None, (p.strip() for p in re.split(r"[,;\n]", text or ""))):
        match = _RANGE.match(part)
        if not match:
            raise ValueError(_l("Write times like 09:00-12:00, separated by commas."))
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            raise ValueError(_l("Use times from 00:00 to 23:59."))
        ranges.append((time(h1, m1), time(h2, m2)))
    return ranges


def format_ranges(ranges: list[tuple[time, time]]) -> str:
    return ", ".join(f"{start:%H:%M}-{end:%H:%M}" for start, end in ranges)


class TimeRangesField(StringField):
    """A weekday's hours typed as ``09:00-12:00, 14:00-17:00``; ``data`` is a list of (start, end) times."""

    def process_formdata(self, valuelist):
        self.raw = valuelist[0] if valuelist else ""
        self.data = []
        if valuelist:
            self.data = parse_ranges(valuelist[0])

    def _value(self):
        if getattr(self, "raw", None) is not None and self.raw_data:
            return self.raw
        return format_ranges(self.data or [])


def slot_key(slot: Slot) -> str:
    """A slot as a form value: its UTC start, plus ``@<office hours id>`` for office hours."""
    value = slot.starts_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%MZ")
    return f"{value}@{slot.office_hours_id}" if slot.office_hours_id else value


def parse_slot_key(value: str | None) -> tuple[datetime, int | None] | None:
    """``slot_key``'s inverse; ``None`` when the value is not one."""
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})Z(?:@(\d{1,9}))?", (value or "").strip())
    if not match:
        return None
    try:
        starts_at = datetime.strptime(match[1], "%Y-%m-%dT%H:%M").replace(tzinfo=timezone.utc)
    except ValueError:
        return None
    return starts_at, int(match[2]) if match[2] else None


class AvailabilityForm(BaseForm):
    day_0 = TimeRangesField(WEEKDAY_LABELS[0])
    day_1 = TimeRangesField(WEEKDAY_LABELS[1])
    day_2 = TimeRangesField(WEEKDAY_LABELS[2])
    day_3 = TimeRangesField(WEEKDAY_LABELS[3])
    day_4 = TimeRangesField(WEEKDAY_LABELS[4])
    day_5 = TimeRangesField(WEEKDAY_LABELS[5])
    day_6 = TimeRangesField(WEEKDAY_LABELS[6])
    slot_minutes = SelectField(_l("Session length"), coerce=int,
                               choices=[(n, _minutes_label(n)) for n in SLOT_LENGTHS])
    buffer_minutes = SelectField(_l("Break between sessions"), coerce=int,
                                 choices=[(n, _minutes_label(n)) for n in BUFFERS])
    notice_hours = IntegerField(_l("Minimum notice (hours)"), validators=[InputRequired(), NumberRange(0, 336)],
                                description=_l("Founders cannot book a slot that starts sooner than this."))
    window_days = IntegerField(_l("Bookable ahead (days)"), validators=[InputRequired(), NumberRange(1, 180)],
                               description=_l("How far into the future founders may book."))
    location = StringField(_l("How founders join"), validators=[Optional(), Length(max=300)], filters=[strip],
                           description=_l("A video-call link or a meeting place; shown on every booking."))
    paused = BooleanField(_l("Pause new bookings of my weekly hours"))

    def day_fields(self):
        return [getattr(self, f"day_{n}") for n in range(7)]


class ExceptionForm(BaseForm):
    day = DateField(_l("Date"), validators=[InputRequired()])
    kind = SelectField(_l("Change"), choices=[(k.value, label) for k, label in EXCEPTION_KIND_LABELS.items()])
    start_time = TimeField(_l("From"), validators=[Optional()])
    end_time = TimeField(_l("Until"), validators=[Optional()])
    note = StringField(_l("Note (only you see it)"), validators=[Optional(), Length(max=200)], filters=[strip])


class OfficeHoursForm(BaseForm):
    cohort_id = SelectField(_l("Cohort"), coerce=int, validators=[InputRequired()])
    day = DateField(_l("Date"), validators=[InputRequired()])
    start_time = TimeField(_l("From"), validators=[InputRequired()])
    end_time = TimeField(_l("Until"), validators=[InputRequired()])
    slot_minutes = SelectField(_l("Session length"), coerce=int, default=30,
                               choices=[(n, _minutes_label(n)) for n in SLOT_LENGTHS])
    repeat_weeks = IntegerField(_l("Repeat weekly for (weeks)"), default=1,
                                validators=[InputRequired(), NumberRange(1, 12)])
    topic = StringField(_l("Topic (optional)"), validators=[Optional(), Length(max=200)], filters=[strip],
                        description=_l("For example: fundraising questions, pitch practice."))
    location = StringField(_l("How to join (optional)"), validators=[Optional(), Length(max=300)], filters=[strip])


class BookingForm(BaseForm):
    slot = StringField(_l("Time"), validators=[DataRequired(message=_l("Choose a time."))])
    agenda = TextAreaField(_l("Agenda"), validators=[DataRequired(message=_l(
        "Say what you would like to discuss, so the mentor can prepare.")), Length(max=2000)],
        description=_l("What you want to discuss and any links the mentor should read first."))


class CancelForm(BaseForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(message=_l(
        "Give a reason; the other side will read it.")), Length(max=1000)])


class RescheduleForm(BaseForm):
    slot = StringField(_l("New time"), validators=[DataRequired(message=_l("Choose a time."))])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(message=_l(
        "Give a reason; the other side will read it.")), Length(max=1000)])


class NoteForm(BaseForm):
    body = TextAreaField(_l("Your notes"), validators=[Optional(), Length(max=5000)],
                         description=_l("Private to your side and the incubator team."))
    rating = RadioField(_l("How useful was the session?"), validators=[Optional()], coerce=int,
                        choices=[(n, str(n)) for n in range(1, 6)])
    shared_comment = TextAreaField(_l("Comment you are happy to share"), validators=[Optional(), Length(max=2000)],
                                   description=_l("With your rating, it may appear in reports to investors and "
                                                  "donors about this startup."))
    share = BooleanField(_l("Share my rating and this comment in reports"))


class NoShowForm(BaseForm):
    no_show = HiddenField(default="1")


class PolicyForm(BaseForm):
    monthly_hours = DecimalField(_l("Mentor hours per startup per month"), places=1,
                                 validators=[InputRequired(), NumberRange(0, 100)],
                                 description=_l("0 means no limit. Months follow Phnom Penh time."))
    cancel_cutoff_hours = IntegerField(_l("Cut-off for changes (hours before)"),
                                       validators=[InputRequired(), NumberRange(0, 336)],
                                       description=_l("Until then mentors and founders may cancel or move a "
                                                      "session; after it, only managers."))
