"""Forms for cohorts, startup profiles and team members."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, DataRequired, Email, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from incubator.cohorts.choices import GENDERS, PROVINCES, SECTORS, STAGES, choices
from incubator.cohorts.models import STARTUP_STATUS_LABELS
from incubator.core.forms import BaseForm, strip


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CohortForm(BaseForm):
    program_name = StringField(_l("Program"), validators=[DataRequired(), Length(max=120)],
                               description=_l("For example: Tech Startup Incubation Program"))
    name = StringField(_l("Cohort name"), validators=[DataRequired(), Length(max=120)])
    track = StringField(_l("Track"), validators=[Optional(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    starts_on = DateField(_l("Starts on"), validators=[InputRequired()])
    ends_on = DateField(_l("Ends on"), validators=[InputRequired()])
    applications_close_at = DateTimeLocalField(
        _l("Applications close at"), format="%Y-%m-%dT%H:%M", validators=[Optional()],
        description=_l("In your time zone. Leave empty to close by changing the status."),
    )
    capacity = IntegerField(_l("Capacity (startups)"), validators=[InputRequired(), NumberRange(min=1, max=1000)])
    sectors = MultiCheckboxField(_l("Sectors"), choices=choices(SECTORS), validators=[DataRequired()])
    submit = SubmitField(_l("Save cohort"))


class StartupForm(BaseForm):
    name = StringField(_l("Startup name"), validators=[DataRequired(), Length(max=120)])
    sector = SelectField(_l("Sector"), choices=choices(SECTORS))
    stage = SelectField(_l("Stage"), choices=choices(STAGES))
    province = SelectField(_l("Province"), choices=choices(PROVINCES))
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    website = URLField(_l("Website"), validators=[Optional(), URL(require_tld=True), Length(max=255)])
    founded_on = DateField(_l("Founded on"), validators=[Optional()])
    currency = SelectField(
        _l("Currency for KPI reports"), choices=[("USD", _l("US dollar (USD)")), ("KHR", _l("Cambodian riel (KHR)"))],
        description=_l("New monthly reports use it; reports already sent keep their currency."),
    )
    logo = FileField(
        _l("Logo"),
        validators=[FileAllowed(["png", "jpg", "jpeg", "webp"], _l("PNG, JPEG or WebP images only."))],
        description=_l("PNG, JPEG or WebP, at most 2 MB."),
    )
    status = SelectField(_l("Status"), choices=[(s.value, label) for s, label in STARTUP_STATUS_LABELS.items()])
    submit = SubmitField(_l("Save profile"))


class TeamMemberForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    role_title = StringField(_l("Role"), validators=[DataRequired(), Length(max=80)],
                             description=_l("For example: CTO, Head of sales"))
    email = StringField(_l("Email"), validators=[Optional(), Email(), Length(max=254)], filters=[strip])
    gender = SelectField(_l("Gender"), choices=choices(GENDERS), default="undisclosed")
    submit = SubmitField(_l("Add to team"))


class StartupFilterForm(BaseForm):
    class Meta:
        csrf = False

    cohort_id = SelectField(_l("Cohort"), coerce=int, validators=[Optional()])
    sector = SelectField(_l("Sector"), choices=[("", _l("All sectors"))] + choices(SECTORS), validators=[Optional()])
    status = SelectField(
        _l("Status"),
        choices=[("", _l("All statuses"))] + [(s.value, label) for s, label in STARTUP_STATUS_LABELS.items()],
        validators=[Optional()],
    )
