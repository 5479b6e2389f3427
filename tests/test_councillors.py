"""Councillors sign in (issue 14): the Councillor role, scoped to the committees they sit on,
reads their agendas and confidential packs and nothing else; the clerk names the officers
who may read a meeting's confidential pack."""
import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.meetings import councillors as links
from app.models import Committee, CommitteeMember, Role, RoleAssignment, ScopeKind, TrailEvent
from tests.public_helpers import add_pack, published_meeting, text_pdf


@pytest.fixture()
def world(db, org, people, make_user):
    committee = org["committee"]
    committee.members = [CommitteeMember(name="Councillor D Taylor", position=1),
                         CommitteeMember(name="Councillor Webb", position=2)]
    other = Committee(name="Economy and Place Policy and Scrutiny Committee")
    db.session.add(other)
    db.session.commit()
    taylor = make_user("d.taylor@example.org", "Dave Taylor")
    links.link_councillor(committee, committee.members[0], taylor)
    db.session.commit()
    outsider = make_user("cllr.other@example.org", "Olive Other", Role.COUNCILLOR, ScopeKind.COMMITTEE, other)
    soon = date.today() + timedelta(days=10)
    meeting = published_meeting(committee, soon, [{"title": "Fairfield House contract", "exempt_paragraph": 3}])
    add_pack(meeting, [], number=1, confidential=True, pdf=text_pdf("Acme Care tendered 412,000 pounds"))
    other_meeting = published_meeting(other, soon, [{"title": "Roads"}])
    return dict(committee=committee, other=other, taylor=taylor, outsider=outsider, meeting=meeting,
                other_meeting=other_meeting)


def signed_in(app, person):
    from tests.conftest import Client

    client = Client(app)
    assert client.sign_in(person.email).status == 302
    return client


def test_linking_a_member_grants_the_councillor_role_on_the_trail(world, db):
    taylor, committee = world["taylor"], world["committee"]
    assert committee.members[0].user_id == taylor.id
    assert db.session.scalar(sa.select(RoleAssignment).where(
        RoleAssignment.user_id == taylor.id, RoleAssignment.role == Role.COUNCILLOR,
        RoleAssignment.committee_id == committee.id))
    event = db.session.scalar(sa.select(TrailEvent).where(TrailEvent.verb == "committee_member_linked"))
    assert json.loads(event.data)["changes"] == {"Councillor D Taylor signs in as": [None, "Dave Taylor"]}
    with pytest.raises(links.CouncillorError, match="already linked to Councillor D Taylor"):
        links.link_councillor(committee, committee.members[1], taylor)


def test_the_councillor_home_shows_their_committees_agendas_and_confidential_papers(app, world):
    client = signed_in(app, world["taylor"])
    home = client.c.get("/")
    assert home.status_code == 302 and home.location.endswith("/councillor/")
    page = client.get("/councillor/")
    assert page.h1 == "Your committees"
    assert world["committee"].name in page.text() and world["other"].name not in page.text()
    assert page.soup.select_one(f'a[href="/meetings/{world["meeting"].id}/confidential"]')
    nav = [a.get_text(strip=True) for a in page.soup.select(".govuk-service-navigation__list a")]
    assert nav == ["Your committees"]


def test_a_councillor_reads_nothing_else(app, world, people):
    client = signed_in(app, world["taylor"])
    for url in ("/plans/", "/committees/", "/meetings/", "/notifications/", f"/meetings/{world['meeting'].id}",
                f"/meetings/{world['meeting'].id}/agenda", f"/committees/{world['committee'].id}"):
        assert client.c.get(url).status_code == 403, url
    assert client.c.get("/account/password").status_code == 200  # their own password stays theirs


def test_the_confidential_pack_is_for_the_committees_councillors_clerk_and_administrators(app, world, sign_in_as):
    meeting = world["meeting"]
    page_url, pack_url = f"/meetings/{meeting.id}/confidential", f"/meetings/{meeting.id}/confidential-pack-1.pdf"
    taylor = signed_in(app, world["taylor"])
    page = taylor.get(page_url)
    assert page.status == 200 and "Fairfield House contract" in page.text()
    assert "paragraph 3 of Schedule 12A" in page.text()
    assert page.soup.select_one(f'a[href="{pack_url}"]')
    pack = taylor.c.get(pack_url)
    assert pack.status_code == 200 and pack.headers["Cache-Control"] == "private, no-store"
    assert taylor.c.get(f"/meetings/{world['other_meeting'].id}/confidential").status_code == 403
    outsider = signed_in(app, world["outsider"])
    assert outsider.c.get(page_url).status_code == 403 and outsider.c.get(pack_url).status_code == 403
    for person, status in (("clerk", 200), ("admin", 200), ("hos", 403), ("owner", 403), ("nobody", 403)):
        assert sign_in_as(person).c.get(pack_url).status_code == status, person
    # never through the officers' or the public pack addresses
    assert sign_in_as("owner").c.get(f"/meetings/{meeting.id}/pack-1.pdf").data != pack.data


def test_the_clerk_names_an_officer_who_may_read_it(app, world, sign_in_as, people, db):
    meeting = world["meeting"]
    page_url = f"/meetings/{meeting.id}/confidential"
    pack_url = f"/meetings/{meeting.id}/confidential-pack-1.pdf"
    hos = sign_in_as("hos")
    assert hos.c.get(pack_url).status_code == 403
    clerk = sign_in_as("clerk")
    page = clerk.get(page_url)
    version = page.soup.select_one("input[name=version]")["value"]
    missing = clerk.post(page_url, {"docket_action": f"{page_url}/readers", "version": version, "reader": ""},
                         token_from=page_url)
    assert missing.status == 400 and missing.field_error("reader") == "Choose the officer who may read the confidential pack"
    done = clerk.post(f"{page_url}/readers", {"version": version, "reader": str(people["hos"].id)}, token_from=page_url)
    assert done.status == 303
    assert hos.c.get(pack_url).status_code == 200
    page = clerk.get(page_url)
    assert "Hari Head" in page.text()
    event = db.session.scalar(sa.select(TrailEvent).where(TrailEvent.verb == "confidential_reader_named"))
    assert json.loads(event.data)["name"] == "Hari Head"
    again = clerk.post(f"{page_url}/readers", {"version": version, "reader": str(people["hos"].id)},
                       token_from=page_url)
    assert again.status in (400, 409)  # a double-click: refused, not a second row
    version = page.soup.select_one("input[name=version]")["value"]
    removed = clerk.post(f"{page_url}/readers/{people['hos'].id}/remove", {"version": version}, token_from=page_url)
    assert removed.status == 303
    assert hos.c.get(pack_url).status_code == 403
    assert db.session.scalar(sa.select(TrailEvent.id).where(TrailEvent.verb == "confidential_reader_removed"))
    # a councillor reads the pack but does not name readers
    taylor = signed_in(app, world["taylor"])
    assert taylor.c.post(f"{page_url}/readers", data={"csrf_token": taylor.csrf_token("/councillor/"),
                                                      "reader": str(people["hos"].id)}).status_code == 403


def test_the_councillors_command_links_and_unlinks(app, world, db):
    runner = app.test_cli_runner()
    committee = world["committee"]
    result = runner.invoke(args=["councillors", "link", committee.name, "councillor webb", "nobody@example.org"])
    assert result.exit_code == 0, result.output
    assert "Nia Nobody signs in as councillor webb" in result.output
    result = runner.invoke(args=["councillors", "link", committee.name, "Councillor Nobody", "nobody@example.org"])
    assert result.exit_code != 0 and "has no member called 'Councillor Nobody'" in result.output
    result = runner.invoke(args=["councillors", "link", "No such committee", "x", "nobody@example.org"])
    assert result.exit_code != 0 and "There is no committee called 'No such committee'" in result.output
    result = runner.invoke(args=["councillors", "unlink", committee.name, "Councillor Webb"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get(CommitteeMember, committee.members[1].id).user_id is None
    assert db.session.scalar(sa.select(TrailEvent.id).where(TrailEvent.verb == "committee_member_unlinked"))


def test_editing_the_members_keeps_a_councillors_link(world, sign_in_as, db):
    committee = world["committee"]
    clerk = sign_in_as("clerk")
    url = f"/committees/{committee.id}/edit"
    page = clerk.get(url)
    data = {f.get("name"): f.get("value") or "" for f in page.soup.select("form input[name]")}
    data["members"] = "Councillor D Taylor (Chair)\nCouncillor Webb\nCouncillor Fenton"
    assert clerk.post(url, data, token_from=url).status == 302
    db.session.expire_all()
    taylor = next(m for m in db.session.get(Committee, committee.id).members if m.name == "Councillor D Taylor")
    assert taylor.user_id == world["taylor"].id
