"""Forms for milestones, KPI reports, check-ins and the cohort's progress settings.

Forms parse and check types; the rules with their messages (no negative figures, no future month,
women within the team, evidence before done) live in the services, so the API gets them too.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    MonthField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from incubator.cohorts.choices import SECTORS, choices
from incubator.cohorts.forms import MultiCheckboxField
from incubator.core.forms import BaseForm, strip
from incubator.progress.health import HEALTH_LABELS
from incubator.progress.models import (
    CORE_METRICS,
    HELP_TAGS,
    MILESTONE_STATUS_LABELS,
    MetricKind,
)

EVIDENCE_EXTENSIONS = ["pdf", "png", "jpg", "jpeg", "webp"]


class MoneyField(DecimalField):
    """A decimal amount that also accepts grouping as people type it: ``1,234.56`` or ``4 100 000``."""

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [str(valuelist[0]).replace(",", "").replace(" ", "").replace("\u00a0", "")]
        super().process_formdata(valuelist)


class MilestoneTemplateForm(BaseForm):
    title = StringField(_l("Milestone"), validators=[DataRequired(), Length(max=160)],
                        description=_l("For example: 30 customer interviews"))
    description = TextAreaField(_l("What counts as done"), validators=[Optional(), Length(max=5000)])
    due_on = DateField(_l("Due on"), validators=[InputRequired()])
    target_value = IntegerField(_l("Target (optional)"), validators=[Optional()])
    target_unit = StringField(_l("Unit"), validators=[Optional(), Length(max=40)],
                              description=_l("For example: interviews, customers, USD"))
    submit = SubmitField(_l("Add to the plan and to every startup"))


class MilestoneForm(BaseForm):
    title = StringField(_l("Milestone"), validators=[DataRequired(), Length(max=160)])
    description = TextAreaField(_l("What counts as done"), validators=[Optional(), Length(max=5000)])
    due_on = DateField(_l("Due on"), validators=[InputRequired()])
    target_value = IntegerField(_l("Target (optional)"), validators=[Optional()])
    target_unit = StringField(_l("Unit"), validators=[Optional(), Length(max=40)])
    status = SelectField(_l("Status"), choices=[(s.value, label) for s, label in MILESTONE_STATUS_LABELS.items()])
    evidence_url = URLField(_l("Evidence link"), validators=[Optional(), Length(max=500)], filters=[strip],
                            description=_l("A link to a document, photo album or web page that shows it is done."))
    evidence_file = FileField(
        _l("Evidence file"),
        validators=[FileAllowed(EVIDENCE_EXTENSIONS, _l("PDF, PNG, JPEG or WebP files only."))],
        description=_l("Or upload a PDF or an image (PNG, JPEG, WebP), at most 8 MB."),
    )
    submit = SubmitField(_l("Save milestone"))


class VerifyForm(BaseForm):
    comment = TextAreaField(_l("Comment for the founders"), validators=[Optional(), Length(max=5000)],
                            description=_l("Required when you send it back: say what is missing."))
    verify = SubmitField(_l("Verify"))
    send_back = SubmitField(_l("Send back"))


def kpi_form_class(metrics, correction: bool = False):
    """The monthly KPI form, with one field per custom metric of the cohort (``metric_<id>``)."""

    class KpiForm(BaseForm):
        month = MonthField(_l("Month"), format="%Y-%m", validators=[InputRequired(_l("Choose a month."))])
        note = TextAreaField(
            _l("What did you correct, and why?") if correction else _l("Notes (optional)"),
            validators=[InputRequired(), Length(max=2000)] if correction else [Optional(), Length(max=2000)],
        )
        base_version = HiddenField()
        submit = SubmitField(_l("Save correction") if correction else _l("Submit report"))

    for key, (label, kind) in CORE_METRICS.items():
        if kind == MetricKind.MONEY:
            field = MoneyField(label, places=2, validators=[InputRequired(_l("Enter a number (0 if none)."))])
        else:
            field = IntegerField(label, validators=[InputRequired(_l("Enter a whole number (0 if none)."))])
        setattr(KpiForm, key, field)
    for metric in metrics:
        label = f"{metric.name} ({metric.unit})" if metric.unit else metric.name
        field_class = MoneyField if metric.kind == MetricKind.MONEY else IntegerField
        setattr(KpiForm, f"metric_{metric.id}", field_class(label, validators=[Optional()]))
    return KpiForm


MORALE_CHOICES = [
    (1, _l("1 · very low")), (2, _l("2 · low")), (3, _l("3 · okay")), (4, _l("4 · good")), (5, _l("5 · great")),
]


class CheckInForm(BaseForm):
    progress = TextAreaField(_l("What moved forward this week?"), validators=[DataRequired(), Length(max=5000)])
    blockers = TextAreaField(_l("What is blocking you?"), validators=[Optional(), Length(max=5000)])
    help_text = TextAreaField(_l("Do you need help from the incubator team?"),
                              validators=[Optional(), Length(max=5000)],
                              description=_l("Anything written here, or any topic ticked, alerts the team."))
    help_tags = MultiCheckboxField(_l("Help topics"), choices=list(HELP_TAGS.items()), validators=[Optional()])
    morale = RadioField(_l("Team morale"), choices=MORALE_CHOICES, coerce=int,
                        validators=[InputRequired(_l("Choose the team's morale from 1 to 5."))])
    submit = SubmitField(_l("Save check-in"))


class ResolveHelpForm(BaseForm):
    comment = TextAreaField(_l("What was done or agreed (the founders see this)"),
                            validators=[DataRequired(), Length(max=5000)])
    submit = SubmitField(_l("Resolve"))


class RateForm(BaseForm):
    khr_per_usd = IntegerField(_l("Riel per US dollar"),
                               validators=[InputRequired(), NumberRange(min=1, max=100_000)],
                               description=_l("Used to add up riel and dollar figures in the cohort's totals."))
    submit = SubmitField(_l("Save rate"))


class MetricForm(BaseForm):
    name = StringField(_l("Metric name"), validators=[DataRequired(), Length(max=80)],
                       description=_l("For example: Farmers reached, Hectares covered"))
    unit = StringField(_l("Unit"), validators=[Optional(), Length(max=40)])
    kind = SelectField(_l("Kind"), choices=[(MetricKind.COUNT.value, _l("Count")),
                                            (MetricKind.MONEY.value, _l("Money (in each startup's currency)"))])
    submit = SubmitField(_l("Add metric"))


SORTS = {
    "health": _l("Health (worst first)"),
    "name": _l("Name"),
    "overdue": _l("Overdue milestones"),
    "checkin": _l("Oldest check-in"),
    "revenue": _l("Revenue"),
    "growth": _l("Revenue growth"),
    "flags": _l("Open help requests"),
}


class DashboardFilterForm(BaseForm):
    class Meta:
        csrf = False

    health = SelectField(_l("Health status"), choices=[("", _l("Any health"))] + [(h.value, label) for h, label in
                                                                            HEALTH_LABELS.items()],
                         validators=[Optional()])
    sector = SelectField(_l("Sector"), choices=[("", _l("All sectors"))] + choices(SECTORS), validators=[Optional()])
    status = SelectField(_l("Startups"), choices=[("active", _l("Active")), ("all", _l("All, with withdrawn and "
                                                                                     "graduated"))],
                         validators=[Optional()])
    help = SelectField(_l("Help requests"), choices=[("", _l("Any")), ("open", _l("With an open request"))],
                       validators=[Optional()])
    sort = SelectField(_l("Sort by"), choices=list(SORTS.items()), validators=[Optional()])
    currency = SelectField(_l("Totals in"), choices=[("USD", "USD"), ("KHR", "KHR")], validators=[Optional()])
