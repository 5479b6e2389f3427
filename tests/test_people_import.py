"""Adding people from an HR system's CSV: the preview with each row's problems, then all or nothing."""
import io
import re

import sqlalchemy as sa

from app.models import Role, ScopeKind, SetPasswordLink, TrailEvent, User
from app.users import people_import

HEADINGS = "Employee Name,Work Email,Job Title,Service,Docket Role\r\n"
GOOD_ROWS = [
    "Amira Okafor,amira.okafor@example.org,Head of Safeguarding,Children's Specialist Services,Head of Service",
    "Ben Carter,ben.carter@example.org,Team Manager,children's specialist services,action owner",
    "Chloé Durand,chloe.durand@example.org,Practice Lead,Children's Specialist Services,Action Owner",
    "Dev Patel,dev.patel@example.org,Service Manager,Highways,  head of   service ",
    "Ellen Fisher,ellen.fisher@example.org,Assistant Director Place,Highways,Assistant Director",
    "Femi Adeyemi,femi.adeyemi@example.org,Business Support Officer,,",
    "Gita Rao,gita.rao@example.org,IT Systems Lead,,Administrator",
    '"Hughes, Owen",owen.hughes@example.org,Highways Engineer,Highways,"Action owner; Head of Service"',
    "Hari Head,hos@example.org,Head of Children's Social Care,Children's Specialist Services,Head of Service",
]


def _csv(rows, bom=True, encoding="utf-8") -> bytes:
    text = HEADINGS + "\r\n".join(rows) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def _upload(admin, data: bytes, name="hr-export.csv"):
    return admin.post("/people/import", {"file": (io.BytesIO(data), name)}, token_from="/people/import",
                      content_type="multipart/form-data")


def _confirm(admin, preview_page):
    form = preview_page.soup.select_one("form input[name=fingerprint]").find_parent("form")
    data = {i["name"]: i.get("value", "") for i in form.select("input[type=hidden]")}
    return admin.post("/people/import", data)


def _count_people(db) -> int:
    return db.session.scalar(sa.select(sa.func.count(User.id)))


def test_preview_shows_each_rows_problems_and_stores_nothing(sign_in_as, people, org, db):
    admin = sign_in_as("admin")
    before = _count_people(db)
    rows = GOOD_ROWS + [
        "Ivy Stone,not-an-email,Clerk,Highways,Action owner",  # bad e-mail
        "Ben Carter,BEN.CARTER@example.org,Team Manager,Children's Specialist Services,Action owner",  # duplicate
        ",nameless@example.org,Officer,Adult Social Care,Chief Executive",  # no name, unknown service and role
    ]
    page = _upload(admin, _csv(rows))
    assert page.status == 400
    assert page.h1 == "Check the people to add"
    summary = page.error_summary()
    assert len(summary) == 3
    assert summary[0].startswith("Row 11: Email address “not-an-email” is not valid")
    assert "ben.carter@example.org is also on row 3" in summary[1]
    assert "Name is missing" in summary[2] and "There is no service called “Adult Social Care”" in summary[2]
    assert "“Chief Executive” is not a Docket role" in summary[2]
    text = page.text()
    assert text.count("New person") == 8 and text.count("Not imported") == 3
    assert "Will be updated" in text and "Job title: none → Head of Children's Social Care" in text  # Hari Head
    assert page.soup.select_one("input[name=fingerprint]") is None  # no confirm button
    assert _count_people(db) == before


def test_confirm_stores_everyone_with_roles_and_links(sign_in_as, people, org, db):
    admin = sign_in_as("admin")
    rows = GOOD_ROWS + ["Olu Owner,owner@example.org,Senior Practitioner,Children's Specialist Services,Action owner"]
    page = _upload(admin, _csv(rows))
    assert page.status == 200, page.error_summary()
    text = page.text()
    assert "8 new people, 2 to update, 0 unchanged" in text
    assert "Job title: none → Senior Practitioner" in text
    done = _confirm(admin, page)
    assert done.status == 200, done.text()
    assert done.h1 == "People added"
    links = done.soup.select("code")
    assert len(links) == 8 and all("/set-password/" in c.get_text() for c in links)
    amira = db.session.scalar(sa.select(User).where(User.email == "amira.okafor@example.org"))
    assert amira.password_hash is None and amira.job_title == "Head of Safeguarding"
    assert [(a.role, a.service_id) for a in amira.roles] == [(Role.HEAD_OF_SERVICE, org["service"].id)]
    owen = db.session.scalar(sa.select(User).where(User.email == "owen.hughes@example.org"))
    assert owen.name == "Hughes, Owen"
    assert sorted(a.role.value for a in owen.roles) == ["action_owner", "head_of_service"]
    gita = db.session.scalar(sa.select(User).where(User.email == "gita.rao@example.org"))
    assert [(a.role, a.scope_kind) for a in gita.roles] == [(Role.ADMINISTRATOR, ScopeKind.EVERYTHING)]
    assert db.session.scalar(sa.select(User.name).where(User.email == "chloe.durand@example.org")) == "Chloé Durand"
    assert db.session.scalar(sa.select(User.job_title).where(User.email == "owner@example.org")) == "Senior Practitioner"
    assert db.session.scalar(sa.select(sa.func.count(SetPasswordLink.id))) == 8
    verbs = db.session.scalars(sa.select(TrailEvent.verb)).all()
    assert verbs.count("user_created") == 6 + 8 and "people_imported" in verbs and "user_edited" in verbs
    # The same confirm again (a double-click, or the back button): refused, nothing twice.
    people_now = _count_people(db)
    again = _confirm(admin, page)
    assert again.status == 409 and "Nothing was stored" in again.text()
    assert _count_people(db) == people_now


def test_excel_cp1252_semicolons_and_first_name_surname():
    data = ("First name;Surname;E-mail address;Position;Service Area;Role\r\n"
            "Zoë;Brontë;zoe.bronte@example.org;Officer;;\r\n").encode("cp1252")
    headings, rows = people_import.read_csv(data)
    assert rows == [(2, {"first_name": "Zoë", "surname": "Brontë", "email": "zoe.bronte@example.org",
                         "job_title": "Officer", "service": "", "role": "", "name": "Zoë Brontë"})]


def test_a_file_without_an_email_column_is_refused(sign_in_as, people):
    admin = sign_in_as("admin")
    page = _upload(admin, b"Name,Phone\r\nAnn,123\r\n")
    assert page.status == 400 and "no email address column" in page.error_summary()[0]
    page = admin.post("/people/import", {}, token_from="/people/import")
    assert page.status == 400 and page.error_summary() == ["Choose a CSV file to upload"]


def test_cli_import(app, people, org, db, tmp_path):
    runner = app.test_cli_runner()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv(GOOD_ROWS + ["Ivy Stone,not-an-email,Clerk,Highways,Action owner"]))
    before = _count_people(db)
    result = runner.invoke(args=["users", "import", str(bad)])
    assert result.exit_code == 1
    assert "Row 11: problem: Ivy Stone" in result.output and "1 row has a problem: nothing was stored" in result.output
    assert _count_people(db) == before
    good = tmp_path / "good.csv"
    good.write_bytes(_csv(GOOD_ROWS))
    result = runner.invoke(args=["users", "import", str(good), "--dry-run"])
    assert result.exit_code == 0 and "Checked: 8 new, 1 to update, 0 unchanged" in result.output
    assert _count_people(db) == before
    result = runner.invoke(args=["users", "import", str(good)])
    assert result.exit_code == 0, result.output
    assert "Imported: 8 new, 1 updated, 0 unchanged." in result.output
    assert len(re.findall(r"/set-password/\S+", result.output)) == 8
    assert _count_people(db) == before + 8
    result = runner.invoke(args=["users", "import", str(tmp_path / "missing.csv")])
    assert result.exit_code == 2


def test_a_retired_service_cannot_be_given(people, org, db):
    from app.models import utcnow

    org["other_service"].retired_at = utcnow()
    db.session.commit()
    _, rows = people_import.read_csv(_csv(["Dev Patel,dev.patel@example.org,Service Manager,Highways,Head of Service"]))
    pv = people_import.preview(rows)
    assert not pv.ok
    assert pv.rows[0].problems == ["The service Highways is retired: people cannot be given it"]
