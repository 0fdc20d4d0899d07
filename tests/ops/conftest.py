"""Fixtures for the operations tests: the access-matrix world, an app with CSRF on, and an HTML inspector."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest

from incubator import create_app
from incubator.config import test_overrides
from incubator.extensions import db
from tests.access_cases import build_world
from tests.conftest import FreshContextClient
from tests.factories import DEFAULT_PASSWORD


@pytest.fixture
def world(app, pdf_bytes, png_bytes) -> dict:
    return build_world(app, pdf_bytes, png_bytes)


@pytest.fixture(scope="session")
def csrf_app(app, tmp_path_factory):
    """A second app on the same database with CSRF protection on, as in production (forms render their token)."""
    overrides = test_overrides(app.config["SQLALCHEMY_DATABASE_URI"], str(tmp_path_factory.mktemp("ops-csrf")))
    overrides.update(WTF_CSRF_ENABLED=True, UPLOAD_FOLDER=app.config["UPLOAD_FOLDER"])
    second = create_app(overrides)
    second.test_client_class = FreshContextClient
    yield second
    with second.app_context():
        db.engine.dispose()


def csrf_token_from(html: str) -> str:
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', html)
    assert tag, "no csrf_token field"
    return re.search(r'value="([^"]+)"', tag.group(0)).group(1)


def sign_in_with_csrf(client, email: str, password: str = DEFAULT_PASSWORD) -> None:
    token = csrf_token_from(client.get("/auth/login").get_data(as_text=True))
    response = client.post("/auth/login", data={"email": email, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


@dataclass
class PageProblems:
    """What a strict Content-Security-Policy would block, and POST forms without a CSRF token."""

    inline_scripts: int = 0
    style_elements: int = 0
    style_attributes: list[str] = field(default_factory=list)
    event_handlers: list[str] = field(default_factory=list)
    javascript_urls: list[str] = field(default_factory=list)
    forms_without_csrf: list[str] = field(default_factory=list)
    post_forms: int = 0

    def csp_violations(self) -> dict:
        found = {
            "inline <script>": self.inline_scripts,
            "<style> element": self.style_elements,
            "style= attribute": self.style_attributes,
            "on*= handler": self.event_handlers,
            "javascript: URL": self.javascript_urls,
        }
        return {name: value for name, value in found.items() if value}


class PageInspector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = PageProblems()
        self._form: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        label = f"<{tag} {' '.join(f'{k}={v!r}' for k, v in attrs)[:120]}>"
        if tag == "script" and not attributes.get("src"):
            self.problems.inline_scripts += 1
        if tag == "style":
            self.problems.style_elements += 1
        if "style" in attributes:
            self.problems.style_attributes.append(label)
        if any(name.startswith("on") for name in attributes):
            self.problems.event_handlers.append(label)
        for name in ("href", "src", "action", "formaction"):
            if (attributes.get(name) or "").strip().lower().startswith("javascript:"):
                self.problems.javascript_urls.append(label)
        if tag == "form":
            self._form = {"label": label, "post": (attributes.get("method") or "get").lower() == "post",
                          "csrf": False}
        # A form built with a prefix names its token "<prefix>-csrf_token"; Flask-WTF validates it under that name.
        name = attributes.get("name") or ""
        if tag == "input" and self._form is not None and attributes.get("value") \
                and (name == "csrf_token" or name.endswith("-csrf_token")):
            self._form["csrf"] = True

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            if self._form["post"]:
                self.problems.post_forms += 1
                if not self._form["csrf"]:
                    self.problems.forms_without_csrf.append(self._form["label"])
            self._form = None


def inspect_html(html: str) -> PageProblems:
    parser = PageInspector()
    parser.feed(html)
    parser.close()
    return parser.problems
