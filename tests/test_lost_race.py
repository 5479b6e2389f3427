"""Suggested regression tests: a write that loses a same-moment race is refused (409), not a 500."""
import pytest
import sqlalchemy as sa

from app.extensions import db as _db


def _someone_else_saves(model, obj_id):
    """Another request commits a change to the row after ours loaded it."""
    with _db.engine.begin() as conn:
        conn.execute(sa.update(model.__table__).where(model.__table__.c.id == obj_id)
                     .values(version=model.__table__.c.version + 1))


def test_same_moment_save_of_an_update_is_refused(db):
    from app.demo.loader import load_demo
    from app.models import ProgressUpdate, ReportingPeriod, User
    from app.updates import service

    load_demo(year=2019, activity=False)
    admin = db.session.scalar(sa.select(User).where(User.email == "admin@docket.example"))
    period = db.session.scalar(sa.select(ReportingPeriod).order_by(ReportingPeriod.starts_on).limit(1))
    service.open_period(period, admin)
    update = db.session.scalar(sa.select(ProgressUpdate).limit(1))
    owner = update.action.owner
    seen = update.version
    db.session.commit()
    update = db.session.get(ProgressUpdate, update.id)  # loaded: version `seen`
    _someone_else_saves(ProgressUpdate, update.id)
    with pytest.raises(service.StaleTransition):
        service.save_draft(update, {"narrative": "Mine"}, seen, owner)


def test_same_moment_approval_of_a_report_is_refused(db):
    from app.demo.loader import load_demo
    from app.models import Plan, Report, ReportingPeriod, User
    from app.reports import service

    load_demo(year=2019, activity=False)
    head = db.session.scalar(sa.select(User).where(User.email == "marcus.bell@docket.example"))
    director = db.session.scalar(sa.select(User).where(User.email == "jo.whitfield@docket.example"))
    plan = db.session.scalar(sa.select(Plan).limit(1))
    period = db.session.scalar(sa.select(ReportingPeriod).limit(1))
    report = service.create_report("Progress", [plan], period, head)
    service.save_sections(report, {"recommendations": "Note it."}, report.version, head)
    service.submit(report, report.version, head)
    seen = report.version
    report = db.session.get(Report, report.id)
    _someone_else_saves(Report, report.id)
    with pytest.raises(service.StaleReport):
        service.approve(report, seen, director)
