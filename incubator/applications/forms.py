"""Forms for the public application, the rubric, reviews and decisions."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    EmailField,
    FieldList,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import URL, DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError

from incubator.cohorts.choices import GENDERS, PROVINCES, SECTORS, STAGES, choices
from incubator.core.forms import BaseForm, BaseSubForm, strip

MAX_FOUNDERS = 5


class FounderEntry(BaseSubForm):
    name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[Optional(), Email(), Length(max=254)], filters=[strip])
    gender = SelectField(_l("Gender"), choices=choices(GENDERS), default="undisclosed")


class ApplicationForm(BaseForm):
    startup_name = StringField(_l("Startup name"), validators=[DataRequired(), Length(max=120)])
    founders = FieldList(FormField(FounderEntry), min_entries=3, max_entries=MAX_FOUNDERS)
    sector = SelectField(_l("Sector"), choices=choices(SECTORS))
    stage = SelectField(_l("Stage"), choices=choices(STAGES))
    province = SelectField(_l("Province"), choices=choices(PROVINCES), default="phnom_penh")
    problem = TextAreaField(_l("What problem do you solve, and for whom?"),
                            validators=[DataRequired(), Length(max=3000)])
    solution = TextAreaField(_l("What is your solution?"), validators=[DataRequired(), Length(max=3000)])
    traction = TextAreaField(_l("Traction so far (users, customers, revenue, pilots)"),
                             validators=[Optional(), Length(max=3000)])
    team = TextAreaField(_l("Why is your team the one to do it?"), validators=[Optional(), Length(max=3000)])
    website = URLField(_l("Website"), validators=[Optional(), URL(require_tld=True), Length(max=255)])
    pitch_deck = FileField(
        _l("Pitch deck (PDF, at most 10 MB)"),
        validators=[FileRequired(_l("Attach your pitch deck.")), FileAllowed(["pdf"], _l("PDF files only."))],
    )
    submit = SubmitField(_l("Submit application"))

    def validate_founders(self, field):
        seen: dict[str, int] = {}
        for number, entry in enumerate(field.entries, start=1):
            name, email = entry.form.name.data, (entry.form.email.data or "").lower()
            if bool(name) != bool(email):
                raise ValidationError(_("Founder %(n)d: give both a name and an email, or leave both empty.", n=number))
            if email and email in seen:
                raise ValidationError(_("Founder %(n)d uses the same email as founder %(first)d.", n=number,
                                        first=seen[email]))
            if email:
                seen[email] = number
        if not self.founder_list():
            raise ValidationError(_("Name at least one founder with an email."))

    def founder_list(self) -> list[dict]:
        return [
            {"name": entry.data["name"], "email": entry.data["email"], "gender": entry.data["gender"]}
            for entry in self.founders.entries
            if entry.data.get("name") and entry.data.get("email")
        ]


class CriterionEntry(BaseSubForm):
    name = StringField(_l("Criterion"), validators=[Optional(), Length(max=120)])
    description = StringField(_l("What a 5 looks like"), validators=[Optional(), Length(max=500)])
    weight = IntegerField(_l("Weight"), validators=[Optional(), NumberRange(min=1, max=10)], default=1)


class RubricForm(BaseForm):
    criteria = FieldList(FormField(CriterionEntry), min_entries=6, max_entries=12)
    submit = SubmitField(_l("Save rubric"))

    def criteria_list(self) -> list[dict]:
        """The filled rows; a row with only a description is kept so the service can refuse it."""
        return [
            {"name": e.data["name"] or "", "description": e.data["description"] or "", "weight": e.data["weight"] or 1}
            for e in self.criteria.entries
            if e.data.get("name") or e.data.get("description")
        ]


SCORE_CHOICES = [(i, str(i)) for i in range(1, 6)]


def review_form_class(criteria):
    """A review form with one required 1-5 score per rubric criterion."""

    class ReviewForm(BaseForm):
        comment = TextAreaField(_l("Comment for the selection committee"), validators=[Optional(), Length(max=5000)])
        submit = SubmitField(_l("Submit review"))

    for criterion in criteria:
        setattr(
            ReviewForm,
            f"score_{criterion.id}",
            RadioField(criterion.name, choices=SCORE_CHOICES, coerce=int,
                       validators=[InputRequired(_l("Give a score from 1 to 5."))]),
        )
    return ReviewForm


class ConflictForm(BaseForm):
    reason = TextAreaField(_l("What is the conflict of interest?"), validators=[DataRequired(), Length(max=2000)])
    submit = SubmitField(_l("Declare conflict and step off"))


class AssignReviewerForm(BaseForm):
    reviewer_id = SelectField(_l("Reviewer"), coerce=int, validators=[DataRequired()])
    submit = SubmitField(_l("Assign"))


class DecisionForm(BaseForm):
    decision = SelectField(
        _l("Decision"),
        choices=[("", _l("Choose…")), ("accepted", _l("Accept")), ("waitlisted", _l("Waitlist")),
                 ("rejected", _l("Reject"))],
        validators=[DataRequired(_l("Choose accept, waitlist or reject."))],
    )
    note = TextAreaField(_l("Message to the applicant (optional)"), validators=[Optional(), Length(max=3000)])
    submit = SubmitField(_l("Record decision and email the applicant"))
