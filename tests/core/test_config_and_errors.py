"""Configuration rules, error pages and the JSON error shape."""
from __future__ import annotations

import pytest

from incubator import create_app
from incubator.config import ConfigError, build_config, normalize_database_url
from incubator.core.errors import error_response


def test_production_requires_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        build_config(str(tmp_path))


def test_production_refuses_debug(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("DEBUG", "1")
    with pytest.raises(ConfigError, match="DEBUG"):
        build_config(str(tmp_path))


def test_production_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.delenv("DEBUG", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    config = build_config(str(tmp_path))
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]


def test_development_secret_key_is_generated_once(monkeypatch, tmp_path):
    monkeypatch.delenv("APP_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = build_config(str(tmp_path))["SECRET_KEY"]
    assert len(first) == 64 and (tmp_path / "secret_key").read_text() == first
    assert build_config(str(tmp_path))["SECRET_KEY"] == first


def test_default_database_is_sqlite_in_instance(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert build_config(str(tmp_path))["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'incubator.db'}"


@pytest.mark.parametrize("url,expected", [
    ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
    ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
    ("sqlite:///x.db", "sqlite:///x.db"),
])
def test_database_url_normalized(url, expected):
    assert normalize_database_url(url) == expected


def test_html_404_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "We could not find that page" in body and response.headers["X-Request-ID"] in body


def test_json_404_for_api(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert set(response.get_json()["error"]) == {"code", "message", "fields"}


def test_json_errors_when_asked(client):
    response = client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.get_json()["error"]["code"] == "not_found"


def test_unexpected_error_is_a_500_page_with_reference(app, client, monkeypatch):
    def boom():
        raise RuntimeError("kaboom")

    monkeypatch.setitem(app.view_functions, "apply.open_calls", boom)
    response = client.get("/apply/")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong on our side" in body and "kaboom" not in body
    assert response.headers["X-Request-ID"] in body


def test_security_headers(client):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_error_response_shape(app):
    with app.test_request_context():
        response = error_response(422, "Bad", fields={"name": ["Required."]})
    assert response.status_code == 422
    assert response.get_json() == {"error": {"code": "invalid", "message": "Bad", "fields": {"name": ["Required."]}}}


def test_assets_served_locally(client):
    html = client.get("/auth/login").get_data(as_text=True)
    assert "cdn" not in html.lower() and "/bootstrap/static/css/bootstrap.min.css" in html
    assert client.get("/bootstrap/static/css/bootstrap.min.css").status_code == 200


def test_wsgi_module_builds_the_app(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'w.db'}")
    assert create_app().name == "incubator"


def test_405_keeps_allow_header(client):
    response = client.get("/auth/logout")
    assert response.status_code == 405 and "POST" in response.headers["Allow"]
