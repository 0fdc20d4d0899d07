"""``flask backup restore``: put a backup archive back into an empty database and an empty upload folder.

A target that already holds data (any row outside Alembic's version table, any uploaded file) is refused unless
``force`` is given, which replaces it. Stop the web server and the scheduler first: the restore replaces
tables and files under them. After the restore the row counts are compared with the manifest; if the backup
was made by an older release, ``flask db upgrade`` brings the schema up to date.
"""
from __future__ import annotations

import shutil
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from incubator.extensions import db
from incubator.ops.backup import (
    UPLOADS_DIR,
    VERSION_TABLE,
    BackupError,
    libpq_args,
    postgres_tool,
    read_manifest,
    revisions,
    run_tool,
    sha256_of,
    table_counts,
    upload_files,
)


@dataclass(frozen=True)
class RestoreResult:
    manifest: dict
    tables: dict[str, int]
    files: int
    alembic_revisions: list[str]


def _occupied() -> tuple[dict[str, int], list[Path]]:
    with db.engine.connect() as conn:
        counts = table_counts(conn)
        conn.rollback()
    rows = {name: count for name, count in counts.items() if count and name != VERSION_TABLE}
    return rows, upload_files(Path(current_app.config["UPLOAD_FOLDER"]))


def _refusal(rows: dict[str, int], files: list[Path]) -> str:
    parts = []
    if rows:
        parts.append(f"{sum(rows.values())} rows in {len(rows)} tables (e.g. {', '.join(sorted(rows)[:3])})")
    if files:
        parts.append(f"{len(files)} uploaded files in {current_app.config['UPLOAD_FOLDER']}")
    return ("The target is not empty: " + " and ".join(parts)
            + ". Restore into a new, empty database, or add --force to replace everything in it.")


def _restore_sqlite(dump: Path, database: str) -> None:
    db.engine.dispose()  # no pooled connection may hold the old file open
    source = sqlite3.connect(dump)
    target = sqlite3.connect(database)
    try:
        source.backup(target)  # replaces the whole database, tables that are not in the backup included
    finally:
        target.close()
        source.close()
    db.engine.dispose()


def _restore_postgres(dump: Path, url: sa.engine.URL) -> None:
    pg_restore = postgres_tool("pg_restore")
    with db.engine.begin() as conn:
        quote = conn.dialect.identifier_preparer.quote
        for name in sa.inspect(conn).get_table_names():
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {quote(name)} CASCADE"))
    dbname, env = libpq_args(url)
    run_tool([pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", *dbname,
              str(dump)], env)
    db.engine.dispose()


def _replace_uploads(extracted: Path, target: Path) -> None:
    """Make ``target`` hold exactly the extracted files; moving children keeps a mount point in place."""
    target.mkdir(parents=True, exist_ok=True)
    for child in target.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    if extracted.is_dir():
        for child in extracted.iterdir():
            shutil.move(str(child), str(target / child.name))


def restore_backup(archive_path: Path, force: bool = False) -> RestoreResult:
    """Restore the database and uploaded files from a ``flask backup create`` archive.

    :param archive_path: the archive.
    :param force: replace a database or upload folder that already holds data.
    :return: the manifest, the restored row counts, the number of files and the restored migration revisions.
    :raises BackupError: not a backup, made from another kind of database, damaged, the target is not empty
        (without ``force``), or the restored row counts differ from the manifest.
    """
    manifest = read_manifest(archive_path)
    url = db.engine.url
    dialect = url.get_backend_name()
    source_dialect = manifest["database"]["dialect"]
    if source_dialect != dialect:
        raise BackupError(f"This backup is of a {source_dialect} database and cannot be restored into {dialect}; "
                          f"point DATABASE_URL at a {source_dialect} database.")
    db.session.remove()
    rows, files = _occupied()
    if (rows or files) and not force:
        raise BackupError(_refusal(rows, files))

    with tempfile.TemporaryDirectory(prefix="incubator-restore-") as work:
        work_dir = Path(work)
        with tarfile.open(archive_path, mode="r:gz") as archive:
            archive.extractall(work_dir, filter="data")  # refuses absolute paths, "..", devices and links out
        dump = work_dir / manifest["database"]["file"]
        if not dump.is_file() or sha256_of(dump) != manifest["database"]["sha256"]:
            raise BackupError(f"{archive_path} is damaged: the database copy does not match its checksum.")
        if dialect == "sqlite":
            _restore_sqlite(dump, url.database)
        else:
            _restore_postgres(dump, url)
        _replace_uploads(work_dir / UPLOADS_DIR, Path(current_app.config["UPLOAD_FOLDER"]))

    with db.engine.connect() as conn:
        restored = table_counts(conn)
        revs = revisions(restored, conn)
        conn.rollback()
    expected = manifest["database"]["tables"]
    differ = {name: (count, restored.get(name)) for name, count in expected.items() if restored.get(name) != count}
    if differ:
        raise BackupError(f"Restored row counts differ from the backup's manifest (expected, found): {differ}")
    restored_files = len(upload_files(Path(current_app.config["UPLOAD_FOLDER"])))
    if restored_files != manifest["uploads"]["files"]:
        raise BackupError(f"Restored {restored_files} uploaded files; the backup lists {manifest['uploads']['files']}.")
    return RestoreResult(manifest, restored, restored_files, revs)
