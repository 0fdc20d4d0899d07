"""Every GET page of the access-matrix world, as a user allowed to see it, with CSRF protection on as in production.

Each page must carry the security headers, contain nothing the Content-Security-Policy blocks (inline
``<script>``, ``<style>``, ``style=``, ``on*=`` handlers, ``javascript:`` URLs), and every POST form on it must
carry a CSRF token. New routes are picked up from the matrix automatically.
"""
from __future__ import annotations

import pytest

from incubator.ops.headers import CONTENT_SECURITY_POLICY, PERMISSIONS_POLICY
from tests.access_cases import MATRIX, is_api
from tests.ops.conftest import inspect_html, sign_in_with_csrf
from tests.test_access_matrix import BROWSER_ACCEPT, build_url

# Who looks at a page: the first role in this order that may see it (managers see the most of the app).
VIEWERS = ("manager", "admin", "founder", "mentor", "other_mentor", "investor", "other_founder", "anonymous")
GET_PAGES = sorted(endpoint for (endpoint, method) in MATRIX if method == "GET" and not is_api(endpoint))


def assert_security_headers(response, detail: str) -> None:
    headers = response.headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, detail
    assert headers["X-Content-Type-Options"] == "nosniff", detail
    assert headers["X-Frame-Options"] == "DENY", detail
    assert headers["Referrer-Policy"] == "same-origin", detail
    assert headers["Permissions-Policy"] == PERMISSIONS_POLICY, detail
    assert headers["X-Request-ID"], detail
    assert "Strict-Transport-Security" not in headers, f"HSTS outside production: {detail}"


def fetch_as_viewer(csrf_app, world, endpoint: str):
    route = MATRIX[(endpoint, "GET")]
    role = next(role for role in VIEWERS if role in route.allow)
    client = csrf_app.test_client()
    if role != "anonymous":
        sign_in_with_csrf(client, world["users"][role].email)
    url = build_url(csrf_app, endpoint, route, world)
    return client.get(url, headers={"Accept": BROWSER_ACCEPT}), f"GET {url} as {role}"


@pytest.mark.parametrize("endpoint", GET_PAGES)
def test_page_has_security_headers_no_inline_code_and_csrf_on_every_post_form(csrf_app, world, endpoint):
    response, detail = fetch_as_viewer(csrf_app, world, endpoint)
    assert response.status_code in (200, 302), f"{detail} -> {response.status_code}"
    assert_security_headers(response, detail)
    if response.mimetype != "text/html" or response.status_code != 200:
        return
    problems = inspect_html(response.get_data(as_text=True))
    assert problems.csp_violations() == {}, detail
    assert problems.forms_without_csrf == [], detail


def test_the_walk_sees_post_forms(csrf_app, world):
    # Guards the walk itself: pages known to have POST forms are parsed as such (the language switcher and
    # sign-out on every signed-in page, plus the page's own forms).
    response, detail = fetch_as_viewer(csrf_app, world, "cohorts.view_startup")
    problems = inspect_html(response.get_data(as_text=True))
    assert problems.post_forms >= 3, detail
    assert problems.forms_without_csrf == []


def test_inspector_catches_what_csp_blocks():
    html = """<form method="post"><input name="x"></form><script>alert(1)</script><style>p{}</style>
              <p style="color:red" onclick="x()"><a href="javascript:void(0)">x</a></p><script src="/a.js"></script>"""
    problems = inspect_html(html)
    assert problems.inline_scripts == 1 and problems.style_elements == 1
    assert len(problems.style_attributes) == 1 and len(problems.event_handlers) == 1
    assert len(problems.javascript_urls) == 1 and len(problems.forms_without_csrf) == 1


@pytest.mark.parametrize("url", ["/healthz", "/api/v1/openapi.json", "/no-such-page", "/static/css/app.css"])
def test_non_page_responses_carry_the_headers_too(client, url):
    response = client.get(url)
    assert_security_headers(response, url)


def test_error_pages_show_the_request_id_and_json_errors_send_it_as_a_header(client):
    page = client.get("/no-such-page", headers={"Accept": BROWSER_ACCEPT, "X-Request-ID": "abc123def"})
    assert page.status_code == 404 and page.headers["X-Request-ID"] == "abc123def"
    assert "abc123def" in page.get_data(as_text=True)
    api = client.get("/api/v1/cohorts/999999")
    assert api.status_code == 401 and set(api.get_json()["error"]) == {"code", "message", "fields"}
    assert len(api.headers["X-Request-ID"]) == 32
