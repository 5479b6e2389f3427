"""flask backup — a consistent copy of Docket's database, with its size and SHA-256.

SQLite: SQLite's online backup API (Python's sqlite3 Connection.backup), which copies a
consistent snapshot while Docket keeps running. PostgreSQL: pg_dump in its custom format,
with the credentials in DATABASE_URL (the password is passed in the environment, never on
the command line). How to restore either is in docs/reliability.md.
"""
import glob
import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import URL

from app.extensions import db

EXTENSIONS = {"sqlite": ".sqlite3", "postgresql": ".pgdump"}


def find_pg_tool(name: str) -> str | None:
    """pg_dump or pg_restore: from $PG_BIN, else the newest /usr/lib/postgresql/*/bin (as
    .ci/run finds the server), else the PATH."""
    candidates = []
    if os.environ.get("PG_BIN"):
        candidates.append(Path(os.environ["PG_BIN"]) / name)
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                      key=lambda d: [int(x) for x in re.findall(r"\d+", d)], reverse=True)
    candidates += [Path(d) / name for d in versions]
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    return shutil.which(name)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def human_size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024
    return f"{n} bytes"


def _destination(output: str | None, dialect: str) -> Path:
    """PATH as given; a directory (or nothing) gets a timestamped file name in it."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    name = f"docket-{stamp}{EXTENSIONS[dialect]}"
    if output is None:
        folder = Path(current_app.instance_path) / "backups"
    elif Path(output).is_dir() or output.endswith(os.sep):
        folder = Path(output)
    else:
        path = Path(output).expanduser()
        if path.exists():
            raise click.ClickException(f"{path} already exists: choose another file name or a folder.")
        path.parent.mkdir(parents=True, exist_ok=True)
        return path
    folder = folder.expanduser()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path, n = folder / name, 1
    while path.exists():
        n += 1
        path = folder / f"docket-{stamp}-{n}{EXTENSIONS[dialect]}"
    return path


def _partial(dest: Path) -> Path:
    return dest.with_name(f".{dest.name}.partial")


def backup_sqlite(url: URL, dest: Path) -> str:
    source = url.database
    if not source or source == ":memory:" or url.query.get("mode") == "memory":
        raise click.ClickException("The database is in memory: there is nothing on disk to back up.")
    if not Path(source).is_file():
        raise click.ClickException(f"The SQLite database {source} does not exist.")
    partial = _partial(dest)
    partial.unlink(missing_ok=True)
    old_umask = os.umask(0o077)  # the copy holds personal data and password hashes
    try:
        src = sqlite3.connect(source, timeout=30)
        dst = sqlite3.connect(partial)
        try:
            with dst:
                src.backup(dst)  # one step: a consistent snapshot, even while Docket writes
            dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
            check = dst.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            dst.close()
            src.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"The SQLite backup failed: {exc}") from None
    finally:
        os.umask(old_umask)
    if check != "ok":
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"The copy failed SQLite's check ({check}); nothing was written.")
    os.replace(partial, dest)
    return f"the SQLite database {source}"


def backup_postgres(url: URL, dest: Path) -> str:
    pg_dump = find_pg_tool("pg_dump")
    if pg_dump is None:
        raise click.ClickException(
            "pg_dump was not found. Install PostgreSQL's client programs (on Debian or Ubuntu: "
            "apt-get install postgresql-client, the same major version as the server or newer), "
            "or set PG_BIN to the folder that holds pg_dump."
        )
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    partial = _partial(dest)
    partial.unlink(missing_ok=True)
    old_umask = os.umask(0o077)
    try:
        result = subprocess.run([pg_dump, "--format=custom", "--no-password", f"--file={partial}",
                                 f"--dbname={conninfo}"],
                                env=env, capture_output=True, text=True)
    finally:
        os.umask(old_umask)
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"pg_dump failed ({result.returncode}): {result.stderr.strip()}")
    os.replace(partial, dest)
    where = f"{url.host or 'localhost'}:{url.port or 5432}"
    return f"the PostgreSQL database {url.database} on {where} (with {pg_dump})"


@click.command("backup")
@click.option("--output", "-o", metavar="PATH",
              help="File to write, or a folder for a timestamped file. Default: instance/backups/.")
@with_appcontext
def backup_command(output):
    """Back up the database: SQLite with its online backup API, PostgreSQL with pg_dump.

    Safe while Docket is running. Prints the file written, its size and its SHA-256.
    Restore as docs/reliability.md describes.
    """
    url = db.engine.url
    dialect = url.get_backend_name()
    if dialect not in EXTENSIONS:
        raise click.ClickException(f"Docket cannot back up a {dialect} database; only SQLite and PostgreSQL.")
    dest = _destination(output, dialect)
    what = backup_sqlite(url, dest) if dialect == "sqlite" else backup_postgres(url, dest)
    size = dest.stat().st_size
    click.echo(f"Backed up {what}")
    click.echo(f"to {dest.resolve()}")
    click.echo(f"Size: {human_size(size)} ({size:,} bytes)")
    click.echo(f"SHA-256: {sha256_of(dest)}")
