"""Small WTForms helpers shared by every domain's forms."""
from __future__ import annotations

from flask_babel import get_translations
from flask_wtf import FlaskForm
from wtforms import Form


def strip(value):
    """Field filter: trim surrounding white space (pasted emails often carry some)."""
    return value.strip() if isinstance(value, str) else value


class _BabelMeta:
    # WTForms' built-in messages ("This field is required.") come from our own catalogs, which
    # carry their Khmer; WTForms itself ships no Khmer translation.
    def get_translations(self, form):
        return get_translations()


class BaseForm(FlaskForm):
    """Every page form: CSRF from Flask-WTF, messages in the viewer's language."""

    class Meta(_BabelMeta):
        pass


class BaseSubForm(Form):
    """A form nested in a FieldList (no CSRF of its own), translated the same way."""

    class Meta(_BabelMeta):
        pass
