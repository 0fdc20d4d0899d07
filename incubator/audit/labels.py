"""Readable, translated names for audit actions; unknown actions fall back to their code."""
from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from incubator.core.money import CURRENCIES, format_money

ACTION_LABELS = {
    "allowance.removed": _l("Resource allowance removed"),
    "allowance.set": _l("Resource allowance set"),
    "application.submitted": _l("Application submitted"),
    "application.accepted": _l("Application accepted"),
    "application.waitlisted": _l("Application waitlisted"),
    "application.rejected": _l("Application not selected"),
    "blackout.added": _l("Resource closed (blackout added)"),
    "blackout.removed": _l("Resource blackout removed"),
    "booking.approved": _l("Booking approved"),
    "booking.cancelled": _l("Booking cancelled"),
    "booking.created": _l("Booking made"),
    "booking.rejected": _l("Booking rejected"),
    "certification.granted": _l("Training certified"),
    "certification.revoked": _l("Training certification withdrawn"),
    "charge.cancelled": _l("Charge cancelled"),
    "charge.paid": _l("Charge paid online"),
    "charge.paid_offline": _l("Charge marked paid offline"),
    "charge.refunded": _l("Charge refunded through Stripe"),
    "charge.refunded_offline": _l("Refund recorded (paid back by hand)"),
    "charge.attention_cleared": _l("Payment flag cleared"),
    "cohort.created": _l("Cohort created"),
    "cohort.updated": _l("Cohort edited"),
    "cohort.status_changed": _l("Cohort status changed"),
    "grant.created": _l("Grant created"),
    "grant.updated": _l("Grant plan changed"),
    "grant.disbursed": _l("Grant money disbursed"),
    "grant.reversed": _l("Grant payment reversed"),
    "grant.receipt_added": _l("Grant receipt attached"),
    "fee.billed": _l("Monthly fee billed"),
    "fee.created": _l("Monthly fee set"),
    "fee.updated": _l("Monthly fee changed"),
    "invitation.sent": _l("Invitation sent"),
    "invitation.resent": _l("Invitation link renewed"),
    "invitation.revoked": _l("Invitation revoked"),
    "invitation.accepted": _l("Invitation accepted"),
    "matching.run": _l("Mentor matching run"),
    "matching.published": _l("Mentor matches published"),
    "matching.settings_changed": _l("Mentor matching settings changed"),
    "match.swapped": _l("Mentor of a proposed match changed"),
    "match.locked": _l("Proposed match locked"),
    "match.unlocked": _l("Proposed match unlocked"),
    "match.removed": _l("Mentor match removed"),
    "match.accepted": _l("Mentor match accepted"),
    "match.declined": _l("Mentor match declined"),
    "mentor_profile.updated": _l("Mentor profile edited"),
    "mentor_conflict.declared": _l("Mentor conflict of interest declared"),
    "mentor_conflict.removed": _l("Mentor conflict of interest withdrawn"),
    "mentoring.availability_changed": _l("Mentor's weekly hours changed"),
    "mentoring.booking_settings_changed": _l("Mentor's booking rules changed"),
    "mentoring.exception_added": _l("Mentor's availability exception added"),
    "mentoring.exception_removed": _l("Mentor's availability exception removed"),
    "mentoring.office_hours_opened": _l("Office hours opened"),
    "mentoring.office_hours_closed": _l("Office hours closed"),
    "mentoring.policy_changed": _l("Mentoring allowance or cut-off changed"),
    "mentoring.session_booked": _l("Mentoring session booked"),
    "mentoring.session_cancelled": _l("Mentoring session cancelled"),
    "mentoring.session_moved": _l("Mentoring session moved"),
    "mentoring.session_noted": _l("Mentoring session notes saved"),
    "mentoring.no_show_marked": _l("Mentoring session marked as a no-show"),
    "mentoring.no_show_undone": _l("Mentoring session no-show undone"),
    "mentoring.calendar_feed_created": _l("Calendar feed created"),
    "mentoring.calendar_feed_renewed": _l("Calendar feed address renewed"),
    "mentoring.calendar_feed_revoked": _l("Calendar feed turned off"),
    "expertise_tag.created": _l("Expertise tag added"),
    "expertise_tag.updated": _l("Expertise tag edited"),
    "startup_needs.updated": _l("Startup mentoring needs edited"),
    "password.reset": _l("Password reset by email"),
    "password.set": _l("Password set from the command line"),
    "resource.archived": _l("Resource archived"),
    "resource.created": _l("Resource added"),
    "resource.restored": _l("Resource restored"),
    "resource.updated": _l("Resource edited"),
    "review.assigned": _l("Reviewer assigned"),
    "review.unassigned": _l("Reviewer removed"),
    "review.submitted": _l("Review submitted"),
    "review.conflict_declared": _l("Conflict of interest declared"),
    "rubric.updated": _l("Scoring rubric changed"),
    "report.generated": _l("Report generated"),
    "report.shared": _l("Report shared"),
    "report.share_revoked": _l("Report share revoked"),
    "investor_profile.updated": _l("Investor profile edited"),
    "investor_profile.consent_changed": _l("Sections shared with investors changed"),
    "funding_round.added": _l("Funding round added"),
    "funding_round.removed": _l("Funding round removed"),
    "startup.created": _l("Startup created"),
    "startup.updated": _l("Startup profile edited"),
    "startup.status_changed": _l("Startup status changed"),
    "team.member_added": _l("Team member added"),
    "team.member_removed": _l("Team member removed"),
    "user.created": _l("Account created"),
    "user.role_changed": _l("Access changed"),
}

# Details recorded as a [before, after] pair.
CHANGE_KEYS = frozenset({"role", "admin", "active"})


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def detail_pair(key: str, value) -> str:
    """One detail as ``key: value``; a recorded change reads ``before → after``."""
    if key in CHANGE_KEYS and isinstance(value, list) and len(value) == 2:
        return f"{key}: {detail_text(value[0])} → {detail_text(value[1])}"
    return f"{key}: {detail_text(value)}"


def detail_texts(details: dict) -> list[str]:
    """Every detail of an entry as ``key: value``; an ``amount`` in minor units with its ``currency`` is shown as
    money (``$85.00``, ``400,000 KHR``) rather than as the stored integer, which reads 100 times too large."""
    details = dict(details or {})
    currency = details.get("currency")
    amount = details.get("amount")
    if currency in CURRENCIES and isinstance(amount, int) and not isinstance(amount, bool):
        details.pop("currency")
        details["amount"] = format_money(amount, currency, str(get_locale() or "en"))
    return [detail_pair(key, value) for key, value in details.items()]


def detail_text(value) -> str:
    """Details as a person reads them: lists joined, booleans as yes/no."""
    if isinstance(value, list):
        return ", ".join(detail_text(v) for v in value)
    if isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    return str(value)
