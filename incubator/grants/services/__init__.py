"""The grant rules: tranche plans (``plans``) and the ledger (``ledger``). Services flush; the caller commits.

Helpers shared by both: reading a typed amount into minor units without losing a fraction, and taking
the grant's row lock before any rule that depends on its totals.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from incubator.core.errors import ConflictError, ServiceError
from incubator.core.money import CURRENCIES, from_minor, minor_exponent
from incubator.extensions import db
from incubator.grants.models import Grant, Tranche

# A trillion dollars or riel in minor units: far more than any seed grant, well inside BIGINT.
MAX_MINOR = 10**14


def amount_to_minor(value, currency: str, field: str) -> int:
    """A positive amount typed in major units (``"1,500.50"``) as minor units of ``currency``.

    Unlike ``core.money.to_minor`` a fraction is refused rather than rounded (a tenth of a cent; any
    fraction of a riel, which is never used in practice): money on a ledger is exact.

    :raises ServiceError: on ``field`` for an empty, non-numeric, zero, negative, too precise or too large value.
    """
    if currency not in CURRENCIES:
        raise ServiceError.on("currency", _("Choose USD or KHR."))
    try:
        amount = Decimal(str(value).replace(",", "").replace("\u00a0", "").replace(" ", "")) if value is not None \
            else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise ServiceError.on(field, _("Enter an amount, for example 1500."))
    if currency == "KHR" and amount != amount.to_integral_value():
        # Riel has no coins below one riel in use, even though its ISO minor unit exists.
        raise ServiceError.on(field, _("Riel amounts have no decimals."))
    minor = amount.scaleb(minor_exponent(currency))
    if minor != minor.to_integral_value():
        raise ServiceError.on(field, _("Use at most two decimals."))
    if minor <= 0:
        raise ServiceError.on(field, _("Enter an amount above zero."))
    if minor > MAX_MINOR:
        raise ServiceError.on(field, _("The amount is too large."))
    return int(minor)


def to_major(amount_minor: int, currency: str) -> Decimal:
    """The inverse of ``amount_to_minor``: an exact major amount, riel without decimals (``Decimal("4100")``)."""
    value = from_minor(amount_minor, currency)
    return value.quantize(Decimal(1)) if currency == "KHR" else value


def lock_grant(grant_id: int) -> Grant:
    """Take the grant's row lock and reload it with its tranches and their milestones.

    On PostgreSQL ``SELECT ... FOR UPDATE`` makes a second writer of the same grant wait until the first
    commits, then read the totals it left; on SQLite every write transaction already holds the database's
    write lock (``BEGIN IMMEDIATE``). Either way the checks that follow see the latest committed totals.
    """
    grant = db.session.scalar(
        sa.select(Grant).where(Grant.id == grant_id).with_for_update(of=Grant)
        .execution_options(populate_existing=True)
    )
    if grant is None:
        raise ConflictError(_("This grant no longer exists."))
    tranches = db.session.scalars(
        sa.select(Tranche).where(Tranche.grant_id == grant_id).order_by(Tranche.position)
        .options(joinedload(Tranche.milestone)).execution_options(populate_existing=True)
    ).all()
    set_committed_value(grant, "tranches", list(tranches))
    return grant
