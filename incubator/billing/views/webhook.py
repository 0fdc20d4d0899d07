"""The Stripe webhook: signature first, then the event once (see ``billing.webhooks``)."""
from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import jsonify, request
from sqlalchemy.exc import IntegrityError

from incubator.billing import webhooks
from incubator.billing.models import StripeEvent
from incubator.billing.views import bp
from incubator.core.errors import error_response
from incubator.db import is_unique_violation
from incubator.extensions import db

log = logging.getLogger(__name__)


@bp.post("/webhooks/stripe")
def stripe_webhook():
    # The raw bytes, exactly as Stripe signed them (never re-serialised JSON).
    payload = request.get_data(cache=False, as_text=False, parse_form_data=False)
    try:
        event = webhooks.verify(payload, request.headers.get("Stripe-Signature"))
    except webhooks.InvalidWebhook as exc:
        log.warning("refused a Stripe webhook: %s", exc)
        return error_response(400, "Invalid webhook request.")
    try:
        outcome = webhooks.process(event)
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        if not is_unique_violation(exc) or not _already_recorded(event["id"]):
            raise
        return jsonify(received=True, duplicate=True)
    log.info("Stripe event %s (%s): %s", event["id"], event["type"], outcome)
    return jsonify(received=True, outcome=outcome)


def _already_recorded(event_id: str) -> bool:
    return db.session.scalar(sa.select(StripeEvent.id).where(StripeEvent.event_id == event_id)) is not None
