"""Forms for grants: the plan (with one sub-form per tranche), a disbursement, a reversal, a late receipt.

Forms parse and check types; the rules and their messages (amounts add up, a milestone of this startup,
not over a tranche, a reason to pay early) live in the services so the API answers the same way.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, FieldList, FormField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from incubator.core.forms import BaseForm, BaseSubForm, strip
from incubator.core.money import CURRENCIES
from incubator.grants.models import Unlock
from incubator.progress.forms import EVIDENCE_EXTENSIONS, MoneyField

MIN_TRANCHE_ROWS = 3
MAX_TRANCHE_ROWS = 12
DATE_CHOICE = Unlock.DATE.value
MILESTONE_PREFIX = "milestone:"


class TrancheEntry(BaseSubForm):
    label = StringField(_l("Name (optional)"), validators=[Optional(), Length(max=120)], filters=[strip],
                        description=_l("For example: On signing"))
    amount = MoneyField(_l("Amount"), places=None, validators=[Optional()])
    condition = SelectField(_l("Payable when"), choices=[], validate_choice=False)
    due_on = DateField(_l("From"), validators=[Optional()])

    def is_blank(self) -> bool:
        return not (self.label.data or self.amount.raw_data and self.amount.raw_data[0].strip())

    def to_service(self) -> dict:
        """The row as the plan service reads it (``unlock`` plus a milestone id or a date)."""
        condition = self.condition.data or ""
        row = {"label": self.label.data or "", "amount": _raw(self.amount), "milestone_id": None, "due_on": None}
        if condition.startswith(MILESTONE_PREFIX):
            row["unlock"] = Unlock.MILESTONE.value
            row["milestone_id"] = _int(condition.removeprefix(MILESTONE_PREFIX))
        elif condition == DATE_CHOICE:
            row["unlock"], row["due_on"] = Unlock.DATE.value, self.due_on.data
        else:
            row["unlock"] = None
        return row


def _raw(field):
    # The service reads the amount exactly as typed (it refuses fractions of a riel instead of rounding).
    return field.raw_data[0] if field.raw_data else None


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() else None


class GrantForm(BaseForm):
    title = StringField(_l("Name of the grant"), validators=[DataRequired(), Length(max=120)], filters=[strip],
                        default=_l("Seed grant"))
    currency = SelectField(_l("Currency"), choices=[(c, c) for c in CURRENCIES])
    total = MoneyField(_l("Total amount"), places=None, validators=[InputRequired(_l("Enter the total amount."))],
                       description=_l("The tranches below must add up to exactly this amount."))
    conditions = TextAreaField(_l("Conditions"), validators=[Optional(), Length(max=5000)],
                               description=_l("What the startup agreed to, for example monthly KPI reports and "
                                              "receipts for spending. The founders see this."))
    tranches = FieldList(FormField(TrancheEntry), min_entries=MIN_TRANCHE_ROWS, max_entries=MAX_TRANCHE_ROWS)
    submit = SubmitField(_l("Save grant"))

    def set_conditions(self, choices: list[tuple[str, str]]) -> None:
        """Offer ``choices`` (a date, or one of the startup's milestones) in every tranche row."""
        for entry in self.tranches.entries:
            entry.form.condition.choices = choices

    def filled_rows(self) -> list[tuple[int, dict]]:
        """``(row index in the form, service row)`` for every row that is not left blank."""
        return [(i, entry.form.to_service()) for i, entry in enumerate(self.tranches.entries)
                if not entry.form.is_blank()]

    def service_data(self) -> tuple[dict, list[int]]:
        """The plan for the service, and for each of its tranches the form row it came from."""
        filled = self.filled_rows()
        data = {"title": self.title.data, "currency": self.currency.data, "total": _raw(self.total),
                "conditions": self.conditions.data or "", "tranches": [row for _index, row in filled]}
        return data, [index for index, _row in filled]


class DisbursementForm(BaseForm):
    tranche_id = SelectField(_l("Tranche"), coerce=int, validators=[InputRequired()])
    amount = MoneyField(_l("Amount sent"), places=None, validators=[InputRequired(_l("Enter the amount sent."))])
    paid_on = DateField(_l("Date sent"), validators=[InputRequired(_l("Give the date the money was sent."))])
    reference = StringField(_l("Reference"), validators=[DataRequired(), Length(max=120)], filters=[strip],
                            description=_l("The bank transfer number, or the number of the cash receipt."))
    receipt = FileField(_l("Receipt (optional)"),
                        validators=[FileAllowed(EVIDENCE_EXTENSIONS, _l("PDF, PNG, JPEG or WebP files only."))],
                        description=_l("A PDF or an image of the transfer slip, at most 8 MB. You can add it later."))
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=2000)])
    early_reason = TextAreaField(
        _l("Reason to pay before the tranche is payable"), validators=[Optional(), Length(max=2000)],
        description=_l("Only needed when the tranche's milestone is not verified yet or its date has not come."))
    submit = SubmitField(_l("Record disbursement"))


class ReverseForm(BaseForm):
    reason = TextAreaField(_l("Why is this payment reversed?"), validators=[DataRequired(), Length(max=2000)],
                           description=_l("The founders see this reason."))
    reversed_on = DateField(_l("Date of the reversal"), validators=[InputRequired()],
                            description=_l("When the money came back or the payment was cancelled."))
    submit = SubmitField(_l("Reverse this payment"))


class ReceiptForm(BaseForm):
    receipt = FileField(_l("Receipt"), validators=[
        FileRequired(_l("Choose the receipt file.")),
        FileAllowed(EVIDENCE_EXTENSIONS, _l("PDF, PNG, JPEG or WebP files only.")),
    ])
    submit = SubmitField(_l("Attach receipt"))
