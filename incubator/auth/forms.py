"""Forms for signing in, invitations, passwords, profiles and API tokens."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from incubator.auth.models import ROLE_LABELS
from incubator.auth.passwords import MAX_LENGTH
from incubator.core.forms import BaseForm, strip
from incubator.core.i18n import timezone_choices

LANGUAGE_CHOICES = [("en", "English"), ("km", "ភាសាខ្មែរ")]


def _timezone_valid(form, field):
    if field.data not in timezone_choices():
        raise ValidationError(_("Choose a time zone from the list."))


class LoginForm(BaseForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)], filters=[strip])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    remember = BooleanField(_l("Keep me signed in on this device"))
    submit = SubmitField(_l("Sign in"))


class ForgotPasswordForm(BaseForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)], filters=[strip])
    submit = SubmitField(_l("Email me a reset link"))


class NewPasswordMixin:
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=MAX_LENGTH)],
        description=_l("At least 12 characters. A short sentence is easy to remember and hard to guess."),
    )
    confirm = PasswordField(
        _l("Repeat the password"), validators=[DataRequired(), EqualTo("password", _l("The passwords differ."))]
    )


class ResetPasswordForm(NewPasswordMixin, BaseForm):
    submit = SubmitField(_l("Set password"))


class AcceptInvitationForm(NewPasswordMixin, BaseForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)])
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES, default="en")
    timezone = SelectField(_l("Time zone"), validators=[_timezone_valid], default="Asia/Phnom_Penh")
    submit = SubmitField(_l("Create my account"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()


class ProfileForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    locale = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    timezone = SelectField(_l("Time zone"), validators=[_timezone_valid])
    submit = SubmitField(_l("Save profile"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=MAX_LENGTH)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", _l("The passwords differ."))],
    )
    submit = SubmitField(_l("Change password"))


class ApiTokenForm(BaseForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=80)],
                       description=_l("For example: reporting script"))
    submit = SubmitField(_l("Create token"))


class InviteForm(BaseForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)], filters=[strip])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=120)])
    role = SelectField(_l("Role"), choices=[(r.value, label) for r, label in ROLE_LABELS.items()], default="founder")
    startup_id = SelectField(_l("Startup (for founders)"), coerce=int, validators=[Optional()])
    locale = SelectField(_l("Language of the invitation"), choices=LANGUAGE_CHOICES, default="en")
    submit = SubmitField(_l("Send invitation"))


class UserAccessForm(BaseForm):
    role = SelectField(_l("Role"), choices=[(r.value, label) for r, label in ROLE_LABELS.items()])
    is_admin = BooleanField(_l("Administrator (managers only)"))
    is_active = BooleanField(_l("Account active"))
    submit = SubmitField(_l("Save"))
