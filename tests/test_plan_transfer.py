"""Import into a plan (file, CSV, pasted table → preview → apply) and export from it."""
import sys
import csv
import io
import json
import re
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

import app.plans.transfer_routes  # noqa: F401 - registers the routes (until app/plans/__init__.py imports it)
from app.models import (
    Action,
    ActionStatus,
    ActionType,
    Indicator,
    Milestone,
    Plan,
    PriorityTheme,
    Rag,
    Risk,
    Role,
    ScopeKind,
    TrailEvent,
    Unit,
)
from app.plans import transfer
from app.plans.cli import plans_cli
from app.plans.transfer import (
    CellProblem,
    StalePreview,
    TransferError,
    escape_cell,
    format_type,
    parse_date,
    parse_type,
    read_paste,
    read_upload,
    unescape_cell,
)

ACTION_HEADINGS = ["Reference ID", "Priority Theme", "Action", "Business As Usual or Major Project",
                   "Accountable officer", "Completed by date", "Milestones / Deliverables"]
THEME = ("Keep children safe by developing the Children's Services workforce to deliver high quality, evidence "
         "based interventions and by implementing recommendations from Ofsted's inspection of Children's Services")
AD = "Assistant Director Children's Specialist Services"


@pytest.fixture()
def plan(people, db):
    """The demo plan, loaded on top of the `people` fixture's council (same service)."""
    from app.demo.loader import load_demo

    load_demo(year=2019, activity=False)
    return db.session.scalar(sa.select(Plan))


def count(db, model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def csv_bytes(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def tsv(rows) -> str:
    """A table as Excel puts it on the clipboard: tabs, and quotes round a cell with line breaks."""
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def new_action(ref, title="Do a new thing", due="31/03/2020", owner=AD, milestones="", type_="Medium project",
               theme=THEME):
    return [ref, theme, title, type_, owner, due, milestones]


def statuses(pv):
    return {row.label: row.status for table in pv.tables for row in table.rows}


# --- export and round trip -------------------------------------------------------------------

def test_export_xlsx_of_the_demo_plan_imports_back_unchanged(plan, sign_in_as, db):
    client = sign_in_as("admin")
    response = client.c.get(f"/plans/{plan.id}/export.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="childrens-specialist-services-plan.xlsx"'
    assert response.mimetype == transfer_routes_xlsx()
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Actions", "Risks", "Indicators", "Updates"]  # Updates: issue 13, not imported
    assert [c.value for c in workbook["Actions"][1]] == ACTION_HEADINGS + ["Group", "Partners", "Timing"]
    assert [c.value for c in workbook["Indicators"][1]][:5] == [
        "Reference ID", "Indicator Description", "2015/16 Result", "2016/17 Result", "2017/18 Result"]

    pv = transfer.preview(plan, read_upload("plan.xlsx", response.data))
    assert pv.ok, [str(p) for p in pv.problems]
    assert {t.kind: len(t.rows) for t in pv.tables} == {"actions": 10, "risks": 1, "indicators": 33}
    assert set(statuses(pv).values()) == {"unchanged"}
    assert not any(row.changes for t in pv.tables for row in t.rows)

    # Through the import page too: a preview that says nothing would change, and no confirm button.
    page = client.post(f"/plans/{plan.id}/import/preview",
                       {"source": "file", "file": (io.BytesIO(response.data), "plan.xlsx")},
                       content_type="multipart/form-data")
    assert page.status == 200
    assert "Nothing would change" in page.text()
    assert page.soup.find("button", string=re.compile("Confirm import")) is None


@pytest.mark.parametrize("kind,rows", [("actions", 10), ("risks", 1), ("indicators", 33)])
def test_export_csv_of_each_kind_imports_back_unchanged(plan, sign_in_as, kind, rows):
    client = sign_in_as("hos")
    response = client.c.get(f"/plans/{plan.id}/export.csv?kind={kind}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="childrens-specialist-services-plan-{kind}.csv"')
    pv = transfer.preview(plan, read_upload("plan.csv", response.data))
    assert pv.ok
    assert [t.kind for t in pv.tables] == [kind]
    assert pv.counts["unchanged"] == rows and pv.counts["changed"] == pv.counts["new"] == 0


def test_csv_export_defaults_to_actions_and_refuses_other_kinds(plan, sign_in_as):
    client = sign_in_as("admin")
    response = client.c.get(f"/plans/{plan.id}/export.csv")
    assert response.data.decode("utf-8-sig").startswith("Reference ID,Priority Theme,Action,")
    assert client.c.get(f"/plans/{plan.id}/export.csv?kind=people").status_code == 404
    assert client.c.get(f"/plans/{plan.id}/export.pdf").status_code == 404


def test_formulas_are_neutralised_and_survive_a_round_trip(plan, db, sign_in_as):
    dangerous = ['=HYPERLINK("http://evil.example","Click")', "-5 staff", "+44 1904 551550", "@SUM(A1:A2)",
                 "'=already quoted", "\tTabbed"]
    for n, text in enumerate(dangerous, start=1):
        db.session.add(Action(plan_id=plan.id, reference=f"F{n:03d}", title=text))
    db.session.commit()
    client = sign_in_as("admin")

    workbook = openpyxl.load_workbook(io.BytesIO(client.c.get(f"/plans/{plan.id}/export.xlsx").data))
    cells = {row[0].value: row[2] for row in workbook["Actions"].iter_rows(min_row=2)}
    assert cells["F001"].value == '\'=HYPERLINK("http://evil.example","Click")'
    assert all(cells[f"F{n:03d}"].data_type == "s" for n in range(1, 7))  # text, never a formula
    assert cells["F002"].value == "'-5 staff"
    assert cells["F005"].value == "''=already quoted"

    exported = client.c.get(f"/plans/{plan.id}/export.csv").data.decode("utf-8-sig")
    rows = {r[0]: r for r in csv.reader(io.StringIO(exported))}
    assert rows["F001"][2].startswith("'=") and rows["F003"][2] == "'+44 1904 551550"
    assert rows["F004"][2] == "'@SUM(A1:A2)"

    assert rows["F006"][2] == "'\tTabbed" and cells["F006"].value == "'\tTabbed"

    for data, name in ((client.c.get(f"/plans/{plan.id}/export.xlsx").data, "p.xlsx"), (exported.encode(), "p.csv")):
        pv = transfer.preview(plan, read_upload(name, data))
        assert pv.ok
        # Every row is unchanged but the tab-led one: an import trims the space round a cell.
        assert {k: v for k, v in statuses(pv).items() if v != "unchanged"} == {"F006": "changed"}, name
        assert [(c.old, c.new) for r in pv.tables[0].rows if r.label == "F006" for c in r.changes] == [
            ("\tTabbed", "Tabbed")]

    # And a new action written that way arrives as written.
    text = tsv([ACTION_HEADINGS, new_action("F100", title="'=HYPERLINK(\"x\")"), new_action("F101", title="'-5 staff")])
    pv = transfer.preview(plan, read_paste(text))
    transfer.apply(plan, pv, None)
    titles = dict(db.session.execute(sa.select(Action.reference, Action.title).where(
        Action.reference.in_(["F100", "F101"]))).all())
    assert titles == {"F100": '=HYPERLINK("x")', "F101": "-5 staff"}


@pytest.mark.parametrize("text", ["=1+1", "-5", "+1", "@x", "'=x", "''x", "'a", "'", "plain", "", "\tx", "\rx"])
def test_escape_and_unescape_are_exact_inverses(text):
    assert unescape_cell(escape_cell(text)) == text
    assert escape_cell(text)[:1] not in ("=", "+", "-", "@", "\t", "\r")


def test_action_type_is_written_so_it_reads_back_the_same():
    for value in [(None, False, None), (ActionType.BUSINESS_AS_USUAL, False, None),
                  (ActionType.MAJOR_PROJECT, True, None), (ActionType.BUSINESS_AS_USUAL, True, "Discovery Phase"),
                  (ActionType.BUSINESS_AS_USUAL, True, "(in response to outcome of Ofsted inspection)"),
                  (ActionType.MEDIUM_PROJECT, False, "Phase 2"), (None, True, None)]:
        assert parse_type(format_type(*value)) == value
    assert parse_type("Business As Usual (state if statutory) or Major Project")[0] is ActionType.BUSINESS_AS_USUAL
    with pytest.raises(CellProblem, match="Business as usual, Medium project or Major project"):
        parse_type("Minor project")


# --- dates ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["31/03/2019", "2019-03-31", "31/3/19", "31 March 2019", "31st March 2019",
                                  "Sunday 31 March 2019", " 31/03/2019 ", "2019-03-31 00:00:00"])
def test_dates_uk_and_iso(text):
    assert parse_date(text) == date(2019, 3, 31)


@pytest.mark.parametrize("text", ["31/13/2019", "31/02/2019", "March 2019", "soon", "2019-02-30", "31/03/2019 maybe",
                                  "Q4 2019/20"])
def test_not_dates(text):
    with pytest.raises(CellProblem, match="is not a date"):
        parse_date(text)


def test_dates_in_an_import_uk_iso_and_complete(plan, db):
    text = tsv([ACTION_HEADINGS,
                new_action("D1", due="30/06/2020"), new_action("D2", due="2020-06-30"),
                new_action("D3", due="30/6/20"), new_action("D4", due="30 June 2020 Complete"),
                new_action("D5", due="")])
    pv = transfer.preview(plan, read_paste(text))
    assert pv.ok, [str(p) for p in pv.problems]
    transfer.apply(plan, pv, None)
    stored = {a.reference: a for a in db.session.scalars(sa.select(Action).where(Action.reference.like("D%")))}
    assert {r: a.due_on for r, a in stored.items()} == {
        "D1": date(2020, 6, 30), "D2": date(2020, 6, 30), "D3": date(2020, 6, 30), "D4": date(2020, 6, 30),
        "D5": None}
    assert stored["D4"].status == ActionStatus.COMPLETE and stored["D4"].rag == Rag.COMPLETE
    assert stored["D1"].status == ActionStatus.LIVE


# --- problems, each on its row and column -----------------------------------------------------

def test_500_rows_with_one_bad_date_stores_nothing_and_names_the_row(plan, db, sign_in_as):
    rows = [ACTION_HEADINGS]
    for n in range(2, 502):  # sheet rows 2..501: 500 actions
        rows.append(new_action(f"BULK{n:04d}", title=f"Bulk action {n}",
                               due="31/02/2019" if n == 317 else "31/03/2019"))
    data = csv_bytes(rows)
    before = count(db, Action)
    pv = transfer.preview(plan, read_upload("bulk.csv", data))
    assert len(pv.tables[0].rows) == 500
    assert [str(p) for p in pv.problems] == [
        "Row 317, Completed by date: “31/02/2019” is not a date: there is no such day. "
        "Write dates like 31/03/2019 (day/month/year)"]
    assert pv.counts == {"new": 499, "problem": 1}
    with pytest.raises(TransferError, match="problem"):
        transfer.apply(plan, pv, None)
    assert count(db, Action) == before

    client = sign_in_as("admin")
    page = client.post(f"/plans/{plan.id}/import/preview",
                       {"source": "file", "file": (io.BytesIO(data), "bulk.csv")}, content_type="multipart/form-data")
    assert page.status == 200
    assert page.title.startswith("Error: Check your import")
    summary = page.error_summary()
    assert summary == ["Row 317, Completed by date: “31/02/2019” is not a date: there is no such day. "
                       "Write dates like 31/03/2019 (day/month/year)"]
    link = page.soup.select_one(".govuk-error-summary a")["href"]
    cell = page.soup.select_one(link)
    assert cell is not None and "31/02/2019" in cell.get_text() and cell.name == "td"
    assert cell.find_parent("tr").find("th").get_text(strip=True) == "317"
    assert page.soup.find("button", string=re.compile("Confirm import")) is None
    assert count(db, Action) == before


def test_required_cells_unknown_values_and_officers(plan, db, make_user):
    make_user("a.one@example.org", "Ann One", job_title="Head of Service")
    make_user("b.two@example.org", "Bob Two", job_title="Head of Service")
    text = tsv([ACTION_HEADINGS,
                new_action("", title="No reference"),
                new_action("N2", title=""),
                new_action("N3", owner="Nobody At All"),
                new_action("N4", owner="head of service"),
                new_action("N5", owner="ANN ONE"),  # a name, any case
                new_action("N6", owner="b.two@example.org"),  # an e-mail address
                new_action("N7", type_="Minor project")])
    pv = transfer.preview(plan, read_paste(text))
    problems = [str(p) for p in pv.problems]
    assert "Row 2, Reference ID: Reference ID is missing: every action needs one, such as CSS013" in problems
    assert "Row 3, Action: Action is missing: write what the action is" in problems
    assert any(p.startswith("Row 4, Accountable officer: No one in Docket is called “Nobody At All”")
               for p in problems)
    assert ("Row 5, Accountable officer: “head of service” could be Ann One (a.one@example.org) or Bob Two "
            "(b.two@example.org): write the person’s e-mail address instead") in problems
    assert any(p.startswith("Row 8, Business As Usual or Major Project: “Minor project” is not a type")
               for p in problems)
    assert statuses(pv)["N5"] == "new" and statuses(pv)["N6"] == "new"
    assert len(problems) == 5


def test_risks_rag_and_indicator_values_are_checked(plan):
    risks = tsv([["Ref", "Risk", "Rating (RAG)", "Actions to Mitigate and Correct", "Responsible Officer"],
                 ["R1", "A new risk", "Yellow", "", ""], ["R2", "", "A", "", ""], ["", "No reference", "G", "", ""]])
    problems = [str(p) for p in transfer.preview(plan, read_paste(risks)).problems]
    assert problems == [
        "Row 2, Rating (RAG): “Yellow” is not a RAG rating: write Red, Amber, Green, Complete or Not started "
        "(R, A or G will do)",
        "Row 3, Risk: Risk is missing: describe the risk",
        "Row 4, Ref: Reference ID is missing: every risk needs one, such as 2224"]
    indicators = tsv([["Reference ID", "Indicator Description", "Polarity", "Latest Direction of Travel", "Include",
                       "Unit", "Target", "Collection Frequency"],
                      ["I1", "Something", "Up is better", "Sideways", "Maybe", "Furlongs", "lots", "Fortnightly"]])
    problems = [str(p) for p in transfer.preview(plan, read_paste(indicators)).problems]
    assert problems == [
        "Row 2, Polarity: “Up is better” is not a polarity: write Up is Good, Up is Bad or Neutral",
        "Row 2, Latest Direction of Travel: “Sideways” is not a direction of travel: write Good, Bad or Neutral",
        "Row 2, Include: “Maybe” is not Y or N: write Y or N",
        "Row 2, Unit: “Furlongs” is not a unit: write Number, Percentage, Count or £",
        "Row 2, Target: “lots” is not a number",
        "Row 2, Collection Frequency: “Fortnightly” is not a collection frequency: write Monthly, Quarterly, "
        "Six-monthly or Annual"]


def test_duplicate_reference_within_the_file(plan):
    text = tsv([ACTION_HEADINGS, new_action("NEW1"), new_action("NEW2"), new_action("new1", title="Again")])
    pv = transfer.preview(plan, read_paste(text))
    assert [str(p) for p in pv.problems] == [
        "Row 4, Reference ID: Reference ID new1 is also used in row 2: each action needs its own reference"]
    # An indicator without a reference is known by its description: two the same clash too.
    text = tsv([["Reference ID", "Indicator Description"], ["", "Same words"], ["", "Same words"]])
    problems = [str(p) for p in transfer.preview(plan, read_paste(text)).problems]
    assert problems == ["Row 3, Indicator Description: this indicator has no Reference ID and the same description "
                        "as row 2: give one of them a reference"]


# --- reading ----------------------------------------------------------------------------------

def test_paste_with_quoted_multi_line_cells(plan, db):
    milestones = "Plan agreed (by 30/04/2020)\n\n[done] Staff briefed\nTraining \"phase 1\" delivered (by 2020-09-30)"
    text = tsv([ACTION_HEADINGS, new_action("PASTE1", title="Line one\nline two", milestones=milestones)])
    assert '"Plan agreed (by 30/04/2020)\r\n' in text or '"Plan agreed (by 30/04/2020)\n' in text
    result = read_paste(text)
    assert result.tables[0].kind == "actions" and result.tables[0].source == "the pasted table"
    pv = transfer.preview(plan, result)
    assert pv.ok, [str(p) for p in pv.problems]
    transfer.apply(plan, pv, None)
    action = db.session.scalar(sa.select(Action).where(Action.reference == "PASTE1"))
    assert action.title == "Line one\nline two"
    assert [(m.text, m.due_on, m.done, m.position) for m in action.milestones] == [
        ("Plan agreed", date(2020, 4, 30), False, 1),
        ("Staff briefed", None, True, 2),
        ('Training "phase 1" delivered', date(2020, 9, 30), False, 3)]
    assert action.action_type == ActionType.MEDIUM_PROJECT and action.owner.job_title == AD
    assert action.theme.title == THEME  # the demo's theme, not a new one
    assert count(db, PriorityTheme, PriorityTheme.title == THEME) == 1
    # Exported and imported again, it is unchanged.
    pv = transfer.preview(plan, read_upload("x.xlsx", transfer.export_xlsx(plan)))
    assert statuses(pv)["PASTE1"] == "unchanged"


def test_headings_match_loosely_and_in_any_order(plan):
    text = tsv([["  action ", "REF", "Business As Usual (state if statutory) or Major Project", "accountable-officer",
                 "Completed By", "Notes"],
                ["Reordered columns", "ORD1", "Major Project Statutory Service", AD, "1 April 2020", "ignored"]])
    result = read_paste(text)
    table = result.tables[0]
    assert table.kind == "actions"
    assert set(table.columns.values()) == {"title", "reference", "type", "owner", "due"}
    assert table.ignored_columns == ["Notes"]
    pv = transfer.preview(plan, result)
    row = pv.tables[0].rows[0]
    assert row.values["action_type"] == ActionType.MAJOR_PROJECT and row.values["statutory"] is True
    assert row.values["due_on"] == date(2020, 4, 1)


def test_kind_is_recognised_from_headings_or_chosen(plan):
    risks = tsv([["Reference ID", "Risk", "Rating (RAG)"], ["9", "Risk text", "R"]])
    assert read_paste(risks).tables[0].kind == "risks"
    with pytest.raises(TransferError, match="are for risks, not actions"):
        read_paste(risks, "actions")
    with pytest.raises(TransferError, match="could not find a row of column headings"):
        read_paste("just some words\nand more words")
    with pytest.raises(TransferError, match="Paste a table"):
        read_paste("   \n ")
    with pytest.raises(TransferError, match="headings but no rows"):
        read_paste(tsv([ACTION_HEADINGS]))


@pytest.mark.parametrize("name,data,message", [
    ("plan.pdf", b"%PDF-1.4 something", "This is a PDF"),
    ("plan.xlsx", b"this is not a workbook at all", "is not an Excel workbook"),
    ("plan.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old-style Excel"),
    ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a spreadsheet Docket can read"),
    ("empty.csv", b"", "The file is empty"),
    ("blank.csv", b"\r\n\r\n", "The file is empty"),
    ("words.csv", b"Hello,world\nthis,is not a plan\n", "could not find a row of column headings"),
])
def test_files_that_cannot_be_read_are_refused_plainly(name, data, message):
    with pytest.raises(TransferError, match=message):
        read_upload(name, data)


def test_a_zip_that_is_not_a_workbook_is_refused():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("word/document.xml", "<w/>")
        z.writestr("[Content_Types].xml", "<x/>")
    with pytest.raises(TransferError, match="Word document"):
        read_upload("plan.xlsx", buffer.getvalue())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(TransferError, match="not an Excel workbook"):
        read_upload("plan.csv", buffer.getvalue())  # by content, whatever the name


def test_more_than_5000_rows_is_refused(plan):
    rows = [ACTION_HEADINGS] + [new_action(f"X{n}") for n in range(5001)]
    with pytest.raises(TransferError, match="Docket imports up to 5,000 at a time"):
        read_upload("big.csv", csv_bytes(rows))
    workbook = openpyxl.Workbook()
    workbook.active.title = "Actions"
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(TransferError, match="5,000"):
        read_upload("big.xlsx", buffer.getvalue())


def test_workbook_sheets_by_name_or_headings(plan, db):
    workbook = openpyxl.Workbook()
    notes = workbook.active
    notes.title = "Read me"
    notes.append(["This workbook holds our plan"])
    sheet = workbook.create_sheet("Sheet2")  # no telling name: found by its headings
    sheet.append(["Table 3.2 – Risk Management"])
    sheet.append([])
    sheet.append(["Reference ID", "Risk", "Rating (RAG)", "Actions to Mitigate and Correct", "Responsible Officer"])
    sheet.append(["3001", "Budget pressures", "Red", "Monthly review\nRecovery plan", "Helen Marsh"])
    kpis = workbook.create_sheet("KPIs")
    kpis.append(["Reference ID", "Indicator Description", "2018/19 Result", "Polarity", "Target", "Unit"])
    kpis.append(["NEW9", "Share of something", 0.5, "Up is Good", 75, ""])
    kpis.cell(row=2, column=3).number_format = "0.0%"
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = read_upload("plan.xlsx", buffer.getvalue())
    assert [(t.kind, t.source) for t in result.tables] == [
        ("risks", "sheet “Sheet2”"), ("indicators", "sheet “KPIs”")]
    assert result.ignored_sheets == ["Read me"]
    pv = transfer.preview(plan, result)
    assert pv.ok, [str(p) for p in pv.problems]
    risk_row = pv.tables[0].rows[0]
    assert risk_row.number == 4 and risk_row.values["mitigations"] == "Monthly review\nRecovery plan"
    transfer.apply(plan, pv, None)
    indicator = db.session.scalar(sa.select(Indicator).where(Indicator.reference == "NEW9"))
    assert [(r.label, r.value_text) for r in indicator.results] == [("2018/19", "50.0%")]
    assert indicator.unit == Unit.PERCENTAGE and indicator.target == 75
    assert db.session.scalar(sa.select(Risk).where(Risk.reference == "3001")).rag == Rag.RED


def test_indicators_pasted_from_the_plan_with_group_headings(plan, db):
    seed = Path(__file__).parent.parent / "app" / "demo" / "seeds" / "000_9dfe3dae2d1e026a.txt"
    lines = seed.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Reference ID\tIndicator Description"))
    table = "\n".join(lines[start:start + 6])  # the header, a group heading and four indicators
    pv = transfer.preview(plan, read_paste(table))
    assert pv.ok, [str(p) for p in pv.problems]
    assert statuses(pv) == {"CYPL2c": "unchanged", "MI Pack 1": "unchanged", "CSS7": "unchanged", "148": "unchanged"}
    assert pv.tables[0].rows[0].number == 3
    assert pv.tables[0].rows[0].notes == ["Group “Service Delivery”, from the heading in row 2"]
    # Put under another heading, the group changes.
    regrouped = transfer.preview(plan, read_paste(table.replace("Service Delivery", "Early Help")))
    assert [(c.label, c.old, c.new) for c in regrouped.tables[0].rows[0].changes] == [
        ("Group", "Service Delivery", "Early Help")]
    # A changed result and a changed owner show old → new.
    changed = table.replace("689 (190)", "700 (191)").replace("Head of RAA", "Head of Children's Social Care")
    pv = transfer.preview(plan, read_paste(changed))
    rows = {row.label: row for row in pv.tables[0].rows}
    assert [(c.label, c.old, c.new) for c in rows["MI Pack 1"].changes] == [
        ("2015/16 Result", "689 (190)", "700 (191)")]
    assert [(c.label, c.old, c.new) for c in rows["CSS7"].changes] == [
        ("Officer", "Hannah Pryce (Head of RAA)", "Marcus Bell (Head of Children's Social Care)")]


def test_indicator_without_reference_is_matched_on_description(plan):
    text = tsv([["Reference ID", "Indicator Description", "Polarity"],
                ["", "Number of Children Looked After (Snapshot)", "Up is Bad"]])
    pv = transfer.preview(plan, read_paste(text))
    row = pv.tables[0].rows[0]
    assert row.status == "changed" and row.target_id is not None
    assert [(c.label, c.old, c.new) for c in row.changes] == [("Polarity", "Neutral", "Up is Bad")]


# --- applying ---------------------------------------------------------------------------------

def test_apply_stores_changes_with_trail_events_and_leaves_the_rest_alone(plan, db, people):
    css001 = db.session.scalar(sa.select(Action).where(Action.reference == "CSS001"))
    untouched = {a.reference: a.version for a in db.session.scalars(sa.select(Action))}
    events_before = count(db, TrailEvent)
    rows = [ACTION_HEADINGS, new_action("NEW1", theme="A brand new theme"), new_action("NEW2")]
    exported = {r[0]: r for r in csv.reader(io.StringIO(transfer.export_csv(plan, "actions").decode("utf-8-sig")))}
    changed = list(exported["CSS001"])
    changed[5] = "30/06/2019"
    rows += [changed, exported["CSS002"]]
    pv = transfer.preview(plan, read_paste(tsv(rows)))
    assert statuses(pv) == {"NEW1": "new", "NEW2": "new", "CSS001": "changed", "CSS002": "unchanged"}
    row = next(r for r in pv.tables[0].rows if r.label == "CSS001")
    assert [(c.label, c.old, c.new) for c in row.changes] == [("Completed by date", "31/03/2019", "30/06/2019")]

    outcome = transfer.apply(plan, pv, people["admin"], source="paste")
    assert outcome.sentence() == "Imported 2 new actions and 1 changed action. 1 unchanged row was left as it was."
    db.session.expire_all()
    assert db.session.get(Action, css001.id).due_on == date(2019, 6, 30)
    versions = {a.reference: a.version for a in db.session.scalars(sa.select(Action))}
    assert versions["CSS002"] == untouched["CSS002"]
    assert versions["CSS001"] == untouched["CSS001"] + 1
    assert all(versions[r] == v for r, v in untouched.items() if r != "CSS001")

    events = db.session.scalars(sa.select(TrailEvent).order_by(TrailEvent.seq)).all()[events_before:]
    assert [e.verb for e in events] == ["theme_created", "action_created", "action_created", "action_edited",
                                        "plan_imported"]
    edited = json.loads(events[3].data)
    assert edited["changes"] == {"Completed by date": ["31/03/2019", "30/06/2019"]} and edited["source"] == "import"
    assert events[3].object_id == css001.id and events[3].actor_name == "Ada Admin"
    summary = json.loads(events[-1].data)
    assert summary["actions"] == {"new": 2, "changed": 1, "unchanged": 1} and summary["themes_created"] == 1
    new_theme = db.session.scalar(sa.select(Action).where(Action.reference == "NEW1")).theme
    assert new_theme.title == "A brand new theme" and new_theme.plan_id == plan.id


def test_apply_is_all_or_nothing(plan, db, monkeypatch):
    text = tsv([ACTION_HEADINGS, new_action("ALL1"), new_action("ALL2"), new_action("ALL3")])
    pv = transfer.preview(plan, read_paste(text))
    actions, events = count(db, Action), count(db, TrailEvent)
    calls = []
    real_record = sys.modules["app.plans.transfer.applying"].record

    def failing_record(*args, **kwargs):
        calls.append(args[0])
        if len(calls) == 3:
            raise RuntimeError("the database went away")
        return real_record(*args, **kwargs)

    monkeypatch.setattr(sys.modules["app.plans.transfer.applying"], "record", failing_record)
    with pytest.raises(RuntimeError):
        transfer.apply(plan, pv, None)
    assert calls == ["action_created"] * 3
    assert count(db, Action) == actions and count(db, TrailEvent) == events
    monkeypatch.setattr(sys.modules["app.plans.transfer.applying"], "record", real_record)
    transfer.apply(plan, transfer.preview(plan, read_paste(text)), None)
    assert count(db, Action) == actions + 3


def test_apply_refuses_a_preview_the_plan_has_moved_on_from(plan, db):
    text = tsv([ACTION_HEADINGS, new_action("LATE1")])
    pv = transfer.preview(plan, read_paste(text))
    action = db.session.scalar(sa.select(Action).where(Action.reference == "CSS003"))
    action.title = "Someone else edited this"
    db.session.commit()
    with pytest.raises(StalePreview, match="The plan has changed since this import was checked"):
        transfer.apply(plan, pv, None)
    assert count(db, Action, Action.reference == "LATE1") == 0
    # A milestone edit (milestones have no version of their own) counts too.
    pv = transfer.preview(plan, read_paste(text))
    milestone = db.session.scalar(sa.select(Milestone).limit(1))
    milestone.done = True
    db.session.commit()
    with pytest.raises(StalePreview):
        transfer.apply(plan, pv, None)


def test_milestones_and_status_changes(plan, db):
    exported = {r[0]: r for r in csv.reader(io.StringIO(transfer.export_csv(plan, "actions").decode("utf-8-sig")))}
    row = list(exported["CSS003"])
    row[5] = "31/03/2019 Complete"
    row[6] = "[done] " + row[6] + " (by 31/01/2019)\nA second milestone"
    pv = transfer.preview(plan, read_paste(tsv([ACTION_HEADINGS, row])))
    changes = {c.label: (c.old, c.new) for c in pv.tables[0].rows[0].changes}
    assert set(changes) == {"Status", "RAG", "Milestones"} and changes["Status"] == ("Live", "Complete")
    assert changes["RAG"] == ("", "Complete")
    transfer.apply(plan, pv, None)
    action = db.session.scalar(sa.select(Action).where(Action.reference == "CSS003"))
    assert action.status == ActionStatus.COMPLETE and action.rag == Rag.COMPLETE
    assert [(m.done, m.due_on, m.position) for m in action.milestones] == [
        (True, date(2019, 1, 31), 1), (False, None, 2)]
    # Back again: one milestone, live.
    row[5], row[6] = "31/03/2019", exported["CSS003"][6]
    transfer.apply(plan, transfer.preview(plan, read_paste(tsv([ACTION_HEADINGS, row]))), None)
    db.session.expire_all()
    action = db.session.scalar(sa.select(Action).where(Action.reference == "CSS003"))
    assert action.status == ActionStatus.LIVE and action.rag is None and len(action.milestones) == 1
    assert count(db, Milestone, Milestone.action_id == action.id) == 1


# --- the import pages -------------------------------------------------------------------------

def test_import_pages_with_a_paste_kept_after_errors(plan, db, sign_in_as):
    client = sign_in_as("hos")
    page = client.get(f"/plans/{plan.id}/import")
    assert page.status == 200 and page.h1 == "Import actions, risks and indicators"
    assert page.soup.find("a", href=f"/plans/{plan.id}/import/template.xlsx")

    bad = tsv([ACTION_HEADINGS, new_action("WEB1"), new_action("WEB2", due="31/13/2019"), new_action("WEB3")])
    page = client.post(f"/plans/{plan.id}/import/preview", {"source": "paste", "kind": "actions", "paste": bad})
    assert page.status == 200
    assert page.error_summary() == [
        "Row 3, Completed by date: “31/13/2019” is not a date: there is no such day. "
        "Write dates like 31/03/2019 (day/month/year)"]
    assert page.soup.select_one("#actions-row-3-due .govuk-error-message")
    assert page.soup.select_one("textarea#paste").get_text().replace("\r\n", "\n") == bad.replace("\r\n", "\n")
    assert page.soup.select_one("input[name=kind][value=actions]").has_attr("checked")

    good = bad.replace("31/13/2019", "31/12/2019")
    page = client.post(f"/plans/{plan.id}/import/preview", {"source": "paste", "kind": "actions", "paste": good})
    assert page.status == 200 and not page.error_summary()
    assert "3 new, 0 changed, 0 unchanged, 0 with problems" in page.text()
    form = page.soup.select_one(f'form:has(input[name=docket_action][value="/plans/{plan.id}/import/confirm"])')
    token = form.find("input", attrs={"name": "token"})["value"]
    fingerprint = form.find("input", attrs={"name": "fingerprint"})["value"]
    assert "WEB1" in page.text() and count(db, Action, Action.reference.like("WEB%")) == 0

    # The confirmation reads what the server kept, whatever else the form carries.
    page = client.post(f"/plans/{plan.id}/import/confirm",
                       {"token": token, "fingerprint": fingerprint, "paste": "ignored", "rows": "ignored"})
    assert page.status == 302 and page.response.location == f"/plans/{plan.id}"
    assert count(db, Action, Action.reference.like("WEB%")) == 3
    with client.c.session_transaction() as session:
        assert ("success", "Imported 3 new actions.") in session["_flashes"]

    # The same token cannot be used twice.
    page = client.post(f"/plans/{plan.id}/import/confirm", {"token": token, "fingerprint": fingerprint})
    assert page.status == 302 and page.response.location == f"/plans/{plan.id}/import"
    assert count(db, Action, Action.reference.like("WEB%")) == 3


def test_import_form_errors(plan, sign_in_as):
    client = sign_in_as("admin")
    page = client.post(f"/plans/{plan.id}/import/preview", {"source": "file"}, content_type="multipart/form-data")
    assert page.status == 400 and page.error_summary() == ["Choose a file to upload"]
    assert page.field_error("file") == "Choose a file to upload"
    page = client.post(f"/plans/{plan.id}/import/preview", {"source": "paste", "paste": ""})
    assert page.status == 400 and page.field_error("paste") == "Paste a table, with its heading row first."
    page = client.post(f"/plans/{plan.id}/import/preview",
                       {"source": "file", "file": (io.BytesIO(b"%PDF-1.7"), "plan.pdf")},
                       content_type="multipart/form-data")
    assert page.status == 400 and "This is a PDF" in page.field_error("file")
    # htmx gets the same page with its real status (htmx shows error responses: static/js/docket.js),
    # and is told to leave the address bar alone.
    page = client.post(f"/plans/{plan.id}/import/preview", {"source": "paste", "paste": ""},
                       headers={"HX-Request": "true"})
    assert page.status == 400 and page.field_error("paste")
    assert page.response.headers["HX-Push-Url"] == "false"


def test_upload_over_10_mb_gets_a_clear_message(plan, sign_in_as, app, monkeypatch):
    client = sign_in_as("admin")
    big = b"Reference ID,Action\n" + b"x" * (10 * 1024 * 1024 + 10)
    page = client.post(f"/plans/{plan.id}/import/preview", {"source": "file", "file": (io.BytesIO(big), "big.csv")},
                       content_type="multipart/form-data")
    assert page.status == 413 and "larger than 10 MB" in page.field_error("file")
    # With the request limit set (MAX_CONTENT_LENGTH), a larger request gets the error page, never a 500.
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 12 * 1024 * 1024)
    huge = b"x" * (13 * 1024 * 1024)
    response = client.c.post(f"/plans/{plan.id}/import/preview", data={
        "csrf_token": client.csrf_token(), "source": "file", "file": (io.BytesIO(huge), "huge.csv")},
        content_type="multipart/form-data")
    assert response.status_code == 413 and "The file is too large" in response.get_data(as_text=True)


def test_large_pastes(plan, sign_in_as, app, monkeypatch):
    """The paste form is url-encoded, so Flask's MAX_FORM_MEMORY_SIZE (500 kB, multipart only)
    does not cut a big paste short; over 10 MB it gets a clear message."""
    client = sign_in_as("admin")
    text = tsv([ACTION_HEADINGS] + [new_action(f"BIG{n}", title="words " * 100) for n in range(1000)])
    assert len(text.encode()) > 500_000
    page = client.post(f"/plans/{plan.id}/import/preview", {"source": "paste", "paste": text})
    assert page.status == 200 and "1000 new, 0 changed, 0 unchanged, 0 with problems" in page.text()
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 12 * 1024 * 1024)
    page = client.post(f"/plans/{plan.id}/import/preview", {"source": "paste", "paste": "x" * (10 * 1024 * 1024 + 1)})
    assert page.status == 400 and "larger than 10 MB" in page.field_error("paste")


def test_confirm_refuses_when_the_plan_changed_after_the_preview(plan, db, sign_in_as):
    client = sign_in_as("admin")
    text = tsv([ACTION_HEADINGS, new_action("STALE1")])
    page = client.post(f"/plans/{plan.id}/import/preview", {"source": "paste", "paste": text})
    form = page.soup.select_one(f'form:has(input[name=docket_action][value="/plans/{plan.id}/import/confirm"])')
    fields = {i["name"]: i["value"] for i in form.find_all("input") if i["name"] != "csrf_token"}
    action = db.session.scalar(sa.select(Action).where(Action.reference == "CSS004"))
    action.title = "Changed by someone else"
    db.session.commit()
    page = client.post(f"/plans/{plan.id}/import/confirm", fields)
    assert page.status == 409
    assert "The plan has changed since this import was checked" in page.text()
    assert count(db, Action, Action.reference == "STALE1") == 0
    # The page offers the import again, checked against the plan as it now is.
    form = page.soup.select_one(f'form:has(input[name=docket_action][value="/plans/{plan.id}/import/confirm"])')
    fields = {i["name"]: i["value"] for i in form.find_all("input") if i["name"] != "csrf_token"}
    page = client.post(f"/plans/{plan.id}/import/confirm", fields)
    assert page.status == 302 and count(db, Action, Action.reference == "STALE1") == 1


def test_someone_elses_token_is_not_accepted(plan, db, sign_in_as):
    text = tsv([ACTION_HEADINGS, new_action("TOK1")])
    page = sign_in_as("admin").post(f"/plans/{plan.id}/import/preview", {"source": "paste", "paste": text})
    form = page.soup.select_one(f'form:has(input[name=docket_action][value="/plans/{plan.id}/import/confirm"])')
    fields = {i["name"]: i["value"] for i in form.find_all("input") if i["name"] != "csrf_token"}
    page = sign_in_as("hos").post(f"/plans/{plan.id}/import/confirm", fields)
    assert page.status == 302 and page.response.location == f"/plans/{plan.id}/import"
    page = sign_in_as("hos").post(f"/plans/{plan.id}/import/confirm", {"token": "../../etc/passwd", "fingerprint": "x"})
    assert page.status == 302
    assert count(db, Action, Action.reference == "TOK1") == 0


def test_template_download(plan, sign_in_as):
    response = sign_in_as("admin").c.get(f"/plans/{plan.id}/import/template.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="childrens-specialist-services-plan-template.xlsx"')
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Actions", "Risks", "Indicators", "Guidance"]
    assert [c.value for c in workbook["Actions"][1]] == ACTION_HEADINGS + ["Group", "Partners", "Timing"]
    assert [c.value for c in workbook["Risks"][1]] == [
        "Reference ID", "Risk", "Rating (RAG)", "Actions to Mitigate and Correct", "Responsible Officer"]
    assert [c.value for c in workbook["Indicators"][1]] == [
        "Reference ID", "Indicator Description", "2015/16 Result", "2016/17 Result", "2017/18 Result", "Polarity",
        "Latest Direction of Travel", "Responsible Officer", "Include", "Group", "Unit", "Target",
        "Collection Frequency", "Target as written", "Comparator", "National benchmark", "Regional benchmark",
        "Target rationale", "Comments"]
    with pytest.raises(TransferError, match="headings but no rows"):
        read_upload("template.xlsx", response.data)
    # Filled in on one sheet only, it imports.
    workbook["Actions"].append(new_action("TPL1"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = read_upload("template.xlsx", buffer.getvalue())
    assert [t.kind for t in result.tables] == ["actions"]


# --- who may -------------------------------------------------------------------------------------

def test_only_people_who_may_edit_the_plan_may_import(plan, people, org, make_user, sign_in_as, app, db):
    from tests.conftest import Client

    other = make_user("other.owner@example.org", "Otto Other", Role.ACTION_OWNER, ScopeKind.SERVICE,
                      org["other_service"])
    outsider = Client(app)
    assert outsider.sign_in(other.email).status == 302
    text = tsv([ACTION_HEADINGS, new_action("PERM1")])
    assert outsider.get(f"/plans/{plan.id}/import").status == 403
    assert outsider.get(f"/plans/{plan.id}/import/template.xlsx").status == 403
    assert outsider.post(f"/plans/{plan.id}/import/preview", {"source": "paste", "paste": text}).status == 403
    assert outsider.post(f"/plans/{plan.id}/import/confirm", {"token": "x" * 32, "fingerprint": "x"}).status == 403
    assert outsider.get(f"/plans/{plan.id}/export.xlsx").status == 403
    assert outsider.get(f"/plans/{plan.id}/export.csv?kind=risks").status == 403

    # The owner in the plan's own service may see (and so export) the plan, but not import.
    owner = sign_in_as("owner")
    assert owner.get(f"/plans/{plan.id}/import").status == 403
    assert owner.c.get(f"/plans/{plan.id}/export.xlsx").status_code == 200

    hos = sign_in_as("hos")
    assert hos.get(f"/plans/{plan.id}/import").status == 200
    assert hos.post(f"/plans/{plan.id}/import/preview", {"source": "paste", "paste": text}).status == 200
    assert sign_in_as("admin").get(f"/plans/{plan.id}/import").status == 200
    assert hos.get("/plans/999999/import").status == 404
    assert count(db, Action, Action.reference == "PERM1") == 0


# --- the command line ------------------------------------------------------------------------------

def test_cli_dry_run_bad_file_and_import(plan, db, app, people, tmp_path):
    runner = app.test_cli_runner()
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes([ACTION_HEADINGS, new_action("CLI1"), new_action("CLI2")]))
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([ACTION_HEADINGS, new_action("CLI3"), new_action("CLI4"),
                               new_action("CLI5", due="31/13/2019")]))
    actions = count(db, Action)

    result = runner.invoke(plans_cli, ["import", str(plan.id), str(good), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Actions (the file): 2 new, 0 changed, 0 unchanged, 0 with problems" in result.output
    assert "Dry run: nothing was stored." in result.output
    assert count(db, Action) == actions

    result = runner.invoke(plans_cli, ["import", str(plan.id), str(bad)])
    assert result.exit_code == 1
    assert ("Row 4, Completed by date: “31/13/2019” is not a date: there is no such day. "
            "Write dates like 31/03/2019 (day/month/year)") in result.output
    assert "Nothing was stored" in result.output
    assert count(db, Action) == actions

    result = runner.invoke(plans_cli, ["import", str(plan.id), str(good), "--kind", "risks"])
    assert result.exit_code == 1 and "are for actions, not risks" in result.output

    result = runner.invoke(plans_cli, ["import", str(plan.id), str(good), "--as", "hos@example.org"])
    assert result.exit_code == 0, result.output
    assert "Imported 2 new actions." in result.output
    assert count(db, Action) == actions + 2
    event = db.session.scalar(sa.select(TrailEvent).where(TrailEvent.verb == "plan_imported"))
    assert event.actor_name == "Hari Head" and json.loads(event.data)["source"] == "good.csv"

    result = runner.invoke(plans_cli, ["import", str(plan.id), str(good)])
    assert result.exit_code == 0 and "Nothing to import" in result.output
    result = runner.invoke(plans_cli, ["import", "999999", str(good)])
    assert result.exit_code == 1 and "There is no plan with id 999999" in result.output


def transfer_routes_xlsx() -> str:
    from app.plans.transfer_routes import XLSX

    return XLSX
