"""The action owner's quarter (issue 16): values written with their unit, the latest known
result (the plan's yearly results too) for direction of travel and the commentary rule, text
carried over unchanged, "Last saved", whole milestone labels, and one page for all of a
person's indicator values in a period."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.filters import format_value
from app.models import (
    Action,
    Indicator,
    IndicatorResult,
    IndicatorValue,
    Milestone,
    Notification,
    Plan,
    Polarity,
    ProgressUpdate,
    Rag,
    ReportingPeriod,
    TrailEvent,
    Unit,
    UpdateState,
)
from app.updates import rules, service
from app.updates.units import parse_value

LONG_MILESTONE = ("Recruit and train a second cohort of specialist foster carers for teenagers with complex needs, "
                  "including the therapeutic parenting course, the mentoring scheme with experienced carers, and "
                  "the review of allowances agreed with the fostering panel in the spring of this year")


@pytest.fixture()
def quarter(db, org, people):
    """A plan with three of the owner's indicators (a percentage with yearly results in the plan,
    pounds, a count) and an action; Q1 is open."""
    plan = Plan(service=org["service"], title="Service Improvement Plan")
    action = Action(plan=plan, reference="A1", title="Recruit foster carers", owner=people["owner"])
    Milestone(action=action, text=LONG_MILESTONE)
    pct = Indicator(plan=plan, reference="EFL3", description="Assessments completed within 45 days",
                    polarity=Polarity.UP_IS_GOOD, unit=Unit.PERCENTAGE, target=60, owner=people["owner"], position=1)
    pct.results = [IndicatorResult(label="2014/15", value_text="70.1%", value=70.1),
                   IndicatorResult(label="2015/16", value_text="75.6%", value=75.6)]
    money = Indicator(plan=plan, reference="FIN1", description="Spend on agency social workers",
                      polarity=Polarity.UP_IS_BAD, unit=Unit.CURRENCY, target=2_000_000, owner=people["owner"],
                      position=2)
    count = Indicator(plan=plan, reference="CIN1", description="Children in need", unit=Unit.COUNT,
                      owner=people["owner"], position=3)
    today = date.today()
    q1 = ReportingPeriod(name="Q1 2019/20", starts_on=today - timedelta(days=180), ends_on=today - timedelta(days=91),
                         update_deadline=today - timedelta(days=80), signoff_deadline=today - timedelta(days=70))
    q2 = ReportingPeriod(name="Q2 2019/20", starts_on=today - timedelta(days=90), ends_on=today - timedelta(days=1),
                         update_deadline=today + timedelta(days=7), signoff_deadline=today + timedelta(days=14))
    db.session.add_all([plan, action, pct, money, count, q1, q2])
    db.session.commit()
    service.open_period(q1, people["admin"])
    values = {v.indicator.reference: v for v in db.session.scalars(
        sa.select(IndicatorValue).where(IndicatorValue.period_id == q1.id))}
    update = db.session.scalar(sa.select(ProgressUpdate).where(ProgressUpdate.period_id == q1.id))
    return dict(people, plan=plan, action=action, pct=pct, money=money, count=count, q1=q1, q2=q2,
                values=values, update=update)


def value_of(db, value_id):
    db.session.expire_all()
    return db.session.get(IndicatorValue, value_id)


def verbs(db, obj):
    return db.session.scalars(sa.select(TrailEvent.verb).where(
        TrailEvent.object_type == obj.__tablename__, TrailEvent.object_id == obj.id).order_by(TrailEvent.seq)).all()


def page_fields(page, form_selector="main form[data-warn-unsaved]") -> dict:
    data = {}
    for el in page.soup.select_one(form_selector).select("input, textarea"):
        name = el.get("name")
        if not name or el.get("type") == "submit":
            continue
        data[name] = el.get_text() if el.name == "textarea" else el.get("value", "")
    return data


# --- units ------------------------------------------------------------------------------------

def test_a_value_may_be_written_with_its_own_unit_and_a_different_unit_is_refused():
    assert parse_value("72%", Unit.PERCENTAGE) == 72
    assert parse_value(" 61.5 % ", Unit.PERCENTAGE) == parse_value("61.5", Unit.PERCENTAGE)
    assert parse_value("£2.1m", Unit.CURRENCY) == 2_100_000
    assert parse_value("£850k", Unit.CURRENCY) == 850_000
    assert parse_value("1,234", Unit.COUNT) == 1234
    assert parse_value("", Unit.COUNT) is None
    with pytest.raises(ValueError, match="is a percentage, not an amount in pounds"):
        parse_value("£72", Unit.PERCENTAGE)
    with pytest.raises(ValueError, match="is an amount in pounds, not a percentage"):
        parse_value("72%", Unit.CURRENCY)
    with pytest.raises(ValueError, match="must be a number, like 1,234"):
        parse_value("about ten", Unit.COUNT)


def test_a_value_is_shown_with_its_unit():
    assert format_value(72, Unit.PERCENTAGE) == "72%"
    assert format_value("61.5", "percentage") == "61.5%"
    assert format_value(2_100_000, Unit.CURRENCY) == "£2,100,000"
    assert format_value(1234, Unit.COUNT) == "1,234"
    assert format_value(None, Unit.PERCENTAGE) == ""


def test_the_value_page_takes_72_per_cent_and_refuses_pounds_for_a_percentage(db, quarter, sign_in_as):
    owner = sign_in_as("owner")
    value = quarter["values"]["EFL3"]
    url = f"/indicator-values/{value.id}"
    page = owner.get(url)
    assert "A percentage, like 72% or 61.5" in page.text()
    refused = owner.post(url, page_fields(page, "main form[data-warn-unsaved]") | {"value": "£72", "intent": "save"})
    assert refused.status == 400
    assert refused.field_error("value") == ("Value for this period is a percentage, not an amount in pounds: "
                                            "enter it like 72% or 61.5")
    assert value_of(db, value.id).value is None
    saved = owner.post(url, page_fields(page) | {"value": "72%", "intent": "save"}, follow=True)
    assert saved.status == 200
    assert value_of(db, value.id).value == 72
    assert "Target 60% (Up is Good)" in saved.text()


# --- history: the latest known result ----------------------------------------------------------

def test_the_latest_known_result_is_the_plans_yearly_result_until_a_later_period_is_signed_off(
        db, quarter, people):
    first = rules.previous_result(quarter["pct"], quarter["q1"])
    assert (first.label, first.value, first.from_plan) == ("2015/16", Decimal("75.6"), True)
    value = quarter["values"]["EFL3"]
    service.submit(value, {"value": 70, "commentary": "A fall: two long-term sicknesses"}, value.version,
                   people["owner"])
    service.sign_off(value, value.version, people["hos"])
    service.open_period(quarter["q2"], people["admin"])
    latest = rules.previous_result(quarter["pct"], quarter["q2"])
    assert (latest.label, latest.value, latest.from_plan) == ("Q1 2019/20", 70, False)
    assert [r.label for r in rules.history(quarter["pct"], quarter["q2"])] == ["2014/15", "2015/16", "Q1 2019/20"]


def test_a_fall_from_the_plans_last_yearly_result_needs_a_commentary(db, quarter, sign_in_as):
    """75.6% in 2015/16, 61.5% now: on target (60%), but worse, so a commentary is needed."""
    owner = sign_in_as("owner")
    value = quarter["values"]["EFL3"]
    url = f"/indicator-values/{value.id}"
    page = owner.get(url)
    assert "There is no update for the period before" not in page.text()
    assert "2015/16 result: 75.6%" in page.text()
    assert page.soup.select_one("svg.docket-sparkline[role=img]")["aria-label"] == (
        "Trend of EFL3: 2014/15: 70.1; 2015/16: 75.6")
    refused = owner.post(url, page_fields(page) | {"value": "61.5%", "intent": "submit"})
    assert refused.status == 400
    assert refused.field_error("commentary") == ("Enter a commentary: the value is worse than the 2015/16 result "
                                                 "(75.6%)")
    assert "Direction of travel against the 2015/16 result (75.6%): Bad" in refused.text()
    assert value_of(db, value.id).state == UpdateState.DRAFT


# --- text carried over unchanged, Last saved, milestones ---------------------------------------

def _q1_signed_off_and_q2_open(quarter, people):
    update = quarter["update"]
    service.submit(update, {"narrative": "Recruited four carers", "rag": Rag.GREEN,
                            "key_actions_remaining": "Second cohort"}, update.version, people["owner"])
    service.sign_off(update, update.version, people["hos"])
    service.open_period(quarter["q2"], people["admin"])
    return ProgressUpdate.query.filter_by(period_id=quarter["q2"].id).one()


def test_text_carried_over_unchanged_is_marked_for_the_owner_and_the_head_of_service(db, quarter, people,
                                                                                     sign_in_as):
    q2_update = _q1_signed_off_and_q2_open(quarter, people)
    assert rules.unchanged_since(q2_update) == "Progress and key actions remaining unchanged since Q1 2019/20"
    owner = sign_in_as("owner")
    page = owner.get(f"/updates/{q2_update.id}")
    assert ("Progress and key actions remaining unchanged since Q1 2019/20. Check it still says what happened "
            "this period before you submit.") in page.text()
    changed = owner.post(f"/updates/{q2_update.id}", page_fields(page) | {
        "narrative": "Recruited two more carers", "intent": "submit"}, follow=True)
    assert changed.status == 200
    db.session.expire_all()
    assert rules.unchanged_since(q2_update) == "Key actions remaining unchanged since Q1 2019/20"
    detail = sign_in_as("hos").c.get(f"/sign-off/update/{q2_update.id}", headers={"HX-Request": "true"})
    assert "Unchanged Key actions remaining unchanged since Q1 2019/20." in " ".join(
        detail.get_data(as_text=True).replace("\n", " ").replace("</strong>", " ").split())


def test_last_saved_shows_only_the_owners_own_saves_and_milestones_are_whole(db, quarter, sign_in_as):
    owner = sign_in_as("owner")
    update = quarter["update"]
    page = owner.get(f"/updates/{update.id}")
    assert "Last saved" not in page.text()  # the period was opened, but the owner has saved nothing
    assert LONG_MILESTONE in page.text()
    owner.post(f"/updates/{update.id}", page_fields(page) | {"narrative": "Started", "intent": "save"})
    again = owner.get(f"/updates/{update.id}")
    assert "Last saved" in again.text()
    assert value_of(db, quarter["values"]["EFL3"].id).last_saved_at is None


# --- one page for all of a person's values ------------------------------------------------------

def _ids(quarter):
    return {ref: v.id for ref, v in quarter["values"].items()}


def test_the_all_values_page_shows_every_value_with_unit_target_and_earlier_results(db, quarter, sign_in_as):
    owner = sign_in_as("owner")
    home = owner.get("/")
    link = home.soup.find("a", string=lambda s: s and "Enter all your indicator values for Q1 2019/20" in s)
    page = owner.get(link["href"])
    assert page.h1 == "Your indicator values, Q1 2019/20"
    text = page.text()
    for expected in ("EFL3: Assessments completed within 45 days", "Target 60% (Up is Good)", "Unit Percentage",
                     "FIN1: Spend on agency social workers", "Target £2,000,000 (Up is Bad)", "Unit Pounds (£)",
                     "CIN1: Children in need", "2015/16 result: 75.6%", "3 indicator values: 3 draft"):
        assert expected in text, expected
    ids = _ids(quarter)
    assert page.soup.select_one(f"#v{ids['EFL3']}-judge")["data-target"] == "60.0000"
    assert page.soup.select_one("script[src*='value-judge.js']")
    assert [b.get_text(strip=True) for b in page.soup.select("main form button")] == [
        "Submit all for sign-off", "Save all as drafts"]


def test_save_all_and_submit_all_with_units_and_one_message_to_the_head_of_service(db, quarter, people,
                                                                                   sign_in_as):
    owner = sign_in_as("owner")
    url = f"/periods/{quarter['q1'].id}/my-values"
    ids = _ids(quarter)
    page = owner.get(url)
    data = page_fields(page) | {f"v{ids['EFL3']}-value": "80%", f"v{ids['FIN1']}-value": "£2.1m",
                                "intent": "save"}
    saved = owner.post(url, data, follow=True)
    assert "Saved your draft values (2 changed)." in saved.text()
    assert value_of(db, ids["FIN1"]).value == 2_100_000
    assert "Against target: Amber" in " ".join(saved.soup.select_one(f"#v{ids['FIN1']}-judge").get_text().split())
    data = page_fields(saved) | {f"v{ids['CIN1']}-value": "1,234",
                                 f"v{ids['FIN1']}-commentary": "Two locums covered vacancies", "intent": "submit"}
    submitted = owner.post(url, data, follow=True)
    assert "Submitted 3 indicator values for sign-off." in submitted.text()
    for ref, expected in (("EFL3", 80), ("FIN1", 2_100_000), ("CIN1", 1234)):
        value = value_of(db, ids[ref])
        assert (value.state, value.value) == (UpdateState.SUBMITTED, expected)
        assert verbs(db, value) == (["value_drafted", "value_submitted"] if ref != "CIN1" else ["value_submitted"])
    messages = db.session.scalars(sa.select(Notification).where(Notification.recipient_id == people["hos"].id)).all()
    assert [m.subject for m in messages] == ["For sign-off: 3 indicator values"]
    assert "3 indicator values: 3 submitted" in submitted.text()
    assert not submitted.soup.select("main form button")


def test_submit_all_lists_problems_per_indicator_and_stores_nothing(db, quarter, sign_in_as):
    owner = sign_in_as("owner")
    url = f"/periods/{quarter['q1'].id}/my-values"
    ids = _ids(quarter)
    data = page_fields(owner.get(url)) | {f"v{ids['EFL3']}-value": "61.5%", f"v{ids['FIN1']}-value": "72%",
                                          f"v{ids['CIN1']}-value": "12", "intent": "submit"}
    refused = owner.post(url, data)
    assert refused.status == 400
    assert refused.error_summary() == [
        "FIN1: Value for this period is an amount in pounds, not a percentage: enter it like £2.1m, £850k or 1,234"]
    assert refused.soup.select_one(f"#v{ids['FIN1']}-value")["value"] == "72%"  # what was typed is kept
    data[f"v{ids['FIN1']}-value"] = "£2.5m"
    refused = owner.post(url, data)
    assert refused.status == 400
    assert refused.error_summary() == [
        "EFL3: Enter a commentary: the value is worse than the 2015/16 result (75.6%)",
        "FIN1: Enter a commentary: the value misses its target"]
    links = [a["href"] for a in refused.soup.select(".govuk-error-summary a")]
    assert links == [f"#v{ids['EFL3']}-commentary", f"#v{ids['FIN1']}-commentary"]
    assert refused.field_error(f"v{ids['FIN1']}-commentary") == "Enter a commentary: the value misses its target"
    assert refused.soup.select_one(f"#v{ids['FIN1']}-value")["value"] == "£2.5m"
    assert "Against target: Red" in " ".join(refused.soup.select_one(f"#v{ids['FIN1']}-judge").get_text().split())
    for value_id in ids.values():
        value = value_of(db, value_id)
        assert (value.state, value.value) == (UpdateState.DRAFT, None)


def test_a_value_changed_elsewhere_is_refused_on_its_own_and_what_was_typed_is_kept(db, quarter, people,
                                                                                    sign_in_as):
    owner = sign_in_as("owner")
    url = f"/periods/{quarter['q1'].id}/my-values"
    ids = _ids(quarter)
    page = owner.get(url)
    elsewhere = quarter["values"]["CIN1"]  # saved in another tab after this page was loaded
    service.save_draft(elsewhere, {"value": 40, "commentary": None}, elsewhere.version, people["owner"])
    data = page_fields(page) | {f"v{ids['EFL3']}-value": "72", f"v{ids['CIN1']}-value": "41", "intent": "save"}
    refused = owner.post(url, data)
    assert refused.status == 409
    summary = refused.error_summary()
    assert len(summary) == 1 and summary[0].startswith("CIN1: Olu Owner started this on ")
    assert "Now stored: 40." in refused.text()
    assert refused.soup.select_one(f"#v{ids['EFL3']}-value")["value"] == "72"
    assert refused.soup.select_one(f"#v{ids['CIN1']}-value")["value"] == "41"
    assert value_of(db, ids["EFL3"]).value is None  # nothing stored half-way
    again = owner.post(url, page_fields(refused) | {"intent": "save"}, follow=True)
    assert "Saved your draft values (2 changed)." in again.text()
    assert (value_of(db, ids["EFL3"]).value, value_of(db, ids["CIN1"]).value) == (72, 41)


def test_the_all_values_page_shows_only_the_persons_own_values(db, quarter, sign_in_as):
    page = sign_in_as("hos").get(f"/periods/{quarter['q1'].id}/my-values")
    assert page.status == 200
    assert "You own no indicator with a value to enter for Q1 2019/20." in page.text()
    assert not page.soup.select("main form textarea")
