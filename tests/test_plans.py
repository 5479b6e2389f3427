"""The plan page, the action page, filters, and editing with its trail and stale-edit refusal."""
import sqlalchemy as sa
import pytest

from app.models import Action, ActionStatus, Plan, Rag, Risk, Role, ScopeKind, TrailEvent, User


@pytest.fixture()
def demo(db):
    from app.demo.loader import load_demo

    load_demo(year=2019, activity=False)
    plan = db.session.scalar(sa.select(Plan))
    return plan


@pytest.fixture()
def demo_client(app, demo):
    """sign in as a demo person by e-mail."""
    from tests.conftest import Client

    def make(email):
        c = Client(app)
        page = c.post("/sign-in", {"email": email, "password": "docket-demo-2019"})
        assert page.status == 302, page.text()[:300]
        return c

    return make


HOS = "marcus.bell@docket.example"
ADMIN = "admin@docket.example"
AD = "jo.whitfield@docket.example"
OWNER = "hannah.pryce@docket.example"
CLERK = "nadia.holt@docket.example"


def action(db, reference) -> Action:
    return db.session.scalar(sa.select(Action).where(Action.reference == reference))


def refs(page) -> list[str]:
    return [a.get_text(strip=True) for a in page.soup.select("#action-results tbody tr td:first-child a")]


def test_plan_page_shows_header_actions_risks_indicators(demo_client, demo):
    page = demo_client(HOS).get(f"/plans/{demo.id}")
    assert page.status == 200
    assert page.h1 == "Children's Specialist Services: Service Improvement Plan"
    text = page.text()
    for expected in ["Assistant Director Children's Specialist Services", "Executive Member for Education, Children",
                     "11 July 2018", "203.6", "£20.59m", "Showing 10 of 10 actions",
                     "A vulnerable child with care and support needs is not protected from harm",
                     "Number of Early Help Assessments initiated", "1,216 (329)"]:
        assert expected in text, expected
    assert refs(page) == ["CSS001", "CSS002", "CSS003", "CSS008", "CSS004", "CSS005", "CSS006", "CSS007",
                          "CSS011", "CSS012"] or sorted(refs(page)) == sorted(
        ["CSS001", "CSS002", "CSS003", "CSS004", "CSS005", "CSS006", "CSS007", "CSS008", "CSS011", "CSS012"])
    captions = [c.get_text(strip=True) for c in page.soup.select("#action-results caption")]
    assert captions[0].startswith("Keep children safe by developing the Children's Services workforce")


def test_filters_combine_and_can_be_bookmarked(demo_client, db, demo):
    client = demo_client(HOS)
    jo = db.session.scalar(sa.select(User).where(User.email == AD))
    css003 = action(db, "CSS003")
    css003.rag = Rag.RED
    action(db, "CSS006").rag = Rag.RED
    action(db, "CSS005").rag = Rag.RED  # red, but Hannah's
    db.session.commit()
    page = client.get(f"/plans/{demo.id}?rag=red&owner={jo.id}")
    assert sorted(refs(page)) == ["CSS003", "CSS006"]
    assert "Showing 2 of 2 actions that match these filters" in page.text()
    # The form shows what is filtered, so the view can be shared and changed.
    assert page.soup.select_one("#rag option[selected]")["value"] == "red"
    assert page.soup.select_one("#owner option[selected]")["value"] == str(jo.id)


@pytest.mark.parametrize("query,expected", [
    ("q=mosaic", ["CSS008"]),
    ("q=css01", ["CSS011", "CSS012"]),
    ("q=Youth+Justice", ["CSS011"]),  # the officer's job title
    ("type=major_project", ["CSS007"]),
    ("rag=complete", ["CSS008"]),
    ("overdue=1", ["CSS001", "CSS002", "CSS003", "CSS004", "CSS005", "CSS006", "CSS007", "CSS011", "CSS012"]),
])
def test_each_filter(demo_client, demo, query, expected):
    assert sorted(refs(demo_client(HOS).get(f"/plans/{demo.id}?{query}"))) == expected


def test_theme_filter(demo_client, db, demo):
    theme = action(db, "CSS011").theme
    assert refs(demo_client(HOS).get(f"/plans/{demo.id}?theme={theme.id}")) == ["CSS011"]


def test_nonsense_filters_are_ignored_not_errors(demo_client, demo):
    page = demo_client(HOS).get(f"/plans/{demo.id}?rag=purple&owner=abc&theme=-1&page=999999999999&type=x")
    assert page.status == 200
    assert len(refs(page)) == 10


def test_htmx_request_gets_only_the_results(demo_client, demo):
    client = demo_client(HOS)
    response = client.c.get(f"/plans/{demo.id}?q=mosaic", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert "<html" not in body and "CSS008" in body and "CSS001" not in body
    assert "HX-Request" in response.headers["Vary"]
    restore = client.c.get(f"/plans/{demo.id}?q=mosaic",
                           headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)


def test_long_lists_are_paginated(demo_client, db, demo):
    for n in range(40):
        db.session.add(Action(plan_id=demo.id, reference=f"ZZ{n:03}", title=f"Extra action {n}"))
    db.session.commit()
    client = demo_client(HOS)
    first = client.get(f"/plans/{demo.id}")
    assert "Showing 25 of 50 actions (page 1 of 2)" in first.text()
    second = client.get(f"/plans/{demo.id}?page=2")
    assert "page 2 of 2" in second.text()
    assert not set(refs(first)) & set(refs(second))
    past_the_end = client.get(f"/plans/{demo.id}?page=99")  # an old bookmark: the last page
    assert "Showing 25 of 50 actions (page 2 of 2)" in past_the_end.text()
    assert refs(past_the_end) == refs(second)
    assert "No actions match these filters." in client.get(f"/plans/{demo.id}?q=nothing-like-this&page=3").text()


def test_action_page_shows_every_field_and_milestones(demo_client, db, demo):
    css008 = action(db, "CSS008")
    page = demo_client(OWNER).get(f"/actions/{css008.id}")
    assert page.status == 200
    text = page.text()
    assert page.h1.startswith("CSS008: Mosaic phase 2")
    for expected in ["Business as usual (statutory)", "31 March 2018", "Complete", "Jo Whitfield",
                     "Project progressing well and monitored through the multi-disciplinary Mosaic"]:
        assert expected in text, expected


def test_owner_sees_plan_but_cannot_edit(demo_client, db, demo):
    client = demo_client(OWNER)
    assert client.get(f"/plans/{demo.id}").status == 200
    assert "Edit plan details" not in client.get(f"/plans/{demo.id}").text()
    css005 = action(db, "CSS005")
    for url in [f"/plans/{demo.id}/edit", f"/actions/{css005.id}/edit", f"/plans/{demo.id}/actions/new",
                f"/plans/{demo.id}/risks/new", f"/actions/{css005.id}/milestones/new"]:
        assert client.c.get(url).status_code == 403, url
        assert client.c.post(url, data={}).status_code in (400, 403), url


def test_owner_from_another_service_cannot_see_or_edit(app, demo_client, db, demo, make_user):
    from app.models import Directorate, Service

    other = Service(name="Highways", directorate=Directorate(name="Place"))
    db.session.add(other)
    db.session.commit()
    make_user("stranger@example.org", "Stranger", Role.ACTION_OWNER, ScopeKind.SERVICE, other)
    make_user("otherhos@example.org", "Other Head", Role.HEAD_OF_SERVICE, ScopeKind.SERVICE, other)
    from tests.conftest import Client, TEST_PASSWORD

    for email in ("stranger@example.org", "otherhos@example.org"):
        c = Client(app)
        c.post("/sign-in", {"email": email, "password": TEST_PASSWORD})
        css001 = action(db, "CSS001")
        assert c.c.get(f"/plans/{demo.id}").status_code == 403
        assert c.c.get(f"/actions/{css001.id}").status_code == 403
        assert c.c.get(f"/plans/{demo.id}/edit").status_code == 403
        assert c.c.get(f"/actions/{css001.id}/edit").status_code == 403
        assert c.get("/plans/").soup.select("tbody tr") == []


def _form(page) -> dict:
    """The form's current values, as a browser would send them."""
    form = page.soup.select_one("main form[method=post]")
    data = {}
    for el in form.select("input, textarea, select"):
        name = el.get("name")
        if not name or el.get("type") == "submit":
            continue
        if el.name == "textarea":
            data[name] = el.get_text()
        elif el.name == "select":
            chosen = el.select_one("option[selected]") or el.select_one("option")
            data[name] = chosen["value"] if chosen else ""
        elif el.get("type") in ("checkbox", "radio"):
            if el.has_attr("checked"):
                data.setdefault(name, el.get("value", "y"))
        else:
            if name in data and isinstance(data[name], list):
                data[name].append(el.get("value", ""))
            elif name in data:
                data[name] = [data[name], el.get("value", "")]
            else:
                data[name] = el.get("value", "")
    return data


def test_head_of_service_edits_an_action_with_trail(demo_client, db, demo):
    client = demo_client(HOS)
    css011 = action(db, "CSS011")
    page = client.get(f"/actions/{css011.id}/edit")
    data = _form(page)
    data["title"] = "Review the Youth Offending Service offer"
    data["due_on"] = ["30", "9", "2020"]
    data["rag"] = "amber"
    result = client.post(f"/actions/{css011.id}/edit", data)
    assert result.status == 302 and result.response.location == f"/actions/{css011.id}"
    db.session.expire_all()
    css011 = action(db, "CSS011")
    assert css011.title == "Review the Youth Offending Service offer"
    assert str(css011.due_on) == "2020-09-30" and css011.rag == Rag.AMBER
    event = db.session.scalar(sa.select(TrailEvent).where(TrailEvent.verb == "action_edited"))
    assert event.actor_name == "Marcus Bell"
    assert '"Completed by date": ["31/03/2019", "30/09/2020"]' in event.data
    shown = client.get(f"/actions/{css011.id}").text()
    assert "Your changes were saved" in shown
    assert "Completed by date: 31/03/2019 → 30/09/2020" in shown


def test_bad_input_gets_errors_beside_fields_and_nothing_saved(demo_client, db, demo):
    client = demo_client(HOS)
    css011 = action(db, "CSS011")
    data = _form(client.get(f"/actions/{css011.id}/edit"))
    data.update({"reference": "CSS001", "title": "", "due_on": ["31", "2", "2019"], "owner_id": "999999"})
    page = client.post(f"/actions/{css011.id}/edit", data)
    assert page.status == 400
    assert page.title.startswith("Error: ")
    assert page.field_error("title") == "Enter the action"
    assert page.field_error("due_on") == "Completed by date must be a real date"
    assert page.field_error("owner_id") == "Choose accountable officer from the list"
    db.session.expire_all()
    assert action(db, "CSS011").title.startswith("Review Youth Offending Service offer")
    # A duplicate reference is caught once the fields are otherwise right, and what was typed is kept.
    data.update({"title": "Something new", "due_on": ["31", "3", "2019"], "owner_id": ""})
    page = client.post(f"/actions/{css011.id}/edit", data)
    assert page.field_error("reference") == "There is already an action with the reference CSS001 in this plan"
    assert page.soup.select_one("#title").get_text() == "Something new"


def test_stale_edit_is_refused_and_keeps_what_was_typed(demo_client, db, demo):
    hos, admin = demo_client(HOS), demo_client(ADMIN)
    css012 = action(db, "CSS012")
    mine = _form(hos.get(f"/actions/{css012.id}/edit"))
    theirs = _form(admin.get(f"/actions/{css012.id}/edit"))
    theirs["title"] = "Admin's wording"
    assert admin.post(f"/actions/{css012.id}/edit", theirs).status == 302
    mine["title"] = "My careful wording"
    page = hos.post(f"/actions/{css012.id}/edit", mine)
    assert page.status == 409
    assert "Sam Ellery changed it on" in page.text()
    assert page.soup.select_one("#title").get_text() == "My careful wording"
    db.session.expire_all()
    assert action(db, "CSS012").title == "Admin's wording"
    # Having seen the warning, saving again is allowed.
    again = _form(page)
    assert hos.post(f"/actions/{css012.id}/edit", again).status == 302
    db.session.expire_all()
    assert action(db, "CSS012").title == "My careful wording"


def test_add_action_risk_indicator_milestone_theme(demo_client, db, demo):
    client = demo_client(ADMIN)
    page = client.get(f"/plans/{demo.id}/actions/new")
    data = _form(page)
    data.update({"reference": "CSS013", "title": "Recruit 10 more foster carers", "due_on": ["31", "3", "2020"]})
    assert client.post(f"/plans/{demo.id}/actions/new", data).status == 302
    new = action(db, "CSS013")
    assert new is not None and new.status == ActionStatus.LIVE
    ms = _form(client.get(f"/actions/{new.id}/milestones/new"))
    ms.update({"text": "Campaign launched", "due_on": ["1", "10", "2019"]})
    assert client.post(f"/actions/{new.id}/milestones/new", ms).status == 302
    risk = _form(client.get(f"/plans/{demo.id}/risks/new"))
    risk.update({"reference": "2300", "description": "Not enough carers", "rag": "red"})
    assert client.post(f"/plans/{demo.id}/risks/new", risk).status == 302
    ind = _form(client.get(f"/plans/{demo.id}/indicators/new"))
    ind.update({"description": "Number of foster carers", "target": "£1,200", "polarity": "up_is_good"})
    assert client.post(f"/plans/{demo.id}/indicators/new", ind).status == 302
    theme = _form(client.get(f"/plans/{demo.id}/themes/new"))
    theme["title"] = "Grow our own carers"
    assert client.post(f"/plans/{demo.id}/themes/new", theme).status == 302
    db.session.expire_all()
    assert [m.text for m in action(db, "CSS013").milestones] == ["Campaign launched"]
    assert db.session.scalar(sa.select(Risk).where(Risk.reference == "2300")).rag == Rag.RED
    verbs = set(db.session.scalars(sa.select(TrailEvent.verb)).all())
    assert {"action_created", "milestone_created", "risk_created", "indicator_created", "theme_created"} <= verbs


def test_plan_details_edit(demo_client, db, demo):
    client = demo_client(HOS)
    data = _form(client.get(f"/plans/{demo.id}/edit"))
    data.update({"staff_ftes": "abc"})
    page = client.post(f"/plans/{demo.id}/edit", data)
    assert page.field_error("staff_ftes") == "Staff FTEs must be a number, like 12.5"
    data.update({"staff_ftes": "210.5", "cabinet_member": "Executive Member for Children"})
    assert client.post(f"/plans/{demo.id}/edit", data).status == 302
    db.session.expire_all()
    plan = db.session.get(Plan, demo.id)
    assert str(plan.staff_ftes) == "210.50" and plan.cabinet_member == "Executive Member for Children"


def test_plan_page_shows_every_change_at_once_though_its_parts_are_kept(demo_client, db, demo):
    """The plan page's parts are kept until anything is recorded on the trail (app/cache.py):
    an edited action, a new risk, a new theme and new plan details all show on the next view,
    for every filter, and to people who viewed the page before the change."""
    hos, owner = demo_client(HOS), demo_client(OWNER)
    for c in (hos, owner):
        c.get(f"/plans/{demo.id}")
        c.c.get(f"/plans/{demo.id}?rag=amber", headers={"HX-Request": "true"})
    css011 = action(db, "CSS011")
    data = _form(hos.get(f"/actions/{css011.id}/edit"))
    data.update({"title": "Review the Youth Offending Service offer", "rag": "amber"})
    assert hos.post(f"/actions/{css011.id}/edit", data).status == 302
    risk = _form(hos.get(f"/plans/{demo.id}/risks/new"))
    risk.update({"reference": "2300", "description": "Not enough foster carers", "rag": "red"})
    assert hos.post(f"/plans/{demo.id}/risks/new", risk).status == 302
    theme = _form(hos.get(f"/plans/{demo.id}/themes/new"))
    theme["title"] = "Grow our own carers"
    assert hos.post(f"/plans/{demo.id}/themes/new", theme).status == 302
    details = _form(hos.get(f"/plans/{demo.id}/edit"))
    details["cabinet_member"] = "Executive Member for Children and Young People"
    assert hos.post(f"/plans/{demo.id}/edit", details).status == 302
    for c in (hos, owner):
        text = c.get(f"/plans/{demo.id}").text()
        for expected in ("Review the Youth Offending Service offer", "Not enough foster carers",
                         "Grow our own carers", "Executive Member for Children and Young People"):
            assert expected in text, expected
        amber = c.c.get(f"/plans/{demo.id}?rag=amber", headers={"HX-Request": "true"})
        assert "CSS011" in amber.get_data(as_text=True)
