"""Security headers on every response, and the proxy settings that make ``request.remote_addr`` and the scheme
true behind nginx.

The Content-Security-Policy allows scripts, styles and images from this server only: no inline ``<script>``,
no ``style=`` attributes, no ``on*=`` handlers (``tests/ops/test_pages_are_csp_clean.py`` walks the pages to
keep it so). HSTS is sent in production only, where the site is served over HTTPS; sending it from a
developer's ``http://127.0.0.1`` would do nothing useful and could pin a shared host name to HTTPS.
"""
from __future__ import annotations

from flask import Flask, Response, g
from werkzeug.middleware.proxy_fix import ProxyFix

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
# Features the platform never uses; denying them limits what an injected script or a framing page could do.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in ("accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone", "payment",
                    "usb")
)


def security_headers(hsts_max_age: int) -> dict[str, str]:
    """The headers every response carries.

    :param hsts_max_age: seconds for ``Strict-Transport-Security``; 0 leaves the header out.
    :return: header name → value.
    """
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Permissions-Policy": PERMISSIONS_POLICY,
        "Cross-Origin-Opener-Policy": "same-origin",
    }
    if hsts_max_age:
        headers["Strict-Transport-Security"] = f"max-age={hsts_max_age}; includeSubDomains"
    return headers


def init_security_headers(app: Flask) -> None:
    """Add the security headers and ``X-Request-ID`` to every response (views may override a header)."""
    headers = security_headers(app.config["HSTS_MAX_AGE"])

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        response.headers["X-Request-ID"] = g.get("request_id", "")
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        return response


def init_proxy_fix(app: Flask) -> None:
    """Trust ``TRUSTED_PROXIES`` reverse proxies for the client address, scheme, host and port.

    With 0 (development) nothing is trusted: a client could otherwise forge ``X-Forwarded-For`` and dodge the
    per-address rate limits. Behind one nginx, set 1 (the production default).
    """
    hops = app.config["TRUSTED_PROXIES"]
    if hops > 0 and not isinstance(app.wsgi_app, ProxyFix):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)
