"""`flask plans import PLAN_ID FILE` with a council's own plan (issue 13): the mapping it used,
the people not in Docket, --map, --add-people, --period, --dry-run, and the summary line."""
from datetime import date

import pytest
import sqlalchemy as sa

from app.models import Action, Indicator, PeriodState, Plan, ProgressUpdate, ReportingPeriod, TrailEvent, User
from app.plans.cli import plans_cli
from tests import plan_documents as docs

_BUILT: dict = {}


def built_doc(name: str):
    if name not in _BUILT:
        _BUILT[name] = getattr(docs, name)()
    return _BUILT[name]


@pytest.fixture()
def plan(db, org):
    plan = Plan(service=org["service"], title="Children’s Services Improvement Plan 2021/22")
    db.session.add(plan)
    db.session.commit()
    return plan


@pytest.fixture()
def run(app, plan, tmp_path):
    runner = app.test_cli_runner()

    def invoke(name: str, *args: str, plan_id=None):
        built = built_doc(name)
        path = tmp_path / built.filename
        path.write_bytes(built.content)
        return runner.invoke(plans_cli, ["import", str(plan_id or plan.id), str(path), *args])

    return invoke


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def last_line(result) -> str:
    return result.output.strip().splitlines()[-1]


def test_a_dry_run_prints_the_mapping_the_people_and_the_summary_and_stores_nothing(run, db):
    result = run("actions_docx", "--dry-run", "--add-people")
    assert result.exit_code == 0, result.output
    assert ("Columns of table 1 of the document (actions): No. → Reference; Action → Action; Lead² → Owner (lead "
            "officer); Other agency lead → Partners (other agency leads); By when → Due date (by when)") in result.output
    assert ("Person not in Docket: Tom Griffiths (TG: Tom Griffiths, Head of Youth Services (from the document's "
            "legend)): will be added to Docket (cannot sign in until invited)") in result.output
    assert "Not imported: table 1 of the document, row 1, Title: “Actions to deliver” (The table's title)" in result.output
    assert "Dry run: nothing was stored." in result.output
    assert last_line(result) == "13 actions, 0 indicators, 0 risks, 0 updates: 13 new, 0 changed, 0 unchanged; 0 problems"
    assert count(db, Action) == 0 and count(db, User) == 0


def test_people_not_in_docket_need_add_people(run, db, people):
    result = run("actions_docx")
    assert result.exit_code == 1
    assert ("Person not in Docket: Tom Griffiths (TG: Tom Griffiths, Head of Youth Services (from the document's "
            "legend)): run again with --add-people to add them") in result.output
    assert "Row 4, Lead²: Lena Wójcik is not in Docket" in result.output
    assert last_line(result).endswith("0 new, 0 changed, 0 unchanged; 13 problems")
    assert count(db, Action) == 0

    users = count(db, User)
    result = run("actions_docx", "--add-people")
    assert result.exit_code == 0, result.output
    assert "Imported 13 new actions and 3 new people (who cannot sign in until invited)." in result.output
    assert count(db, Action) == 13 and count(db, User) == users + 3
    assert db.session.scalar(sa.select(TrailEvent).where(TrailEvent.verb == "plan_imported")) is not None

    again = run("actions_docx")
    assert again.exit_code == 0, again.output
    assert "Nothing to import" in again.output
    assert last_line(again) == "13 actions, 0 indicators, 0 risks, 0 updates: 0 new, 0 changed, 13 unchanged; 0 problems"


def test_map_sets_a_column(run, db):
    result = run("targets_docx", "--map", "Comments=do not import", "--map", "Similar authorities=national")
    assert result.exit_code == 0, result.output
    assert "Comments → Do not import" in result.output and "Similar authorities → National benchmark" in result.output
    assert ("Not imported: table 1 of the document, row 3, Comments: “Lower is better” (The column is set to “Do not "
            "import”)") in result.output
    assert last_line(result) == "0 actions, 7 indicators, 0 risks, 0 updates: 7 new, 0 changed, 0 unchanged; 0 problems"
    indicator = db.session.scalar(sa.select(Indicator).where(Indicator.description.like("Percentage of care%")))
    assert indicator.comments is None and indicator.benchmark_national == "53%" and indicator.benchmark_comparator is None


def test_the_current_position_goes_to_the_period_chosen(run, db):
    for name, start in (("Q4 2020/21", date(2021, 1, 1)), ("Q1 2021/22", date(2021, 4, 1))):
        db.session.add(ReportingPeriod(name=name, starts_on=start, ends_on=start.replace(month=start.month + 2, day=28),
                                       update_deadline=start, signoff_deadline=start, state=PeriodState.CLOSED))
    db.session.commit()
    result = run("narrative_docx", "--add-people", "--period", "q1 2021/22")
    assert result.exit_code == 0, result.output
    assert "Current position: 4 signed-off updates for Q1 2021/22" in result.output
    assert last_line(result) == "4 actions, 0 indicators, 0 risks, 4 updates: 4 new, 0 changed, 0 unchanged; 0 problems"
    update = db.session.scalars(sa.select(ProgressUpdate)).first()
    assert update.period.name == "Q1 2021/22" and update.key_actions_remaining


@pytest.mark.parametrize("args, message", [
    (("--map", "Lead"), "“Lead” is not a mapping"),
    (("--map", "Lead=wibble"), "“wibble” is not a field Docket knows"),
    (("--period", "Q9 1999"), "There is no reporting period called Q9 1999."),
])
def test_bad_input_is_one_clear_line(run, db, args, message):
    result = run("actions_docx", *args)
    assert result.exit_code == 1 and message in result.output
    assert count(db, Action) == 0


def test_a_word_document_without_a_plan(app, plan, tmp_path, db):
    import docx

    document = docx.Document()
    document.add_paragraph("Dear colleague")
    path = tmp_path / "letter.docx"
    document.save(path)
    result = app.test_cli_runner().invoke(plans_cli, ["import", str(plan.id), str(path)])
    assert result.exit_code == 1 and "This Word document has no tables" in result.output
