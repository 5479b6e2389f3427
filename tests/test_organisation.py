"""Administration: directorates, services, committees and settings — in the browser's pages,
in the service functions and on the command line, with the trail of every change."""
import io
import json
import re

import pytest
import sqlalchemy as sa

from app.models import (Committee, CouncilSetting, Directorate, MemberRole, Plan, Role, RoleAssignment, ScopeKind,
                        Service, TrailEvent)
from app.organisation import service as org


class Event:
    """A trail event as read back: its data parsed."""

    def __init__(self, row):
        self.object_id, self.object_type, self.actor_id, self.actor_name = (
            row.object_id, row.object_type, row.actor_id, row.actor_name)
        self.data = json.loads(row.data) if row.data else None


def events(db, verb):
    rows = db.session.scalars(sa.select(TrailEvent).where(TrailEvent.verb == verb).order_by(TrailEvent.seq)).all()
    return [Event(r) for r in rows]


def form_values(page, form_index=0):
    """What the browser would send for a page's form, as it stands."""
    form = page.soup.select("main form")[form_index]
    data = {}
    for field in form.find_all(["input", "select", "textarea"]):
        name = field.get("name")
        if not name or field.get("type") == "submit":
            continue
        if field.name == "select":
            chosen = field.find("option", selected=True)
            data[name] = chosen["value"] if chosen else ""
        elif field.name == "textarea":
            data[name] = field.get_text()
        elif field.get("type") == "checkbox":
            if field.has_attr("checked"):
                data.setdefault(name, []).append(field["value"])
        else:
            data[name] = field.get("value", "")
    return data


def option_value(page, select_name, text):
    select = page.soup.find("select", attrs={"name": select_name})
    for option in select.find_all("option"):
        if option.get_text(strip=True).startswith(text):
            return option["value"]
    raise AssertionError(f"no option {text!r} in {select_name}")


# --- service functions ----------------------------------------------------------------------

def test_directorate_created_renamed_and_retired_on_the_trail(db, people):
    admin = people["admin"]
    d = org.create_directorate("Corporate Services", people["ad"], None, actor=admin)
    db.session.commit()
    assert events(db, "directorate_created")[0].data == {"name": "Corporate Services", "director": "Alex Director",
                                                        "director_title": None}
    changes = org.edit_directorate(d, d.version, "Customer and Corporate Services", people["ad"], None, actor=admin)
    db.session.commit()
    assert changes == {"Name": ["Corporate Services", "Customer and Corporate Services"]}
    renamed = events(db, "directorate_renamed")[0]
    assert renamed.data == {"changes": {"Name": ["Corporate Services", "Customer and Corporate Services"]}}
    assert renamed.actor_name == "Ada Admin"
    org.retire_directorate(d, d.version, actor=admin)
    db.session.commit()
    assert d.retired_at is not None and d not in org.live_directorates()
    assert events(db, "directorate_retired")[0].object_id == d.id


def test_a_directorate_with_live_services_is_not_retired(db, org_people):
    d = org_people["org"]["directorate"]
    with pytest.raises(org.OrgError, match="Move or retire its services first: Children's Specialist Services"):
        org.retire_directorate(d, d.version)


def test_names_that_exist_are_refused_naming_the_existing_one(db, org_people):
    with pytest.raises(org.OrgError, match="There is already a directorate called Place"):
        org.create_directorate("  place ")
    with pytest.raises(org.OrgError, match="There is already a service called Highways"):
        org.create_service("HIGHWAYS", org_people["org"]["directorate"])
    with pytest.raises(org.OrgError, match="There is already a committee called Children, Education"):
        org.create_committee("children, education & communities policy & scrutiny committee")
    org.create_directorate("Économie")
    with pytest.raises(org.OrgError, match="There is already a directorate called Économie"):
        org.create_directorate("ÉCONOMIE")


def test_service_people_are_role_assignments_and_moving_is_on_the_trail(db, org_people):
    people, place = org_people, db.session.scalar(sa.select(Directorate).where(Directorate.name == "Place"))
    admin = people["admin"]
    s = org.create_service("Waste", place, people["ad"], [people["hos"]], actor=admin)
    db.session.commit()
    assert org.assistant_director_of(s) == people["ad"] and s.plan_holder == people["ad"]
    assert org.heads_of(s) == [people["hos"]]
    granted = [e.data for e in events(db, "role_granted") if e.data.get("scope_name") == "Waste"]
    assert {g["role"] for g in granted} == {"assistant_director", "head_of_service"}
    changes = org.edit_service(s, s.version, "Waste and Recycling", people["org"]["directorate"], None,
                               [people["owner"]], actor=admin)
    db.session.commit()
    assert changes["Directorate"] == ["Place", "Children, Education and Communities"]
    assert changes["Heads of Service"] == ["Hari Head", "Olu Owner"]
    assert changes["Assistant Director"] == ["Alex Director", None]
    assert events(db, "service_moved")[0].data == {
        "changes": {"Directorate": ["Place", "Children, Education and Communities"]}}
    edited = events(db, "service_edited")[0].data["changes"]
    assert edited["Name"] == ["Waste", "Waste and Recycling"]
    assert not db.session.scalar(sa.select(RoleAssignment).where(
        RoleAssignment.user_id == people["hos"].id, RoleAssignment.service_id == s.id))
    assert [e.data["role"] for e in events(db, "role_revoked")] == ["assistant_director", "head_of_service"]


def test_a_stale_edit_is_refused(db, org_people):
    from app.concurrency import Refused

    s = org_people["org"]["service"]
    old = s.version
    org.edit_service(s, old, "Children's Services", s.directorate, None, [])
    db.session.commit()
    with pytest.raises(Refused, match="Nothing was changed"):
        org.edit_service(s, old, "Something else", s.directorate, None, [])


def test_committee_created_with_members_clerk_role_and_retired(db, org_people):
    people = org_people
    c = org.create_committee(
        "Health and Adult Social Care Policy and Scrutiny Committee",
        members=[("Councillor D Taylor", MemberRole.CHAIR), ("Councillor Webb", MemberRole.VICE_CHAIR),
                 ("Councillor Fenton", MemberRole.MEMBER)],
        clerk=people["nobody"], clerk_telephone="(01904) 551031", actor=people["admin"])
    db.session.commit()
    assert [(m.name, m.role) for m in c.members][0] == ("Councillor D Taylor", MemberRole.CHAIR)
    assert c.clerk_name == "Nia Nobody" and c.clerk_email == "nobody@example.org"
    created = events(db, "committee_created")[0].data
    assert created["chair"] == "Councillor D Taylor" and created["vice_chair"] == "Councillor Webb"
    assert db.session.scalar(sa.select(RoleAssignment).where(
        RoleAssignment.user_id == people["nobody"].id, RoleAssignment.role == Role.CLERK,
        RoleAssignment.committee_id == c.id))
    with pytest.raises(org.OrgError, match="one Chair"):
        org.create_committee("Another", members=[("A", MemberRole.CHAIR), ("B", MemberRole.CHAIR)])
    org.retire_committee(c, actor=people["admin"])
    db.session.commit()
    assert c.retired_at is not None and c not in org.live_committees()
    from app.concurrency import Refused

    with pytest.raises(Refused, match="already retired"):
        org.retire_committee(c)


@pytest.fixture()
def org_people(org, people):
    return dict(people, org=org)


# --- pages ----------------------------------------------------------------------------------

def test_only_administrators_reach_administration(sign_in_as):
    for who in ("hos", "clerk", "nobody"):
        c = sign_in_as(who)
        for url in ("/admin/", "/admin/organisation", "/admin/directorates/new", "/admin/settings",
                    "/admin/committees/new"):
            assert c.get(url).status == 403, (who, url)
        assert c.post("/admin/directorates/new", {"name": "Sneaky"}).status == 403
    admin = sign_in_as("admin")
    home = admin.get("/admin/")
    assert home.h1 == "Administration"
    links = [a.get_text(strip=True) for a in home.soup.select("main dt a")]
    assert links == ["Directorates and services", "Plans", "Committees", "People", "Reporting periods", "Settings",
                     "Trail"]
    nav = [a.get_text(strip=True) for a in home.soup.select(".govuk-service-navigation__list a")]
    assert "Administration" in nav and "People" not in nav and "Trail" not in nav
    # The pages that keep their addresses count as the Administration area.
    people = admin.get("/people/")
    active = people.soup.select_one(".govuk-service-navigation__item--active a")
    assert active.get_text(strip=True) == "Administration"


def test_adding_a_directorate_and_a_service_in_the_pages(db, sign_in_as, org_people):
    admin = sign_in_as("admin")
    form = admin.get("/admin/directorates/new")
    assert form.h1 == "Add a directorate"
    data = {"name": "Economy and Place", "director_id": option_value(form, "director_id", "Alex Director"),
            "director_title": "Corporate Director of Economy and Place"}
    done = admin.post("/admin/directorates/new", data, token_from="/admin/directorates/new")
    assert done.status == 302
    listing = admin.get("/admin/organisation")
    assert "Economy and Place" in listing.text()
    assert "Alex Director, Corporate Director of Economy and Place" in listing.text()

    again = admin.post("/admin/directorates/new", {"name": "economy and place"})
    assert again.status == 400
    assert again.field_error("name") == "There is already a directorate called Economy and Place"
    assert again.error_summary() == ["There is already a directorate called Economy and Place"]

    empty = admin.post("/admin/services/new", {"name": "", "directorate_id": ""})
    assert empty.status == 400
    assert empty.field_error("name") == "Enter the service's name"
    assert empty.field_error("directorate_id") == "Choose the service's directorate"

    page = admin.get("/admin/services/new")
    data = {"name": "Highways and Transport", "directorate_id": option_value(page, "directorate_id", "Economy"),
            "assistant_director_id": option_value(page, "assistant_director_id", "Alex Director"),
            "add_head_id": option_value(page, "add_head_id", "Hari Head")}
    assert admin.post("/admin/services/new", data).status == 302
    svc = db.session.scalar(sa.select(Service).where(Service.name == "Highways and Transport"))
    assert svc.directorate.name == "Economy and Place"
    assert [u.name for u in org.heads_of(svc)] == ["Hari Head"]
    row = [r for r in admin.get("/admin/organisation").soup.select("tr") if "Highways and Transport" in r.text][0]
    assert "Alex Director" in row.text and "Hari Head" in row.text
    assert events(db, "service_created")[0].actor_name == "Ada Admin"


def test_changing_and_retiring_a_service_in_the_pages(db, sign_in_as, org_people):
    admin = sign_in_as("admin")
    svc = org_people["org"]["service"]
    plan = Plan(service=svc, title="Service Improvement Plan 2019/20")
    db.session.add(plan)
    db.session.commit()
    url = f"/admin/services/{svc.id}/edit"
    page = admin.get(url)
    assert page.h1 == "Change a service"
    stale = form_values(page)
    data = form_values(page)
    data["name"] = "Children's Social Care"
    data["directorate_id"] = option_value(page, "directorate_id", "Place")
    assert admin.post(url, data).status == 302
    assert events(db, "service_moved")[0].data["changes"] == {
        "Directorate": ["Children, Education and Communities", "Place"]}
    assert events(db, "service_renamed")[0].data == {"changes": {"Name": ["Children's Specialist Services",
                                                                         "Children's Social Care"]}}
    # A form loaded before that change is refused, naming who changed it; nothing is stored.
    stale["name"] = "Something else"
    refused = admin.post(url, stale)
    assert refused.status == 409
    assert "Ada Admin" in refused.text() and "Nothing was changed" in refused.text()
    db.session.expire_all()
    assert db.session.get(Service, svc.id).name == "Children's Social Care"
    # Taken name: beside the field.
    data = form_values(admin.get(url))
    data["name"] = "Highways"
    clash = admin.post(url, data)
    assert clash.status == 400 and clash.field_error("name") == "There is already a service called Highways"

    page = admin.get(url)
    retire = page.soup.select("main form")[1]
    version = retire.find("input", attrs={"name": "version"})["value"]
    done = admin.post(url, {"docket_action": f"/admin/services/{svc.id}/retire", "version": version})
    assert done.status == 302, done.text()
    assert events(db, "service_retired")[0].object_id == svc.id
    again = admin.post(f"/admin/services/{svc.id}/retire", {"version": version})
    assert again.status == 409 and "already retired" in again.text()
    # Still readable, with its plan, and shown as retired.
    assert admin.get(f"/plans/{plan.id}").status == 200
    row = [r for r in admin.get("/admin/organisation").soup.select("tr") if "Children's Social Care" in r.text][0]
    assert "Retired" in row.text
    assert svc.id not in {s.id for s in org.live_services()}
    assert "Children's Social Care" not in [t for _, t in
                                            __import__("app.organisation.forms", fromlist=["x"]).directorate_choices()]


def test_retiring_a_directorate_with_live_services_is_refused_on_the_page(db, sign_in_as, org_people):
    admin = sign_in_as("admin")
    d = org_people["org"]["directorate"]
    url = f"/admin/directorates/{d.id}/edit"
    page = admin.get(url)
    version = page.soup.select("main form")[1].find("input", attrs={"name": "version"})["value"]
    refused = admin.post(f"/admin/directorates/{d.id}/retire", {"version": version})
    assert refused.status == 400
    assert "Move or retire its services first" in refused.text()
    assert events(db, "directorate_retired") == []


def test_creating_a_committee_in_the_pages(db, sign_in_as, org_people):
    admin = sign_in_as("admin")
    page = admin.get("/admin/committees/new")
    data = {"name": "Economy and Place Policy and Scrutiny Committee",
            "members": "Councillor D Taylor (Chair)\nCouncillor Webb (Vice-Chair)\nCouncillor Fenton",
            "clerk_id": option_value(page, "clerk_id", "Nia Nobody"),
            "clerk_telephone": "(01904) 551031", "default_venue": "West Offices", "default_time": "5.30pm",
            "directorate_id": option_value(page, "directorate_id", "Place")}
    done = admin.post("/admin/committees/new", data)
    assert done.status == 302
    c = db.session.scalar(sa.select(Committee).where(Committee.name == data["name"]))
    assert c.clerk.name == "Nia Nobody" and c.default_time.hour == 17 and c.directorate.name == "Place"
    assert [m.role for m in c.members] == [MemberRole.CHAIR, MemberRole.VICE_CHAIR, MemberRole.MEMBER]
    # The clerk now manages it.
    nobody = sign_in_as("nobody")
    assert nobody.get(f"/committees/{c.id}/edit").status == 200

    bad = admin.post("/admin/committees/new", data)
    assert bad.status == 400 and bad.field_error("name") == f"There is already a committee called {data['name']}"
    bad = admin.post("/admin/committees/new", dict(data, name="Another", default_time="teatime"))
    assert bad.status == 400 and bad.field_error("default_time") == "Enter a time like 5.30pm or 17:30"

    listing = admin.get("/admin/committees")
    assert data["name"] in listing.text()
    retired = admin.post("/admin/committees", {"docket_action": f"/admin/committees/{c.id}/retire"})
    assert retired.status == 302
    assert events(db, "committee_retired")[0].object_id == c.id
    active = admin.get("/committees/")
    assert "Retired" in admin.get("/admin/committees").text()
    assert admin.get(f"/committees/{c.id}").status == 200  # still readable
    in_use = active.soup.select("main ul.govuk-list")[0].get_text()
    assert data["name"] not in in_use


def test_settings_council_name_in_the_header_and_texts(db, sign_in_as, org_people, app):
    admin = sign_in_as("admin")
    page = admin.get("/admin/settings")
    assert page.title.endswith("Docket – Example Council")
    assert page.soup.find("input", attrs={"name": "council_name"})["value"] == "Example Council"
    data = form_values(page)
    assert "Democracy Officer responsible for servicing this meeting" in data["front_sheet_contact"]
    data["council_name"] = "Borsetshire County Council"
    data["front_sheet_contact"] = "To register to speak, call the Democracy Officer.\n- By noon the day before"
    empty = admin.post("/admin/settings", dict(data, council_name=" "))
    assert empty.status == 400 and empty.field_error("council_name") == "Enter the council's name"
    assert admin.post("/admin/settings", data).status == 302
    home = sign_in_as("owner").get("/")
    assert home.soup.select_one(".docket-header__council").get_text(strip=True) == "Borsetshire County Council"
    assert home.title.endswith("– Borsetshire County Council")
    edited = events(db, "settings_edited")[0]
    assert edited.data["changes"]["Council's name"] == ["Example Council", "Borsetshire County Council"]
    assert edited.object_type == "council_setting" and edited.actor_name == "Ada Admin"
    # Nothing changed: nothing stored, no event.
    assert admin.post("/admin/settings", form_values(admin.get("/admin/settings"))).status == 302
    assert len(events(db, "settings_edited")) == 1
    # Emptied: back to the standard wording (no row kept).
    data = form_values(admin.get("/admin/settings"))
    data["front_sheet_contact"] = ""
    admin.post("/admin/settings", data)
    assert db.session.scalar(sa.select(CouncilSetting).where(CouncilSetting.key == "front_sheet_contact")) is None


def test_council_name_costs_one_query_a_request_at_most(app, db, people):
    from app.settings import council_name, save_settings

    save_settings({"council_name": "Ambridge Council"})
    db.session.commit()
    statements = []

    def count(conn, cursor, statement, *args):
        if "council_setting" in statement:
            statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        with app.test_request_context("/"):
            assert council_name() == "Ambridge Council"
            assert council_name() == "Ambridge Council"
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1


def test_front_sheet_statement_from_settings_in_the_pack(app, db, people):
    from datetime import date, time

    from pypdf import PdfReader

    from app.meetings.pack import PackItem, PackMeeting, build_pack
    from app.settings import council_name, front_sheet_texts, save_settings

    save_settings({"council_name": "Ambridge Council",
                   "front_sheet_contact": "Ring the Democracy Officer about anything on this agenda.\n- Speaking",
                   "front_sheet_contact_general": "Write to Democratic Services, {council}, Borchester."})
    db.session.commit()

    def front(clerk_name=None):
        meeting = PackMeeting(council_name=council_name(), front_sheet=front_sheet_texts(), committee_name="Parish",
                              members=[("Councillor Archer", "chair")], meets_on=date(2026, 12, 15),
                              starts_at=time(17, 30), venue="Village Hall", clerk_name=clerk_name,
                              clerk_telephone=None, clerk_email=None)
        with app.test_request_context():
            pdf = build_pack(meeting, [PackItem(1, "Declarations of Interest", "Declare interests.", None)]).pdf
        return re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))

    text = front(clerk_name="Nadia Holt")
    assert "Ambridge Council" in text
    assert "Ring the Democracy Officer about anything on this agenda." in text and "Speaking" in text
    assert "servicing this meeting" not in text
    assert "Write to Democratic Services, Ambridge Council, Borchester." in front()


def test_standing_items_take_the_council_wording(db, org_people):
    from datetime import date

    from app.meetings.service import standing_wording
    from app.models import Meeting
    from app.settings import save_settings

    save_settings({"urgent_business_text": "Any other urgent business, as the Chair allows."})
    db.session.commit()
    meeting = Meeting(committee_id=org_people["org"]["committee"].id, meets_on=date(2026, 12, 15), municipal_year="2026-27")
    assert standing_wording(meeting, "urgent_business") == ("Urgent Business",
                                                            "Any other urgent business, as the Chair allows.")
    assert standing_wording(meeting, "declarations")[1].startswith("At this point, Members are asked to declare")


# --- command line ---------------------------------------------------------------------------

def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_cli_creates_directorate_service_and_committee(app, db, people):
    result = run(app, "directorates", "create", "Economy and Place", "--director", "Alex Director")
    assert result.exit_code == 0, (result.output, result.exception)
    assert "Corporate Director: Alex Director" in result.output
    d = db.session.scalar(sa.select(Directorate).where(Directorate.name == "Economy and Place"))
    assert d.director == people["ad"]
    result = run(app, "directorates", "create", "Resources", "--director", "Director of Resources")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(Directorate.director_title).where(Directorate.name == "Resources")) == \
        "Director of Resources"
    result = run(app, "services", "create", "Waste", "--directorate", "economy and place")
    assert result.exit_code == 0 and "Created the service Waste in Economy and Place." in result.output
    result = run(app, "committees", "create", "Planning Committee", "--clerk", "clerk@example.org",
                 "--as", "admin@example.org")
    assert result.exit_code == 0, result.output
    c = db.session.scalar(sa.select(Committee).where(Committee.name == "Planning Committee"))
    assert db.session.scalar(sa.select(RoleAssignment).where(RoleAssignment.committee_id == c.id,
                                                             RoleAssignment.role == Role.CLERK)).user == people["clerk"]
    created = events(db, "directorate_created")
    assert created[0].actor_id is None and created[0].data["name"] == "Economy and Place"
    assert events(db, "committee_created")[0].actor_name == "Ada Admin"
    assert events(db, "service_created")[0].data == {"name": "Waste", "directorate": "Economy and Place"}


@pytest.mark.parametrize("args,message", [
    (["directorates", "create", "Place"], "There is already a directorate called Place"),
    (["directorates", "create", "  "], "Enter the directorate's name"),
    (["services", "create", "Waste", "--directorate", "Nowhere"], "There is no directorate called 'Nowhere'"),
    (["services", "create", "Highways", "--directorate", "Place"], "There is already a service called Highways"),
    (["committees", "create", "Planning", "--clerk", "who@example.org"],
     "There is no person with the email address who@example.org"),
    (["committees", "create", "Planning", "--as", "hos@example.org"], "Hari Head is not an administrator"),
])
def test_cli_refuses_bad_input_with_one_line(app, db, org, people, args, message):
    before = db.session.scalar(sa.select(sa.func.count(TrailEvent.id)))
    result = run(app, *args)
    assert result.exit_code != 0
    assert result.output.strip() == f"Error: {message}"
    assert db.session.scalar(sa.select(sa.func.count(TrailEvent.id))) == before
