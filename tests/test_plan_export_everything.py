"""The export holds everything the plan holds (issue 13): every field of every action, risk and
indicator, including the new ones, and an Updates sheet with each period's update per action and
value per indicator. An exported plan imported again is unchanged, and imported into an empty plan
it is the same plan."""
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
import sqlalchemy as sa

from app.models import (
    Action,
    ActionStatus,
    ActionType,
    Indicator,
    IndicatorResult,
    IndicatorValue,
    Milestone,
    PeriodState,
    Plan,
    PriorityTheme,
    Rag,
    ReportingPeriod,
    Risk,
    Unit,
    UpdateState,
)
from app.plans import transfer
from app.plans.baseline import add_baseline
from app.plans.transfer import read_upload

YOUTH = "Deliver the Youth Offer Strategy"


@pytest.fixture()
def plan(db, org, people, make_user):
    lead = make_user("tom.griffiths@example.org", "Tom Griffiths", job_title="Head of Youth Services")
    plan = Plan(service=org["service"], title="Children’s Improvement Plan 2021/22")
    a = PriorityTheme(plan=plan, title="A. Keep children safe in their families", position=1)
    b = PriorityTheme(plan=plan, title="B. Improve the stability of placements", position=2)
    actions = [
        Action(plan=plan, theme=a, reference="A1", title="Launch the early help hub", owner=people["hos"],
               partners="Health\nPolice", due_on=date(2022, 3, 31), action_type=ActionType.MAJOR_PROJECT,
               statutory=True, type_note="Part of the regional programme"),
        Action(plan=plan, theme=a, reference="A2", title="Train every social worker",
               timing="31/05/21 31/08/21 30/11/21"),
        Action(plan=plan, theme=b, reference="B7", title="Youth offer published", group_title=YOUTH, owner=lead,
               partners="Youth Council", timing="Completed 31.05.21", due_on=date(2021, 5, 31),
               status=ActionStatus.COMPLETE, rag=Rag.COMPLETE),
        Action(plan=plan, theme=b, reference="B9", title="Count attendance at the youth hubs", group_title=YOUTH,
               timing="Termly", owner=lead),
    ]
    actions[1].milestones = [Milestone(text="First cohort trained", due_on=date(2021, 5, 31), position=1, done=True),
                             Milestone(text="Second cohort trained", due_on=date(2021, 8, 31), position=2)]
    risk = Risk(plan=plan, reference="R1", description="Not enough foster carers", rag=Rag.AMBER,
                mitigations="Regional campaign\nRetention payments", owner=people["hos"])
    budget = Indicator(plan=plan, reference="PI1", description="Children’s services budget", unit=Unit.CURRENCY,
                       target_text="Gross £51.300m. Net £27.940m.", benchmark_comparator="NA",
                       benchmark_national="£48.2m", benchmark_regional="£50.0m", target_rationale="Set by council",
                       comments="Net figure after grants\nand recharges", group_name="Finance", position=1)
    budget.results.append(IndicatorResult(label="2020/21", value_text="Gross £50.110m. Net £27.120m."))
    care = Indicator(plan=plan, reference="PI2", description="Care leavers in education, employment or training",
                     unit=Unit.PERCENTAGE, target=Decimal("64"), benchmark_comparator="53%",
                     group_name="Outcomes", position=2, owner=lead)
    care.results.append(IndicatorResult(label="2020/21", value_text="58.0%", value=Decimal("58")))
    db.session.add_all([plan, a, b, risk, budget, care, *actions])
    db.session.commit()
    return plan


@pytest.fixture()
def period(db, plan, people):
    period = ReportingPeriod(name="Q4 2020/21", starts_on=date(2021, 1, 1), ends_on=date(2021, 3, 31),
                             update_deadline=date(2021, 4, 14), signoff_deadline=date(2021, 4, 28),
                             state=PeriodState.CLOSED)
    db.session.add(period)
    actions = {a.reference: a for a in plan.actions}
    add_baseline(plan, period, [
        (actions["A1"], {"narrative": "Hub building chosen.", "key_actions_remaining": "• Recruit staff",
                         "next_focus": "• Open the hub", "rag": "amber"}),
        (actions["B7"], {"narrative": "Published in May."}),
    ], people["admin"])
    care = next(i for i in plan.indicators if i.reference == "PI2")
    db.session.add(IndicatorValue(indicator=care, period=period, value=Decimal("61.2"), commentary="As at 31/03/21",
                                  state=UpdateState.SUBMITTED))
    db.session.commit()
    return period


def _sheet(workbook, name) -> list[dict]:
    rows = list(workbook[name].iter_rows(values_only=True))
    return [dict(zip(rows[0], row)) for row in rows[1:]]


def _export(sign_in_as, plan) -> bytes:
    response = sign_in_as("admin").c.get(f"/plans/{plan.id}/export.xlsx")
    assert response.status_code == 200
    return response.data


def test_export_holds_every_field_and_an_updates_sheet(plan, period, sign_in_as):
    workbook = openpyxl.load_workbook(io.BytesIO(_export(sign_in_as, plan)))
    assert workbook.sheetnames == ["Actions", "Risks", "Indicators", "Updates"]

    actions = {r["Reference ID"]: r for r in _sheet(workbook, "Actions")}
    assert list(actions) == ["A1", "A2", "B7", "B9"]
    assert actions["A1"]["Partners"] == "Health\nPolice"
    assert actions["A1"]["Business As Usual or Major Project"] == (
        "Major project / Part of the regional programme Statutory service")
    assert actions["A1"]["Accountable officer"] == "Hari Head"
    assert actions["A2"]["Timing"] == "31/05/21 31/08/21 30/11/21"
    assert actions["A2"]["Milestones / Deliverables"] == (
        "[done] First cohort trained (by 31/05/2021)\nSecond cohort trained (by 31/08/2021)")
    assert (actions["B7"]["Group"], actions["B7"]["Timing"], actions["B7"]["Completed by date"]) == (
        YOUTH, "Completed 31.05.21", "31/05/2021 Complete")
    assert actions["B7"]["Priority Theme"] == "B. Improve the stability of placements"
    assert actions["B9"]["Accountable officer"] == "Head of Youth Services"

    risks = _sheet(workbook, "Risks")
    assert risks == [{"Reference ID": "R1", "Risk": "Not enough foster carers", "Rating (RAG)": "Amber",
                      "Actions to Mitigate and Correct": "Regional campaign\nRetention payments",
                      "Responsible Officer": "Hari Head"}]

    indicators = {r["Reference ID"]: r for r in _sheet(workbook, "Indicators")}
    budget = indicators["PI1"]
    assert budget["Target as written"] == "Gross £51.300m. Net £27.940m." and budget["Target"] is None
    assert (budget["Comparator"], budget["National benchmark"], budget["Regional benchmark"]) == (
        "NA", "£48.2m", "£50.0m")
    assert budget["Target rationale"] == "Set by council"
    assert budget["Comments"] == "Net figure after grants\nand recharges"
    assert budget["2020/21 Result"] == "Gross £50.110m. Net £27.120m." and budget["Group"] == "Finance"
    assert budget["Unit"] == "£"
    care = indicators["PI2"]
    assert (care["Target"], care["Comparator"], care["2020/21 Result"], care["Unit"]) == (64, "53%", "58.0%",
                                                                                           "Percentage")

    updates = _sheet(workbook, "Updates")
    assert [(u["Period"], u["Kind"], u["Reference"], u["State"]) for u in updates] == [
        ("Q4 2020/21", "Action", "A1", "Signed off"), ("Q4 2020/21", "Action", "B7", "Signed off"),
        ("Q4 2020/21", "Indicator", "PI2", "Submitted")]
    a1 = updates[0]
    assert (a1["Progress"], a1["Key actions remaining"], a1["Focus for the next period"], a1["RAG"]) == (
        "Hub building chosen.", "• Recruit staff", "• Open the hub", "Amber")
    assert a1["Signed off by"] == "Ada Admin" and a1["Action or indicator"] == "Launch the early help hub"
    assert a1["Period ends"].date() == date(2021, 3, 31)
    value = updates[2]
    assert value["Value"] == pytest.approx(61.2) and value["Commentary"] == "As at 31/03/21"
    assert value["Action or indicator"] == "Care leavers in education, employment or training"


def test_an_exported_plan_imports_back_unchanged(plan, period, sign_in_as):
    pv = transfer.preview(plan, read_upload("plan.xlsx", _export(sign_in_as, plan)))
    assert pv.ok, [str(p) for p in pv.problems]
    assert {t.kind: len(t.rows) for t in pv.tables} == {"actions": 4, "risks": 1, "indicators": 2}
    assert pv.counts["unchanged"] == 7 and not pv.has_changes


def _everything(plan_id, db) -> dict:
    """Every field of the plan's rows that the export carries, by reference."""
    db.session.expire_all()
    out = {}
    for a in db.session.scalars(sa.select(Action).where(Action.plan_id == plan_id)):
        out[a.reference] = (a.theme.title if a.theme else None, a.title, a.group_title, a.partners, a.timing,
                            a.action_type, a.statutory, a.type_note, a.owner_id, a.due_on, a.status,
                            [(m.text, m.due_on, m.done) for m in a.milestones])
    for r in db.session.scalars(sa.select(Risk).where(Risk.plan_id == plan_id)):
        out[r.reference] = (r.description, r.rag, r.mitigations, r.owner_id)
    for i in db.session.scalars(sa.select(Indicator).where(Indicator.plan_id == plan_id)):
        out[i.reference] = (i.description, i.group_name, i.unit, i.polarity, i.frequency, i.include, i.direction,
                            None if i.target is None else Decimal(i.target).normalize(), i.target_text,
                            i.benchmark_comparator, i.benchmark_national, i.benchmark_regional, i.target_rationale,
                            i.comments, i.owner_id, sorted((r.label, r.value_text) for r in i.results))
    return out


def test_an_exported_plan_imported_into_an_empty_plan_is_the_same_plan(plan, period, sign_in_as, people, db, org):
    data = _export(sign_in_as, plan)
    empty = Plan(service=org["other_service"], title="A copy")
    db.session.add(empty)
    db.session.commit()
    pv = transfer.preview(empty, read_upload("plan.xlsx", data))
    assert pv.ok, [str(p) for p in pv.problems]
    assert pv.counts["new"] == 7
    transfer.apply(empty, pv, people["admin"], source="file")
    assert _everything(empty.id, db) == _everything(plan.id, db)
