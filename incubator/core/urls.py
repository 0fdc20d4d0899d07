"""URL helpers: safe ``next`` redirects and absolute links outside a request (emails, CLI)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, request, url_for


def is_safe_next(target: str | None) -> bool:
    """Accept only a path on our own host.

    A plain ``netloc`` check is bypassed by ``/\\evil.example`` and ``////evil.example``, so
    backslashes and scheme-relative forms are refused before comparing scheme and host.
    """
    if not target or "\\" in target or any(ord(ch) < 32 for ch in target):
        return False
    if not target.startswith("/") or target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def external_url(endpoint: str, **values) -> str:
    """An absolute URL; outside a request it is built on ``APP_BASE_URL``."""
    if has_request_context():
        return url_for(endpoint, _external=True, **values)
    base = current_app.config["APP_BASE_URL"]
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)


def current_path() -> str:
    return request.full_path.rstrip("?") if has_request_context() else "/"


def app_path(endpoint: str, **values) -> str:
    """A path inside the app (``/review/assignments/3``), built with or without a request."""
    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context(base_url=current_app.config["APP_BASE_URL"]):
        return url_for(endpoint, **values)
