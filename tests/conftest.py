"""Test fixtures: one schema per run (built by the migrations), one rolled-back transaction per test.

Every test runs inside an outer transaction on one connection; the app's commits become
savepoint releases, and the whole test is rolled back at the end. Requests made with the
test client run in a fresh context (their own app context and session, as in production),
so nothing leaks between requests through ``g`` or the identity map.

Tests marked ``concurrent`` need real, separate connections: they get committed data and
every table is emptied afterwards.
"""
from __future__ import annotations

import contextvars
import os
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy.orm import scoped_session, sessionmaker

from incubator import create_app
from incubator.config import normalize_database_url, test_overrides
from incubator.extensions import db
from tests import factories

DEMO_PASSWORD = factories.DEFAULT_PASSWORD


def pytest_configure(config):
    config.addinivalue_line("markers", "concurrent: uses committed data and real concurrent connections")


class FreshContextClient(FlaskClient):
    """Runs each request in an empty context, like a real server, then expires the test's objects."""

    def open(self, *args, **kwargs):
        response = contextvars.Context().run(super().open, *args, **kwargs)
        try:
            db.session.expire_all()
        except RuntimeError:
            pass
        return response


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return _worker_database(url)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def _worker_database(url: str) -> str:
    """Under pytest-xdist each worker gets its own PostgreSQL database next to TEST_DATABASE_URL's (SQLite
    workers already get their own temporary file), created here and dropped by ``_drop_worker_database``."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    parsed = sa.engine.make_url(normalize_database_url(url))
    name = f"{parsed.database}_{worker}"
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def _drop_worker_database(url: str) -> None:
    parsed = sa.engine.make_url(normalize_database_url(url))
    if not os.environ.get("PYTEST_XDIST_WORKER") or parsed.get_backend_name() != "postgresql":
        return
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
    admin.dispose()


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    database_url = _database_url(tmp_path_factory)
    application = create_app(test_overrides(database_url, str(instance)))
    application.test_client_class = FreshContextClient
    with application.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE")
                conn.exec_driver_sql("CREATE SCHEMA public")
        upgrade(revision="heads")
        db.engine.dispose()
    yield application
    with application.app_context():
        db.engine.dispose()
    _drop_worker_database(database_url)


@pytest.fixture(autouse=True)
def _isolated_db(request, app):
    if request.node.get_closest_marker("concurrent"):
        with app.app_context():
            yield
            db.session.remove()
            _empty_all_tables()
        return
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original_session = db.session
        db.session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint"), scopefunc=_app_ctx_id
        )
        try:
            yield
        finally:
            db.session.remove()
            db.session = original_session
            outer.rollback()
            connection.close()


def _empty_all_tables() -> None:
    with db.engine.begin() as conn:
        for table in reversed(db.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login(client):
    """``login(user)`` signs the test client in as ``user`` (password from the factories)."""

    def _login(user, password: str = DEMO_PASSWORD):
        response = client.post("/auth/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return _login


@pytest.fixture
def api_token():
    """``api_token(user)`` returns a plaintext bearer token for ``user``."""
    from incubator.auth.services import create_api_token

    def _make(user) -> dict:
        _, plaintext = create_api_token(user, "test")
        db.session.commit()
        return {"Authorization": f"Bearer {plaintext}"}

    return _make


@pytest.fixture
def count_queries(app):
    """Context manager counting SQL statements: ``with count_queries() as counter: ...; counter.count``."""
    from contextlib import contextmanager

    @contextmanager
    def _count():
        class Counter:
            count = 0
            statements: list[str] = []

        def before(conn, cursor, statement, *args):
            if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN")):
                Counter.count += 1
                Counter.statements.append(statement)

        sa.event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield Counter
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", before)

    return _count


@pytest.fixture
def pdf_bytes() -> bytes:
    return (Path(__file__).parent / "data" / "deck.pdf").read_bytes()


@pytest.fixture
def png_bytes() -> bytes:
    return (Path(__file__).parent / "data" / "logo.png").read_bytes()
