"""Importing a council's plan in its own shape (issue 13): Word tables with title and
sub-heading rows, themes between tables, owners as initials explained by a legend, "By when"
in every form, targets tables, narrative business plans; the same content as a spreadsheet
and as text pasted from Word. Nothing is lost: every cell lands in a field or is listed
under "Not imported"."""
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests import plan_documents as docs
from app.demo.text import squash
from app.models import (
    Action, ActionStatus, Indicator, PeriodState, Plan, ProgressUpdate, ReportingPeriod, TrailEvent, Unit,
    UpdateState, User,
)
from app.plans import transfer
from app.plans.transfer import read_paste, read_upload
from app.plans.transfer.options import ImportOptions
from app.plans.transfer.rowkinds import norm, numbered
from app.plans.transfer.wording import parse_actual, parse_by_when


_BUILT: dict = {}


def built_doc(name: str):
    """A document from tests/plan_documents.py, built once for the whole run (building is slow)."""
    if name not in _BUILT:
        _BUILT[name] = getattr(docs, name)()
    return _BUILT[name]


@pytest.fixture()
def plan(db, org, people):
    plan = Plan(service=org["service"], title="Children’s Services Improvement Plan 2021/22")
    db.session.add(plan)
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


def read(built, kind=None, options=None):
    if built.filename.endswith(".txt"):
        return read_paste(built.text, kind, options)
    return read_upload(built.filename, built.content, kind, options)


def rows_by_reference(pv):
    return {r.values.get("reference") or r.values.get("description"): r for t in pv.tables for r in t.rows}


def shown_texts(pv) -> str:
    """Everything the preview shows of the rows and of "Not imported", as one text."""
    parts = []
    for table in pv.tables:
        for row in table.rows:
            parts += [str(v) for v in row.display.values()]
            parts += [str(v) for v in row.values.values()]
            parts += list((row.baseline or {}).values())
            parts += [f"{label} {value}" for label, value in (row.values.get("results") or {}).items()]
            for person in pv.unknown:
                parts += [person.said, person.name]
    parts += [n.text for n in pv.not_imported]
    parts += [t.title_row or "" for t in pv.tables]
    return squash(" ".join(parts).replace("\n", " "))


def assert_nothing_lost(built, pv):
    """Every non-empty cell of the source is shown in the preview or listed as not imported."""
    text = shown_texts(pv)
    missing = []
    for cell in built.facts["data_cells"]:
        for line in cell.replace("<li>", "\n").replace("</li>", "\n").split("\n"):
            line = squash(line.replace("<ul>", "").replace("</ul>", "").lstrip("•- "))
            if not line or line.endswith(":"):
                continue
            number, rest = numbered(line)
            if line in text or rest in text or line.rstrip(".") in text:
                continue
            try:  # a date is shown as a date
                when = parse_by_when(line)
            except Exception:  # noqa: BLE001
                when = None
            if when and when.due_on and when.due_on.strftime("%d/%m/%Y") in text:
                continue
            value, as_at = parse_actual(line)  # "64% (Aug 21)": the value, and the as-at in its label
            if as_at and value in text and f"Actual {as_at}" in text:
                continue
            missing.append(line)
    assert not missing, missing


@pytest.mark.parametrize("form", ["docx", "xlsx", "paste"])
def test_an_actions_plan_in_its_own_shape(plan, db, people, form):
    built = built_doc(f"actions_{form}")
    facts = built.facts
    pv = transfer.preview(plan, read(built))
    by_ref = rows_by_reference(pv)
    assert sorted(by_ref) == sorted(a["reference"] for a in facts["actions"])
    for action in facts["actions"]:
        row = by_ref[action["reference"]]
        values = row.values
        assert values["title"] == action["title"], "the number is taken out of the text"
        assert values["theme"] == action["theme"]
        assert values.get("group_title") == action["group_title"]
        assert values.get("due_on") == action["due_on"] or (
            action["milestone_dates"] and values["due_on"] == max(action["milestone_dates"]))
        assert [d for _, d, _ in values.get("milestones", ())] == action["milestone_dates"]
        assert values.get("timing") == action["timing"], "the original cell text is kept"
        assert (values["status"] == ActionStatus.COMPLETE) == action["complete"]
        assert (values.get("partners") or "").split("\n") == (action["partners"] or [""])
        assert values["owner"] == f"new:{norm(action['owner_name'])}"
    # the legend's people are listed, with what the document says about them
    unknown = {p.name: p for p in pv.unknown}
    assert set(unknown) == {name for name, _ in facts["people"].values()}
    assert "Head of Youth Services" in unknown["Tom Griffiths"].said
    assert unknown["Tom Griffiths"].job_title == "Head of Youth Services"
    assert pv.ok, [str(p) for p in pv.problems]
    assert_nothing_lost(built, pv)
    if form == "docx":
        kinds = sum((Counter(t.row_kinds) for t in pv.tables), Counter())
        assert kinds["sub-heading"] == facts["subheading_rows"] and kinds["data"] == facts["data_rows"]
        assert sum(1 for n in pv.not_imported if n.reason == "The table's title") == facts["title_rows"]


def test_a_word_plan_is_stored_with_new_people_and_imports_again_unchanged(plan, db, people):
    built = built_doc("actions_docx")
    pv = transfer.preview(plan, read(built))
    result = transfer.apply(plan, pv, people["admin"], source=built.filename)
    assert result.counts["actions"]["new"] == len(built.facts["actions"])
    added = {u.name: u for u in result.people_added}
    assert set(added) == {"Asha Mensah", "Lena Wójcik", "Tom Griffiths"}
    tom = added["Tom Griffiths"]
    assert tom.password_hash is None and tom.job_title == "Head of Youth Services"
    assert tom.email.endswith("@not-yet-known.invalid")
    b7 = db.session.scalar(sa.select(Action).where(Action.plan_id == plan.id, Action.reference == "B7"))
    assert b7.group_title == "Deliver the Youth Offer Strategy" and b7.owner_id == tom.id
    assert b7.status == ActionStatus.COMPLETE and b7.timing == "Completed 31.05.21"
    assert b7.theme.title == docs.THEMES["B"]
    a2 = db.session.scalar(sa.select(Action).where(Action.plan_id == plan.id, Action.reference == "A2"))
    assert [(m.due_on, m.position) for m in a2.milestones] == [
        (date(2021, 5, 31), 1), (date(2021, 8, 31), 2), (date(2021, 11, 30), 3)]
    verbs = [e.verb for e in db.session.scalars(sa.select(TrailEvent))]
    assert verbs.count("user_created") >= 3 and verbs.count("action_created") == 13 and "plan_imported" in verbs
    # the same file again: the people are in Docket now, and nothing changes
    again = transfer.preview(plan, read(built))
    assert again.ok and not again.unknown and not again.has_changes, again.summary()


def test_an_unknown_person_can_be_matched_or_left_without_an_owner(plan, db, people):
    built = built_doc("actions_docx")
    hos = people["hos"]
    options = ImportOptions(people={"tomgriffiths": f"user:{hos.id}", "ashamensah": "none"}, people_default=None)
    pv = transfer.preview(plan, read(built), options=options)
    by_ref = rows_by_reference(pv)
    assert by_ref["B7"].values["owner"] == hos.id
    assert by_ref["A3"].values.get("owner") is None and not by_ref["A3"].problems
    # nobody chose for Lena Wójcik: her rows say what to do
    assert by_ref["A1"].problems[0].message.startswith("Lena Wójcik is not in Docket")
    options.people["lenawojcik"] = "add"
    options.emails["lenawojcik"] = "lena.wojcik@example.org"
    pv = transfer.preview(plan, read(built), options=options)
    assert pv.ok, [str(p) for p in pv.problems]
    transfer.apply(plan, pv, people["admin"])
    lena = db.session.scalar(sa.select(User).where(User.email == "lena.wojcik@example.org"))
    assert lena.name == "Lena Wójcik" and lena.password_hash is None


@pytest.mark.parametrize("form", ["docx", "xlsx", "paste"])
def test_a_targets_table(plan, db, people, form):
    built = built_doc(f"targets_{form}")
    pv = transfer.preview(plan, read(built))
    assert pv.ok, [str(p) for p in pv.problems]
    by_description = {r.values["description"]: r.values for t in pv.tables for r in t.rows}
    for fact in built.facts["indicators"]:
        values = by_description[fact["description"]]
        assert values.get("target") == fact["target"]
        assert values.get("target_text") == (fact["target_text"] and fact["target_cell"]
                                             if fact["target_text"] else values.get("target_text"))
        assert values["unit"].value == fact["unit"] or fact["unit"] == "count"
        assert values.get("benchmark_comparator") == (squash(fact["comparator"]) or None)
        assert values["results"]["2020/21"] == squash(fact["outturn"])
        assert values.get("comments") == (fact["comments"] or None)
    actual = by_description["Children in care attending a good or outstanding school"]["results"]
    assert actual["Actual Aug 21"] == "64%"
    assert_nothing_lost(built, pv)
    if form == "docx":
        transfer.apply(plan, pv, people["admin"])
        stored = db.session.scalar(sa.select(Indicator).where(Indicator.description.like("Placement budget%")))
        assert stored.target == Decimal("1.5") and stored.unit == Unit.CURRENCY and stored.target_text == "£1.500m."
        assert {r.label: r.value_text for r in stored.results}["2020/21"] == "£3.020m."
        assert not transfer.preview(plan, read(built)).has_changes


@pytest.mark.parametrize("form", ["docx", "xlsx", "paste"])
def test_a_narrative_business_plan_becomes_the_current_position(plan, db, people, period, form):
    built = built_doc(f"narrative_{form}")
    pv = transfer.preview(plan, read(built))
    assert pv.period == period, "the period the progress column's heading names"
    rows = [r for t in pv.tables for r in t.rows]
    assert len(rows) == len(built.facts["rows"])
    for row, fact in zip(rows, built.facts["rows"]):
        assert row.values["title"] == fact["title"] and row.values["theme"] == fact["priority"]
        assert row.values["owner"] == "new:" + norm(fact["head_of_service"])
        assert row.baseline["narrative"] == fact["narrative"]
        assert (row.baseline.get("key_actions_remaining") or "").split("\n") == (fact["key_actions_remaining"]
                                                                                 or [""])
        assert (row.baseline.get("next_focus") or "").split("\n") == (fact["next_focus"] or [""])
    assert pv.ok, [str(p) for p in pv.problems]
    assert_nothing_lost(built, pv)
    if form == "docx":
        result = transfer.apply(plan, pv, people["admin"])
        assert result.updates == 4
        updates = db.session.scalars(sa.select(ProgressUpdate)).all()
        assert {u.state for u in updates} == {UpdateState.SIGNED_OFF} and {u.period_id for u in updates} == {period.id}
        again = transfer.preview(plan, read(built))
        assert not again.has_changes and again.updates == 0


def test_the_officer_changes_the_mapping(plan, db, people):
    built = built_doc("targets_docx")
    options = ImportOptions(mapping={"t1": {5: "skip", 2: "national"}})
    pv = transfer.preview(plan, read(built, options=options), options=options)
    row = pv.tables[0].rows[0]
    assert "comments" not in row.values and row.values["benchmark_national"] == "10.4%"
    lost = [n for n in pv.not_imported if n.column == "Comments"]
    assert [n.text for n in lost] == ["Lower is better", "Includes 4 connected carers Regional campaign from October",
                                      "See footnote 4", "Net figure after grants and recharges"]
    assert lost[0].row == 3 and lost[0].reason == "The column is set to “Do not import”"


def test_references_made_up_per_theme_can_be_changed(plan, db, people):
    built = built_doc("actions_docx")
    result = read(built)
    tables = {t.key: t for t in result.tables}
    row_number = next(n for n, ctx in tables["t5"].context.items() if ctx["reference"] == "D7")
    options = ImportOptions(references={"t5": {row_number: "CL1"}})
    pv = transfer.preview(plan, read(built, options=options), options=options)
    refs = rows_by_reference(pv)
    assert "CL1" in refs and "D7" not in refs and "B7" in refs
    assert refs["CL1"].generated_reference == "D7"


def test_dates_in_every_form():
    from app.plans.transfer.cells import CellProblem
    from app.plans.transfer.wording import parse_by_when

    one = parse_by_when("31.05.21")
    assert (one.due_on, one.timing, one.milestones) == (date(2021, 5, 31), None, ())
    noted = parse_by_when("30/09/21 (draft) 31/03/22")
    assert noted.milestones == (("draft", date(2021, 9, 30), False), ("Milestone 2", date(2022, 3, 31), False))
    assert noted.due_on == date(2022, 3, 31) and noted.timing == "30/09/21 (draft) 31/03/22"
    for words in ("Ongoing", "Monthly", "Termly", "Completed & ongoing"):
        found = parse_by_when(words)
        assert (found.due_on, found.timing, found.status) == (None, words, ActionStatus.LIVE)
    done = parse_by_when("Completed 31.05.21")
    assert (done.due_on, done.status, done.timing) == (date(2021, 5, 31), ActionStatus.COMPLETE, "Completed 31.05.21")
    assert parse_by_when("").due_on is None and parse_by_when("").timing is None
    assert parse_by_when("31 March 2022").due_on == date(2022, 3, 31)
    with pytest.raises(CellProblem, match="no such day"):
        parse_by_when("31/02/22")


def test_targets_and_narrative_cells():
    from app.plans.transfer.wording import parse_actual, parse_target, split_narrative

    assert parse_target("61.2%") == (Decimal("61.2"), None, Unit.PERCENTAGE)
    assert parse_target("£2.150m.") == (Decimal("2.15"), "£2.150m.", Unit.CURRENCY)
    assert parse_target("37") == (Decimal("37"), None, None)
    assert parse_target("TBD ⁴") == (None, "TBD ⁴", None)
    assert parse_target("NA") == (None, "NA", None)
    assert parse_target("Gross £51.300m. Net £27.940m.")[:2] == (None, "Gross £51.300m. Net £27.940m.")
    assert parse_actual("64% (Aug 21)") == ("64%", "Aug 21")
    parts = split_narrative("Done most of it.\nKey actions remaining:\n<ul><li>One</li><li>Two</li></ul>\n"
                            "Areas of focus for next year:\n- Three")
    assert parts == {"narrative": "Done most of it.", "key_actions_remaining": "One\nTwo", "next_focus": "Three"}


def test_a_word_document_without_tables_or_headings_is_refused_plainly(plan):
    import io

    import docx

    document = docx.Document()
    document.add_paragraph("Just a letter.")
    out = io.BytesIO()
    document.save(out)
    with pytest.raises(transfer.TransferError, match="has no tables"):
        read_upload("letter.docx", out.getvalue())
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(1, 1).text = "Hello", "World"
    out = io.BytesIO()
    document.save(out)
    with pytest.raises(transfer.TransferError, match="no table has a row of headings"):
        read_upload("letter.docx", out.getvalue())


def _form_fields(form) -> dict:
    """What the browser would send for a form, as it stands."""
    data = {}
    for field in form.select("input, select"):
        name = field.get("name")
        if not name or field.get("type") == "submit":
            continue
        if field.name == "select":
            chosen = field.select_one("option[selected]") or field.select_one("option")
            data[name] = chosen.get("value") if chosen else ""
        elif field.get("type") == "radio":
            if field.has_attr("checked"):
                data[name] = field["value"]
        else:
            data[name] = field.get("value", "")
    return data


def test_an_officer_imports_a_word_plan_through_the_pages(plan, db, people, sign_in_as, period):
    import io

    built = built_doc("whole_plan_docx")
    client = sign_in_as("hos")
    page = client.post(f"/plans/{plan.id}/import/preview", {"source": "file",
                       "file": (io.BytesIO(built.content), built.filename)}, content_type="multipart/form-data")
    assert page.status == 200, page.text()[:500]
    text = page.text()
    assert "How Docket read your file" in text and "People who are not in Docket" in text
    assert "The file says: TG: Tom Griffiths, Head of Youth Services (from the document's legend)" in text
    assert "Not imported" in text and "Actions to deliver" in text
    # the officer sets the targets table's Comments column to "Do not import", and checks again
    choices = page.soup.select_one("form:has(input[name=token]):has(select)")
    data = _form_fields(choices)
    targets = next(t for t in ("t1", "t2", "t3", "t4", "t5", "t6") if f"map-{t}-5" in data)
    assert data[f"map-{targets}-5"] == "comments"
    data[f"map-{targets}-5"] = "skip"
    page = client.post(f"/plans/{plan.id}/import/preview", data)
    assert page.status == 200, page.error_summary()
    assert page.soup.select_one(f"#map-{targets}-5 option[selected]")["value"] == "skip"
    lost = page.soup.select_one("#not-imported ~ .docket-table-wrapper").get_text(" ", strip=True)
    assert "Lower is better" in lost and "The column is set to “Do not import”" in lost
    confirm = page.soup.select_one(f'form:has(input[name=docket_action][value="/plans/{plan.id}/import/confirm"])')
    page = client.post(f"/plans/{plan.id}/import/confirm", _form_fields(confirm), follow=True)
    assert page.status == 200 and "Imported 13 new actions, 7 new indicators and 3 new people" in page.text()
    assert "3 new people" in page.text()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Action).where(Action.plan_id == plan.id)) == 13
    indicator = db.session.scalar(sa.select(Indicator).where(Indicator.description.like("Percentage of care%")))
    assert indicator.comments is None and indicator.target == Decimal("64")
    plan_page = client.get(f"/plans/{plan.id}")
    assert "Deliver the Youth Offer Strategy" in plan_page.text() or "Youth offer published" in plan_page.text()


def test_a_template_table_with_a_column_docket_does_not_know(plan, db, people):
    text = "\n".join("\t".join(r) for r in [
        ["Reference ID", "Action", "Accountable officer", "Completed by date", "Notes"],
        ["N1", "Publish the offer", "Hari Head", "31/03/2022", "Schools to be told first"]])
    pv = transfer.preview(plan, read_paste(text))
    assert not pv.tables[0].lenient and pv.ok
    assert [(n.row, n.column, n.text) for n in pv.not_imported] == [(2, "Notes", "Schools to be told first")]
    options = ImportOptions(mapping={"t1": {4: "partners"}})
    pv = transfer.preview(plan, read_paste(text, options=options), options=options)
    assert pv.ok and not pv.not_imported
    assert pv.tables[0].rows[0].values["partners"] == "Schools to be told first"
    assert pv.tables[0].rows[0].values["owner"] == people["hos"].id
