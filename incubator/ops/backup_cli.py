"""``flask backup create|restore|show``: the command-line side of ``ops/backup.py`` and ``ops/restore.py``."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from incubator.ops.backup import BackupError, create_backup, read_manifest
from incubator.ops.health import code_heads
from incubator.ops.restore import restore_backup

backup_cli = AppGroup("backup", help="Back up and restore the database and the uploaded files.")


def _size(count: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return str(count)


def _describe(manifest: dict) -> list[str]:
    database = manifest["database"]
    tables = database["tables"]
    rows = sum(count for name, count in tables.items() if name != "alembic_version")
    return [
        f"made at {manifest['created_at']} from {database['dialect']}, "
        f"migration {', '.join(database['alembic_revisions']) or 'none'}",
        f"database: {len(tables)} tables, {rows} rows ({_size(database['bytes'])})",
        f"uploads: {manifest['uploads']['files']} files ({_size(manifest['uploads']['bytes'])})",
    ]


@backup_cli.command("create")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Archive to write (.tar.gz). Default: instance/backups/incubator-<UTC time>.tar.gz.")
def create_command(output: Path | None) -> None:
    """Write one archive with a consistent copy of the database, the uploaded files and a manifest.

    Safe while the site runs: SQLite is copied with its online backup API, PostgreSQL with pg_dump
    from one snapshot. The archive contains password hashes and founders' documents; it is
    written readable by its owner only. Keep copies off this machine.

    \b
    Example (a nightly cron job or systemd timer):
      flask backup create --output /var/backups/incubator/incubator-$(date +%F).tar.gz
    """
    try:
        result = create_backup(output)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Backup written to {result.path} ({_size(result.path.stat().st_size)})")
    for line in _describe(result.manifest):
        click.echo(f"  {line}")


@backup_cli.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database and upload folder that already hold data.")
def restore_command(archive: Path, force: bool) -> None:
    """Restore ARCHIVE (made by `flask backup create`) into an empty database and upload folder.

    Stop the web server and the scheduler first. A database with any data in it, or an upload
    folder with files, is refused unless --force is given; --force deletes what is there. The
    row counts are checked against the backup's manifest afterwards.

    \b
    Example (a new server):
      flask backup restore incubator-2026-11-30.tar.gz && flask db upgrade
    """
    try:
        result = restore_backup(archive, force=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Restored {archive}")
    for line in _describe(result.manifest):
        click.echo(f"  {line}")
    heads = list(code_heads(current_app.extensions["migrate"].directory))
    if sorted(result.alembic_revisions) != heads:
        click.echo(f"The restored schema is at migration {', '.join(result.alembic_revisions) or 'none'}; this "
                   f"release's is {', '.join(heads)}. Run `flask db upgrade` before starting the site.")


@backup_cli.command("show")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def show_command(archive: Path) -> None:
    """Describe the backup ARCHIVE without restoring it: when, from what, how many rows and files."""
    try:
        manifest = read_manifest(archive)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(str(archive))
    for line in _describe(manifest):
        click.echo(f"  {line}")
    for name, count in sorted(manifest["database"]["tables"].items()):
        click.echo(f"    {name:<32} {count:>9}")
