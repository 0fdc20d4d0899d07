"""Forms for investor profiles, consent, funding rounds, generating reports and sharing them."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    DecimalField,
    EmailField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from incubator.core.forms import BaseForm, strip
from incubator.reports.models import INSTRUMENTS, ROUND_KINDS
from incubator.reports.sections import SECTIONS

CURRENCY_CHOICES = [("USD", _l("US dollars (USD)")), ("KHR", _l("Riel (KHR)"))]
LOCALE_CHOICES = [("en", "English"), ("km", "ភាសាខ្មែរ")]


def optional_int(value):
    """An id from a select, or ``None`` when nothing was chosen."""
    if value in (None, "", "None"):
        return None
    return int(value)


class InvestorProfileForm(BaseForm):
    tagline = StringField(_l("One-line pitch"), filters=[strip], validators=[Optional(), Length(max=160)])
    problem = TextAreaField(_l("Problem"), filters=[strip], validators=[Optional(), Length(max=2000)])
    solution = TextAreaField(_l("Solution"), filters=[strip], validators=[Optional(), Length(max=2000)])
    ask_amount = DecimalField(_l("Amount"), places=None,
                              validators=[Optional(), NumberRange(min=0, max=10**12)])
    ask_currency = SelectField(_l("Currency"), choices=CURRENCY_CHOICES, default="USD")
    ask_instrument = SelectField(_l("How"), choices=list(INSTRUMENTS.items()), default="")
    use_of_funds = TextAreaField(_l("What the money is for"), filters=[strip],
                                 validators=[Optional(), Length(max=1000)])
    contact_name = StringField(_l("Contact person"), filters=[strip], validators=[Optional(), Length(max=120)])
    contact_email = EmailField(_l("Contact email"), filters=[strip], validators=[Optional(), Email(), Length(max=254)])
    contact_phone = StringField(_l("Contact phone"), filters=[strip], validators=[Optional(), Length(max=40)])
    submit = SubmitField(_l("Save profile"))


class ConsentForm(BaseForm):
    sections = SelectMultipleField(_l("Sections investors may see"), choices=list(SECTIONS.items()),
                                   widget=widgets.ListWidget(prefix_label=False),
                                   option_widget=widgets.CheckboxInput(), validate_choice=True)
    submit = SubmitField(_l("Save what investors see"))


class FundingRoundForm(BaseForm):
    kind = SelectField(_l("Kind of funding"), choices=list(ROUND_KINDS.items()), validators=[DataRequired()])
    closed_on = DateField(_l("Money received on"), validators=[DataRequired()])
    amount = DecimalField(_l("Amount"), places=None, validators=[DataRequired(), NumberRange(min=0, max=10**12)])
    currency = SelectField(_l("Currency"), choices=CURRENCY_CHOICES, default="USD")
    investors = StringField(_l("From (investors, programme or lender)"), filters=[strip],
                            validators=[Optional(), Length(max=255)])
    submit = SubmitField(_l("Add round"))


class GenerateForm(BaseForm):
    locale = SelectField(_l("Language"), choices=LOCALE_CHOICES, default="en")
    submit = SubmitField(_l("Generate now"))


class ShareForm(BaseForm):
    kind = SelectField(_l("Share with"), choices=[("link", _l("Anyone with a link")),
                                                 ("account", _l("An investor's account"))], default="link")
    recipient_id = SelectField(_l("Investor"), coerce=optional_int, choices=[], validate_choice=False)
    label = StringField(_l("Who is it for? (shown only to you)"), filters=[strip],
                        validators=[Optional(), Length(max=120)])
    expires_on = DateField(_l("Available until"), validators=[DataRequired()])
    submit = SubmitField(_l("Share"))


class ConfirmForm(BaseForm):
    """A button with CSRF protection (revoke, delete)."""

    submit = SubmitField(_l("Confirm"))
