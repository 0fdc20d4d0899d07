"""Small WTForms helpers shared by every domain's forms."""
from __future__ import annotations


def strip(value):
    """Field filter: trim surrounding white space (pasted emails often carry some)."""
    return value.strip() if isinstance(value, str) else value
