"""Resource pages, mounted at ``/resources``.

The routes live in three modules by audience: ``booking`` (founders and managers: the catalog, a resource's
calendar and booking form, their bookings), ``manage`` (managers: resources, blackouts, approvals,
certifications, allowances, every booking) and ``reports`` (managers: utilization and its CSV).
"""
from flask import Blueprint

from incubator.resources import billing_hooks  # noqa: F401  (registers paid bookings with billing)
from incubator.resources.formatting import hours_text, quantity_text
from incubator.resources.permissions import can_browse_resources, can_manage_resources

bp = Blueprint("resources", __name__)
bp.add_app_template_global(can_browse_resources, "can_browse_resources")
bp.add_app_template_global(can_manage_resources, "can_manage_resources")
bp.add_app_template_filter(hours_text, "hours")
bp.add_app_template_global(quantity_text, "quantity_text")

from incubator.resources.views import booking, manage, reports  # noqa: E402,F401
