"""Setting plans up (issue 12): add a plan (page and command line), period labels, archive a
plan (read-only afterwards), roll a plan over to the next period."""
import json
from datetime import date

import pytest
import sqlalchemy as sa

from app.models import (
    Action,
    ActionStatus,
    Indicator,
    Milestone,
    Plan,
    PlanStatus,
    PriorityTheme,
    ProgressUpdate,
    ReportingPeriod,
    Risk,
    TrailEvent,
    utcnow,
)
from app.plans import setup


def payload(event) -> dict:
    return json.loads(event.data)


def events(db, plan, verb=None):
    stmt = sa.select(TrailEvent).where(TrailEvent.object_type == "plan", TrailEvent.object_id == plan.id)
    if verb:
        stmt = stmt.where(TrailEvent.verb == verb)
    return db.session.scalars(stmt.order_by(TrailEvent.seq)).all()


def plan_count(db):
    return db.session.scalar(sa.select(sa.func.count()).select_from(Plan))


# --- period labels ---------------------------------------------------------------------

@pytest.mark.parametrize("label,clean,following", [
    ("2019/20", "2019/20", "2020/21"),
    ("2016-19", "2016-19", "2019-22"),
    ("2019/2020", "2019/2020", "2020/2021"),
    ("2016-2019", "2016-2019", "2019-2022"),
    ("2019", "2019", "2020"),
    (" 2019 / 20 ", "2019/20", "2020/21"),
    ("1999/00", "1999/00", "2000/01"),
])
def test_plausible_period_labels_and_the_next_period(label, clean, following):
    assert setup.clean_period_label(label) == clean
    assert setup.next_period_label(label) == following


@pytest.mark.parametrize("label,says", [
    ("next year", "a year or a range of years"),
    ("2019/18", "second year must be after the first"),
    ("2019-2019", "second year must be after the first"),
    ("2019/1", "a year or a range of years"),
    ("19/20", "a year or a range of years"),
    ("1066", "between 1990 and 2200"),
    ("2000-2030", "at most 10 years"),
])
def test_implausible_period_labels_are_refused(label, says):
    with pytest.raises(setup.SetupError, match=says):
        setup.parse_period_label(label)


# --- creating a plan ---------------------------------------------------------------------

def test_an_administrator_adds_a_plan_from_the_plans_page(db, org, people, sign_in_as):
    admin = sign_in_as("admin")
    org["other_service"].retired_at = utcnow()
    db.session.commit()
    index = admin.get("/plans/")
    assert index.soup.find("a", string="Add a plan")["href"] == "/plans/new"
    form = admin.get("/plans/new")
    assert form.status == 200 and form.h1 == "Add a plan"
    services = [o.get_text(strip=True) for o in form.soup.select("#service_id option")]
    assert services == ["Choose a service", "Children's Specialist Services"]  # Highways is retired

    page = admin.post("/plans/new", {"service_id": str(org["service"].id), "title": "Service Improvement Plan",
                                     "period_label": "2019 / 20", "director_title": "Amanda Hatton",
                                     "cabinet_member": "Cllr Keith Orrell", "description": "A vision",
                                     "operating_context": "Context", "priorities": "Priorities"},
                      token_from="/plans/new")
    assert page.status == 302
    plan = db.session.scalar(sa.select(Plan))
    assert page.response.location == f"/plans/{plan.id}"
    assert (plan.title, plan.period_label, plan.status, plan.director_title, plan.cabinet_member,
            plan.description, plan.operating_context, plan.priorities) == (
        "Service Improvement Plan", "2019/20", PlanStatus.LIVE, "Amanda Hatton", "Cllr Keith Orrell", "A vision",
        "Context", "Priorities")
    [event] = events(db, plan)
    assert event.verb == "plan_created" and event.actor_name == "Ada Admin"
    assert payload(event)["service"] == "Children's Specialist Services" and payload(event)["period"] == "2019/20"
    shown = admin.get(f"/plans/{plan.id}")
    assert "Service Improvement Plan 2019/20 was added" in shown.text()

    # The same plan again is refused, naming it.
    again = admin.post("/plans/new", {"service_id": str(org["service"].id), "title": "Service Improvement Plan",
                                      "period_label": "2019/20"}, token_from="/plans/new")
    assert again.status == 400
    assert again.field_error("title") == ("There is already a plan called Service Improvement Plan 2019/20 "
                                          "for Children's Specialist Services")
    assert plan_count(db) == 1


@pytest.mark.parametrize("data,field,message", [
    ({"title": "Plan", "period_label": "2019/18"}, "period_label",
     "The second year must be after the first, like 2019/20, 2016-19 or 2019"),
    ({"title": "Plan", "period_label": "soon"}, "period_label",
     "Enter the period as a year or a range of years, like 2019/20, 2016-19 or 2019"),
    ({"title": "Plan", "period_label": ""}, "period_label",
     "Enter the period the plan covers, like 2019/20, 2016-19 or 2019"),
    ({"title": "", "period_label": "2019/20"}, "title", "Enter the plan's title"),
    ({"title": "Plan", "period_label": "2019/20", "service_id": ""}, "service_id",
     "Choose the service the plan is for"),
])
def test_a_bad_new_plan_is_refused_beside_the_field(db, org, people, sign_in_as, data, field, message):
    admin = sign_in_as("admin")
    data = {"service_id": str(org["service"].id), **data}
    page = admin.post("/plans/new", data, token_from="/plans/new")
    assert page.status == 400
    assert page.field_error(field) == message
    assert message in page.error_summary()
    assert plan_count(db) == 0


def test_editing_the_plan_header_checks_the_period_label(db, org, people, sign_in_as):
    plan = setup.create_plan(org["service"], "Service Improvement Plan", "2019/20", actor=people["admin"])
    admin = sign_in_as("admin")
    page = admin.post(f"/plans/{plan.id}/edit", {"title": "Service Improvement Plan", "period_label": "2020/19",
                                                 "status": "live", "version": str(plan.version)},
                      token_from=f"/plans/{plan.id}/edit")
    assert page.status == 400
    assert page.field_error("period_label") == "The second year must be after the first, like 2019/20, 2016-19 or 2019"
    page = admin.post(f"/plans/{plan.id}/edit", {"title": "Service Improvement Plan", "period_label": "2020-23",
                                                 "status": "live", "version": str(plan.version)},
                      token_from=f"/plans/{plan.id}/edit")
    assert page.status == 302
    db.session.refresh(plan)
    assert plan.period_label == "2020-23"


def test_only_administrators_set_plans_up(db, org, people, sign_in_as):
    plan = setup.create_plan(org["service"], "Service Improvement Plan", "2019/20", actor=people["admin"])
    for who in ("hos", "ad", "owner"):
        person = sign_in_as(who)
        for url in ("/plans/new", f"/plans/{plan.id}/archive", f"/plans/{plan.id}/roll-over"):
            assert person.get(url).status == 403, (who, url)
            assert person.post(url, {"title": "x", "period_label": "2020/21"}).status == 403, (who, url)
        assert "Add a plan" not in person.get("/plans/").text()
    hos_page = sign_in_as("hos").get(f"/plans/{plan.id}")
    assert "Roll over to the next period" not in hos_page.text() and "Archive plan" not in hos_page.text()
    assert db.session.get(Plan, plan.id).status == PlanStatus.LIVE


# --- archiving -------------------------------------------------------------------------

@pytest.fixture()
def full_plan(db, org, people):
    """A plan with a theme, a live action (a milestone done, one not), a complete action, a
    withdrawn one, two risks and two indicators."""
    plan = setup.create_plan(org["service"], "Service Improvement Plan", "2019/20", actor=people["admin"])
    theme = PriorityTheme(plan=plan, title="Keep children safe", position=1)
    live = Action(plan=plan, reference="CSS001", title="Recruit foster carers", theme=theme, owner=people["owner"],
                  due_on=date(2020, 3, 31))
    Milestone(action=live, text="Campaign launched", done=True, position=1)
    Milestone(action=live, text="Twenty carers approved", done=False, position=2)
    second = Action(plan=plan, reference="CSS002", title="Audit case files", owner=people["hos"])
    done = Action(plan=plan, reference="CSS003", title="Open the hub", status=ActionStatus.COMPLETE)
    gone = Action(plan=plan, reference="CSS004", title="Old idea", status=ActionStatus.WITHDRAWN)
    r1 = Risk(plan=plan, reference="R1", description="Too few carers", owner=people["hos"])
    r2 = Risk(plan=plan, reference="R2", description="Budget")
    i1 = Indicator(plan=plan, reference="EFL3", description="Assessments in 45 days", owner=people["owner"],
                   target=80, position=1)
    i2 = Indicator(plan=plan, reference="EFL4", description="Re-referrals", position=2)
    db.session.add_all([theme, live, second, done, gone, r1, r2, i1, i2])
    db.session.commit()
    return dict(plan=plan, live=live, second=second, done=done, gone=gone, r1=r1, r2=r2, i1=i1, i2=i2)


def test_an_archived_plan_is_read_only_for_everyone_and_says_why(db, org, people, sign_in_as, full_plan):
    plan = full_plan["plan"]
    admin = sign_in_as("admin")
    confirm = admin.get(f"/plans/{plan.id}/archive")
    assert confirm.status == 200 and confirm.h1 == "Archive Service Improvement Plan 2019/20"
    page = admin.post(f"/plans/{plan.id}/archive", {"version": str(plan.version)},
                      token_from=f"/plans/{plan.id}/archive")
    assert page.status == 302
    db.session.refresh(plan)
    assert plan.status == PlanStatus.ARCHIVED
    [event] = events(db, plan, "plan_archived")
    assert (event.from_state, event.to_state) == ("live", "archived")

    shown = admin.get(f"/plans/{plan.id}")
    assert shown.status == 200 and "Archived" in shown.text() and "stays readable" in shown.text()
    assert "Edit plan details" not in shown.text() and "Add an action" not in shown.text()
    for who in ("admin", "hos"):
        person = admin if who == "admin" else sign_in_as("hos")
        for url in (f"/plans/{plan.id}/edit", f"/plans/{plan.id}/actions/new", f"/plans/{plan.id}/import",
                    f"/actions/{full_plan['live'].id}/edit", f"/risks/{full_plan['r1'].id}/edit",
                    f"/indicators/{full_plan['i1'].id}/edit"):
            refused = person.get(url)
            assert refused.status == 403, (who, url)
            assert "Service Improvement Plan 2019/20 is archived, so it can no longer be changed" in refused.text()
        post = person.post(f"/plans/{plan.id}/edit", {"title": "Changed", "status": "live",
                                                      "version": str(plan.version)})
        assert post.status == 403
    assert db.session.get(Plan, plan.id).title == "Service Improvement Plan"
    # Archiving it again is refused, and opening a period makes nothing for it.
    again = admin.post(f"/plans/{plan.id}/archive", {"version": str(plan.version)})
    assert again.status == 409 and "already archived" in again.text()
    period = ReportingPeriod(name="Q1 2019/20", starts_on=date(2019, 4, 1), ends_on=date(2019, 6, 30),
                             update_deadline=date(2019, 7, 14), signoff_deadline=date(2019, 7, 21))
    db.session.add(period)
    db.session.commit()
    opening = admin.get(f"/periods/{period.id}/open")
    assert "Service Improvement Plan" not in opening.text()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgressUpdate)) == 0


def test_the_import_command_refuses_an_archived_plan(app, db, full_plan, tmp_path):
    setup.archive_plan(full_plan["plan"], full_plan["plan"].version, actor=None)
    sheet = tmp_path / "actions.csv"
    sheet.write_text("Reference ID,Action\nCSS009,New\n")
    result = app.test_cli_runner().invoke(args=["plans", "import", str(full_plan["plan"].id), str(sheet)])
    assert result.exit_code != 0
    assert "is archived, so nothing can be imported into it" in result.output


# --- rolling over ----------------------------------------------------------------------

def test_roll_over_preview_offers_unfinished_rows_ticked_with_the_next_period(db, people, sign_in_as, full_plan):
    plan = full_plan["plan"]
    page = sign_in_as("admin").get(f"/plans/{plan.id}/roll-over")
    assert page.status == 200 and page.h1 == "Roll over Service Improvement Plan 2019/20"
    assert page.soup.select_one("#title")["value"] == "Service Improvement Plan"
    assert page.soup.select_one("#period_label")["value"] == "2020/21"
    offered = {box["name"]: [] for box in page.soup.select("input[type=checkbox]")}
    for box in page.soup.select("input[type=checkbox]"):
        assert box.has_attr("checked")
        offered[box["name"]].append(int(box["value"]))
    assert offered == {"action_ids": [full_plan["live"].id, full_plan["second"].id],
                       "risk_ids": [full_plan["r1"].id, full_plan["r2"].id],
                       "indicator_ids": [full_plan["i1"].id, full_plan["i2"].id]}
    text = page.text()
    assert "CSS003" not in text and "CSS004" not in text  # complete and withdrawn are not offered
    assert "Twenty carers approved" in text and "Campaign launched" not in text  # milestones not done


def test_rolling_over_copies_the_chosen_rows_and_archives_the_old_plan_once(db, people, sign_in_as, full_plan):
    plan = full_plan["plan"]
    admin = sign_in_as("admin")
    data = {"version": str(plan.version), "title": "Service Improvement Plan", "period_label": "2020/21",
            "action_ids": [str(full_plan["live"].id)], "risk_ids": [str(full_plan["r1"].id)],
            "indicator_ids": [str(full_plan["i1"].id), str(full_plan["i2"].id)]}
    page = admin.post(f"/plans/{plan.id}/roll-over", data, token_from=f"/plans/{plan.id}/roll-over")
    assert page.status == 302
    new = db.session.scalar(sa.select(Plan).where(Plan.id != plan.id))
    assert page.response.location == f"/plans/{new.id}"
    assert (new.title, new.period_label, new.status, new.service_id, new.rolled_over_from_id) == (
        "Service Improvement Plan", "2020/21", PlanStatus.LIVE, plan.service_id, plan.id)
    [action] = new.actions
    assert (action.reference, action.title, action.owner_id, action.due_on, action.status) == (
        "CSS001", "Recruit foster carers", people["owner"].id, date(2020, 3, 31), ActionStatus.LIVE)
    assert action.theme.title == "Keep children safe" and action.theme.plan_id == new.id
    assert [m.text for m in action.milestones] == ["Twenty carers approved"]
    assert [(r.reference, r.owner_id) for r in new.risks] == [("R1", people["hos"].id)]
    assert [(i.reference, i.owner_id, i.target) for i in new.indicators] == [
        ("EFL3", people["owner"].id, 80), ("EFL4", None, None)]
    db.session.refresh(plan)
    assert plan.status == PlanStatus.ARCHIVED
    assert len(plan.actions) == 4  # the old plan keeps everything
    [old_event] = events(db, plan, "plan_rolled_over")
    [new_event] = events(db, new, "plan_rolled_over")
    assert old_event.data == new_event.data
    counts = payload(old_event)
    assert counts["from_plan_id"] == plan.id and counts["to_plan_id"] == new.id
    assert (counts["actions"], counts["risks"], counts["indicators"], counts["milestones"]) == (1, 1, 2, 1)
    assert (old_event.from_state, old_event.to_state) == ("live", "archived")
    shown = admin.get(f"/plans/{new.id}")
    assert "was made with 1 actions, 1 risks and 2 indicators carried across" in shown.text()
    assert "Rolled over from Service Improvement Plan 2019/20" in shown.text()
    assert "Rolled over into Service Improvement Plan 2020/21" in admin.get(f"/plans/{plan.id}").text()

    # The same form sent again (a double click) makes nothing, and names the new plan.
    again = admin.post(f"/plans/{plan.id}/roll-over", data, token_from=f"/plans/{plan.id}/roll-over")
    assert again.status == 409
    assert (f"Service Improvement Plan 2019/20 was already rolled over into Service Improvement Plan 2020/21 "
            f"(plan {new.id})") in again.text()
    assert plan_count(db) == 2
    assert len(events(db, plan, "plan_rolled_over")) == 1


def test_a_roll_over_needs_a_new_period_and_stores_nothing_otherwise(db, people, sign_in_as, full_plan):
    plan = full_plan["plan"]
    admin = sign_in_as("admin")
    for label, message in (("2019/20", "The new plan's period must differ from this plan's (2019/20)"),
                           ("", "Enter the new plan's period, like 2019/20, 2016-19 or 2019"),
                           ("2021/20", "The second year must be after the first, like 2019/20, 2016-19 or 2019")):
        page = admin.post(f"/plans/{plan.id}/roll-over", {"version": str(plan.version), "title": "Next",
                                                          "period_label": label})
        assert page.status == 400, label
        assert page.field_error("period_label") == message
    stale = admin.post(f"/plans/{plan.id}/roll-over", {"version": str(plan.version - 1), "title": "Next",
                                                       "period_label": "2020/21"})
    assert stale.status == 409
    assert plan_count(db) == 1 and db.session.get(Plan, plan.id).status == PlanStatus.LIVE


# --- the command line ----------------------------------------------------------------

def flask(app, *args):
    return app.test_cli_runner().invoke(args=["plans", *args])


def test_plans_create_prints_the_new_id_and_refuses_bad_input_in_one_line(app, db, org, people):
    result = flask(app, "create", "--service", "children's specialist services", "--title", "Service Plan",
                   "--period", "2016-19", "--as", "admin@example.org")
    assert result.exit_code == 0, result.output
    plan = db.session.scalar(sa.select(Plan))
    assert result.output == f"Created plan {plan.id}: Service Plan 2016-19 for Children's Specialist Services\n"
    assert (plan.period_label, plan.service_id) == ("2016-19", org["service"].id)
    [event] = events(db, plan)
    assert event.verb == "plan_created" and event.actor_name == "Ada Admin"
    only = flask(app, "create", "--service", "Highways", "--title", "Highways Plan", "--period", "2019", "--id-only")
    assert only.exit_code == 0 and only.output.strip().isdigit()
    assert db.session.get(Plan, int(only.output)).title == "Highways Plan"

    for args, says in (
        (("--service", "Libraries", "--title", "T", "--period", "2019/20"), "There is no service called Libraries."),
        (("--service", "Highways", "--title", "T", "--period", "2019/18"), "The second year must be after the first"),
        (("--service", "Highways", "--period", "2019/20"), "Give the plan's title with --title TITLE."),
        (("--service", "Highways", "--title", "T"), "Give the period the plan covers with --period"),
        (("--title", "T", "--period", "2019/20"), "Name the plan's service with --service NAME."),
    ):
        result = flask(app, "create", *args)
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert result.exit_code != 0 and len(lines) == 1, result.output
        assert says in lines[0]
    assert plan_count(db) == 2
