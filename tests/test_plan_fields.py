"""The plan's new fields (issue 13): an action's group, partners and timing; an indicator's target
as written, comparator and comments. Shown on the plan and action pages, edited with their trail,
and the plan's current position (a signed-off baseline update per action)."""
import json
from datetime import date

import pytest
import sqlalchemy as sa

from app.models import (
    Action,
    ActionStatus,
    Indicator,
    IndicatorResult,
    PeriodState,
    Plan,
    PriorityTheme,
    ProgressUpdate,
    Rag,
    ReportingPeriod,
    TrailEvent,
    UpdateState,
)
from app.plans.baseline import BaselineRefused, add_baseline, check_baseline
from tests.test_plans import _form

YOUTH = "Deliver the Youth Offer Strategy"


@pytest.fixture()
def plan(db, org, people):
    plan = Plan(service=org["service"], title="Improvement Plan 2021/22")
    theme = PriorityTheme(plan=plan, title="B. Improve the stability of placements", position=1)
    db.session.add_all([
        plan, theme,
        Action(plan=plan, theme=theme, reference="B5", title="Recruit 20 more foster carers"),
        Action(plan=plan, theme=theme, reference="B7", title="Youth offer published", group_title=YOUTH,
               partners="Youth Council\nSchools", timing="Completed 31.05.21", due_on=date(2021, 5, 31),
               status=ActionStatus.COMPLETE),
        Action(plan=plan, theme=theme, reference="B8", title="Open two youth hubs", group_title=YOUTH,
               partners="Police\nHousing", due_on=date(2021, 12, 31)),
        Action(plan=plan, theme=theme, reference="B9", title="Count attendance each term", timing="Termly",
               group_title=YOUTH),
    ])
    indicator = Indicator(plan=plan, reference="PI1", description="Children’s services budget",
                          target_text="Gross £51.300m. Net £27.940m.", benchmark_comparator="£49.1m",
                          comments="Net figure after grants\nand recharges", position=1)
    indicator.results.append(IndicatorResult(label="2020/21", value_text="Gross £50.110m."))
    db.session.add(indicator)
    db.session.commit()
    return plan


@pytest.fixture()
def period(db):
    period = ReportingPeriod(name="Q4 2020/21", starts_on=date(2021, 1, 1), ends_on=date(2021, 3, 31),
                             update_deadline=date(2021, 4, 14), signoff_deadline=date(2021, 4, 28),
                             state=PeriodState.CLOSED)
    db.session.add(period)
    db.session.commit()
    return period


def _action(db, reference) -> Action:
    db.session.expire_all()
    return db.session.scalar(sa.select(Action).where(Action.reference == reference))


def _events(db, verb):
    return db.session.scalars(sa.select(TrailEvent).where(TrailEvent.verb == verb).order_by(TrailEvent.seq)).all()


# --- showing -------------------------------------------------------------------------------------

def test_plan_page_groups_actions_under_their_sub_heading_with_partners_and_timing(plan, sign_in_as):
    page = sign_in_as("hos").get(f"/plans/{plan.id}")
    assert page.status == 200
    table = page.soup.select_one("#action-results table")
    rows = [" ".join(tr.get_text(" ", strip=True).split()) for tr in table.select("tbody tr")]
    # theme → group → action: the action without a group first, then the sub-heading and its actions
    assert rows[0].startswith("B5 Recruit 20 more foster carers")
    assert rows[1] == YOUTH
    assert table.select("tbody tr")[1].th["scope"] == "colgroup"
    assert rows[2].startswith("B7 Youth offer published Partners: Youth Council, Schools")
    assert "31 May 2021 Completed 31.05.21" in rows[2]
    assert rows[4].startswith("B9") and "Termly" in rows[4]
    assert len(rows) == 5  # one sub-heading row for the group, not one per action
    # Searching finds an action by its partners.
    found = sign_in_as("hos").get(f"/plans/{plan.id}?q=housing")
    assert [a.get_text(strip=True) for a in found.soup.select("#action-results tbody td:first-child a")] == ["B8"]


def test_plan_page_shows_indicator_target_as_written_comparator_comments_and_results(plan, sign_in_as):
    page = sign_in_as("hos").get(f"/plans/{plan.id}")
    row = page.soup.select_one("#indicators ~ div table tbody tr")
    text = " ".join(row.get_text(" ", strip=True).split())
    for expected in ["Children’s services budget", "Comments: Net figure after grants", "and recharges",
                     "Gross £50.110m.", "Gross £51.300m. Net £27.940m.", "£49.1m"]:
        assert expected in text, expected
    headers = [th.get_text(strip=True) for th in page.soup.select("#indicators ~ div table thead th")]
    assert headers == ["Reference", "Indicator", "2020/21", "Target", "Comparator", "Polarity", "Direction of travel"]


def test_action_page_shows_group_partners_and_timing(plan, sign_in_as, db):
    b7, b9 = _action(db, "B7"), _action(db, "B9")
    text = sign_in_as("hos").get(f"/actions/{b7.id}").text()
    assert f"Group {YOUTH}" in text
    assert "Partners Youth Council Schools" in text
    assert "Completed by date 31 May 2021 Timing: Completed 31.05.21" in text
    text = sign_in_as("hos").get(f"/actions/{b9.id}").text()
    assert "Completed by date No single date Timing: Termly" in text
    text = sign_in_as("hos").get(f"/actions/{_action(db, 'B5').id}").text()
    assert "Partners None recorded" in text and "Group" not in text.split("Partners")[0].split("Action")[-1]


# --- editing -------------------------------------------------------------------------------------

def test_editing_an_actions_group_partners_and_timing_is_on_the_trail(plan, sign_in_as, db):
    client = sign_in_as("hos")
    b5 = _action(db, "B5")
    data = _form(client.get(f"/actions/{b5.id}/edit"))
    assert data["group_title"] == "" and data["timing"] == ""
    data.update({"group_title": "  Recruit   and keep carers ", "partners": "Fostering Network\n\n  Health \n",
                 "timing": "Monthly"})
    result = client.post(f"/actions/{b5.id}/edit", data)
    assert result.status == 302
    b5 = _action(db, "B5")
    assert (b5.group_title, b5.partners, b5.timing) == ("Recruit and keep carers", "Fostering Network\nHealth",
                                                         "Monthly")
    event = _events(db, "action_edited")[-1]
    assert json.loads(event.data)["changes"] == {
        "Group": [None, "Recruit and keep carers"], "Partners": [None, "Fostering Network\nHealth"],
        "Timing": [None, "Monthly"]}
    # Emptying them again is a change too; saving unchanged stores nothing.
    data = _form(client.get(f"/actions/{b5.id}/edit"))
    assert data["partners"].strip() == "Fostering Network\nHealth"
    assert client.post(f"/actions/{b5.id}/edit", data).status == 302
    assert len(_events(db, "action_edited")) == 1
    data.update({"group_title": "", "partners": "", "timing": ""})
    assert client.post(f"/actions/{b5.id}/edit", data).status == 302
    assert json.loads(_events(db, "action_edited")[-1].data)["changes"] == {
        "Group": ["Recruit and keep carers", None], "Partners": ["Fostering Network\nHealth", None],
        "Timing": ["Monthly", None]}
    b5 = _action(db, "B5")
    assert (b5.group_title, b5.partners, b5.timing) == (None, None, None)


def test_bad_timing_or_group_is_refused_beside_the_field_and_nothing_saved(plan, sign_in_as, db):
    client = sign_in_as("hos")
    b7 = _action(db, "B7")
    data = _form(client.get(f"/actions/{b7.id}/edit"))
    data.update({"timing": "x" * 301, "group_title": "Line one\nline two"})
    page = client.post(f"/actions/{b7.id}/edit", data)
    assert page.status == 400
    assert page.field_error("timing") == "Field cannot be longer than 300 characters."
    assert page.field_error("group_title") == "Group must be on one line: remove the line break"
    assert _action(db, "B7").timing == "Completed 31.05.21"
    assert not _events(db, "action_edited")


def test_new_action_with_the_new_fields(plan, sign_in_as, db):
    client = sign_in_as("hos")
    data = _form(client.get(f"/plans/{plan.id}/actions/new"))
    data.update({"reference": "B10", "title": "Hold a youth summit", "group_title": YOUTH,
                 "partners": "Youth Council", "timing": "Annually in July"})
    assert client.post(f"/plans/{plan.id}/actions/new", data).status == 302
    b10 = _action(db, "B10")
    assert (b10.group_title, b10.partners, b10.timing) == (YOUTH, "Youth Council", "Annually in July")
    changes = json.loads(_events(db, "action_created")[-1].data)["changes"]
    assert changes["Group"] == [None, YOUTH] and changes["Timing"] == [None, "Annually in July"]


def test_editing_an_indicators_target_as_written_comparator_and_comments(plan, sign_in_as, db):
    client = sign_in_as("hos")
    indicator = db.session.scalar(sa.select(Indicator))
    data = _form(client.get(f"/indicators/{indicator.id}/edit"))
    assert data["target_text"] == "Gross £51.300m. Net £27.940m." and data["benchmark_comparator"] == "£49.1m"
    data.update({"target_text": "TBC", "benchmark_comparator": "£50.2m", "benchmark_national": "£48m",
                 "comments": "Agreed at budget council"})
    assert client.post(f"/indicators/{indicator.id}/edit", data).status == 302
    db.session.expire_all()
    indicator = db.session.scalar(sa.select(Indicator))
    assert (indicator.target_text, indicator.benchmark_comparator, indicator.benchmark_national,
            indicator.comments) == ("TBC", "£50.2m", "£48m", "Agreed at budget council")
    assert json.loads(_events(db, "indicator_edited")[-1].data)["changes"] == {
        "Target as written": ["Gross £51.300m. Net £27.940m.", "TBC"], "Comparator": ["£49.1m", "£50.2m"],
        "National benchmark": [None, "£48m"],
        "Comments": ["Net figure after grants\nand recharges", "Agreed at budget council"]}
    page = client.get(f"/plans/{plan.id}")
    assert "National: £48m" in page.text()
    data["target_text"] = "T" * 201
    page = client.post(f"/indicators/{indicator.id}/edit", data)
    assert page.status == 400 and page.field_error("target_text") == "Field cannot be longer than 200 characters."


# --- the current position: a signed-off baseline ----------------------------------------------------

POSITION = {"narrative": "Youth offer published in May.", "key_actions_remaining": "• Share it with schools",
            "next_focus": "• Youth hubs", "corrective_action": ""}


def test_baseline_adds_a_signed_off_update_per_action_with_its_trail(plan, period, people, db):
    b7, b8 = _action(db, "B7"), _action(db, "B8")
    result = add_baseline(plan, period, [(b7, POSITION), (b8, {"narrative": "Sites chosen.", "rag": "amber"}),
                                         (_action(db, "B9"), {"narrative": "  "})], people["admin"])
    db.session.commit()
    assert len(result.added) == 2 and result.stored == 2  # the empty one is left out
    updates = db.session.scalars(sa.select(ProgressUpdate).order_by(ProgressUpdate.id)).all()
    assert [(u.action.reference, u.state, u.period.name) for u in updates] == [
        ("B7", UpdateState.SIGNED_OFF, "Q4 2020/21"), ("B8", UpdateState.SIGNED_OFF, "Q4 2020/21")]
    first = updates[0]
    assert (first.narrative, first.key_actions_remaining, first.next_focus, first.corrective_action) == (
        "Youth offer published in May.", "• Share it with schools", "• Youth hubs", None)
    assert first.signed_off_by_id == people["admin"].id and first.signed_off_at is not None
    assert updates[1].rag == Rag.AMBER and _action(db, "B8").rag == Rag.AMBER
    events = _events(db, "baseline_recorded")
    assert [e.object_id for e in events] == [u.id for u in updates]
    data = json.loads(events[0].data)
    assert data["action"] == "B7" and data["period"] == "Q4 2020/21"
    assert data["Key actions remaining"] == "• Share it with schools"
    assert events[0].to_state == "signed_off" and events[0].actor_name == "Ada Admin"

    # The same again changes nothing; something else for a signed-off update is refused, nothing stored.
    again = add_baseline(plan, period, [(_action(db, "B7"), POSITION)], people["admin"])
    assert again.stored == 0 and len(again.unchanged) == 1
    with pytest.raises(BaselineRefused) as refused:
        add_baseline(plan, period, [(_action(db, "B9"), {"narrative": "New"}),
                                    (_action(db, "B7"), {"narrative": "Different"})], people["admin"])
    assert refused.value.problems == [
        "Action B7 already has a signed off update for Q4 2020/21, so its current position was not recorded: "
        "choose another period, or leave this action's progress out"]
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgressUpdate)) == 2


def test_baseline_replaces_an_opened_draft_and_refuses_a_submitted_update(plan, period, people, db):
    b7, b8 = _action(db, "B7"), _action(db, "B8")
    db.session.add_all([ProgressUpdate(action=b7, period=period, narrative="draft text"),
                        ProgressUpdate(action=b8, period=period, state=UpdateState.SUBMITTED, narrative="mine")])
    db.session.commit()
    assert check_baseline(plan, period, [(b7, POSITION)]) == []
    assert check_baseline(plan, period, [(b8, POSITION)]) == [
        "Action B8 already has a submitted update for Q4 2020/21, so its current position was not recorded: "
        "choose another period, or leave this action's progress out"]
    assert check_baseline(plan, None, [(b7, POSITION)]) == [
        "Choose the reporting period the plan's current position is for"]
    result = add_baseline(plan, period, [(b7, POSITION)], people["hos"])
    db.session.commit()
    assert len(result.replaced) == 1 and not result.added
    update = db.session.scalar(sa.select(ProgressUpdate).where(ProgressUpdate.action_id == b7.id))
    assert update.state == UpdateState.SIGNED_OFF and update.narrative == "Youth offer published in May."
    event = _events(db, "baseline_recorded")[-1]
    assert event.from_state == "draft" and json.loads(event.data)["replaced_draft"] is True


def test_baseline_for_a_new_action_in_the_same_transaction(plan, period, people, db):
    new = Action(plan=plan, reference="B11", title="A new action from the import")
    db.session.add(new)
    result = add_baseline(plan, period, [(new, {"narrative": "Started", "rag": Rag.GREEN})], people["admin"])
    db.session.commit()
    assert result.added[0].action_id == new.id and result.added[0].rag == Rag.GREEN
    other = Plan(service=plan.service, title="Another plan")
    db.session.add(other)
    db.session.commit()
    assert check_baseline(other, period, [(_action(db, "B5"), POSITION)]) == ["Action B5 is not in this plan"]


def test_action_page_shows_the_current_position(plan, period, people, db, sign_in_as):
    b7 = _action(db, "B7")
    add_baseline(plan, period, [(b7, dict(POSITION, rag="green"))], people["admin"])
    db.session.commit()
    page = sign_in_as("hos").get(f"/actions/{b7.id}")
    section = page.soup.select_one("#current-position").find_next("dl")
    text = " ".join(section.get_text(" ", strip=True).split())
    assert text == ("RAG Green Progress Youth offer published in May. Key actions remaining • Share it with schools "
                    "Focus for the next period • Youth hubs")
    assert "From the last signed-off update, for Q4 2020/21." in page.text()
