"""Report pages, mounted at ``/reports``.

By audience: ``manage`` (managers: every report, investor profiles, cohort reports), ``profile`` (founders
and managers: a startup's investor profile, consent, funding rounds, preview, generating its one-pager),
``snapshots`` (a snapshot's page, PDF and CSV, its shares; investors' "shared with me") and ``public``
(share links, where the signed token is the authorization).
"""
from flask import Blueprint

bp = Blueprint("reports", __name__)

from incubator.reports.views import manage, profile, public, snapshots  # noqa: E402,F401
