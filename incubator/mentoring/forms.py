"""Forms for mentor profiles, the taxonomy, startups' needs, matching settings and match actions."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from incubator.cohorts.choices import SECTORS, choices
from incubator.cohorts.forms import MultiCheckboxField
from incubator.core.forms import BaseForm, strip
from incubator.mentoring.models import LANGUAGES, NEED_PRIORITY_LABELS
from incubator.mentoring.models.profiles import MAX_CAPACITY, MAX_MENTORS_PER_STARTUP


class ActionForm(BaseForm):
    """A button that changes something: only the CSRF token."""


class MentorProfileForm(BaseForm):
    headline = StringField(_l("Headline"), filters=[strip], validators=[Optional(), Length(max=160)],
                           description=_l("One line, for example: Former CFO, fintech and fundraising."))
    bio = TextAreaField(_l("Biography"), validators=[Optional(), Length(max=5000)],
                        description=_l("Your experience and how you like to help founders."))
    languages = MultiCheckboxField(_l("Languages you mentor in"), choices=choices(LANGUAGES), validators=[
        DataRequired(message=_l("Choose at least one language you mentor in."))])
    other_languages = StringField(_l("Other languages"), filters=[strip], validators=[Optional(), Length(max=120)],
                                  description=_l("If you ticked Other: which ones?"))
    sectors = MultiCheckboxField(_l("Sectors you know"), choices=choices(SECTORS))
    capacity = IntegerField(_l("Startups at once"), validators=[InputRequired(), NumberRange(min=0, max=MAX_CAPACITY)],
                            description=_l("How many startups you can mentor at the same time. 0 = not taking new "
                                           "startups for now."))
    tag_ids = MultiCheckboxField(_l("Expertise"), coerce=int, choices=[])


class ConflictForm(BaseForm):
    startup_id = SelectField(_l("Startup"), coerce=int, validators=[DataRequired()])
    reason = StringField(_l("Reason (optional)"), filters=[strip], validators=[Optional(), Length(max=255)],
                         description=_l("For example: I invested in a competitor."))


class TagForm(BaseForm):
    name = StringField(_l("Name"), filters=[strip], validators=[DataRequired(), Length(max=80)])
    category = StringField(_l("Category"), filters=[strip], validators=[Optional(), Length(max=80)],
                           description=_l("Groups tags on forms, for example: Finance, Technology, Market."))
    description = StringField(_l("Description"), filters=[strip], validators=[Optional(), Length(max=255)])


class ArchiveTagForm(BaseForm):
    archived = HiddenField()


def needs_form_class(tags) -> type[BaseForm]:
    """A needs form with one priority choice per offered tag (``tag_<id>``: none, nice to have, must have)."""

    class NeedsForm(BaseForm):
        languages = MultiCheckboxField(_l("Languages your team can be mentored in"), choices=choices(LANGUAGES),
                                       validators=[DataRequired(
                                           message=_l("Choose at least one language your team can be mentored in."))])
        notes = TextAreaField(_l("What help do you need most?"), validators=[Optional(), Length(max=2000)],
                              description=_l("A few sentences for the incubator team and your future mentor."))
        tags = HiddenField()  # carries errors about the tag choices as a whole

    priorities = [("", _l("Not needed"))] + [(key.value, label) for key, label in NEED_PRIORITY_LABELS.items()]
    for tag in tags:
        setattr(NeedsForm, f"tag_{tag.id}", SelectField(tag.name, choices=priorities, default="",
                                                        description=tag.description))
    return NeedsForm


class SettingsForm(BaseForm):
    mentors_per_startup = IntegerField(_l("Mentors per startup"), default=1,
                                       validators=[InputRequired(), NumberRange(1, MAX_MENTORS_PER_STARTUP)])
    weight_needs = IntegerField(_l("Weight of needs and expertise"), default=6,
                                validators=[InputRequired(), NumberRange(0, 10)])
    weight_sector = IntegerField(_l("Weight of sector fit"), default=2,
                                 validators=[InputRequired(), NumberRange(0, 10)])
    weight_timezone = IntegerField(_l("Weight of shared working hours"), default=2,
                                   validators=[InputRequired(), NumberRange(0, 10)])
    must_weight = IntegerField(_l("A must-have counts"), default=3, validators=[InputRequired(), NumberRange(1, 10)],
                               description=_l("How many times a nice-to-have it weighs."))
    nice_weight = IntegerField(_l("A nice-to-have counts"), default=1, validators=[InputRequired(), NumberRange(0, 10)])
    min_score = IntegerField(_l("Minimum score (%)"), default=0, validators=[InputRequired(), NumberRange(0, 100)],
                             description=_l("Pairs scoring less are not proposed. 0 = any pair that meets the rules."))
    work_start_hour = IntegerField(_l("Working day starts (hour)"), default=9,
                                   validators=[InputRequired(), NumberRange(0, 23)])
    work_end_hour = IntegerField(_l("Working day ends (hour)"), default=18,
                                 validators=[InputRequired(), NumberRange(1, 24)])


class SwapForm(BaseForm):
    mentor_id = SelectField(_l("New mentor"), coerce=int, validators=[DataRequired()])


class LockForm(BaseForm):
    locked = HiddenField()


class DeclineForm(BaseForm):
    reason = TextAreaField(_l("Why are you declining?"), validators=[DataRequired(), Length(max=1000)],
                           description=_l("Only the incubator team sees this."))
