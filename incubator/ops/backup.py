"""``flask backup create``: one archive holding a consistent database copy, the uploaded files and a manifest.

Archive layout (a gzip'd tar, readable with ``tar tzf``)::

    manifest.json          format, created_at, database dialect, migration revisions, rows per table, files
    database.sqlite3       SQLite: made with the online backup API (a consistent copy while the app runs)
    database.pgdump        PostgreSQL: ``pg_dump --format=custom`` (restore with ``flask backup restore``)
    uploads/...            everything under UPLOAD_FOLDER (pitch decks, logos, evidence)

Consistency: on SQLite the copy is one snapshot and the row counts are read from the copy. On PostgreSQL a
REPEATABLE READ transaction exports its snapshot, ``pg_dump --snapshot`` dumps exactly that snapshot and the
counts are read inside it, so manifest and dump agree even while the app keeps writing. Uploaded files are
copied after the snapshot; files are only ever added under new names, so every file the database copy
refers to is in the archive (at worst a few newer, unreferenced ones too).

The archive holds password hashes and founders' documents: it is written with mode 0600.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from incubator.db import utcnow
from incubator.extensions import db

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PGDUMP_FILE = "database.pgdump"
UPLOADS_DIR = "uploads"
VERSION_TABLE = "alembic_version"


class BackupError(RuntimeError):
    """The backup or restore cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def table_counts(conn) -> dict[str, int]:
    """Rows in every table of the connected database (ours, other helpers' and Alembic's), by table name."""
    names = sorted(sa.inspect(conn).get_table_names())
    return {name: conn.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar_one() for name in names}


def revisions(counts: dict[str, int], conn) -> list[str]:
    if VERSION_TABLE not in counts:
        return []
    return sorted(conn.execute(sa.select(sa.column("version_num")).select_from(sa.table(VERSION_TABLE))).scalars())


def libpq_args(url: sa.engine.URL) -> tuple[list[str], dict[str, str]]:
    """``--dbname`` for pg_dump/pg_restore with the password in the environment (not visible in ``ps``)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = sa.engine.URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                                 database=url.database, query=url.query)
    return [f"--dbname={plain.render_as_string(hide_password=False)}"], env


def postgres_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed; install the PostgreSQL client (Debian: postgresql-client).")
    return path


def run_tool(args: list[str], env: dict[str, str]) -> None:
    """Run pg_dump or pg_restore (an argument list, never through a shell); a failure becomes a BackupError."""
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603  # nosec B603
    if result.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {result.stderr.strip() or result.stdout.strip()}")


def _copy_sqlite(path: str, target: Path) -> dict:
    source = sqlite3.connect(path)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        # A single self-contained file, whatever journal mode the live database uses.
        copy.execute("PRAGMA journal_mode=DELETE")
        engine = sa.create_engine(f"sqlite:///{target}")
        with engine.connect() as conn:
            counts = table_counts(conn)
            revs = revisions(counts, conn)
        engine.dispose()
    finally:
        copy.close()
        source.close()
    return {"file": SQLITE_FILE, "tables": counts, "alembic_revisions": revs}


def _dump_postgres(url: sa.engine.URL, target: Path) -> dict:
    pg_dump = postgres_tool("pg_dump")
    dbname, env = libpq_args(url)
    with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        with conn.begin():
            snapshot = conn.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
            counts = table_counts(conn)
            revs = revisions(counts, conn)
            # pg_dump must run while this transaction is open: the snapshot lives only as long as it does.
            run_tool([pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                      f"--file={target}", *dbname], env)
    return {"file": PGDUMP_FILE, "tables": counts, "alembic_revisions": revs}


def upload_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def default_output() -> Path:
    stamp = utcnow().strftime("%Y%m%d-%H%M%SZ")
    return Path(current_app.instance_path) / "backups" / f"incubator-{stamp}.tar.gz"


def create_backup(output: Path | None = None) -> BackupResult:
    """Write a backup archive of the database and UPLOAD_FOLDER.

    :param output: the archive to write (``.tar.gz``); default ``instance/backups/incubator-<UTC time>.tar.gz``.
    :return: where it was written and its manifest.
    :raises BackupError: the output exists, the database is of an unsupported kind or pg_dump failed.
    """
    output = Path(output or default_output()).resolve()
    if output.exists():
        raise BackupError(f"{output} already exists; choose another --output.")
    output.parent.mkdir(parents=True, exist_ok=True)
    url = db.engine.url
    uploads = Path(current_app.config["UPLOAD_FOLDER"])
    created_at = utcnow()
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".backup-") as work:
        work_dir = Path(work)
        if url.get_backend_name() == "sqlite":
            database = _copy_sqlite(url.database, work_dir / SQLITE_FILE)
        elif url.get_backend_name() == "postgresql":
            database = _dump_postgres(url, work_dir / PGDUMP_FILE)
        else:
            raise BackupError(f"backups of {url.get_backend_name()} databases are not supported.")
        dump = work_dir / database["file"]
        files = upload_files(uploads)
        manifest = {
            "format": FORMAT,
            "created_at": created_at.isoformat(),
            "database": {"dialect": url.get_backend_name(), **database, "sha256": sha256_of(dump),
                         "bytes": dump.stat().st_size},
            "uploads": {"files": len(files), "bytes": sum(p.stat().st_size for p in files)},
        }
        (work_dir / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
        partial = work_dir / "archive.tar.gz"
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as archive:
            archive.add(work_dir / MANIFEST, arcname=MANIFEST)
            archive.add(dump, arcname=database["file"])
            for path in files:
                archive.add(path, arcname=f"{UPLOADS_DIR}/{path.relative_to(uploads).as_posix()}")
        partial.replace(output)  # appears whole or not at all
    return BackupResult(output, manifest)


def read_manifest(archive_path: Path) -> dict:
    """The manifest of a backup archive.

    :raises BackupError: not a backup archive made by ``flask backup create``.
    """
    try:
        with tarfile.open(archive_path, mode="r:gz") as archive:
            member = archive.extractfile(MANIFEST)
            manifest = json.load(member)
    except (OSError, KeyError, tarfile.TarError, ValueError) as exc:
        raise BackupError(f"{archive_path} is not a backup made by flask backup create ({exc}).") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{archive_path} has backup format {manifest.get('format')!r}; this version reads {FORMAT}.")
    return manifest
