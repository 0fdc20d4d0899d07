"""The jobs page's "Run now" form."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SubmitField

from incubator.core.forms import BaseForm


class RunNowForm(BaseForm):
    force = BooleanField(_l("Run again even if it already ran for this period"))
    submit = SubmitField(_l("Run now"))
