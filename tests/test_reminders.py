"""Daily reminder digests: who hears about what, once a day, e-mailed through a real SMTP server."""
from datetime import date, datetime, timezone

import pytest
import sqlalchemy as sa

from app.models import (
    Action,
    ActionStatus,
    Delegation,
    Indicator,
    IndicatorValue,
    Notification,
    PeriodState,
    Plan,
    ProgressUpdate,
    ReportingPeriod,
    Role,
    ScopeKind,
    UpdateState,
    utcnow,
)
from app.notifications.cli import reminders_cli
from app.notifications.reminders import build_digests, send_reminders
from tests.test_notifications import smtp  # noqa: F401 - the real SMTP server fixture

TODAY = date(2019, 7, 10)  # a Wednesday


def period(db, name, update_deadline, signoff_deadline, state=PeriodState.OPEN):
    p = ReportingPeriod(name=name, starts_on=date(2019, 4, 1), ends_on=date(2019, 6, 30),
                        update_deadline=update_deadline, signoff_deadline=signoff_deadline, state=state)
    db.session.add(p)
    return p


@pytest.fixture()
def council(db, org, people, make_user):
    """A plan in each service, and updates in every state the digest cares about."""
    service, highways = org["service"], org["other_service"]
    p = dict(people)
    p["owner2"] = make_user("owner2@example.org", "Omar Second", Role.ACTION_OWNER, ScopeKind.SERVICE, service)
    p["roads"] = make_user("roads@example.org", "Rhea Roads", Role.ACTION_OWNER, ScopeKind.SERVICE, highways)
    p["hos_roads"] = make_user("hos.roads@example.org", "Hugo Highways", Role.HEAD_OF_SERVICE,
                               ScopeKind.SERVICE, highways)
    p["deputy"] = make_user("deputy@example.org", "Dee Deputy")
    p["old_deputy"] = make_user("old.deputy@example.org", "Otto Expired")
    p["revoked_deputy"] = make_user("revoked.deputy@example.org", "Rita Revoked")
    p["future_deputy"] = make_user("future.deputy@example.org", "Fay Future")

    q1 = period(db, "Q1 2019/20", date(2019, 7, 1), date(2019, 7, 8))           # overdue; sign-off late
    july = period(db, "July 2019", date(2019, 7, 12), date(2019, 7, 19))       # due in 2 days
    edge = period(db, "Edge 2019", date(2019, 7, 17), date(2019, 7, 24))       # due in exactly 7 days
    later = period(db, "Later 2019", date(2019, 7, 18), date(2019, 7, 25))     # 8 days: not yet
    closed = period(db, "Q4 2018/19", date(2019, 4, 15), date(2019, 4, 22), PeriodState.CLOSED)
    planned = period(db, "Q2 2019/20", date(2019, 7, 5), date(2019, 7, 6), PeriodState.PLANNED)

    plan = Plan(service=service, title="Children's Specialist Services Plan")
    roads = Plan(service=highways, title="Highways Plan")
    owner = p["owner"]

    def action(ref, who=owner, in_plan=plan, **kw):
        a = Action(plan=in_plan, reference=ref, title=f"Action {ref}", owner=who, **kw)
        db.session.add(a)
        return a

    def update(a, per, state, **kw):
        u = ProgressUpdate(action=a, period=per, state=state, **kw)
        db.session.add(u)
        return u

    update(action("CSS001"), july, UpdateState.DRAFT)                             # owner: due in 2 days
    update(action("CSS002"), q1, UpdateState.RETURNED)                            # owner: 9 days overdue
    update(action("CSS003"), q1, UpdateState.SUBMITTED,                           # HoS: sign-off 2 days late
           submitted_at=datetime(2019, 7, 1, 9, tzinfo=timezone.utc))
    update(action("CSS004"), q1, UpdateState.SIGNED_OFF)                          # nothing
    update(action("CSS005"), closed, UpdateState.DRAFT)                           # closed period: nothing
    update(action("CSS006"), planned, UpdateState.DRAFT)                          # planned period: nothing
    update(action("CSS007"), edge, UpdateState.DRAFT)                             # due in 7 days
    update(action("CSS008"), later, UpdateState.DRAFT)                            # 8 days: nothing
    update(action("CSS009", status=ActionStatus.WITHDRAWN), q1, UpdateState.DRAFT)  # withdrawn: nothing
    update(action("CSS010", who=None), q1, UpdateState.DRAFT)                     # no owner: HoS only
    update(action("CSS011", who=p["hos"]), q1, UpdateState.DRAFT)                 # the head's own: once
    update(action("CSS012"), july, UpdateState.SUBMITTED)                         # sign-off not late: nothing

    i1 = Indicator(plan=plan, reference="EFL3", description="Children in care per 10,000", owner=p["owner2"])
    i2 = Indicator(plan=plan, reference=None, description="Staff turnover", owner=p["owner2"])
    db.session.add_all([
        IndicatorValue(indicator=i1, period=july, state=UpdateState.DRAFT),        # owner2: due in 2 days
        IndicatorValue(indicator=i2, period=q1, state=UpdateState.DRAFT),          # owner2: overdue; to HoS
    ])
    update(action("HW001", who=p["roads"], in_plan=roads), q1, UpdateState.DRAFT)  # Highways: its own head

    db.session.add_all([
        Delegation(head=p["hos"], deputy=p["deputy"], starts_on=date(2019, 7, 1), ends_on=date(2019, 7, 31)),
        Delegation(head=p["hos"], deputy=p["old_deputy"], starts_on=date(2019, 6, 1), ends_on=date(2019, 7, 9)),
        Delegation(head=p["hos"], deputy=p["revoked_deputy"], starts_on=date(2019, 7, 1),
                   ends_on=date(2019, 7, 31), revoked_at=utcnow()),
        Delegation(head=p["hos"], deputy=p["future_deputy"], starts_on=date(2019, 7, 11), ends_on=date(2019, 7, 31)),
    ])
    db.session.commit()
    return p


def digests_by_email(today=TODAY):
    from app.notifications.reminders import body_for, subject_for

    return {d.recipient.email: (subject_for(d, today), body_for(d, today)) for d in build_digests(today)}


def section(body: str, title: str) -> str:
    """The lines of one section of a digest's body."""
    if title not in body:
        return ""
    rest = body.split(title, 1)[1]
    return rest.split("\n\n", 1)[0]


def test_who_gets_a_digest(council):
    assert set(digests_by_email()) == {
        "owner@example.org", "owner2@example.org", "hos@example.org", "deputy@example.org",
        "roads@example.org", "hos.roads@example.org",
    }


def test_owner_digest_says_what_is_due_and_overdue(council):
    subject, body = digests_by_email()["owner@example.org"]
    assert subject == "Docket reminders for 10 July 2019: 2 due soon, 1 overdue"
    assert body.startswith("Hello Olu Owner,")
    due = section(body, "Due in the next 7 days")
    assert "CSS001 Action CSS001: progress update for July 2019, due in 2 days (12 July 2019)" in due
    assert "CSS007 Action CSS007: progress update for Edge 2019, due in 7 days (17 July 2019)" in due
    overdue = section(body, "Overdue\n")
    assert ("CSS002 Action CSS002: progress update for Q1 2019/20, was due 1 July 2019 "
            "(9 days overdue; returned to you for changes)") in overdue
    for nothing in ("CSS003", "CSS004", "CSS005", "CSS006", "CSS008", "CSS009", "CSS012"):
        assert nothing not in body, nothing
    assert "sign-off" not in body.lower()


def test_indicator_values_are_reminded_to_the_indicator_owner(council):
    subject, body = digests_by_email()["owner2@example.org"]
    assert subject == "Docket reminders for 10 July 2019: 1 due soon, 1 overdue"
    assert "EFL3 Children in care per 10,000: indicator value for July 2019, due in 2 days" in body
    assert "Staff turnover: indicator value for Q1 2019/20, was due 1 July 2019 (9 days overdue)" in body


def test_head_of_service_gets_a_copy_of_the_overdue_and_the_late_sign_offs(council):
    subject, body = digests_by_email()["hos@example.org"]
    overdue = section(body, "Overdue in your services")
    assert "Children's Specialist Services:" in overdue
    assert "CSS002 Action CSS002: progress update for Q1 2019/20 from Olu Owner, was due 1 July 2019 (9 days overdue)" in overdue
    assert "CSS010 Action CSS010: progress update for Q1 2019/20 from no accountable officer" in overdue
    assert "Staff turnover: indicator value for Q1 2019/20 from Omar Second" in overdue
    assert "HW001" not in body  # another service
    # Their own overdue update is in their own section, not repeated as a copy.
    assert "CSS011" in section(body, "Overdue\n") and "CSS011" not in overdue
    waiting = section(body, "Waiting for sign-off after the deadline")
    assert ("CSS003 Action CSS003: progress update for Q1 2019/20 from Olu Owner, submitted 1 July 2019; "
            "the sign-off deadline was 8 July 2019 (2 days ago)") in waiting
    assert "CSS012" not in body  # submitted, but the sign-off deadline has not passed
    assert "CSS001" not in body  # due, not overdue: the owner's business for now
    assert subject == ("Docket reminders for 10 July 2019: 1 overdue, 3 overdue in your service, "
                       "1 waiting for sign-off")


def test_active_deputy_gets_the_heads_copy_but_expired_revoked_and_future_ones_do_not(council):
    digests = digests_by_email()
    _, body = digests["deputy@example.org"]
    assert "Children's Specialist Services (as deputy for Hari Head until 31 July 2019):" in body
    assert "CSS003" in section(body, "Waiting for sign-off after the deadline")
    assert "CSS002" in section(body, "Overdue in your services")
    assert "CSS011" in body  # the head's own overdue update is overdue in the service, for the deputy
    for email in ("old.deputy@example.org", "revoked.deputy@example.org", "future.deputy@example.org"):
        assert email not in digests


def test_other_service_head_hears_only_about_their_service(council):
    _, body = digests_by_email()["hos.roads@example.org"]
    assert "Highways:" in body and "HW001" in body and "CSS" not in body


def test_people_with_nothing_get_nothing(council):
    digests = digests_by_email()
    for who in ("admin@example.org", "ad@example.org", "clerk@example.org", "nobody@example.org"):
        assert who not in digests
    # Months before any deadline, nobody has anything to hear about.
    assert build_digests(date(2019, 3, 1)) == []


def test_deactivated_people_are_not_reminded(council, db):
    council["owner"].active = False
    db.session.commit()
    digests = digests_by_email()
    assert "owner@example.org" not in digests
    # their overdue update still reaches their Head of Service, with their name
    assert "CSS002" in digests["hos@example.org"][1]


def test_reminders_twice_on_the_same_day_send_once(app, council, db, smtp):  # noqa: F811
    runner = app.test_cli_runner()
    first = runner.invoke(reminders_cli, ["send", "--today", "2019-07-10"])
    assert first.exit_code == 0, first.output
    assert "Sent 6 reminder digests; 0 already sent today." in first.output
    assert "E-mailed 6 notifications." in first.output
    assert len(smtp.messages) == 6
    assert sorted(r for m in smtp.messages for r in m.rcpt_tos) == sorted([
        "owner@example.org", "owner2@example.org", "hos@example.org", "deputy@example.org",
        "roads@example.org", "hos.roads@example.org",
    ])
    mail = smtp.to("owner@example.org")[0]
    assert mail.subject == "Docket reminders for 10 July 2019: 2 due soon, 1 overdue"
    assert "CSS002" in mail.text

    second = runner.invoke(reminders_cli, ["send", "--today", "2019-07-10"])
    assert second.exit_code == 0, second.output
    assert "Sent 0 reminder digests; 6 already sent today." in second.output
    assert len(smtp.messages) == 6

    db.session.rollback()
    keys = set(db.session.scalars(sa.select(Notification.dedupe_key)))
    assert f"reminder:{council['owner'].id}:2019-07-10" in keys and len(keys) == 6

    # The next day is a new day (and the future deputy's delegation has started).
    third = runner.invoke(reminders_cli, ["send", "--today", "2019-07-11"])
    assert "Sent 7 reminder digests; 0 already sent today." in third.output
    assert len(smtp.messages) == 13
    assert smtp.to("future.deputy@example.org")


def test_reminders_without_mail_are_in_docket_only(app, council, db, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    result = app.test_cli_runner().invoke(reminders_cli, ["send", "--today", "2019-07-10"])
    assert result.exit_code == 0, result.output
    assert "Sent 6 reminder digests; 0 already sent today." in result.output
    assert "MAIL_SERVER is not set" in result.output
    db.session.rollback()
    rows = db.session.scalars(sa.select(Notification).where(Notification.kind == "reminder_digest")).all()
    assert len(rows) == 6 and all(r.sent_at is None for r in rows)


def test_a_bad_date_is_refused(app, db):
    result = app.test_cli_runner().invoke(reminders_cli, ["send", "--today", "10/07/2019"])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output


def test_digest_queries_do_not_grow_with_the_number_of_updates(council, db, app):
    """A fixed number of queries, however many updates: no query per update or per person."""
    from app.extensions import db as _db

    def count_queries():
        statements = []

        def before(conn, cursor, statement, *args):
            if statement.lstrip().upper().startswith("SELECT"):
                statements.append(statement)

        engine = _db.engine
        sa.event.listen(engine, "before_cursor_execute", before)
        try:
            _db.session.expire_all()
            build_digests(TODAY)
        finally:
            sa.event.remove(engine, "before_cursor_execute", before)
        return len(statements)

    small = count_queries()
    plan = db.session.scalar(sa.select(Plan).where(Plan.title.like("Children%")))
    q1 = db.session.scalar(sa.select(ReportingPeriod).where(ReportingPeriod.name == "Q1 2019/20"))
    for i in range(30):
        a = Action(plan=plan, reference=f"X{i:03d}", title="More", owner=council["owner2"])
        db.session.add_all([a, ProgressUpdate(action=a, period=q1, state=UpdateState.DRAFT)])
    db.session.commit()
    assert count_queries() == small <= 5


def test_send_reminders_returns_counts(council, db, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    first = send_reminders(TODAY)
    assert (first.created, first.already, first.emailed) == (6, 0, 0)
    second = send_reminders(TODAY)
    assert (second.created, second.already) == (0, 6)
    assert second.sentence() == "Sent 0 reminder digests; 6 already sent today."


def test_items_link_to_their_pages_when_docket_knows_its_address(council, db, app, monkeypatch):
    _, body = digests_by_email()["owner@example.org"]
    assert "https://" not in body and "/updates/" not in body  # in Docket only: no bare paths
    monkeypatch.setitem(app.config, "BASE_URL", "https://docket.york.example")
    css002 = db.session.scalar(sa.select(ProgressUpdate).join(Action).where(Action.reference == "CSS002"))
    _, body = digests_by_email()["owner@example.org"]
    assert f"  https://docket.york.example/updates/{css002.id}" in body
    _, body = digests_by_email()["owner2@example.org"]
    assert "https://docket.york.example/indicator-values/" in body
