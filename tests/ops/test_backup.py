"""``flask backup create|restore|show``: the demo incubator round-trips through an archive into an empty database,
with the same rows (counts and a checksum of the key tables) and the same uploaded files. Runs on SQLite, and on
PostgreSQL when TEST_DATABASE_URL points there (the restore goes into a database created for the test)."""
from __future__ import annotations

import hashlib
import io
import json
import stat
import tarfile
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from incubator import create_app
from incubator.config import test_overrides
from incubator.demo import load_demo
from incubator.extensions import db
from incubator.ops.backup import MANIFEST, libpq_args, read_manifest
from tests.factories import UserFactory

pytestmark = pytest.mark.concurrent  # pg_dump and a second database see only committed data

KEY_TABLES = ("users", "startups", "applications", "review_scores", "milestones", "kpi_versions", "check_ins",
              "outbox_messages", "audit_entries")


def snapshot(engine) -> tuple[dict[str, int], dict[str, str]]:
    """Rows per table, and a checksum of every row of the key tables (in primary-key order)."""
    with engine.connect() as conn:
        inspector = sa.inspect(conn)
        counts, sums = {}, {}
        for name in sorted(inspector.get_table_names()):
            table = sa.Table(name, sa.MetaData(), autoload_with=conn)
            counts[name] = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            if name in KEY_TABLES:
                order = list(table.primary_key.columns) or list(table.columns)
                digest = hashlib.sha256()
                for row in conn.execute(sa.select(table).order_by(*order)):
                    digest.update(repr(tuple(row)).encode())
                sums[name] = digest.hexdigest()
    return counts, sums


def file_digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def demo(app):
    load_demo()
    db.session.commit()
    return app


@pytest.fixture
def small(app):
    """A few committed rows and one uploaded file: enough for the tests that are not about the data itself."""
    UserFactory.create_batch(3)
    db.session.commit()
    folder = Path(app.config["UPLOAD_FOLDER"]) / "pitch_decks"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "small-test.pdf").write_bytes(b"%PDF-1.4 test")
    yield app
    (folder / "small-test.pdf").unlink(missing_ok=True)


@pytest.fixture
def empty_target(app, tmp_path):
    """A second app on an empty database of the same kind, with its own upload folder."""
    source_url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    admin = None
    if source_url.get_backend_name() == "postgresql":
        name = f"{source_url.database}_restore_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(source_url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        url = source_url.set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path / 'restored.db'}"
    overrides = test_overrides(url, str(tmp_path / "target-instance"))
    overrides["UPLOAD_FOLDER"] = str(tmp_path / "restored-uploads")
    target = create_app(overrides)
    yield target
    with target.app_context():
        db.engine.dispose()
    if admin is not None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def cli(app, *args):
    # The suite already has the main app's context pushed; commands run in whatever app is current.
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def test_demo_round_trips_into_an_empty_database(demo, empty_target, tmp_path):
    archive = tmp_path / "nightly.tar.gz"
    created = cli(demo, "backup", "create", "--output", str(archive))
    assert created.exit_code == 0, created.output
    assert "Backup written to" in created.output and "uploads:" in created.output
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # password hashes and founders' documents inside

    with demo.app_context():
        source_counts, source_sums = snapshot(db.engine)
    source_files = file_digests(Path(demo.config["UPLOAD_FOLDER"]))
    manifest = read_manifest(archive)
    assert manifest["database"]["tables"] == source_counts
    assert manifest["uploads"]["files"] == len(source_files) > 0
    assert source_counts["startups"] > 0 and source_counts["milestones"] > 0

    restored = cli(empty_target, "backup", "restore", str(archive))
    assert restored.exit_code == 0, restored.output
    with empty_target.app_context():
        target_counts, target_sums = snapshot(db.engine)
    assert target_counts == source_counts
    assert target_sums == source_sums
    assert file_digests(Path(empty_target.config["UPLOAD_FOLDER"])) == source_files

    shown = cli(demo, "backup", "show", str(archive))
    assert shown.exit_code == 0 and f"startups {source_counts['startups']:>9}".split() == \
        next(line.split() for line in shown.output.splitlines() if line.strip().startswith("startups "))


def test_a_database_with_data_is_refused_unless_forced(small, empty_target, tmp_path):
    archive = tmp_path / "b.tar.gz"
    assert cli(small, "backup", "create", "-o", str(archive)).exit_code == 0
    assert cli(empty_target, "backup", "restore", str(archive)).exit_code == 0

    again = cli(empty_target, "backup", "restore", str(archive))
    assert again.exit_code == 1
    assert "The target is not empty" in again.output and "--force" in again.output

    stray = Path(empty_target.config["UPLOAD_FOLDER"]) / "stray.txt"
    stray.write_text("not in the backup")
    forced = cli(empty_target, "backup", "restore", "--force", str(archive))
    assert forced.exit_code == 0, forced.output
    assert not stray.exists()  # the folder now holds exactly the backup's files
    with small.app_context():
        expected = snapshot(db.engine)
    with empty_target.app_context():
        assert snapshot(db.engine) == expected


def test_an_existing_output_is_never_overwritten(small, tmp_path):
    archive = tmp_path / "taken.tar.gz"
    archive.write_text("precious")
    result = cli(small, "backup", "create", "-o", str(archive))
    assert result.exit_code == 1 and "already exists" in result.output
    assert archive.read_text() == "precious"


def test_default_output_goes_to_instance_backups(small):
    result = cli(small, "backup", "create")
    assert result.exit_code == 0, result.output
    path = Path(result.output.split("Backup written to ", 1)[1].split(" (", 1)[0])
    try:
        assert path.parent == Path(small.instance_path) / "backups" and path.name.startswith("incubator-")
    finally:
        path.unlink()


def test_a_damaged_archive_is_refused_and_changes_nothing(small, empty_target, tmp_path):
    archive = tmp_path / "good.tar.gz"
    assert cli(small, "backup", "create", "-o", str(archive)).exit_code == 0
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read() if member.isfile() else None
            if member.name.startswith("database."):
                data = data[:-10] + b"x" * 10
            target.addfile(member, io.BytesIO(data) if data is not None else None)
    result = cli(empty_target, "backup", "restore", str(damaged))
    assert result.exit_code == 1 and "damaged" in result.output
    with empty_target.app_context(), db.engine.connect() as conn:
        assert sa.inspect(conn).get_table_names() == []


@pytest.mark.parametrize("content", [b"not a tarball", None])
def test_something_else_is_not_taken_for_a_backup(app, tmp_path, content):
    path = tmp_path / "x.tar.gz"
    if content is None:  # a tarball without our manifest
        with tarfile.open(path, "w:gz") as archive:
            archive.addfile(tarfile.TarInfo("readme.txt"), io.BytesIO(b""))
    else:
        path.write_bytes(content)
    result = cli(app, "backup", "show", str(path))
    assert result.exit_code == 1 and "is not a backup made by flask backup create" in result.output


def test_a_backup_from_another_kind_of_database_is_refused(app, tmp_path):
    other = "postgresql" if db.engine.dialect.name == "sqlite" else "sqlite"
    path = tmp_path / "other.tar.gz"
    manifest = {"format": 1, "created_at": "2026-11-30T00:00:00+00:00", "uploads": {"files": 0, "bytes": 0},
                "database": {"dialect": other, "file": "database.x", "tables": {}, "alembic_revisions": [],
                             "sha256": "0", "bytes": 0}}
    body = json.dumps(manifest).encode()
    info = tarfile.TarInfo(MANIFEST)
    info.size = len(body)
    with tarfile.open(path, "w:gz") as archive:
        archive.addfile(info, io.BytesIO(body))
    result = cli(app, "backup", "restore", str(path))
    assert result.exit_code == 1 and f"This backup is of a {other} database" in result.output


def test_pg_dump_gets_the_password_in_its_environment_not_on_the_command_line():
    args, env = libpq_args(sa.engine.make_url("postgresql+psycopg://app:s3cret@db.example:5432/incubator?sslmode=require"))
    assert args == ["--dbname=postgresql://app@db.example:5432/incubator?sslmode=require"]
    assert env["PGPASSWORD"] == "s3cret"
