"""A small stand-in for Stripe's API, served on a local port, for tests and local browser journeys.

It keeps Checkout Sessions, PaymentIntents, refunds, customers, invoices and invoice items in memory,
answers the calls ``incubator.billing`` makes (form-encoded like Stripe, with Stripe's error shape and
idempotency keys: a repeated key with the same parameters returns the first answer, with other
parameters a 400 ``idempotency_error``) and signs webhook events exactly as Stripe does
(``Stripe-Signature: t=<ts>,v1=<hex hmac-sha256 of "<ts>.<payload>">``).

It also serves the pages a founder reaches: ``/pay/<session id>`` (a Checkout page with Pay and Back)
and ``/invoice/<invoice id>`` (a hosted invoice). Paying there completes the session or invoice and,
when a webhook URL is configured, posts the signed event to the app, as Stripe would.

Tests use it through the ``fake_stripe`` fixture (``tests/billing/conftest.py``). For a browser demo::

    .venv/bin/python -m tests.billing.fake_stripe --port 5199 \\
        --webhook-url http://127.0.0.1:5104/billing/webhooks/stripe --webhook-secret whsec_local
    STRIPE_SECRET_KEY=sk_test_local STRIPE_WEBHOOK_SECRET=whsec_local STRIPE_API_BASE=http://127.0.0.1:5199 flask run
"""
from __future__ import annotations

import hashlib
import hmac
import html
import itertools
import json
import re
import threading
import time
import urllib.request
from collections.abc import Callable

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

_counter = itertools.count(1)


def new_id(prefix: str) -> str:
    return f"{prefix}_test_{next(_counter):06d}{int(time.time() * 1000) % 100000:05d}"


def sign(payload: str, secret: str, timestamp: int | None = None) -> str:
    """The ``Stripe-Signature`` header Stripe would send for ``payload``."""
    ts = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{ts}.{payload}".encode(), hashlib.sha256).hexdigest()
    return f"t={ts},v1={digest}"


def make_event(event_type: str, obj: dict, event_id: str | None = None) -> dict:
    """A Stripe event envelope around ``obj``."""
    return {"id": event_id or new_id("evt"), "object": "event", "api_version": "2025-06-30.basil",
            "created": int(time.time()), "livemode": False, "type": event_type, "data": {"object": obj},
            "pending_webhooks": 1, "request": {"id": None, "idempotency_key": None}}


def decode_form(pairs) -> dict:
    """Stripe's form encoding (``line_items[0][price_data][currency]=usd``) back into nested dicts/lists."""
    root: dict = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key)
        node = root
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            if last:
                node[part] = value
            else:
                node = node.setdefault(part, {})
    return _lists(root)


def _lists(node):
    if isinstance(node, dict):
        if node and all(k.isdigit() for k in node):
            return [_lists(node[k]) for k in sorted(node, key=int)]
        return {k: _lists(v) for k, v in node.items()}
    return node


class StripeFailure(Exception):
    def __init__(self, status: int, error_type: str, message: str):
        super().__init__(message)
        self.status, self.error_type, self.message = status, error_type, message


class FakeStripe:
    """The in-memory Stripe account behind one local HTTP server."""

    def __init__(self, server: HTTPServer, webhook_url: str = "", webhook_secret: str = ""):
        self.server = server
        self.webhook_url, self.webhook_secret = webhook_url, webhook_secret
        self.sessions: dict[str, dict] = {}
        self.payment_intents: dict[str, dict] = {}
        self.refunds: dict[str, dict] = {}
        self.customers: dict[str, dict] = {}
        self.invoices: dict[str, dict] = {}
        self.invoice_items: dict[str, dict] = {}
        self.calls: list[dict] = []  # every API call: method, path, params, idempotency_key
        self._idempotent: dict[str, tuple[str, dict, int, dict]] = {}
        self._failures: list[tuple[str, str, int, str]] = []
        self._lock = threading.Lock()
        server.expect_request(re.compile(r"^/.*$")).respond_with_handler(self.handle)

    @property
    def base_url(self) -> str:
        return self.server.url_for("/").rstrip("/")

    # Test controls -------------------------------------------------------------------------------

    def fail_next(self, method: str, path_prefix: str, status: int = 500, error_type: str = "api_error") -> None:
        """Make the next ``method`` call whose path starts with ``path_prefix`` fail (without retries)."""
        self._failures.append((method.upper(), path_prefix, status, error_type))

    def calls_to(self, method: str, path_prefix: str) -> list[dict]:
        return [c for c in self.calls if c["method"] == method.upper() and c["path"].startswith(path_prefix)]

    def complete_session(self, session_id: str, *, paid: bool = True) -> dict:
        """The customer paid (or, for a delayed method, submitted) on the Checkout page."""
        session = self.sessions[session_id]
        intent = self._new_intent(session["amount_total"], session["currency"], session["metadata"],
                                  "succeeded" if paid else "processing")
        session.update(status="complete", payment_status="paid" if paid else "unpaid", payment_intent=intent["id"])
        return session

    def settle_async(self, session_id: str, succeeded: bool = True) -> dict:
        session = self.sessions[session_id]
        intent = self.payment_intents[session["payment_intent"]]
        intent["status"] = "succeeded" if succeeded else "requires_payment_method"
        session["payment_status"] = "paid" if succeeded else "unpaid"
        return session

    def expire_session(self, session_id: str) -> dict:
        session = self.sessions[session_id]
        session["status"] = "expired"
        return session

    def pay_invoice(self, invoice_id: str) -> dict:
        invoice = self.invoices[invoice_id]
        intent = self._new_intent(invoice["amount_due"], invoice["currency"], invoice["metadata"], "succeeded")
        invoice.update(status="paid", paid=True, amount_paid=invoice["amount_due"], amount_remaining=0,
                       payment_intent=intent["id"])
        return invoice

    def charge_object(self, intent_id: str) -> dict:
        """The ``charge`` object Stripe puts in ``charge.refunded`` for a PaymentIntent."""
        intent = self.payment_intents[intent_id]
        return {"id": "ch_" + intent_id[3:], "object": "charge", "amount": intent["amount"],
                "amount_refunded": intent["amount_refunded"], "currency": intent["currency"],
                "payment_intent": intent_id, "refunded": intent["amount_refunded"] >= intent["amount"],
                "metadata": intent["metadata"]}

    def send_event(self, event_type: str, obj: dict) -> int:
        """Post a signed event to the configured webhook URL (standalone mode); returns the HTTP status."""
        payload = json.dumps(make_event(event_type, obj))
        headers = {"Content-Type": "application/json", "Stripe-Signature": sign(payload, self.webhook_secret)}
        request = urllib.request.Request(self.webhook_url, data=payload.encode(), method="POST",  # noqa: S310
                                         headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (local URL)
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    # Serving -------------------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        outbox: list[tuple[str, dict]] = []
        with self._lock:
            try:
                if request.path.startswith("/v1/"):
                    response = self._api(request)
                else:
                    response = self._page(request, outbox)
            except StripeFailure as exc:
                response = _json({"error": {"type": exc.error_type, "message": exc.message}}, exc.status,
                                 {"Stripe-Should-Retry": "false"})
        # Outside the lock: the app may call back while it handles the event.
        for event_type, obj in outbox:
            self.send_event(event_type, obj)
        return response

    def _api(self, request: Request) -> Response:
        params = decode_form(request.form.items(multi=True) if request.method == "POST" else request.args.items())
        key = request.headers.get("Idempotency-Key")
        self.calls.append({"method": request.method, "path": request.path, "params": params, "idempotency_key": key})
        for failure in self._failures:
            if failure[0] == request.method and request.path.startswith(failure[1]):
                self._failures.remove(failure)
                raise StripeFailure(failure[2], failure[3], "Injected failure")
        if key is not None and key in self._idempotent:
            path, previous, status, body = self._idempotent[key]
            if path != request.path or previous != params:
                raise StripeFailure(400, "idempotency_error", "Keys for idempotent requests can only be used with "
                                                               "the same parameters they were first used with.")
            return _json(body, status, {"Idempotent-Replayed": "true"})
        handler, args = self._route(request.method, request.path)
        body = handler(params, *args)
        if key is not None:
            self._idempotent[key] = (request.path, params, 200, body)
        return _json(body)

    def _route(self, method: str, path: str) -> tuple[Callable, tuple]:
        routes = [
            ("POST", r"/v1/checkout/sessions", self._create_session),
            ("GET", r"/v1/checkout/sessions/([^/]+)", self._get_session),
            ("POST", r"/v1/checkout/sessions/([^/]+)/expire", self._expire_session_api),
            ("GET", r"/v1/payment_intents/([^/]+)", self._get_intent),
            ("POST", r"/v1/refunds", self._create_refund),
            ("POST", r"/v1/customers", self._create_customer),
            ("POST", r"/v1/invoices", self._create_invoice),
            ("POST", r"/v1/invoiceitems", self._create_invoice_item),
            ("GET", r"/v1/invoices/([^/]+)", self._get_invoice),
            ("POST", r"/v1/invoices/([^/]+)/finalize", self._finalize_invoice),
            ("POST", r"/v1/invoices/([^/]+)/void", self._void_invoice),
        ]
        for route_method, pattern, handler in routes:
            match = re.fullmatch(pattern, path)
            if match and route_method == method:
                return handler, match.groups()
        raise StripeFailure(404, "invalid_request_error", f"Unrecognized request URL ({method}: {path}).")

    def _find(self, table: dict, object_id: str, name: str) -> dict:
        if object_id not in table:
            raise StripeFailure(404, "invalid_request_error", f"No such {name}: '{object_id}'")
        return table[object_id]

    # Checkout and payments ---------------------------------------------------------------------------

    def _create_session(self, params: dict) -> dict:
        session_id = new_id("cs")
        line = params["line_items"][0]
        amount = int(line["price_data"]["unit_amount"]) * int(line.get("quantity", 1))
        session = {
            "id": session_id, "object": "checkout.session", "mode": params.get("mode", "payment"),
            "status": "open", "payment_status": "unpaid", "payment_intent": None,
            "amount_total": amount, "currency": line["price_data"]["currency"],
            "client_reference_id": params.get("client_reference_id"), "metadata": params.get("metadata", {}),
            "success_url": params["success_url"], "cancel_url": params.get("cancel_url"),
            "customer_email": params.get("customer_email"), "expires_at": int(params.get("expires_at", 0)) or None,
            "description": line["price_data"]["product_data"]["name"],
            "url": f"{self.base_url}/pay/{session_id}",
            "intent_metadata": (params.get("payment_intent_data") or {}).get("metadata", {}),
        }
        self.sessions[session_id] = session
        return session

    def _get_session(self, params: dict, session_id: str) -> dict:
        return self._find(self.sessions, session_id, "checkout.session")

    def _expire_session_api(self, params: dict, session_id: str) -> dict:
        session = self._find(self.sessions, session_id, "checkout.session")
        if session["status"] != "open":
            raise StripeFailure(400, "invalid_request_error",
                                f"Only Checkout Sessions with a status in [\"open\"] can be expired. This Checkout "
                                f"Session has a status of \"{session['status']}\".")
        session["status"] = "expired"
        return session

    def _new_intent(self, amount: int, currency: str, metadata: dict, status: str) -> dict:
        intent = {"id": new_id("pi"), "object": "payment_intent", "amount": amount, "currency": currency,
                  "status": status, "amount_refunded": 0, "metadata": metadata}
        self.payment_intents[intent["id"]] = intent
        return intent

    def _get_intent(self, params: dict, intent_id: str) -> dict:
        return self._find(self.payment_intents, intent_id, "payment_intent")

    def _create_refund(self, params: dict) -> dict:
        intent = self._find(self.payment_intents, params.get("payment_intent", ""), "payment_intent")
        if intent["status"] != "succeeded":
            raise StripeFailure(400, "invalid_request_error", "This PaymentIntent has no successful charge to refund.")
        amount = int(params.get("amount", intent["amount"] - intent["amount_refunded"]))
        if amount <= 0 or amount > intent["amount"] - intent["amount_refunded"]:
            raise StripeFailure(400, "invalid_request_error", "Refund amount is greater than unrefunded amount.")
        intent["amount_refunded"] += amount
        refund = {"id": new_id("re"), "object": "refund", "amount": amount, "currency": intent["currency"],
                  "payment_intent": intent["id"], "status": "succeeded", "reason": params.get("reason"),
                  "metadata": params.get("metadata", {})}
        self.refunds[refund["id"]] = refund
        return refund

    # Customers and invoices ------------------------------------------------------------------------

    def _create_customer(self, params: dict) -> dict:
        customer = {"id": new_id("cus"), "object": "customer", "name": params.get("name"),
                    "email": params.get("email"), "metadata": params.get("metadata", {})}
        self.customers[customer["id"]] = customer
        return customer

    def _create_invoice(self, params: dict) -> dict:
        self._find(self.customers, params.get("customer", ""), "customer")
        invoice = {"id": new_id("in"), "object": "invoice", "customer": params["customer"], "status": "draft",
                   "collection_method": params.get("collection_method"), "amount_due": 0, "amount_paid": 0,
                   "amount_remaining": 0, "currency": params.get("currency", "usd"), "paid": False,
                   "days_until_due": int(params.get("days_until_due", 0) or 0), "due_date": None,
                   "hosted_invoice_url": None, "payment_intent": None, "metadata": params.get("metadata", {}),
                   "description": params.get("description")}
        self.invoices[invoice["id"]] = invoice
        return invoice

    def _create_invoice_item(self, params: dict) -> dict:
        invoice = self._find(self.invoices, params.get("invoice", ""), "invoice")
        if invoice["status"] != "draft":
            raise StripeFailure(400, "invalid_request_error", "You can only add items to a draft invoice.")
        item = {"id": new_id("ii"), "object": "invoiceitem", "invoice": invoice["id"], "amount": int(params["amount"]),
                "currency": params["currency"], "description": params.get("description")}
        invoice["amount_due"] += item["amount"]
        invoice["amount_remaining"] = invoice["amount_due"]
        invoice["currency"] = item["currency"]
        self.invoice_items[item["id"]] = item
        return item

    def _get_invoice(self, params: dict, invoice_id: str) -> dict:
        return self._find(self.invoices, invoice_id, "invoice")

    def _finalize_invoice(self, params: dict, invoice_id: str) -> dict:
        invoice = self._find(self.invoices, invoice_id, "invoice")
        if invoice["status"] == "draft":
            invoice.update(status="open", hosted_invoice_url=f"{self.base_url}/invoice/{invoice_id}",
                           due_date=int(time.time()) + invoice["days_until_due"] * 86400)
        return invoice

    def _void_invoice(self, params: dict, invoice_id: str) -> dict:
        invoice = self._find(self.invoices, invoice_id, "invoice")
        if invoice["status"] != "open":
            raise StripeFailure(400, "invalid_request_error", "You can only void an open invoice.")
        invoice["status"] = "void"
        return invoice

    # Pages a founder sees ------------------------------------------------------------------------------

    def _page(self, request: Request, outbox: list) -> Response:
        match = re.fullmatch(r"/(pay|invoice)/([A-Za-z0-9_]+)", request.path)
        if not match:
            return Response("Not found", 404)
        kind, object_id = match.groups()
        table = self.sessions if kind == "pay" else self.invoices
        if object_id not in table:
            return Response("No such payment", 404)
        obj = table[object_id]
        if request.method == "POST":
            if kind == "pay":
                if obj["status"] != "open":
                    return Response("This payment page has expired.", 410)
                session = self.complete_session(object_id)
                if self.webhook_url:
                    outbox.append(("checkout.session.completed", dict(session)))
                success = session["success_url"].replace("{CHECKOUT_SESSION_ID}", session["id"])
                return Response(status=303, headers={"Location": success})
            if obj["status"] == "open":
                invoice = self.pay_invoice(object_id)
                if self.webhook_url:
                    outbox.append(("invoice.paid", dict(invoice)))
            return Response(status=303, headers={"Location": request.path})
        return Response(_page_html(kind, obj), 200, content_type="text/html; charset=utf-8")


def _json(body: dict, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(body), status, headers=headers or {}, content_type="application/json")


def _page_html(kind: str, obj: dict) -> str:
    amount = obj.get("amount_total") if kind == "pay" else obj.get("amount_due")
    title = obj.get("description") or obj["id"]
    back = f'<a href="{html.escape(obj["cancel_url"] or "#")}">Back</a>' if kind == "pay" else ""
    button = "" if obj["status"] not in ("open",) else '<button type="submit">Pay</button>'
    return (f"<!doctype html><title>Fake Stripe</title><h1>Fake Stripe {'Checkout' if kind == 'pay' else 'invoice'}"
            f"</h1><p id='item'>{html.escape(title)}</p><p id='amount'>{amount} {obj['currency'].upper()}</p>"
            f"<p id='status'>{obj['status']}</p><form method='post'>{button}</form>{back}")


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Serve a local Stripe stand-in for browser journeys.")
    parser.add_argument("--port", type=int, default=5199)
    parser.add_argument("--webhook-url", default="")
    parser.add_argument("--webhook-secret", default="")
    args = parser.parse_args()
    server = HTTPServer(host="127.0.0.1", port=args.port, threaded=True)
    FakeStripe(server, args.webhook_url, args.webhook_secret)
    server.start()
    print(f"fake Stripe on {server.url_for('/')}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
