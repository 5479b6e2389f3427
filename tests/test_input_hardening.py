"""Uploads and input, hardened: PDFs checked by parsing them; imports whose memory is bounded by
their size and whose confirmation is safe to double-click; control characters refused by one
rule in every form; search words taken literally."""
import io
import zipfile
from datetime import date, timedelta

import openpyxl
import pytest
import sqlalchemy as sa
import wtforms
from flask_wtf import FlaskForm
from pypdf import PdfWriter
from pypdf.actions import JavaScript

from app.extensions import db as _db
from app.models import Action, MeetingDocument, Plan, ProgressUpdate, TrailEvent
from app.plans import transfer
from app.updates.attachments import AttachmentRefused, sniff
from tests import pdf_samples, racing
from tests.conftest import TEST_PASSWORD

REFUSE_AFTER = "Print it to a new PDF (choose Print, then Save as PDF) and attach that"
SCRIPTS = "The selected PDF contains scripts (JavaScript), which are not allowed. " + REFUSE_AFTER
RUNS = ("The selected PDF contains an action that opens another program or file or sends data, which is not "
        "allowed. " + REFUSE_AFTER)
EMBEDDED = "The selected PDF contains embedded files, which are not allowed. " + REFUSE_AFTER
MEDIA = "The selected PDF contains embedded media, which is not allowed. " + REFUSE_AFTER
XFA = "The selected PDF contains an XFA form, which can run scripts and is not allowed. " + REFUSE_AFTER
ENCRYPTED = ("The selected PDF is protected by a password or encrypted, so Docket cannot check it. Save a copy "
             "without the protection and attach that")
DAMAGED = "The selected PDF is damaged and cannot be opened. Save it again as a PDF and attach that"


def _written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _pypdf_with_open_action_script() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_open_action(JavaScript("app.alert('hello');"))
    return _written(writer)


def _pypdf_with_attachment() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_attachment("payload.txt", b"hello")
    return _written(writer)


def _encrypted(user_password: str) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt(user_password, "owner-password")
    return _written(writer)


SCRIPT_ACTION = {4: b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"}
REFUSED_PDFS = [
    ("script opened with the file (pypdf)", _pypdf_with_open_action_script, SCRIPTS),
    ("names written with escapes", lambda: pdf_samples.plain_pdf(
        b" /OpenAction 4 0 R", more={4: b"<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>"}), SCRIPTS),
    ("script in a compressed object stream", lambda: pdf_samples.plain_pdf(
        b" /OpenAction 4 0 R", more=SCRIPT_ACTION, compressed=(1, 4)), SCRIPTS),
    ("script in an object stream nothing points to", lambda: pdf_samples.plain_pdf(
        more=SCRIPT_ACTION, compressed=(4,)), SCRIPTS),
    ("launch when the page opens (AA), escaped", lambda: pdf_samples.plain_pdf(
        extra_page=b" /AA << /O << /S /L#61unch /F (calc.exe) >> >>"), RUNS),
    ("launch on opening, compressed", lambda: pdf_samples.plain_pdf(
        b" /OpenAction 4 0 R", more={4: b"<< /S /Launch /F (cmd.exe) >>"}, compressed=(4,)), RUNS),
    ("a link to another file's script (GoToR)", lambda: pdf_samples.plain_pdf(
        extra_page=b" /Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /GoToR /F (\\\\\\\\evil\\\\x.pdf) "
                   b"/D [0 /Fit] >> >>]"), RUNS),
    ("an embedded file (pypdf)", _pypdf_with_attachment, EMBEDDED),
    ("embedded media", lambda: pdf_samples.plain_pdf(
        extra_page=b" /Annots [<< /Type /Annot /Subtype /RichMedia /Rect [0 0 9 9] >>]"), MEDIA),
    ("an XFA form", lambda: pdf_samples.plain_pdf(
        b" /AcroForm << /Fields [] /XFA 4 0 R >>", more={4: b"<< /Length 0 >>\nstream\n\nendstream"}), XFA),
    ("encrypted with a password", lambda: _encrypted("secret"), ENCRYPTED),
    ("encrypted without one (owner password only)", lambda: _encrypted(""), ENCRYPTED),
    ("not a PDF past its first line", lambda: b"%PDF-1.4 minutes of the board", DAMAGED),
    ("cut short", lambda: pdf_samples.a_pdf()[:300], DAMAGED),
]


@pytest.mark.parametrize("build,message", [(b, m) for _, b, m in REFUSED_PDFS], ids=[n for n, _, _ in REFUSED_PDFS])
def test_a_pdf_that_could_run_something_or_cannot_be_checked_is_refused(build, message):
    with pytest.raises(AttachmentRefused) as refused:
        sniff(build(), "minutes.pdf")
    assert str(refused.value) == message


def _weasyprint_pdf() -> bytes:
    from weasyprint import HTML

    return HTML(string="<h1>Minutes</h1><p>Agreed. See <a href='https://www.york.gov.uk'>the council</a>.</p>"
                ).write_pdf()


CLEAN_PDFS = [
    ("made by WeasyPrint, with a web link", _weasyprint_pdf),
    ("made by pypdf", pdf_samples.a_pdf),
    ("with its objects in a compressed object stream", lambda: pdf_samples.plain_pdf(compressed=(1, 2, 3))),
    ("with a link to a web page", lambda: pdf_samples.plain_pdf(
        extra_page=b" /Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /URI /URI (https://x.org) >> >>]")),
]


@pytest.mark.parametrize("build", [b for _, b in CLEAN_PDFS], ids=[n for n, _ in CLEAN_PDFS])
def test_a_clean_pdf_is_accepted(build):
    assert sniff(build(), "Minutes.PDF") == "pdf"


@pytest.fixture()
def update(db, org, people):
    """The owner's progress update, a draft, in an open quarter."""
    from app.models import ReportingPeriod
    from app.updates import service

    plan = Plan(service=org["service"], title="Service Improvement Plan")
    action = Action(plan=plan, reference="A1", title="Recruit foster carers", owner=people["owner"])
    today = date.today()
    period = ReportingPeriod(name="Q2 2019/20", starts_on=today - timedelta(days=90), ends_on=today - timedelta(days=1),
                             update_deadline=today + timedelta(days=7), signoff_deadline=today + timedelta(days=14))
    db.session.add_all([plan, action, period])
    db.session.commit()
    service.open_period(period, people["admin"])
    return db.session.scalar(sa.select(ProgressUpdate).where(ProgressUpdate.action_id == action.id))


def test_an_attachment_with_a_hidden_script_is_refused_and_a_clean_one_kept(db, update, sign_in_as):
    owner = sign_in_as("owner")
    url = f"/updates/{update.id}"
    hidden = pdf_samples.plain_pdf(b" /OpenAction 4 0 R", more=SCRIPT_ACTION, compressed=(1, 4))
    page = owner.post(f"{url}/attachments", {"file": (io.BytesIO(hidden), "minutes.pdf")}, token_from=url,
                      follow=True, content_type="multipart/form-data")
    assert f"minutes.pdf was not attached: {SCRIPTS}." in page.text()
    db.session.expire_all()
    assert db.session.get(ProgressUpdate, update.id).attachments == []
    assert not db.session.scalar(sa.select(TrailEvent).where(TrailEvent.verb == "attachment_added"))

    clean = _weasyprint_pdf()
    page = owner.post(f"{url}/attachments", {"file": (io.BytesIO(clean), "minutes.pdf")}, token_from=url,
                      follow=True, content_type="multipart/form-data")
    assert "minutes.pdf was attached" in page.text()
    db.session.expire_all()
    assert [a.filename for a in db.session.get(ProgressUpdate, update.id).attachments] == ["minutes.pdf"]


def test_a_meeting_document_gets_the_same_check(db, org, people, sign_in_as):
    from app.meetings import service

    meeting = racing.new_meeting(org["committee"], 60)
    service.start_agenda(meeting, people["clerk"])
    clerk = sign_in_as("clerk")
    version = clerk.get(f"/meetings/{meeting.id}/agenda").soup.select_one("input[name=version]")["value"]
    escaped = pdf_samples.plain_pdf(extra_page=b" /AA << /O << /S /L#61unch /F (calc.exe) >> >>")
    page = clerk.post(f"/meetings/{meeting.id}/documents", {
        "kind": "minutes", "agenda_item_id": "", "version": version,
        "document": (io.BytesIO(escaped), "minutes.pdf")}, content_type="multipart/form-data")
    assert page.status == 400
    assert page.error_summary() == [RUNS]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MeetingDocument)) == 0


# --- the import: memory bounded by the size of the input -------------------------------------------

@pytest.fixture()
def plan(db, org, people):
    plan = Plan(service=org["service"], title="Service Improvement Plan")
    db.session.add_all([plan, Action(plan=plan, reference="A1", title="Recruit foster carers",
                                     owner=people["owner"])])
    db.session.commit()
    return plan


def _nothing_stored(db, plan) -> None:
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Action)) == 1
    assert not db.session.scalar(sa.select(TrailEvent).where(TrailEvent.verb == "plan_imported"))


CELLS = ("The pasted table has more than 250,000 cells, which is more than a plan has: Docket imports up to 5,000 "
         "rows of up to 100 columns at a time. Copy only the plan's rows and columns, or import it in parts.")


@pytest.mark.parametrize("paste", [
    # three million tabs (9 MB as the browser sends them; four million, as in the 870 MB report, are now
    # over the 12 MB a request may be, so refused before Docket reads them)
    "Reference ID\tAction\n" + "\t" * (3 * 1024 * 1024),
    "Reference ID\tAction\nA2\tRecruit\n" + "\t\n" * 200_000,
], ids=["one row of three million tabs", "two hundred thousand short rows"])
def test_a_paste_of_millions_of_cells_is_refused_before_a_table_is_built(db, plan, sign_in_as, paste):
    page = sign_in_as("admin").post(f"/plans/{plan.id}/import/preview", {"source": "paste", "paste": paste})
    assert page.status == 400
    assert page.field_error("paste") == CELLS
    _nothing_stored(db, plan)


def test_a_row_wider_than_a_hundred_columns_is_refused_on_its_row(db, plan, sign_in_as):
    admin = sign_in_as("admin")
    wide = "Reference ID\tAction\nA2\tRecruit\t" + "\t".join(["x"] * 148) + "\t\t\t\n"
    page = admin.post(f"/plans/{plan.id}/import/preview", {"source": "paste", "paste": wide})
    assert page.status == 400
    assert page.field_error("paste") == ("Row 2 of the pasted table has 150 columns: Docket reads up to 100. Copy "
                                         "only the plan's columns, or use the template.")
    csv = ("Reference ID,Action\n" + "A2,Recruit," + ",".join(["x"] * 148) + "\n").encode()
    page = admin.post(f"/plans/{plan.id}/import/preview", {"source": "file", "file": (io.BytesIO(csv), "plan.csv")},
                      content_type="multipart/form-data")
    assert page.status == 400
    assert page.field_error("file") == ("Row 2 of the file has 150 columns: Docket reads up to 100. Copy only the "
                                        "plan's columns, or use the template.")
    # Blank cells at the end of a row (a wide selection copied from Excel) are no problem.
    page = admin.post(f"/plans/{plan.id}/import/preview",
                      {"source": "paste", "paste": "Reference ID\tAction" + "\t" * 300 + "\nA2\tRecruit" + "\t" * 300})
    assert page.status == 200 and "1 new, 0 changed, 0 unchanged, 0 with problems" in page.text()
    _nothing_stored(db, plan)


def _workbook(sheet_xml: str | None = None) -> bytes:
    """A real workbook (openpyxl), its first sheet's XML replaced if `sheet_xml` is given."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Actions"
    sheet.append(["Reference ID", "Action"])
    sheet.append(["A2", "Recruit more carers"])
    out = io.BytesIO()
    book.save(out)
    if sheet_xml is None:
        return out.getvalue()
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    rebuilt = io.BytesIO()
    with zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = sheet_xml.encode() if info.filename == "xl/worksheets/sheet1.xml" else source.read(info)
            target.writestr(info.filename, data)
    return rebuilt.getvalue()


def _sheet(rows_xml: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>Reference ID</t></is></c>'
            '<c r="B1" t="inlineStr"><is><t>Action</t></is></c></row>'
            f'{rows_xml}</sheetData></worksheet>')


@pytest.mark.parametrize("rows_xml,message", [
    ('<row r="2"><c r="A2" t="inlineStr"><is><t>A2</t></is></c><c r="XFD2"><v>1</v></c></row>',
     "A sheet of this workbook has something in column XFD: Docket reads up to 100 columns (CV). Move or delete "
     "what is beyond them, or copy just the plan's columns to a new workbook."),
    ("".join(f'<row r="{r}">' + '<c s="0"/>' * 100 + "</row>" for r in range(2, 5100)),
     "A sheet of this workbook has more than 500,000 cells (formatted blank cells count too). Copy just the plan's "
     "rows and columns to a new workbook and try again."),
    ('<row r="2">' + '<c s="0"/>' * 17_000 + "</row>",
     "A row of this workbook has more than 16,384 cells. Copy just the plan's rows and columns to a new workbook "
     "and try again."),
], ids=["a value in the last column", "half a million formatted blank cells", "a row of 17,000 cells"])
def test_a_workbook_too_big_to_read_is_refused_before_it_is_read(db, plan, sign_in_as, rows_xml, message):
    data = _workbook(_sheet(rows_xml))
    assert len(data) < 1024 * 1024  # small as a file: it is what it unpacks to that counts
    page = sign_in_as("admin").post(f"/plans/{plan.id}/import/preview",
                                    {"source": "file", "file": (io.BytesIO(data), "plan.xlsx")},
                                    content_type="multipart/form-data")
    assert page.status == 400 and page.field_error("file") == message
    _nothing_stored(db, plan)


def test_a_workbook_that_unpacks_to_more_than_50_mb_is_refused(db, plan, sign_in_as):
    rebuilt = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_workbook())) as source, \
            zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info))
        target.writestr("xl/media/image1.png", b"\0" * (51 * 1024 * 1024))
    page = sign_in_as("admin").post(f"/plans/{plan.id}/import/preview",
                                    {"source": "file", "file": (io.BytesIO(rebuilt.getvalue()), "plan.xlsx")},
                                    content_type="multipart/form-data")
    assert page.status == 400 and page.field_error("file") == (
        "This workbook is too large once unpacked. Save just the sheets to import in a new workbook and try again.")
    _nothing_stored(db, plan)


def test_a_workbook_in_bounds_still_imports(db, plan, sign_in_as):
    page = sign_in_as("admin").post(f"/plans/{plan.id}/import/preview",
                                    {"source": "file", "file": (io.BytesIO(_workbook()), "plan.xlsx")},
                                    content_type="multipart/form-data")
    assert page.status == 200 and "1 new, 0 changed, 0 unchanged, 0 with problems" in page.text()


# --- the import's confirmation: safe to double-click and to race ------------------------------------

PASTE = "Reference ID\tAction\tAccountable officer\nB1\tRecruit more carers\tOlu Owner\nB2\tAudit files\tOlu Owner\n"


def test_a_confirmation_that_loses_the_race_stores_nothing(db, plan, people):
    """A confirmation that passed the check of the plan's rows, while another (the first click,
    or a colleague) updated the plan's row and committed: the plan's row decides, rows stay out."""
    pv = transfer.preview(plan, transfer.read_paste(PASTE))
    assert pv.ok and pv.counts["new"] == 2
    loaded = db.session.get(Plan, plan.id)
    with _db.engine.begin() as conn:  # the other request's update of the plan's row, committed
        conn.execute(sa.update(Plan.__table__).where(Plan.__table__.c.id == plan.id)
                     .values(version=Plan.__table__.c.version + 1))
    with pytest.raises(transfer.StalePreview) as refused:
        transfer.apply(loaded, pv, people["admin"], source="pasted table")
    assert "Nothing has been saved" in str(refused.value)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Action)
                             .where(Action.reference.in_(["B1", "B2"]))) == 0
    assert not db.session.scalar(sa.select(TrailEvent).where(TrailEvent.verb == "plan_imported"))


def test_twenty_confirmations_of_one_preview_at_once_store_the_rows_once(app, db, plan, people):
    with racing.serving(app) as base:
        browser = racing.Browser(base)
        browser.sign_in(people["admin"].email, TEST_PASSWORD)
        token = racing.csrf_token(browser.get(f"/plans/{plan.id}/import").text)
        preview = browser.post(f"/plans/{plan.id}/import/preview",
                               {"csrf_token": token, "source": "paste", "paste": PASTE})
        assert preview.status == 200, preview.text[:500]
        form = {"csrf_token": token, "token": racing.form_value(preview.text, "token"),
                "fingerprint": racing.form_value(preview.text, "fingerprint")}
        answers, _ = racing.race([browser] * 20, f"/plans/{plan.id}/import/confirm", [form] * 20)
    statuses = racing.tally(answers)
    assert set(statuses) <= {302, 409} and statuses.get(302, 0) >= 1, statuses
    stored = [a for a in answers if a.status == 302 and a.location.endswith(f"/plans/{plan.id}")]
    assert len(stored) == 1, statuses
    for answer in answers:
        if answer.status == 409:
            assert "Nothing has been saved" in answer.text
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Action)
                             .where(Action.reference.in_(["B1", "B2"]))) == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TrailEvent)
                             .where(TrailEvent.verb == "plan_imported")) == 1


# --- control characters: one rule for every text box --------------------------------------------------

def _form(page) -> dict:
    from tests.test_plans import _form as form_values

    return form_values(page)


def test_a_line_break_in_a_one_line_field_is_refused_beside_it_and_nothing_is_saved(db, plan, sign_in_as):
    action = db.session.scalar(sa.select(Action))
    admin = sign_in_as("admin")
    data = _form(admin.get(f"/actions/{action.id}/edit"))
    data["reference"] = "A1\r\nA9"
    page = admin.post(f"/actions/{action.id}/edit", data)
    assert page.status == 400
    assert page.field_error("reference") == "Reference ID must be on one line: remove the line break"
    assert "Reference ID must be on one line: remove the line break" in page.error_summary()
    data["reference"], data["type_note"] = "A1", "Statutory\x00"
    page = admin.post(f"/actions/{action.id}/edit", data)
    assert page.status == 400
    assert page.field_error("type_note") == ("Note on the type contains a hidden control character (U+0000) that "
                                             "cannot be stored: delete it, or type the text again rather than "
                                             "pasting it")
    db.session.expire_all()
    assert db.session.get(Action, action.id).reference == "A1"
    assert not db.session.scalar(sa.select(TrailEvent).where(TrailEvent.verb == "action_edited"))


def test_a_text_area_keeps_line_breaks_and_tabs_but_refuses_other_control_characters(db, plan, sign_in_as):
    action = db.session.scalar(sa.select(Action))
    admin = sign_in_as("admin")
    data = _form(admin.get(f"/actions/{action.id}/edit"))
    data["title"] = "Recruit foster carers\x1b[31m"
    page = admin.post(f"/actions/{action.id}/edit", data)
    assert page.status == 400 and page.field_error("title").startswith(
        "Action contains a hidden control character (U+001B)")
    assert page.soup.select_one("#title").get_text() == "Recruit foster carers\x1b[31m"  # what was typed is kept
    data["title"] = "Recruit foster carers:\r\n\tten more by March"
    assert admin.post(f"/actions/{action.id}/edit", data).status == 302
    db.session.expire_all()
    assert db.session.get(Action, action.id).title.replace("\r\n", "\n") == "Recruit foster carers:\n\tten more by March"


@pytest.mark.parametrize("url,field,label", [
    ("/periods/new", "name", "Name"),
    ("/sign-in", "email", "Email address"),
])
def test_other_forms_refuse_line_breaks_the_same_way(db, people, sign_in_as, client, url, field, label):
    who = client if url == "/sign-in" else sign_in_as("admin")
    page = who.post(url, {field: "Q2\n2019/20"}, token_from=url)
    assert page.status in (200, 400)
    assert page.field_error(field) == f"{label} must be on one line: remove the line break"


def _form_classes():
    import importlib
    import pkgutil

    import app as package

    for module in pkgutil.walk_packages(package.__path__, "app."):
        importlib.import_module(module.name)
    seen, todo = [], list(FlaskForm.__subclasses__())
    while todo:
        cls = todo.pop()
        seen.append(cls)
        todo.extend(cls.__subclasses__())
    return seen


def test_every_text_box_in_every_form_is_one_of_the_two_checked_fields():
    from app.forms import StringField, TextAreaField

    classes = _form_classes()
    assert len(classes) > 10
    unchecked = []
    for cls in classes:
        for name in dir(cls):
            unbound = getattr(cls, name, None)
            field_class = getattr(unbound, "field_class", None)
            if not (isinstance(field_class, type) and issubclass(field_class, wtforms.StringField)):
                continue
            if issubclass(field_class, (wtforms.HiddenField, wtforms.PasswordField)):
                continue  # versions and tokens, parsed on their own; passwords may hold anything
            if not issubclass(field_class, (StringField, TextAreaField)):
                unchecked.append(f"{cls.__module__}.{cls.__name__}.{name}")
    assert unchecked == []


def test_an_imported_reference_with_a_line_break_is_named_by_row_and_column(plan):
    paste = 'Reference ID\tAction\nB1\tRecruit\n"B\n2"\tAudit\n'
    pv = transfer.preview(plan, transfer.read_paste(paste))
    assert [p.qualified() for p in pv.problems] == [
        "Row 3, Reference ID: Reference ID must be on one line: remove the line break"]
    nul = "Reference ID\tAction\nB1\tRecruit\x00\n"
    pv = transfer.preview(plan, transfer.read_paste(nul))
    assert [str(p) for p in pv.problems] == [
        "Row 2, Action: Action contains a hidden control character (U+0000) that cannot be stored: delete it, or "
        "type the text again rather than pasting it"]


# --- search: the words as written ---------------------------------------------------------------------

@pytest.mark.parametrize("query,expected", [("%25", ["P1"]), ("_", ["U1"]), ("%25_", []), ("95%25", ["P1"])])
def test_search_takes_percent_and_underscore_literally(db, plan, people, sign_in_as, query, expected):
    db.session.add_all([
        Action(plan=plan, reference="P1", title="Raise attendance to 95% of pupils", owner=people["owner"]),
        Action(plan=plan, reference="U1", title="Review case_files", owner=people["owner"]),
        Action(plan=plan, reference="N1", title="Nothing special", owner=people["owner"]),
    ])
    db.session.commit()
    page = sign_in_as("admin").get(f"/plans/{plan.id}?q={query}")
    assert page.status == 200
    refs = [a.get_text(strip=True) for a in page.soup.select("#action-results tbody tr td:first-child a")]
    assert sorted(refs) == expected


# --- a url-encoded form: read in memory bounded by its size (app/formdata.py) -------------------------

FORMS = [b"a=1&b=2", b"a&b=&=c&&", b"x=%zz%4&y=%e2%82%ac+%2B", b"q=%ff%fe%", b"name=caf%C3%A9&t=%09%0a",
         b"paste=" + b"%09" * 70_000 + b"%4", b"paste=" + b"%E2%82%AC" * 30_000 + b"&kind=actions"]


@pytest.mark.parametrize("body", FORMS, ids=range(len(FORMS)))
def test_a_form_is_read_exactly_as_the_standard_library_reads_it(body):
    from urllib.parse import parse_qsl

    from werkzeug.datastructures import MultiDict

    from app.formdata import BoundedFormParser

    _, form, _ = BoundedFormParser()._parse_urlencoded(io.BytesIO(body), "application/x-www-form-urlencoded",
                                                       len(body), {})
    expected = MultiDict(parse_qsl(body.decode(), keep_blank_values=True, errors="werkzeug.url_quote"))
    assert list(form.items(multi=True)) == list(expected.items(multi=True))


def test_a_form_of_more_than_ten_thousand_fields_is_refused(client):
    response = client.c.post("/sign-in", data=b"a=&" * 10_000, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    response = client.c.post("/sign-in", data=b"a=&" * 9_000 + b"email=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400  # read, and refused as a sign-in without a form token
