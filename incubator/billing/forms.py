"""Forms for the payments pages: offline payments and refunds, cancelling, flags and monthly fees.

Forms check types and lengths; the rules and their messages live in the services.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, MonthField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from incubator.core.forms import BaseForm, strip
from incubator.progress.forms import MoneyField

CURRENCY_CHOICES = [("USD", _l("US dollars (USD)")), ("KHR", _l("Riel (KHR)"))]


class ActionForm(BaseForm):
    """A button that posts (CSRF only): pay, reconcile, refund."""

    submit = SubmitField(_l("Go"))


class MarkPaidForm(BaseForm):
    reference = StringField(_l("Receipt or transfer reference"), validators=[DataRequired(), Length(max=120)],
                            filters=[strip], description=_l("For example: ABA transfer 0123456, cash receipt 88."))
    submit = SubmitField(_l("Mark paid"))


class OfflineRefundForm(BaseForm):
    reference = StringField(_l("Refund reference"), validators=[DataRequired(), Length(max=120)], filters=[strip])
    submit = SubmitField(_l("Record the refund"))


class CancelChargeForm(BaseForm):
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=255)], filters=[strip])
    submit = SubmitField(_l("Cancel the charge"))


class ClearAttentionForm(BaseForm):
    note = StringField(_l("What was done"), validators=[Optional(), Length(max=255)], filters=[strip])
    submit = SubmitField(_l("Mark as dealt with"))


class FeeForm(BaseForm):
    startup_id = SelectField(_l("Startup"), coerce=int, validators=[InputRequired()])
    description = StringField(_l("What it is for"), validators=[DataRequired(), Length(max=160)], filters=[strip],
                              description=_l("For example: Dedicated desk, Wet-lab membership."))
    amount = MoneyField(_l("Amount per month"), places=2, validators=[InputRequired(), NumberRange(min=0)])
    currency = SelectField(_l("Currency"), choices=CURRENCY_CHOICES)
    starts_on = MonthField(_l("First month"), validators=[InputRequired()])
    ends_on = MonthField(_l("Last month (optional)"), validators=[Optional()],
                         description=_l("Leave empty to bill every month until you stop the fee."))
    day_of_month = IntegerField(_l("Bill on day"), default=1, validators=[InputRequired(), NumberRange(1, 28)],
                                description=_l("The day of the month each bill is issued (1–28)."))
    days_until_due = IntegerField(_l("Days to pay"), default=14, validators=[InputRequired(), NumberRange(0, 60)])
    active = BooleanField(_l("Active (bill it every month)"), default=True)
    submit = SubmitField(_l("Save the fee"))
