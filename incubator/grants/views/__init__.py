"""Grant pages, mounted at ``/grants``: the managers' overview, each startup's grant and ledger, and the
managers' forms (create, edit the plan before any payment, record a disbursement, reverse an entry).

The routes live in three modules: ``pages`` (reading: overview, cohort, grant, CSV, receipts), ``plans``
(creating a grant and editing its tranches) and ``ledger`` (disbursements, reversals, late receipts).
"""
from flask import Blueprint

from incubator.grants.permissions import can_view_grant
from incubator.grants.queries import grant_of_startup

bp = Blueprint("grants", __name__)
# Other domains' pages (home, startup profile) link here only for people who may follow the link.
bp.add_app_template_global(can_view_grant, "can_view_grant")
bp.add_app_template_global(grant_of_startup, "grant_of_startup")

from incubator.grants.views import ledger, pages, plans  # noqa: E402,F401
