"""flask backup, and a restore from what it wrote, as docs/reliability.md describes.

A round trip on the database the tests run on: SQLite always; PostgreSQL when
TEST_DATABASE_URL names one (pg_dump and pg_restore found as .ci/run finds the server).
Load the demo, write trail events, back up, change and delete data, restore into a fresh
database, and check that every table has the rows it had at the backup and the trail verifies.
"""
import hashlib
import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import click
import pytest
import sqlalchemy as sa

from app import create_app
from app.backup import backup_command, backup_postgres, find_pg_tool
from app.extensions import db as _db
from app.models import Plan, ProgressUpdate, ReportingPeriod, User


def run_backup(app, *args):
    if "backup" not in app.cli.commands:
        app.cli.add_command(backup_command)
    return app.test_cli_runner().invoke(args=["backup", *args])


def row_counts(engine) -> dict[str, int]:
    tables = [t.name for t in _db.metadata.sorted_tables] + ["alembic_version"]
    with engine.connect() as conn:
        return {name: conn.execute(sa.text(f'SELECT count(*) FROM "{name}"')).scalar_one() for name in tables}


def written_file(output: str) -> Path:
    match = re.search(r"^to (.+)$", output, re.M)
    assert match, output
    return Path(match.group(1).strip())


def load_data_and_trail():
    """The demo, a period opened (a transition with its trail event), and events of our own."""
    from app.demo.loader import load_demo
    from app.trail import record
    from app.updates.service import open_period

    load_demo(year=2019, activity=False)
    admin = _db.session.scalar(sa.select(User).where(User.email == "admin@docket.example"))
    period = _db.session.scalar(sa.select(ReportingPeriod).order_by(ReportingPeriod.starts_on).limit(1))
    open_period(period, admin)
    for n in range(5):
        record("backup_test_event", actor=admin, data={"n": n})
    _db.session.commit()


def change_and_delete():
    """What a bad day does after the backup: rows deleted, rows changed, events added."""
    from app.trail import record

    _db.session.execute(sa.delete(ProgressUpdate))
    _db.session.execute(sa.update(Plan).values(title="Changed after the backup"))
    record("after_backup", actor=None)
    _db.session.commit()


def restored_app(url: str):
    return create_app({"TESTING": True, "SECRET_KEY": "restore-test", "SQLALCHEMY_DATABASE_URI": url})


def check_restored(url: str, expected: dict[str, int], expected_events: int) -> None:
    from app.trail import verify

    app = restored_app(url)
    with app.app_context():
        try:
            assert row_counts(_db.engine) == expected
            checked, problem = verify()
            assert problem is None, str(problem)
            assert checked == expected_events
            titles = _db.session.scalars(sa.select(Plan.title)).all()
            assert titles and "Changed after the backup" not in titles
        finally:
            _db.session.remove()
            _db.engine.dispose()


def test_backup_and_restore_round_trip(app, db, tmp_path):
    load_data_and_trail()
    before = row_counts(db.engine)
    assert before["progress_update"] > 0 and before["trail_event"] > 5
    from app.trail import verify

    events, problem = verify()
    assert problem is None

    result = run_backup(app, "--output", str(tmp_path))
    assert result.exit_code == 0, result.output
    path = written_file(result.output)
    assert path.parent == tmp_path and re.fullmatch(r"docket-\d{8}T\d{6}Z(-\d+)?\.(sqlite3|pgdump)", path.name)
    size = path.stat().st_size
    assert f"({size:,} bytes)" in result.output
    assert f"SHA-256: {hashlib.sha256(path.read_bytes()).hexdigest()}" in result.output

    change_and_delete()
    assert row_counts(db.engine) != before

    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        # Restore as documented: (Docket stopped) copy the backup into place.
        fresh = tmp_path / "restored" / "docket.db"
        fresh.parent.mkdir()
        shutil.copyfile(path, fresh)
        check_restored(f"sqlite:///{fresh}", before, events)
    else:
        restore_postgres_round_trip(url, path, before, events)


def restore_postgres_round_trip(url, dump: Path, expected: dict, events: int) -> None:
    pg_restore = find_pg_tool("pg_restore")
    assert pg_restore, "pg_restore is needed to test PostgreSQL backups"
    name = f"{url.database}_restore_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    fresh = url.set(database=name)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    conninfo = fresh.set(drivername="postgresql", password=None).render_as_string(hide_password=False)

    def restore():
        # The documented command: pg_restore --clean --if-exists -d DATABASE FILE
        done = subprocess.run([pg_restore, "--clean", "--if-exists", "-d", conninfo, str(dump)],
                              env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr

    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        restore()  # into a fresh, empty database
        fresh_url = fresh.render_as_string(hide_password=False)
        check_restored(fresh_url, expected, events)
        # Over a database that has changed since: --clean drops what is there first.
        engine = sa.create_engine(fresh)
        with engine.begin() as conn:
            conn.execute(sa.text("DELETE FROM attachment"))
            conn.execute(sa.text("DELETE FROM progress_update"))
            conn.execute(sa.text("UPDATE plan SET title = 'Changed after the backup'"))
        engine.dispose()
        restore()
        check_restored(fresh_url, expected, events)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_backup_file_name_given(app, db, tmp_path):
    load_data_and_trail()
    target = tmp_path / "nightly" / ("docket.pgdump" if db.engine.url.get_backend_name() != "sqlite" else "docket.db")
    result = run_backup(app, "--output", str(target))
    assert result.exit_code == 0, result.output
    assert written_file(result.output) == target.resolve() and target.stat().st_size > 0
    assert target.stat().st_mode & 0o077 == 0, "a backup holds personal data: it must not be readable by others"
    again = run_backup(app, "--output", str(target))
    assert again.exit_code != 0 and "already exists" in again.output


def test_missing_pg_dump_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr("app.backup.find_pg_tool", lambda name: None)
    url = sa.engine.make_url("postgresql+psycopg://docket:secret@db.internal:5432/docket")
    with pytest.raises(click.ClickException, match="pg_dump was not found"):
        backup_postgres(url, tmp_path / "x.pgdump")
    assert not list(tmp_path.iterdir())
