"""The migrations build exactly the schema the models describe, on the database under test."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from incubator.extensions import db


def test_models_and_migrations_agree(app):
    context = MigrationContext.configure(db.session.connection(), opts={"compare_type": True})
    diff = compare_metadata(context, db.metadata)
    assert diff == [], f"Models and migrations differ; run `flask db migrate`: {diff}"
