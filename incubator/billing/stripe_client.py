"""The one place that talks to Stripe: a configured ``StripeClient``, idempotency keys and error mapping.

``STRIPE_SECRET_KEY`` switches Stripe on; ``STRIPE_API_BASE`` points the client at another server (the
tests' local stand-in, or a local demo). Every create call carries an idempotency key built from what it
creates (``checkout:<charge id>:<parameters digest>``), so a network retry, a double click or a job run twice
never creates two sessions, invoices or refunds.
"""
from __future__ import annotations

import hashlib
import json
import logging

import stripe
from flask import current_app
from flask_babel import gettext as _

from incubator.core.errors import ServiceError

log = logging.getLogger(__name__)



class PaymentProviderError(ServiceError):
    """Stripe could not be reached or refused the request; nothing was changed here."""

    status = 503
    code = "payment_provider_unavailable"

    def __init__(self, message: str | None = None):
        super().__init__(message or _("The payment service did not answer. Nothing was changed; please try again "
                                      "in a minute."))


def is_configured() -> bool:
    """Whether paid use goes through Stripe (a secret key is set)."""
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))


def webhook_secret() -> str:
    return current_app.config.get("STRIPE_WEBHOOK_SECRET", "")


def client() -> stripe.StripeClient:
    """The app's ``StripeClient`` (built once per key and base URL).

    :raises PaymentProviderError: Stripe is not configured.
    """
    key = current_app.config.get("STRIPE_SECRET_KEY", "")
    if not key:
        raise PaymentProviderError(_("Online payment is not set up; the charge is invoiced by the incubator."))
    base = current_app.config.get("STRIPE_API_BASE", "")
    cache = current_app.extensions.setdefault("stripe_clients", {})
    cached = cache.get((key, base))
    if cached is None:
        options = {"base_addresses": {"api": base}} if base else {}
        cached = cache[(key, base)] = stripe.StripeClient(key, max_network_retries=2, **options)
    return cached


def idempotency_key(prefix: str, *parts: object, params: dict | None = None) -> str:
    """A stable key for one create call: the prefix and ids, plus a digest of the parameters.

    The digest keeps the key valid if the parameters change (Stripe refuses a reused key with other
    parameters) while a retry of the very same request still reuses it.
    """
    key = ":".join([prefix, *(str(part) for part in parts)])
    if params is not None:
        digest = hashlib.sha256(json.dumps(params, sort_keys=True, default=str).encode()).hexdigest()[:16]
        key = f"{key}:{digest}"
    return f"incubator:{key}"


def call(fn, *args, params: dict | None = None, key: str | None = None):
    """Call a ``StripeClient`` method; Stripe failures become ``PaymentProviderError``.

    :param args: positional ids (``retrieve(session_id)``).
    :param key: the idempotency key (required for every create call).
    """
    options = {"idempotency_key": key} if key else None
    try:
        return fn(*args, params=params, options=options)
    except stripe.StripeError as exc:
        log.warning("Stripe request failed: %s (%s)", exc.user_message or exc, type(exc).__name__)
        raise PaymentProviderError() from exc


def get(obj, name: str, default=None):
    """A field of a Stripe object or a plain dict (webhook payload), ``default`` when absent or null."""
    if obj is None:
        return default
    try:
        value = obj[name]
    except (KeyError, TypeError, AttributeError):
        return default
    return default if value is None else value


def ref_id(value) -> str | None:
    """The id of an expandable field: a string id, or an expanded object's ``id``."""
    if value is None or isinstance(value, str):
        return value or None
    return get(value, "id")
