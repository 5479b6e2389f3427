"""The People pages: add, edit, grant and revoke roles, deactivate a leaver, reassign their work."""
import json
from datetime import date, timedelta

import sqlalchemy as sa

from app.models import (Action, Delegation, Indicator, IndicatorValue, Plan, ProgressUpdate, ReportingPeriod, Role,
                        RoleAssignment, ScopeKind, TrailEvent, UpdateState, User)
from tests.conftest import TEST_PASSWORD, Client


def _events(db, verb):
    return db.session.scalars(sa.select(TrailEvent).where(TrailEvent.verb == verb).order_by(TrailEvent.seq)).all()


def _user(db, email):
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_list_search_and_filters(sign_in_as, people, org, db):
    admin = sign_in_as("admin")
    page = admin.get("/people/")
    assert page.status == 200
    assert "flask users" not in page.text()
    assert "Hari Head" in page.text() and "Olu Owner" in page.text()
    page = admin.get("/people/?q=hari")
    assert "Hari Head" in page.text() and "Olu Owner" not in page.text()
    page = admin.get("/people/?role=clerk")
    assert "Cleo Clerk" in page.text() and "Hari Head" not in page.text()
    page = admin.get(f"/people/?service={org['other_service'].id}")
    assert "1 person" not in page.text() and "Nobody matches" in page.text()
    page = admin.get(f"/people/?service={org['service'].id}")
    assert "Hari Head" in page.text() and "Alex Director" in page.text() and "Cleo Clerk" not in page.text()


def test_add_a_person_with_a_role_shows_their_link(sign_in_as, people, org, db):
    admin = sign_in_as("admin")
    page = admin.post("/people/new", {"name": "Priya Shah", "email": " Priya.Shah@Example.org ",
                                      "job_title": "Team Manager", "role": "action_owner",
                                      "scope": f"service:{org['service'].id}"}, token_from="/people/new")
    assert page.status == 200, page.text()
    assert page.h1 == "Priya Shah"
    link = page.soup.select_one("#set-password-link")["value"]
    assert "/set-password/" in link and link.startswith("http://localhost/")
    person = _user(db, "priya.shah@example.org")
    assert person.password_hash is None and person.job_title == "Team Manager"
    assert [(a.role, a.service_id) for a in person.roles] == [(Role.ACTION_OWNER, org["service"].id)]
    created = _events(db, "user_created")[-1]
    assert json.loads(created.data)["name"] == "Priya Shah" and created.actor_id == people["admin"].id
    assert _events(db, "set_password_link_created")[-1].object_id == person.id
    # The same address again: refused beside the field, nothing stored.
    page = admin.post("/people/new", {"name": "Priya Again", "email": "priya.shah@example.org"},
                      token_from="/people/new")
    assert page.status == 400
    assert "There is already a person with the email address priya.shah@example.org: Priya Shah" in page.field_error("email")
    assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.name == "Priya Again")) == 0


def test_add_a_person_errors_beside_the_fields(sign_in_as, people, org, db):
    admin = sign_in_as("admin")
    page = admin.post("/people/new", {"name": "", "email": "not an address", "role": "clerk",
                                      "scope": f"service:{org['service'].id}"}, token_from="/people/new")
    assert page.status == 400
    assert page.field_error("name") == "Enter the person's full name"
    assert page.field_error("scope") == "The Committee clerk role applies to a committee, not a service"
    page = admin.post("/people/new", {"name": "X Y", "email": "not an address"}, token_from="/people/new")
    assert page.status == 400 and "correct format" in page.field_error("email")
    assert _user(db, "not an address") is None


def test_edit_details_with_the_trail_and_a_stale_form(sign_in_as, people, db):
    admin = sign_in_as("admin")
    owner = people["owner"]
    form = admin.get(f"/people/{owner.id}/edit")
    loaded = form.soup.select_one("input[name=loaded]")["value"]
    page = admin.post(f"/people/{owner.id}/edit", {"name": "Olu Owner-Smith", "email": "owner@example.org",
                                                    "job_title": "Team Manager", "loaded": loaded})
    assert page.status == 302
    event = _events(db, "user_edited")[-1]
    assert json.loads(event.data)["changes"] == {"Name": ["Olu Owner", "Olu Owner-Smith"],
                                                 "Job title": [None, "Team Manager"]}
    # The same old form again: someone changed the details since, so it is refused.
    page = admin.post(f"/people/{owner.id}/edit", {"name": "Olu Other", "email": "owner@example.org",
                                                    "job_title": "", "loaded": loaded})
    assert page.status == 409 and "after you opened this page" in page.text()
    assert _user(db, "owner@example.org").name == "Olu Owner-Smith"
    # Another person's address is refused.
    page = admin.post(f"/people/{owner.id}/edit", {"name": "Olu", "email": "hos@example.org",
                                                    "loaded": admin.get(f"/people/{owner.id}/edit").soup.select_one(
                                                        "input[name=loaded]")["value"]})
    assert page.status == 400 and "Hari Head" in page.field_error("email")


def test_grant_and_revoke_roles_in_the_browser(sign_in_as, people, org, db):
    admin = sign_in_as("admin")
    nobody = people["nobody"]
    url = f"/people/{nobody.id}"
    page = admin.post(f"{url}/roles", {"role": "head_of_service", "scope": f"committee:{org['committee'].id}"},
                      token_from=url)
    assert page.status == 400
    assert page.field_error("scope") == "The Head of Service role applies to a service, not a committee"
    page = admin.post(f"{url}/roles", {"role": "head_of_service", "scope": f"service:{org['other_service'].id}"},
                      token_from=url)
    assert page.status == 302
    page = admin.get(url)
    assert "Head of Service" in page.text() and "Highways" in page.text()
    granted = _events(db, "role_granted")[-1]
    assert json.loads(granted.data)["scope_name"] == "Highways" and granted.actor_id == people["admin"].id
    # A double-click gives the role once.
    admin.post(f"{url}/roles", {"role": "head_of_service", "scope": f"service:{org['other_service'].id}"},
               token_from=url)
    assert db.session.scalar(sa.select(sa.func.count(RoleAssignment.id)).where(RoleAssignment.user_id == nobody.id)) == 1
    assignment = db.session.scalar(sa.select(RoleAssignment).where(RoleAssignment.user_id == nobody.id))
    page = admin.post(f"{url}/roles/{assignment.id}/revoke", {}, token_from=url)
    assert page.status == 302
    assert _events(db, "role_revoked")[-1].object_id == nobody.id
    page = admin.post(f"{url}/roles/{assignment.id}/revoke", {}, token_from=url, follow=True)
    assert "had already been taken away" in page.text()


def test_non_administrators_are_refused(sign_in_as, people):
    owner = sign_in_as("hos")
    assert owner.get("/people/").status == 403
    assert owner.get(f"/people/{people['owner'].id}").status == 403
    assert owner.post("/people/new", {"name": "X", "email": "x@example.org"}).status == 403
    assert owner.post(f"/people/{people['owner'].id}/deactivate", {}).status == 403


def _open_work(db, org, people):
    plan = Plan(service=org["service"], title="Service Improvement Plan")
    action = Action(plan=plan, reference="A1", title="Keep children safe", owner=people["owner"])
    indicator = Indicator(plan=plan, reference="I1", description="Children seen", owner=people["owner"])
    period = ReportingPeriod(name="Q1", starts_on=date(2026, 4, 1), ends_on=date(2026, 6, 30),
                             update_deadline=date(2026, 7, 14), signoff_deadline=date(2026, 7, 21))
    update = ProgressUpdate(action=action, period=period, state=UpdateState.RETURNED)
    value = IndicatorValue(indicator=indicator, period=period)
    delegation = Delegation(head=people["hos"], deputy=people["owner"], starts_on=date.today(),
                            ends_on=date.today() + timedelta(days=30))
    db.session.add_all([plan, action, indicator, period, update, value, delegation])
    db.session.commit()
    return action, indicator, update, delegation


def test_deactivate_ends_sessions_and_keeps_history(app, sign_in_as, people, org, db):
    action, indicator, update, delegation = _open_work(db, org, people)
    owner_browser = sign_in_as("owner")
    assert owner_browser.get("/").status == 200
    admin = sign_in_as("admin")
    page = admin.get(f"/people/{people['owner'].id}/deactivate")
    assert "Keep children safe" in page.text() and "Children seen" in page.text()
    assert "Olu Owner for Hari Head" in page.text()
    page = admin.post(f"/people/{people['owner'].id}/deactivate", {}, follow=True)
    assert page.status == 200
    assert "Olu Owner is deactivated" in page.text() and "1 action, 1 indicator" in page.text()
    owner = _user(db, "owner@example.org")
    assert owner.active is False
    # Their open session ended, and they cannot sign in again.
    assert owner_browser.get("/").status == 302
    assert Client(app).sign_in("owner@example.org").status != 302
    # Their name stays on what they did.
    signed_in = _events(db, "signed_in")
    assert any(e.actor_id == owner.id and e.actor_name == "Olu Owner" for e in signed_in)
    event = _events(db, "person_deactivated")[-1]
    assert event.object_id == owner.id and event.actor_name == "Ada Admin"
    # A second click: already done.
    page = admin.post(f"/people/{owner.id}/deactivate", {})
    assert page.status == 409 and "already deactivated" in page.text()
    # Reactivate.
    page = admin.post(f"/people/{owner.id}/reactivate", {}, token_from=f"/people/{owner.id}")
    assert page.status == 302 and _user(db, "owner@example.org").active


def test_reassign_moves_open_work_in_one_step(sign_in_as, people, org, db, make_user):
    action, indicator, update, delegation = _open_work(db, org, people)
    successor = make_user("successor@example.org", "Sal Successor")
    admin = sign_in_as("admin")
    url = f"/people/{people['owner'].id}"
    admin.post(f"{url}/deactivate", {})
    page = admin.post(f"{url}/reassign", {"to": ""}, token_from=url)
    assert page.status == 400 and page.field_error("to") == "Choose who takes over their work"
    page = admin.post(f"{url}/reassign", {"to": str(successor.id)}, token_from=url, follow=True)
    assert page.status == 200, page.text()
    assert "now belongs to Sal Successor" in page.text()
    db.session.expire_all()
    assert db.session.get(Action, action.id).owner_id == successor.id
    assert db.session.get(Indicator, indicator.id).owner_id == successor.id
    # The open update follows its action to the new owner.
    assert db.session.get(ProgressUpdate, update.id).action.owner_id == successor.id
    assert db.session.get(Delegation, delegation.id).revoked_at is not None
    moved = _events(db, "action_reassigned")[-1]
    assert json.loads(moved.data)["changes"] == {"Owner": ["Olu Owner", "Sal Successor"]}
    assert _events(db, "person_work_reassigned")[-1].object_id == people["owner"].id
    successor = _user(db, "successor@example.org")
    assert (Role.ACTION_OWNER, org["service"].id) in [(a.role, a.service_id) for a in successor.roles]
    # Nothing left: a second click is refused plainly.
    page = admin.post(f"{url}/reassign", {"to": str(successor.id)}, token_from=url)
    assert page.status == 409 and "no open work to reassign" in page.text()


def test_the_last_administrator_cannot_be_deactivated(sign_in_as, people, db):
    admin = sign_in_as("admin")
    page = admin.post(f"/people/{people['admin'].id}/deactivate", {})
    assert page.status == 409 and "cannot deactivate yourself" in page.text()


def test_person_page_structure(sign_in_as, people):
    admin = sign_in_as("admin")
    page = admin.get(f"/people/{people['hos'].id}")
    assert page.status == 200
    assert "Head of Service" in page.text() and "No set-password link has been sent." in page.text()
    assert "Head of Service role for Children's Specialist Services" in page.text(), page.text()
