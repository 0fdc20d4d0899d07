"""``flask users create`` and ``flask users set-password``: prompts, password policy, clear errors."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from incubator.audit.models import AuditEntry
from incubator.auth.models import Role, User
from incubator.auth.passwords import verify_password
from incubator.extensions import db
from tests.factories import UserFactory

GOOD_PASSWORD = "mekong-river-2026"


@pytest.fixture
def cli(app):
    """``cli("users", "create", ..., input=...)`` runs a ``flask`` command inside the test's transaction."""
    runner = app.test_cli_runner()

    def _invoke(*args: str, input: str | None = None):
        return runner.invoke(args=list(args), input=input)

    return _invoke


def _user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_create_prompts_twice_without_echo(cli):
    result = cli("users", "create", "Ops@Example.org", "--role", "manager", "--name", "Sophea Lim", "--admin",
                 input=f"{GOOD_PASSWORD}\n{GOOD_PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert "Created manager (admin) ops@example.org." in result.output
    assert GOOD_PASSWORD not in result.output
    user = _user("ops@example.org")
    assert user.name == "Sophea Lim" and user.role == Role.MANAGER and user.is_admin
    assert verify_password(user.password_hash, GOOD_PASSWORD)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.created"))
    assert entry.target_id == user.id and entry.actor_id is None and entry.details["via"] == "cli"


def test_create_reads_password_from_stdin(cli):
    result = cli("users", "create", "mentor@example.org", "--role", "mentor", "--password-stdin",
                 input=f"{GOOD_PASSWORD}\n")

    assert result.exit_code == 0, result.output
    user = _user("mentor@example.org")
    assert user.role == Role.MENTOR and not user.is_admin and user.name == "mentor@example.org"
    assert verify_password(user.password_hash, GOOD_PASSWORD)


def test_create_refuses_mismatched_confirmation(cli):
    result = cli("users", "create", "a@example.org", "--role", "founder", input=f"{GOOD_PASSWORD}\nsomething-else-1\n")

    assert result.exit_code != 0
    assert "do not match" in result.output
    assert _user("a@example.org") is None


@pytest.mark.parametrize(
    ("password", "message"),
    [("short-pw", "Use at least 12 characters."), ("q1w2e3r4t5y6", "This password is too common")],
)
def test_create_enforces_password_policy(cli, password, message):
    result = cli("users", "create", "weak@example.org", "--role", "founder", "--password-stdin", input=f"{password}\n")

    assert result.exit_code == 1
    assert f"Error: {message}" in result.output
    assert _user("weak@example.org") is None


def test_create_shows_every_password_problem(cli):
    result = cli("users", "create", "qwerty@example.org", "--role", "founder", "--password-stdin", input="qwerty\n")

    assert result.exit_code == 1
    assert "Use at least 12 characters." in result.output and "too common" in result.output


def test_create_refuses_duplicate_email_before_asking_for_a_password(cli):
    UserFactory(email="taken@example.org")
    db.session.commit()

    result = cli("users", "create", "TAKEN@example.org", "--role", "mentor")

    assert result.exit_code == 1
    assert "already exists" in result.output
    assert "Password" not in result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.email == "taken@example.org")) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["x@example.org", "--role", "astronaut"], "Invalid value for '--role'"),
        (["x@example.org"], "Missing option '--role'"),
        (["not-an-email", "--role", "mentor"], "Invalid value for EMAIL"),
        (["x@example.org", "--role", "mentor", "--admin"], "only managers can be admins"),
    ],
)
def test_create_usage_errors(cli, args, message):
    result = cli("users", "create", *args, input=f"{GOOD_PASSWORD}\n{GOOD_PASSWORD}\n")

    assert result.exit_code == 2
    assert message in result.output
    assert _user("x@example.org") is None


def test_set_password_changes_hash_and_signs_out_other_sessions(cli):
    user = UserFactory(email="sokha@example.org")
    db.session.commit()
    old_nonce = user.session_nonce

    result = cli("users", "set-password", "Sokha@example.org", input=f"{GOOD_PASSWORD}\n{GOOD_PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert "Password changed for sokha@example.org" in result.output
    user = _user("sokha@example.org")
    assert verify_password(user.password_hash, GOOD_PASSWORD)
    assert user.session_nonce != old_nonce


def test_set_password_keeps_old_password_when_refused(cli):
    user = UserFactory(email="dara@example.org")
    db.session.commit()
    old_hash = user.password_hash

    result = cli("users", "set-password", "dara@example.org", "--password-stdin", input="too-short\n")

    assert result.exit_code == 1
    assert "Use at least 12 characters." in result.output
    assert _user("dara@example.org").password_hash == old_hash


def test_set_password_unknown_account(cli):
    result = cli("users", "set-password", "nobody@example.org", input=f"{GOOD_PASSWORD}\n{GOOD_PASSWORD}\n")

    assert result.exit_code == 1
    assert "No account with the email nobody@example.org." in result.output


def test_empty_stdin_is_an_error(cli):
    result = cli("users", "create", "x@example.org", "--role", "mentor", "--password-stdin", input="")

    assert result.exit_code == 1
    assert "No password on standard input." in result.output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["users", "--help"], ["create", "set-password"]),
        (["users", "create", "--help"], ["Create an account for EMAIL", "--role", "--password-stdin", "--admin"]),
        (["users", "set-password", "--help"], ["Set a new password for the account EMAIL", "--password-stdin"]),
        (["demo", "--help"], ["Load a demo incubator", "APP_ENV=production"]),
    ],
)
def test_help_texts(cli, args, expected):
    result = cli(*args)

    assert result.exit_code == 0
    for text in expected:
        assert text in result.output
