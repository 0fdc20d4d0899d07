"""Forms for notification preferences and the unsubscribe confirmation."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SubmitField

from incubator.core.forms import BaseForm


class UnsubscribeForm(BaseForm):
    submit = SubmitField(_l("Unsubscribe"))


def preferences_form(choices) -> BaseForm:
    """A form with one "email me" box per category in ``choices`` (``[(Category, enabled), ...]``).

    Essential categories are shown checked and disabled; their value is never read.
    """

    class PreferencesForm(BaseForm):
        submit = SubmitField(_l("Save preferences"))

    for kind, enabled in choices:
        render = {"disabled": True} if kind.essential else {}
        setattr(PreferencesForm, f"email_{kind.key}",
                BooleanField(kind.label, default=enabled, description=kind.description, render_kw=render))
    return PreferencesForm()
