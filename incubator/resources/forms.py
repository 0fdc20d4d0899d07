"""Forms for booking, and for managing resources, blackouts, approvals, certifications and allowances.

Forms parse and check types; the rules and their messages live in the services, so the API gets them too.
Dates and times are typed in the viewer's time zone; the views convert them to UTC.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from incubator.core.forms import BaseForm, BaseSubForm, strip
from incubator.core.money import CURRENCIES
from incubator.resources.models import ALLOWANCE_PERIOD_LABELS, RESOURCE_TYPE_LABELS, WEEKDAY_LABELS
from incubator.resources.models.catalog import BLACKOUT_KIND_LABELS, SLOT_CHOICES
from incubator.resources.services.rules import MAX_WEEKS

PHOTO_EXTENSIONS = ["png", "jpg", "jpeg", "webp"]


class MoneyField(DecimalField):
    """A decimal amount that also accepts grouping as people type it: ``1,234.56`` or ``4 100 000``."""

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [str(valuelist[0]).replace(",", "").replace(" ", "").replace("\u00a0", "")]
        super().process_formdata(valuelist)


# Booking ----------------------------------------------------------------------------------------


class BookingForm(BaseForm):
    startup_id = SelectField(_l("For"), coerce=int, validate_choice=False)
    day = DateField(_l("Date"), validators=[InputRequired()])
    start = TimeField(_l("From"), validators=[InputRequired()])
    end = TimeField(_l("To"), validators=[InputRequired()],
                    description=_l("A time before the start means the next day."))
    weeks = IntegerField(_l("Repeat weekly"), default=1, validators=[Optional(), NumberRange(1, MAX_WEEKS)],
                         description=_l("How many weeks in a row, this one included (1: just once). Every week "
                                        "must be free, or nothing is booked."))
    purpose = StringField(_l("Purpose (optional)"), validators=[Optional(), Length(max=200)], filters=[strip],
                          description=_l("For example: customer interviews, team meeting."))
    submit = SubmitField(_l("Book"))


class UnitsForm(BaseForm):
    startup_id = SelectField(_l("For"), coerce=int, validate_choice=False)
    units = IntegerField(_l("How many"), validators=[InputRequired(), NumberRange(min=1)])
    purpose = StringField(_l("What for"), validators=[Optional(), Length(max=200)], filters=[strip])
    submit = SubmitField(_l("Request"))


class CancelForm(BaseForm):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=500)],
                           description=_l("Managers: required when cancelling someone else's booking; they are "
                                          "told."))
    submit = SubmitField(_l("Cancel booking"))


class DecisionForm(BaseForm):
    note = TextAreaField(_l("Note for the founders"), validators=[Optional(), Length(max=500)],
                         description=_l("Required when you reject: say why."))
    approve = SubmitField(_l("Approve"))
    reject = SubmitField(_l("Reject"))


# Managing resources ----------------------------------------------------------------------------


class HoursForm(BaseSubForm):
    """One weekday: an opening interval and an optional second one (after a lunch break)."""

    opens = TimeField(_l("Opens"), validators=[Optional()])
    closes = TimeField(_l("Closes"), validators=[Optional()], description=_l("23:59 means until midnight."))
    opens_again = TimeField(_l("Opens again"), validators=[Optional()])
    closes_again = TimeField(_l("Closes again"), validators=[Optional()])


class ResourceForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)], filters=[strip])
    type = SelectField(_l("Type"), choices=[(t.value, label) for t, label in RESOURCE_TYPE_LABELS.items()])
    location = StringField(_l("Location"), validators=[Optional(), Length(max=160)], filters=[strip],
                           description=_l("Building, floor and room, for example: NSTC building, 2nd floor"))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    capacity = IntegerField(_l("Capacity (people)"), default=1, validators=[InputRequired(), NumberRange(1, 10000)])
    photo = FileField(_l("Photo"), validators=[FileAllowed(PHOTO_EXTENSIONS, _l("PNG, JPEG or WebP images only."))],
                      description=_l("A PNG, JPEG or WebP image, at most 2 MB."))
    slot_minutes = SelectField(_l("Time grid"), coerce=int, default=30,
                               choices=[(m, _l("%(n)d minutes", n=m)) for m in SLOT_CHOICES],
                               description=_l("Bookings start and end on this grid."))
    min_minutes = IntegerField(_l("Shortest booking (minutes)"), default=30,
                               validators=[InputRequired(), NumberRange(1, 10080)])
    max_minutes = IntegerField(_l("Longest booking (minutes)"), default=240,
                               validators=[InputRequired(), NumberRange(1, 10080)])
    advance_days = IntegerField(_l("Bookable up to (days ahead)"), default=30,
                                validators=[InputRequired(), NumberRange(1, 365)])
    cancel_cutoff_hours = IntegerField(_l("Founders may cancel until (hours before the start)"), default=2,
                                       validators=[InputRequired(), NumberRange(0, 720)])
    requires_approval = BooleanField(_l("Needs a manager's approval"))
    requires_training = BooleanField(_l("Needs training (only certified founders may book it)"))
    price = MoneyField(_l("Price beyond the allowance"), default=0, validators=[Optional(), NumberRange(min=0)],
                       description=_l("Per hour, or per unit for credits. 0: free, and use beyond the allowance "
                                      "is refused."))
    currency = SelectField(_l("Currency"), choices=[(c, c) for c in CURRENCIES])
    unit_label = StringField(_l("Unit (credits only)"), validators=[Optional(), Length(max=40)], filters=[strip],
                             description=_l("For example: USD of AWS credit"))
    max_units = IntegerField(_l("Most units per request (credits only)"), validators=[Optional(), NumberRange(1)])
    hours = FieldList(FormField(HoursForm), min_entries=7, max_entries=7)
    submit = SubmitField(_l("Save resource"))


class BlackoutForm(BaseForm):
    resource_id = SelectField(_l("Resource"), coerce=int)
    kind = SelectField(_l("Kind"), choices=[(k.value, label) for k, label in BLACKOUT_KIND_LABELS.items()])
    starts_at = DateTimeLocalField(_l("From"), validators=[InputRequired()])
    ends_at = DateTimeLocalField(_l("Until"), validators=[InputRequired()])
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=200)], filters=[strip],
                         description=_l("Shown on the calendar, for example: Khmer New Year"))
    cancel_clashing = BooleanField(_l("Cancel the bookings it overlaps and tell their founders"), default=True)
    submit = SubmitField(_l("Add blackout"))


class CertificationForm(BaseForm):
    resource_id = SelectField(_l("Resource"), coerce=int)
    user_id = SelectField(_l("Founder"), coerce=int)
    note = StringField(_l("Note"), validators=[Optional(), Length(max=255)], filters=[strip],
                       description=_l("For example: safety induction on 12 March"))
    submit = SubmitField(_l("Certify"))


class AllowanceForm(BaseForm):
    scope = SelectField(_l("For"), description=_l("A whole cohort (each of its startups gets the amount) or one "
                                                   "startup (replaces its cohort's)."))
    target = SelectField(_l("Resource or type"))
    period = SelectField(_l("Period"), choices=[(p.value, label) for p, label in ALLOWANCE_PERIOD_LABELS.items()])
    amount = DecimalField(_l("Amount"), validators=[InputRequired(), NumberRange(min=0)],
                          description=_l("Hours for timed resources; units for credits."))
    submit = SubmitField(_l("Set allowance"))


class UtilizationFilterForm(BaseForm):
    class Meta:
        csrf = False

    granularity = SelectField(_l("Per"), choices=[("week", _l("Week")), ("month", _l("Month"))],
                              validators=[Optional()])
    resource_id = SelectField(_l("Resource"), coerce=int, validators=[Optional()], validate_choice=False)
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])


def weekday_labels() -> list[str]:
    return [str(label) for label in WEEKDAY_LABELS]
