"""Investor profiles, consent, funding rounds, shares and the views counted on them (services flush only).

Sharing rules: a share expires on the day its sharer chose (end of that day in the incubator's time zone,
at most a year ahead) and can be revoked at any time. A one-pager stops being shown to investors, by
account or link, as soon as its founders withdraw consent for a section it contains ("withheld"); a newer
one-pager can then be generated and shared.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from incubator.audit.services import record
from incubator.auth.models import Role, User
from incubator.auth.tokens import TokenInvalid, sign, unsign
from incubator.cohorts.models import Startup
from incubator.core.errors import ConflictError, ForbiddenError, ServiceError
from incubator.core.money import CURRENCIES
from incubator.core.urls import app_path
from incubator.db import utcnow
from incubator.extensions import db
from incubator.notifications.services import notify
from incubator.progress.periods import incubator_zone, local_today
from incubator.reports.models import (
    INSTRUMENTS,
    ROUND_KINDS,
    FundingRound,
    InvestorProfile,
    ReportShare,
    ReportSnapshot,
    ReportView,
    ShareKind,
)
from incubator.reports.onepager import profile_for
from incubator.reports.sections import DEFAULT_SECTIONS, clean_sections

SHARE_SALT = "report-share"
MAX_SHARE_DAYS = 366
PROFILE_FIELDS = ("tagline", "problem", "solution", "ask_minor", "ask_currency", "ask_instrument", "use_of_funds",
                  "contact_name", "contact_email", "contact_phone")


def _saved_profile(startup: Startup) -> InvestorProfile:
    profile = profile_for(startup)
    if profile.id is None:
        db.session.add(profile)
    return profile


def save_profile(actor: User, startup: Startup, data: dict) -> InvestorProfile:
    """Save what the startup tells investors (problem, solution, the current ask, contact).

    :param data: ``PROFILE_FIELDS``; ``ask_minor`` in minor units of ``ask_currency`` or ``None``.
    """
    if data.get("ask_currency", "USD") not in CURRENCIES:
        raise ServiceError.on("ask_currency", _("Choose US dollars or riel."))
    if data.get("ask_instrument", "") not in INSTRUMENTS:
        raise ServiceError.on("ask_instrument", _("Choose how you are raising."))
    if data.get("ask_minor") is not None and data["ask_minor"] < 0:
        raise ServiceError.on("ask_amount", _("The amount cannot be negative."))
    profile = _saved_profile(startup)
    for key in PROFILE_FIELDS:
        if key in data:
            setattr(profile, key, data[key] if data[key] is not None or key == "ask_minor" else "")
    db.session.flush()
    record(actor, "investor_profile.updated", startup)
    return profile


def set_consent(actor: User, startup: Startup, sections) -> InvestorProfile:
    """Choose the sections of the one-pager investors may see.

    :param sections: section keys (unknown keys are ignored).
    """
    profile = _saved_profile(startup)
    before = list(profile.shared_sections or [])
    profile.shared_sections = clean_sections(sections)
    profile.consent_updated_at, profile.consent_updated_by_id = utcnow(), actor.id
    db.session.flush()
    record(actor, "investor_profile.consent_changed", startup, before=before, after=profile.shared_sections)
    return profile


def add_round(actor: User, startup: Startup, data: dict) -> FundingRound:
    """Declare a funding round (``kind``, ``closed_on``, ``amount_minor``, ``currency``, ``investors``)."""
    if data.get("kind") not in ROUND_KINDS:
        raise ServiceError.on("kind", _("Choose the kind of round."))
    if data.get("currency") not in CURRENCIES:
        raise ServiceError.on("currency", _("Choose US dollars or riel."))
    if data.get("closed_on") is None or data["closed_on"] > local_today():
        raise ServiceError.on("closed_on", _("Give the date the money came in; it cannot be in the future."))
    if data.get("amount_minor") is None or data["amount_minor"] <= 0:
        raise ServiceError.on("amount", _("Give an amount above zero."))
    funding_round = FundingRound(startup_id=startup.id, kind=data["kind"], closed_on=data["closed_on"],
                                 amount_minor=data["amount_minor"], currency=data["currency"],
                                 investors=(data.get("investors") or "")[:255], created_by_id=actor.id)
    db.session.add(funding_round)
    db.session.flush()
    record(actor, "funding_round.added", startup, kind=funding_round.kind)
    return funding_round


def delete_round(actor: User, funding_round: FundingRound) -> None:
    """Remove a funding round declared by mistake (snapshots already made keep it)."""
    startup = db.session.get(Startup, funding_round.startup_id)
    db.session.delete(funding_round)
    db.session.flush()
    record(actor, "funding_round.removed", startup, kind=funding_round.kind)


# Shares ----------------------------------------------------------------------------------------------


def expiry_from_date(day: date) -> datetime:
    """A share chosen to last "until ``day``" ends at midnight after that day, in the incubator's time zone."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=incubator_zone())


def withheld_sections(snapshot: ReportSnapshot, profile_sections: list[str] | None) -> list[str]:
    """Sections of a one-pager its founders no longer share (empty for cohort reports)."""
    if not snapshot.is_one_pager:
        return []
    allowed = set(profile_sections or [])
    return [key for key in snapshot.sections or [] if key not in allowed]


def current_consent(snapshot: ReportSnapshot) -> list[str] | None:
    """The sections the one-pager's founders share today (``None`` for cohort reports).

    A startup whose founders never saved an investor profile shares the default sections, exactly what
    ``onepager.profile_for`` generates with; otherwise a fresh one-pager would be withheld at once.
    """
    if not snapshot.is_one_pager:
        return None
    profile = db.session.scalar(sa.select(InvestorProfile)
                                .where(InvestorProfile.startup_id == snapshot.startup_id))
    if profile is None:
        return list(DEFAULT_SECTIONS)
    return list(profile.shared_sections or [])


def create_share(actor: User, snapshot: ReportSnapshot, kind: ShareKind, until: date | None,
                 recipient: User | None = None, label: str = "") -> ReportShare:
    """Share a snapshot with an investor's account or by a signed link, until the end of ``until``.

    :raises ServiceError: no or a past expiry date, more than a year ahead, or a recipient who is not an
        active investor. :raises ForbiddenError: an account share by someone other than a manager.
    :raises ConflictError: that investor already has an active share of this report, or the founders no longer
        share a section the one-pager contains.
    """
    if until is None or until < local_today():
        raise ServiceError.on("expires_on", _("Choose an expiry date from today on."))
    if until > local_today() + timedelta(days=MAX_SHARE_DAYS):
        raise ServiceError.on("expires_on", _("A share can last at most a year."))
    if withheld_sections(snapshot, current_consent(snapshot)):
        raise ConflictError(_("The founders no longer share every section of this one-pager; generate a new one "
                              "to share."))
    if kind == ShareKind.ACCOUNT:
        if not actor.is_manager:
            raise ForbiddenError(_("Only the incubator team shares reports with investors' accounts; share a link."))
        if recipient is None or recipient.role != Role.INVESTOR or not recipient.is_active:
            raise ServiceError.on("recipient_id", _("Choose an investor's account."))
        existing = db.session.scalar(sa.select(ReportShare.id).where(
            ReportShare.snapshot_id == snapshot.id, ReportShare.recipient_id == recipient.id,
            ReportShare.revoked_at.is_(None), ReportShare.expires_at > utcnow()))
        if existing:
            raise ConflictError(_("%(name)s can already see this report.", name=recipient.name))
    else:
        recipient = None
    share = ReportShare(snapshot_id=snapshot.id, kind=kind, recipient_id=recipient.id if recipient else None,
                        label=(label or "").strip()[:120], expires_at=expiry_from_date(until),
                        created_by_id=actor.id)
    db.session.add(share)
    db.session.flush()
    record(actor, "report.shared", snapshot, label=snapshot.title, share=share.id, kind=kind.value,
           recipient=recipient.email if recipient else None, until=until.isoformat())
    if recipient is not None:
        notify(recipient, "reports", _l("A report was shared with you: %(title)s", title=snapshot.title),
               _l("%(kind)s, available until %(date)s.", kind=snapshot.kind_label, date=until.isoformat()),
               link=app_path("reports.view_snapshot", snapshot_id=snapshot.id),
               dedupe_key=f"report-shared:{share.id}")
    return share


def revoke_share(actor: User, share: ReportShare) -> ReportShare:
    """Stop a share at once: its link or the investor's access shows "revoked" from now on."""
    if share.revoked_at is not None:
        raise ConflictError(_("This share was already revoked."))
    share.revoked_at, share.revoked_by_id = utcnow(), actor.id
    db.session.flush()
    record(actor, "report.share_revoked", share.snapshot, label=share.snapshot.title, share=share.id)
    return share


def share_token(share: ReportShare) -> str:
    """The signed token of a link share (its URL's last part)."""
    return sign({"s": share.id, "n": share.token_nonce}, SHARE_SALT)


class LinkProblem(Exception):
    """A share link that opens nothing: ``invalid``, ``expired``, ``revoked`` or ``withheld``."""

    def __init__(self, reason: str, share: ReportShare | None = None):
        super().__init__(reason)
        self.reason, self.share = reason, share


def resolve_link(token: str) -> ReportShare:
    """The active link share a token stands for.

    :raises LinkProblem: bad signature or unknown share (``invalid``), past its expiry, revoked, or a
        one-pager whose founders have since withdrawn consent for a section in it (``withheld``).
    """
    try:
        payload = unsign(token, SHARE_SALT, max_age=None)
    except TokenInvalid as exc:
        raise LinkProblem("invalid") from exc
    share = db.session.get(ReportShare, payload.get("s")) if isinstance(payload.get("s"), int) else None
    if share is None or share.kind != ShareKind.LINK or share.token_nonce != payload.get("n"):
        raise LinkProblem("invalid")
    state = share.state()
    if state != "active":
        raise LinkProblem(state, share)
    if withheld_sections(share.snapshot, current_consent(share.snapshot)):
        raise LinkProblem("withheld", share)
    return share


def record_view(snapshot: ReportSnapshot, fmt: str, share: ReportShare | None = None,
                viewer: User | None = None) -> None:
    """Count one view of ``snapshot`` (``page``, ``pdf`` or ``csv``) through ``share`` and/or by ``viewer``."""
    now = utcnow()
    db.session.add(ReportView(snapshot_id=snapshot.id, share_id=share.id if share else None,
                              viewer_id=viewer.id if viewer else None, format=fmt, viewed_at=now))
    if share is not None:
        # One UPDATE adds to the counter, so simultaneous views are all counted.
        db.session.execute(sa.update(ReportShare).where(ReportShare.id == share.id)
                           .values(view_count=ReportShare.view_count + 1, last_viewed_at=now))
    db.session.flush()
