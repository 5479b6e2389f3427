"""Every route is classified by who may reach it; a new route that is not fails here.

PUBLIC: anyone, signed in or not. SIGNED_IN: any signed-in person.
A set of names from the `people` fixture: only those people (others get 403).
Routes with URL arguments give a function that builds the URL from the fixtures.
"""
import pytest

from tests import pdf_samples

PUBLIC = "public"
SIGNED_IN = "signed in"
EVERYONE = {"admin", "ad", "hos", "owner", "clerk", "nobody"}
PLAN_READERS = {"admin", "ad", "hos", "owner"}
PLAN_EDITORS = {"admin", "hos"}
UPDATE_READERS = {"admin", "ad", "hos", "owner"}
UPDATE_WRITERS = {"owner"}  # an owner's update is the owner's: others comment, return, sign off
SIGNERS = {"hos"}
REPORT_READERS = {"admin", "ad", "hos"}
CLERKS = {"admin", "clerk"}

# endpoint -> (who, how to build a URL to GET, or None for POST-only routes)
ROUTES = {
    "static": (PUBLIC, lambda f: "/static/css/docket.css"),
    "auth.sign_in": (PUBLIC, lambda f: "/sign-in"),
    "auth.sign_out": (PUBLIC, None),  # POST only
    "main.accessibility": (PUBLIC, lambda f: "/accessibility"),
    "main.home": (SIGNED_IN, lambda f: "/"),
    "users.index": ({"admin"}, lambda f: "/people/"),
    "trail.index": ({"admin"}, lambda f: "/trail/"),
    # plans
    "plans.index": (SIGNED_IN, lambda f: "/plans/"),
    "plans.show": (PLAN_READERS, lambda f: f"/plans/{f['plan'].id}"),
    "plans.action": (PLAN_READERS, lambda f: f"/actions/{f['action'].id}"),
    "plans.edit_plan": (PLAN_EDITORS, lambda f: f"/plans/{f['plan'].id}/edit"),
    "plans.new_theme": (PLAN_EDITORS, lambda f: f"/plans/{f['plan'].id}/themes/new"),
    "plans.edit_theme": (PLAN_EDITORS, lambda f: f"/themes/{f['theme'].id}/edit"),
    "plans.new_action": (PLAN_EDITORS, lambda f: f"/plans/{f['plan'].id}/actions/new"),
    "plans.edit_action": (PLAN_EDITORS, lambda f: f"/actions/{f['action'].id}/edit"),
    "plans.new_milestone": (PLAN_EDITORS, lambda f: f"/actions/{f['action'].id}/milestones/new"),
    "plans.edit_milestone": (PLAN_EDITORS, lambda f: f"/milestones/{f['milestone'].id}/edit"),
    "plans.new_risk": (PLAN_EDITORS, lambda f: f"/plans/{f['plan'].id}/risks/new"),
    "plans.edit_risk": (PLAN_EDITORS, lambda f: f"/risks/{f['risk'].id}/edit"),
    "plans.new_indicator": (PLAN_EDITORS, lambda f: f"/plans/{f['plan'].id}/indicators/new"),
    "plans.edit_indicator": (PLAN_EDITORS, lambda f: f"/indicators/{f['indicator'].id}/edit"),
    "plans.import_start": (PLAN_EDITORS, lambda f: f"/plans/{f['plan'].id}/import"),
    "plans.import_template": (PLAN_EDITORS, lambda f: f"/plans/{f['plan'].id}/import/template.xlsx"),
    "plans.import_preview": (PLAN_EDITORS, lambda f: f"/plans/{f['plan'].id}/import/preview"),
    "plans.import_confirm": (PLAN_EDITORS, lambda f: f"/plans/{f['plan'].id}/import/confirm"),
    "plans.export": (PLAN_READERS, lambda f: f"/plans/{f['plan'].id}/export.xlsx"),
    # progress updates, indicator values, sign-off, periods, delegation
    "updates.show": (UPDATE_READERS, lambda f: f"/updates/{f['update'].id}"),
    "updates.autosave": (UPDATE_WRITERS, lambda f: f"/updates/{f['update'].id}/autosave"),
    "updates.withdraw": (UPDATE_WRITERS, lambda f: f"/indicator-values/{f['value'].id}/withdraw"),
    "updates.return_to_owner": (SIGNERS, lambda f: f"/updates/{f['update'].id}/return"),
    "updates.sign_off": (SIGNERS, lambda f: f"/indicator-values/{f['value'].id}/sign-off"),
    "updates.reopen": (SIGNERS, lambda f: f"/updates/{f['update'].id}/reopen"),
    "updates.queue": (SIGNERS, lambda f: "/sign-off"),
    "updates.queue_detail": (SIGNERS, lambda f: f"/sign-off/update/{f['update'].id}"),
    "updates.sign_off_selected": (SIGNERS, lambda f: "/sign-off"),
    "updates.periods": ({"admin"}, lambda f: "/periods/"),
    "updates.new_period": ({"admin"}, lambda f: "/periods/new"),
    "updates.open_period": ({"admin"}, lambda f: f"/periods/{f['period'].id}/open"),
    "updates.upload": (UPDATE_WRITERS, lambda f: f"/updates/{f['update'].id}/attachments"),
    "updates.download": (UPDATE_READERS, lambda f: f"/attachments/{f['attachment'].id}"),
    "updates.delete": (UPDATE_WRITERS, lambda f: f"/attachments/{f['attachment'].id}/delete"),
    "updates.delegation": ({"hos"}, lambda f: "/delegation"),
    # notifications
    "notifications.index": (SIGNED_IN, lambda f: "/notifications/"),
    "notifications.mark_read": (SIGNED_IN, None),  # POST; 404 unless it is yours
    "notifications.mark_all_read": (SIGNED_IN, None),  # POST
    "notifications.outbox": ({"admin"}, lambda f: "/notifications/outbox"),
    # committees, meetings, agendas, work plans
    "meetings.committees": (SIGNED_IN, lambda f: "/committees/"),
    "meetings.committee": (SIGNED_IN, lambda f: f"/committees/{f['org']['committee'].id}"),
    "meetings.edit_committee": (CLERKS, lambda f: f"/committees/{f['org']['committee'].id}/edit"),
    "meetings.new_meeting": (CLERKS, lambda f: f"/committees/{f['org']['committee'].id}/meetings/new"),
    "meetings.meetings": (SIGNED_IN, lambda f: "/meetings/"),
    "meetings.meeting": (SIGNED_IN, lambda f: f"/meetings/{f['published'].id}"),
    "meetings.agenda": (CLERKS, lambda f: f"/meetings/{f['meeting'].id}/agenda"),
    "meetings.start_agenda": (CLERKS, lambda f: f"/meetings/{f['meeting'].id}/agenda/start"),
    "meetings.add_report": (CLERKS, lambda f: f"/meetings/{f['meeting'].id}/agenda/reports"),
    "meetings.add_item": (CLERKS, lambda f: f"/meetings/{f['meeting'].id}/agenda/items"),
    "meetings.move_item": (CLERKS, lambda f: f"/meetings/{f['meeting'].id}/agenda/items/{f['agenda_item'].id}/move"),
    "meetings.remove_item": (CLERKS, lambda f: f"/meetings/{f['meeting'].id}/agenda/items/{f['agenda_item'].id}/remove"),
    "meetings.upload_document": (CLERKS, lambda f: f"/meetings/{f['meeting'].id}/documents"),
    "meetings.publish": (CLERKS, lambda f: f"/meetings/{f['meeting'].id}/publish"),
    "meetings.pack": (SIGNED_IN, lambda f: f"/meetings/{f['published'].id}/pack-1.pdf"),
    "meetings.work_plan": (SIGNED_IN, lambda f: f"/committees/{f['org']['committee'].id}/work-plan"),
    "meetings.work_plan_xlsx": (SIGNED_IN, lambda f: f"/committees/{f['org']['committee'].id}/work-plan.xlsx"),
    "meetings.add_work_plan_entry": (CLERKS, lambda f: f"/committees/{f['org']['committee'].id}/work-plan"),
    "meetings.move_work_plan_entry": (CLERKS, lambda f: f"/committees/{f['org']['committee'].id}/work-plan/{f['entry'].id}/move"),
    "meetings.link_work_plan_report": (CLERKS, lambda f: f"/committees/{f['org']['committee'].id}/work-plan/{f['entry'].id}/report"),
    "meetings.remove_work_plan_entry": (CLERKS, lambda f: f"/committees/{f['org']['committee'].id}/work-plan/{f['entry'].id}/remove"),
    # committee reports and the dashboard
    "reports.index": (SIGNED_IN, lambda f: "/reports/"),
    "reports.new": ({"admin", "hos"}, lambda f: "/reports/new"),
    "reports.show": (REPORT_READERS, lambda f: f"/reports/{f['report'].id}"),
    "reports.pdf": (REPORT_READERS, lambda f: f"/reports/{f['report'].id}/report.pdf"),
    "reports.compare": (REPORT_READERS, lambda f: f"/reports/{f['report'].id}/compare"),
    "reports.edit": ({"admin", "hos"}, lambda f: f"/reports/{f['report'].id}/edit"),
    "reports.recompile": ({"admin", "hos"}, lambda f: f"/reports/{f['report'].id}/compile"),
    "reports.submit": ({"admin", "hos"}, lambda f: f"/reports/{f['report'].id}/submit"),
    "reports.approve": ({"ad"}, lambda f: f"/reports/{f['report'].id}/approve"),
    "reports.return_report": ({"ad"}, lambda f: f"/reports/{f['report'].id}/return"),
    "reports.dashboard": ({"admin", "ad", "hos"}, lambda f: "/dashboard"),
    "updates.end_delegation": ({"hos"}, lambda f: f"/delegation/{f['delegation'].id}/end"),
    # --- organisation, committees and settings (issue 12) ---
    "organisation.home": ({"admin"}, lambda f: "/admin/"),
    "organisation.organisation": ({"admin"}, lambda f: "/admin/organisation"),
    "organisation.new_directorate": ({"admin"}, lambda f: "/admin/directorates/new"),
    "organisation.edit_directorate": ({"admin"}, lambda f: f"/admin/directorates/{f['org']['directorate'].id}/edit"),
    "organisation.retire_directorate": ({"admin"}, lambda f: f"/admin/directorates/{f['org']['directorate'].id}/retire"),
    "organisation.new_service": ({"admin"}, lambda f: "/admin/services/new"),
    "organisation.edit_service": ({"admin"}, lambda f: f"/admin/services/{f['org']['service'].id}/edit"),
    "organisation.retire_service": ({"admin"}, lambda f: f"/admin/services/{f['org']['service'].id}/retire"),
    "organisation.committees": ({"admin"}, lambda f: "/admin/committees"),
    "organisation.new_committee": ({"admin"}, lambda f: "/admin/committees/new"),
    "organisation.retire_committee": ({"admin"}, lambda f: f"/admin/committees/{f['org']['committee'].id}/retire"),
    "organisation.settings": ({"admin"}, lambda f: "/admin/settings"),
    # --- plans set-up, roll-over and periods (issue 12) ---
    "plans.new_plan": ({"admin"}, lambda f: "/plans/new"),
    "plans.archive_plan": ({"admin"}, lambda f: f"/plans/{f['plan'].id}/archive"),
    "plans.roll_over": ({"admin"}, lambda f: f"/plans/{f['plan'].id}/roll-over"),
    "updates.close_period": ({"admin"}, lambda f: f"/periods/{f['period'].id}/close"),
    # --- people and passwords (issue 12) ---
    "users.new": ({"admin"}, lambda f: "/people/new"),
    "users.show": ({"admin"}, lambda f: f"/people/{f['owner'].id}"),
    "users.edit": ({"admin"}, lambda f: f"/people/{f['owner'].id}/edit"),
    "users.grant": ({"admin"}, None),  # POST only
    "users.revoke": ({"admin"}, None),  # POST only
    "users.send_link": ({"admin"}, None),  # POST only
    "users.deactivate": ({"admin"}, lambda f: f"/people/{f['owner'].id}/deactivate"),
    "users.reactivate": ({"admin"}, None),  # POST only
    "users.reassign": ({"admin"}, None),  # POST only
    "users.import_people": ({"admin"}, lambda f: "/people/import"),
    "users.import_confirm": ({"admin"}, None),  # POST only
    "auth.set_password": (PUBLIC, None),  # a one-time link: tested in tests/test_set_password.py
    "auth.change_own_password": (SIGNED_IN, lambda f: "/account/password"),
    # --- the trail for administrators (issue 12) ---
    "trail.export": ({"admin"}, lambda f: "/trail/export.csv"),
    # --- directory sign-in (issue 15) ---
    "oidc.start": (PUBLIC, lambda f: "/sign-in/oidc"),
    "oidc.callback": (PUBLIC, lambda f: "/sign-in/oidc/callback"),
    # --- plan import in the council's own shape (issue 13) ---
    # --- plan fields, current position and export (issue 13) ---
    # --- committee papers (issue 14) ---
    "reports.new_paper": ({"admin", "ad", "hos", "owner"}, lambda f: "/reports/papers/new"),
    "reports.upload_paper": ({"admin", "ad", "hos", "owner"}, lambda f: "/reports/papers/upload"),
    "reports.paper_file": (REPORT_READERS, lambda f: __import__("tests.paper_helpers", fromlist=["x"]).paper_file_url(f['report'])),
    "reports.annex_file": (REPORT_READERS, lambda f: __import__("tests.paper_helpers", fromlist=["x"]).annex_url(f['report'])),
    "reports.add_annex": ({"admin", "hos"}, lambda f: f"/reports/{f['report'].id}/annexes"),
    "reports.remove_annex": ({"admin", "hos"}, lambda f: __import__("tests.paper_helpers", fromlist=["x"]).remove_annex_url(f['report'])),
    "reports.meeting_papers": (CLERKS, lambda f: f"/meetings/{f['meeting'].id}/papers"),
    "reports.chase_paper": (CLERKS, lambda f: f"/meetings/{f['meeting'].id}/papers/chase"),
    "meetings.confirm_remove_work_plan_entry": (CLERKS, lambda f: f"/committees/{f['org']['committee'].id}/work-plan/{f['entry'].id}/remove"),
    # --- exempt items, councillors and public agendas (issue 14) ---
    "public.committees": (PUBLIC, lambda f: "/public/"),
    "public.committee": (PUBLIC, lambda f: f"/public/committees/{f['org']['committee'].id}"),
    "public.calendar": (PUBLIC, lambda f: "/public/calendar?month=2019-07"),
    "public.meeting": (PUBLIC, lambda f: f"/public/meetings/{f['published'].id}"),
    "public.pack": (PUBLIC, lambda f: f"/public/meetings/{f['published'].id}/agenda-pack.pdf"),
    "public.pack_version": (PUBLIC, lambda f: f"/public/meetings/{f['published'].id}/agenda-pack-1.pdf"),
    "public.download": (PUBLIC, lambda f: __import__("tests.public_helpers", fromlist=["x"]).minutes_url(f['published'])),
    "public.calendar_feed": (PUBLIC, lambda f: "/public/calendar.ics"),
    "public.committee_calendar_feed": (PUBLIC, lambda f: f"/public/committees/{f['org']['committee'].id}/calendar.ics"),
    "public.api_meetings": (PUBLIC, lambda f: "/public/api/meetings"),
    "public.api_meeting": (PUBLIC, lambda f: f"/public/api/meetings/{f['published'].id}"),
    "councillors.home": (set(), lambda f: "/councillor/"),  # councillors only (tests/test_councillors.py)
    "councillors.exempt_item": (CLERKS, lambda f: f"/meetings/{f['meeting'].id}/agenda/items/{f['agenda_item'].id}/exempt"),
    "councillors.confidential": (CLERKS, lambda f: f"/meetings/{f['published'].id}/confidential"),
    "councillors.confidential_pack": (CLERKS, lambda f: __import__("tests.public_helpers", fromlist=["x"]).confidential_pack_url(f['published'])),
    "councillors.add_reader": (CLERKS, lambda f: f"/meetings/{f['published'].id}/confidential/readers"),
    "councillors.remove_reader": (CLERKS, lambda f: f"/meetings/{f['published'].id}/confidential/readers/{f['nobody'].id}/remove"),
    # --- the clerk's editing tools and the pack (issue 14) ---
    "meetings.edit_meeting": (CLERKS, lambda f: f"/meetings/{f['meeting'].id}/edit"),
    "meetings.cancel_meeting": (CLERKS, lambda f: f"/meetings/{f['meeting'].id}/cancel"),
    "meetings.edit_item": (CLERKS, lambda f: f"/meetings/{f['meeting'].id}/agenda/items/{f['agenda_item'].id}/edit"),
    "meetings.confirm_remove_item": (CLERKS, lambda f: f"/meetings/{f['meeting'].id}/agenda/items/{f['agenda_item'].id}/remove"),
    "meetings.replace_document": (CLERKS, lambda f: __import__("tests.clerk_tools_helpers", fromlist=["x"]).document_url(f['meeting'], "replace")),
    "meetings.remove_document": (CLERKS, lambda f: __import__("tests.clerk_tools_helpers", fromlist=["x"]).document_url(f['meeting'], "remove")),
    # --- the owner's quarter (issue 16) ---
    "updates.my_values": (SIGNED_IN, lambda f: f"/periods/{f['period'].id}/my-values"),
    # --- sign-off, approval, dashboard and reports (issue 16) ---
    "updates.queue_sign_off": (SIGNERS, lambda f: f"/sign-off/update/{f['update'].id}/sign-off"),
    "updates.queue_return": (SIGNERS, lambda f: f"/sign-off/update/{f['update'].id}/return"),
    "updates.unowned": ({"admin", "hos"}, lambda f: "/indicators/without-owner"),
    "updates.name_indicator_owner": (PLAN_EDITORS, lambda f: f"/indicators/{f['indicator'].id}/owner"),
    # --- performance (issue 17) ---
}

# Routes whose success for an allowed person is a redirect rather than a page.
REDIRECTS_WHEN_ALLOWED = {"auth.sign_in"}  # (the queue's item is its own page since issue 16)


@pytest.fixture()
def objects(db, org, people):
    """One of each thing a URL can name, in the people's service."""
    from datetime import date

    from app.models import (Action, Delegation, Indicator, IndicatorValue, Milestone, PeriodState, Plan,
                            PriorityTheme, ProgressUpdate, ReportingPeriod, Risk)

    plan = Plan(service=org["service"], title="Service Improvement Plan")
    theme = PriorityTheme(plan=plan, title="Keep children safe")
    action = Action(plan=plan, reference="A1", title="Do a thing", theme=theme, owner=people["owner"])
    milestone = Milestone(action=action, text="Half done")
    risk = Risk(plan=plan, reference="R1", description="It might not happen")
    indicator = Indicator(plan=plan, reference="I1", description="How many")
    period = ReportingPeriod(name="Q1 2019/20", starts_on=date(2019, 4, 1), ends_on=date(2019, 6, 30),
                             update_deadline=date(2019, 7, 14), signoff_deadline=date(2019, 7, 21),
                             state=PeriodState.PLANNED)
    update = ProgressUpdate(action=action, period=period)
    value = IndicatorValue(indicator=indicator, period=period)
    delegation = Delegation(head=people["hos"], deputy=people["nobody"], starts_on=date(2019, 1, 1),
                            ends_on=date(2019, 1, 2))
    db.session.add_all([plan, theme, action, milestone, risk, indicator, period, update, value, delegation])
    db.session.commit()
    from app.updates.attachments import add_attachment

    attachment = add_attachment(update, "minutes.pdf", pdf_samples.a_pdf("minutes"), people["owner"])
    from app.models import Report

    report = Report(title="Progress report", period=period, author_id=people["hos"].id, content="{}")
    report.plans = [plan]
    from app.models import AgendaItem, AgendaPack, Meeting, WorkPlanEntry, utcnow

    meeting = Meeting(committee=org["committee"], meets_on=date(2019, 9, 24), municipal_year="2019-20")
    published = Meeting(committee=org["committee"], meets_on=date(2019, 7, 23), municipal_year="2019-20",
                        agenda_state="published")
    agenda_item = AgendaItem(meeting=meeting, title="Urgent Business", position=1)
    entry = WorkPlanEntry(committee=org["committee"], meeting=meeting, municipal_year="2019-20", title="Work Plan")
    db.session.add_all([report, meeting, published, agenda_item, entry])
    db.session.flush()
    db.session.add(AgendaPack(meeting_id=published.id, number=1, pdf=b"%PDF-1.4", sha256="0" * 64, page_count=1,
                              agenda="[]", published_at=utcnow()))
    db.session.commit()
    return dict(people, report=report, org=org, meeting=meeting, published=published, agenda_item=agenda_item,
                entry=entry, plan=plan, theme=theme, action=action, milestone=milestone, risk=risk, indicator=indicator,
                period=period, update=update, value=value, delegation=delegation, attachment=attachment)


def test_every_route_is_classified(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    unclassified = sorted(endpoints - set(ROUTES))
    stale = sorted(set(ROUTES) - endpoints)
    assert not unclassified, f"classify these routes in tests/test_routes.py: {unclassified}"
    assert not stale, f"these classified routes no longer exist: {stale}"


def test_only_public_routes_are_marked_public(app):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        marked = rule.endpoint == "static" or getattr(view, "is_public", False)
        assert marked == (ROUTES[rule.endpoint][0] == PUBLIC), rule.endpoint


def _methods(app, endpoint) -> set[str]:
    return set().union(*(r.methods for r in app.url_map.iter_rules() if r.endpoint == endpoint))


def _get_routes():
    return [(e, who, url) for e, (who, url) in ROUTES.items() if url is not None and e not in POST_ONLY]


POST_ONLY = {"auth.sign_out", "updates.autosave", "updates.withdraw", "updates.return_to_owner", "updates.sign_off",
             "updates.reopen", "updates.end_delegation", "updates.sign_off_selected",
             "updates.upload", "updates.delete", "reports.recompile", "reports.submit", "reports.approve",
             "reports.return_report", "notifications.mark_read", "notifications.mark_all_read",
             "meetings.start_agenda", "meetings.add_report", "meetings.add_item", "meetings.move_item",
             "meetings.remove_item", "meetings.upload_document", "meetings.publish", "meetings.move_work_plan_entry", "meetings.add_work_plan_entry",
             "plans.import_preview", "plans.import_confirm",
             "meetings.link_work_plan_report", "meetings.remove_work_plan_entry"}
POST_ONLY |= {"organisation.retire_directorate", "organisation.retire_service", "organisation.retire_committee"}  # organisation, committees and settings (issue 12)
POST_ONLY |= set()  # plans set-up, roll-over and periods (issue 12)
POST_ONLY |= {"users.grant", "users.revoke", "users.send_link", "users.reactivate", "users.reassign",
              "users.import_confirm"}  # people and passwords (issue 12)
POST_ONLY |= set()  # the trail for administrators (issue 12)
POST_ONLY |= set()  # directory sign-in (issue 15)
POST_ONLY |= set()  # plan import in the council's own shape (issue 13)
POST_ONLY |= set()  # plan fields, current position and export (issue 13)
POST_ONLY |= {"reports.add_annex", "reports.remove_annex", "reports.chase_paper"}  # committee papers (issue 14)
POST_ONLY |= {"councillors.add_reader", "councillors.remove_reader"}  # exempt items, councillors and public agendas (issue 14)
POST_ONLY |= set()  # the clerk's editing tools and the pack (issue 14)
POST_ONLY |= set()  # the owner's quarter (issue 16)
POST_ONLY |= {"updates.queue_sign_off", "updates.queue_return", "updates.name_indicator_owner"}  # sign-off, approval, dashboard and reports (issue 16)
POST_ONLY |= set()  # performance (issue 17)
GET_ROUTES = _get_routes()


def test_post_only_list_is_true(app):
    for endpoint in ROUTES:
        methods = _methods(app, endpoint)
        assert ("GET" not in methods) == (endpoint in POST_ONLY), endpoint


@pytest.mark.parametrize("endpoint,who,url", GET_ROUTES, ids=[e for e, _, _ in GET_ROUTES])
def test_anonymous_access(client, objects, endpoint, who, url):
    page = client.c.get(url(objects))
    if who == PUBLIC:
        assert page.status_code == 200
    else:
        assert page.status_code == 302
        assert page.location.startswith("/sign-in?next=")


@pytest.mark.parametrize("person", sorted(EVERYONE))
def test_access_by_role(sign_in_as, objects, person):
    client = sign_in_as(person)
    for endpoint, who, url in GET_ROUTES:
        allowed = EVERYONE if who in (PUBLIC, SIGNED_IN) else who
        status = client.c.get(url(objects)).status_code
        expected = (302 if endpoint in REDIRECTS_WHEN_ALLOWED else 200) if person in allowed else 403
        assert status == expected, f"{person} on {endpoint}: got {status}, expected {expected}"


@pytest.mark.parametrize("person", sorted(EVERYONE - {"admin"}))
def test_refused_people_cannot_post_either(sign_in_as, objects, person):
    """A refusal by URL holds for a crafted POST too (with a valid CSRF token)."""
    client = sign_in_as(person)
    token = client.csrf_token("/")
    for endpoint, (who, url) in ROUTES.items():
        if url is None or who in (PUBLIC, SIGNED_IN) or person in who:
            continue
        if "POST" not in _methods(client.c.app, endpoint):
            continue
        status = client.c.post(url(objects), data={"csrf_token": token}).status_code
        assert status == 403, f"{person} POST {endpoint}: {status}"


# --- the access matrix: the same routes, with objects out of everyone's scope ---------------
# Each entry builds the URL from objects in ANOTHER service (a plan, its action owned by
# another owner, that action's update), ANOTHER committee and another Head of Service's
# delegation. Nobody but an administrator may reach them (administrators manage everything
# except the sign-off and approval that need a Head of Service or Assistant Director).

OUT_OF_SCOPE = {
    "plans.show": lambda o: f"/plans/{o['plan'].id}",
    "plans.action": lambda o: f"/actions/{o['action'].id}",
    "plans.edit_plan": lambda o: f"/plans/{o['plan'].id}/edit",
    "plans.new_theme": lambda o: f"/plans/{o['plan'].id}/themes/new",
    "plans.edit_theme": lambda o: f"/themes/{o['theme'].id}/edit",
    "plans.new_action": lambda o: f"/plans/{o['plan'].id}/actions/new",
    "plans.edit_action": lambda o: f"/actions/{o['action'].id}/edit",
    "plans.new_milestone": lambda o: f"/actions/{o['action'].id}/milestones/new",
    "plans.edit_milestone": lambda o: f"/milestones/{o['milestone'].id}/edit",
    "plans.new_risk": lambda o: f"/plans/{o['plan'].id}/risks/new",
    "plans.edit_risk": lambda o: f"/risks/{o['risk'].id}/edit",
    "plans.new_indicator": lambda o: f"/plans/{o['plan'].id}/indicators/new",
    "plans.edit_indicator": lambda o: f"/indicators/{o['indicator'].id}/edit",
    "plans.import_start": lambda o: f"/plans/{o['plan'].id}/import",
    "plans.import_template": lambda o: f"/plans/{o['plan'].id}/import/template.xlsx",
    "plans.import_preview": lambda o: f"/plans/{o['plan'].id}/import/preview",
    "plans.import_confirm": lambda o: f"/plans/{o['plan'].id}/import/confirm",
    "plans.export": lambda o: f"/plans/{o['plan'].id}/export.xlsx",
    "updates.show": lambda o: f"/updates/{o['update'].id}",
    "updates.autosave": lambda o: f"/updates/{o['update'].id}/autosave",
    "updates.withdraw": lambda o: f"/updates/{o['update'].id}/withdraw",
    "updates.return_to_owner": lambda o: f"/updates/{o['update'].id}/return",
    "updates.sign_off": lambda o: f"/updates/{o['update'].id}/sign-off",
    "updates.reopen": lambda o: f"/updates/{o['update'].id}/reopen",
    "updates.queue_detail": lambda o: f"/sign-off/update/{o['update'].id}",
    "updates.upload": lambda o: f"/updates/{o['update'].id}/attachments",
    "updates.download": lambda o: f"/attachments/{o['attachment'].id}",
    "updates.delete": lambda o: f"/attachments/{o['attachment'].id}/delete",
    "updates.end_delegation": lambda o: f"/delegation/{o['delegation'].id}/end",
    "reports.show": lambda o: f"/reports/{o['report'].id}",
    "reports.pdf": lambda o: f"/reports/{o['report'].id}/report.pdf",
    "reports.compare": lambda o: f"/reports/{o['report'].id}/compare",
    "reports.edit": lambda o: f"/reports/{o['report'].id}/edit",
    "reports.recompile": lambda o: f"/reports/{o['report'].id}/compile",
    "reports.submit": lambda o: f"/reports/{o['report'].id}/submit",
    "reports.approve": lambda o: f"/reports/{o['report'].id}/approve",
    "reports.return_report": lambda o: f"/reports/{o['report'].id}/return",
    "meetings.edit_committee": lambda o: f"/committees/{o['committee'].id}/edit",
    "meetings.new_meeting": lambda o: f"/committees/{o['committee'].id}/meetings/new",
    "meetings.meeting": lambda o: f"/meetings/{o['meeting'].id}",
    "meetings.agenda": lambda o: f"/meetings/{o['meeting'].id}/agenda",
    "meetings.start_agenda": lambda o: f"/meetings/{o['meeting'].id}/agenda/start",
    "meetings.add_report": lambda o: f"/meetings/{o['meeting'].id}/agenda/reports",
    "meetings.add_item": lambda o: f"/meetings/{o['meeting'].id}/agenda/items",
    "meetings.move_item": lambda o: f"/meetings/{o['meeting'].id}/agenda/items/{o['agenda_item'].id}/move",
    "meetings.remove_item": lambda o: f"/meetings/{o['meeting'].id}/agenda/items/{o['agenda_item'].id}/remove",
    "meetings.upload_document": lambda o: f"/meetings/{o['meeting'].id}/documents",
    "meetings.publish": lambda o: f"/meetings/{o['meeting'].id}/publish",
    "meetings.add_work_plan_entry": lambda o: f"/committees/{o['committee'].id}/work-plan",
    "meetings.move_work_plan_entry": lambda o: f"/committees/{o['committee'].id}/work-plan/{o['entry'].id}/move",
    "meetings.link_work_plan_report": lambda o: f"/committees/{o['committee'].id}/work-plan/{o['entry'].id}/report",
    "meetings.remove_work_plan_entry": lambda o: f"/committees/{o['committee'].id}/work-plan/{o['entry'].id}/remove",
    "notifications.mark_read": lambda o: f"/notifications/{o['notification'].id}/read",
    # --- plans set-up, roll-over and periods (issue 12) ---
    "plans.roll_over": lambda o: f"/plans/{o['plan'].id}/roll-over",
    "plans.archive_plan": lambda o: f"/plans/{o['plan'].id}/archive",
    # --- plan import in the council's own shape (issue 13) ---
    # --- plan fields, current position and export (issue 13) ---
    # --- committee papers (issue 14) ---
    "reports.paper_file": lambda o: __import__("tests.paper_helpers", fromlist=["x"]).paper_file_url(o['report']),
    "reports.annex_file": lambda o: __import__("tests.paper_helpers", fromlist=["x"]).annex_url(o['report']),
    "reports.add_annex": lambda o: f"/reports/{o['report'].id}/annexes",
    "reports.remove_annex": lambda o: __import__("tests.paper_helpers", fromlist=["x"]).remove_annex_url(o['report']),
    "reports.meeting_papers": lambda o: f"/meetings/{o['meeting'].id}/papers",
    "reports.chase_paper": lambda o: f"/meetings/{o['meeting'].id}/papers/chase",
    "meetings.confirm_remove_work_plan_entry": lambda o: f"/committees/{o['committee'].id}/work-plan/{o['entry'].id}/remove",
    # --- exempt items, councillors and public agendas (issue 14) ---
    "councillors.exempt_item": lambda o: f"/meetings/{o['meeting'].id}/agenda/items/{o['agenda_item'].id}/exempt",
    "councillors.confidential": lambda o: f"/meetings/{o['meeting'].id}/confidential",
    "councillors.confidential_pack": lambda o: __import__("tests.public_helpers", fromlist=["x"]).confidential_pack_url(o['meeting']),
    "councillors.add_reader": lambda o: f"/meetings/{o['meeting'].id}/confidential/readers",
    "councillors.remove_reader": lambda o: f"/meetings/{o['meeting'].id}/confidential/readers/{o['action'].owner_id}/remove",
    # --- the clerk's editing tools and the pack (issue 14) ---
    "meetings.edit_meeting": lambda o: f"/meetings/{o['meeting'].id}/edit",
    "meetings.cancel_meeting": lambda o: f"/meetings/{o['meeting'].id}/cancel",
    "meetings.edit_item": lambda o: f"/meetings/{o['meeting'].id}/agenda/items/{o['agenda_item'].id}/edit",
    "meetings.confirm_remove_item": lambda o: f"/meetings/{o['meeting'].id}/agenda/items/{o['agenda_item'].id}/remove",
    "meetings.replace_document": lambda o: __import__("tests.clerk_tools_helpers", fromlist=["x"]).document_url(o['meeting'], "replace"),
    "meetings.remove_document": lambda o: __import__("tests.clerk_tools_helpers", fromlist=["x"]).document_url(o['meeting'], "remove"),
    # --- the owner's quarter (issue 16) ---
    # --- sign-off, approval, dashboard and reports (issue 16) ---
    "updates.queue_sign_off": lambda o: f"/sign-off/update/{o['update'].id}/sign-off",
    "updates.queue_return": lambda o: f"/sign-off/update/{o['update'].id}/return",
    "updates.name_indicator_owner": lambda o: f"/indicators/{o['indicator'].id}/owner",
    # --- performance (issue 17) ---
}
# Routes with an object that every signed-in person may read (published agendas, committees,
# work plans), or no object at all: they are not in the table above.
NO_OBJECT_OR_OPEN = {e for e, (who, _) in ROUTES.items() if who in (PUBLIC, SIGNED_IN)} | {
    "users.index", "trail.index", "updates.queue", "updates.sign_off_selected", "updates.periods",
    "updates.new_period", "updates.open_period", "updates.delegation", "reports.new", "reports.dashboard",
    "notifications.outbox"}
NO_OBJECT_OR_OPEN |= {  # organisation, committees and settings (issue 12): administrators only, everywhere
    "organisation.home", "organisation.organisation", "organisation.new_directorate", "organisation.edit_directorate",
    "organisation.retire_directorate", "organisation.new_service", "organisation.edit_service",
    "organisation.retire_service", "organisation.committees", "organisation.new_committee",
    "organisation.retire_committee", "organisation.settings"}
NO_OBJECT_OR_OPEN |= {"plans.new_plan", "updates.close_period"}  # plans set-up, roll-over and periods (issue 12)
NO_OBJECT_OR_OPEN |= {"users.new", "users.show", "users.edit", "users.grant", "users.revoke", "users.send_link",
                      "users.deactivate", "users.reactivate", "users.reassign", "users.import_people",
                      "users.import_confirm"}  # people and passwords (issue 12)
NO_OBJECT_OR_OPEN |= {"trail.export"}  # the trail for administrators (issue 12)
NO_OBJECT_OR_OPEN |= set()  # directory sign-in (issue 15)
NO_OBJECT_OR_OPEN |= set()  # plan import in the council's own shape (issue 13)
NO_OBJECT_OR_OPEN |= set()  # plan fields, current position and export (issue 13)
NO_OBJECT_OR_OPEN |= {"reports.new_paper", "reports.upload_paper"}  # committee papers (issue 14)
NO_OBJECT_OR_OPEN |= {"councillors.home"}  # exempt items, councillors and public agendas (issue 14)
NO_OBJECT_OR_OPEN |= set()  # the clerk's editing tools and the pack (issue 14)
NO_OBJECT_OR_OPEN |= set()  # the owner's quarter (issue 16)
NO_OBJECT_OR_OPEN |= {"updates.unowned"}  # sign-off, approval, dashboard and reports (issue 16)
NO_OBJECT_OR_OPEN |= set()  # performance (issue 17)
# Administrators manage everything, but sign-off and approval need the role in the service.
ADMIN_REFUSED = {"updates.autosave", "updates.withdraw", "updates.return_to_owner", "updates.sign_off",
                 "updates.reopen", "updates.queue_detail", "updates.upload", "updates.delete",
                 "updates.queue_sign_off", "updates.queue_return",  # sign-off (issue 16)
                 "updates.end_delegation", "reports.approve", "reports.return_report", "notifications.mark_read"}


def test_every_object_route_is_in_the_access_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    missing = sorted(endpoints - set(OUT_OF_SCOPE) - NO_OBJECT_OR_OPEN)
    assert not missing, f"add these routes to OUT_OF_SCOPE in tests/test_routes.py: {missing}"


@pytest.fixture()
def elsewhere(db, org, people, make_user):
    """Objects in another service and committee, owned and managed by other people."""
    from datetime import date

    from app.models import (Action, AgendaItem, Committee, Delegation, Indicator, Meeting, Milestone, Notification,
                            Plan, PriorityTheme, ProgressUpdate, ReportingPeriod, Report, Risk, Role, ScopeKind,
                            WorkPlanEntry)
    from app.updates.attachments import add_attachment

    other_owner = make_user("other.owner@example.org", "Oona Other")
    other_head = make_user("other.head@example.org", "Otto Head", Role.HEAD_OF_SERVICE, ScopeKind.SERVICE,
                           org["other_service"])
    plan = Plan(service=org["other_service"], title="Highways Plan")
    theme = PriorityTheme(plan=plan, title="Roads")
    action = Action(plan=plan, reference="H1", title="Fill potholes", theme=theme, owner=other_owner)
    milestone = Milestone(action=action, text="Survey")
    risk = Risk(plan=plan, reference="HR1", description="Winter")
    indicator = Indicator(plan=plan, reference="HI1", description="Potholes filled", owner=other_owner)
    period = ReportingPeriod(name="Q3 2019/20", starts_on=date(2019, 10, 1), ends_on=date(2019, 12, 31),
                             update_deadline=date(2020, 1, 14), signoff_deadline=date(2020, 1, 21))
    update = ProgressUpdate(action=action, period=period)
    committee = Committee(name="Economy and Place Policy and Scrutiny Committee")
    meeting = Meeting(committee=committee, meets_on=date(2019, 10, 8), municipal_year="2019-20")
    agenda_item = AgendaItem(meeting=meeting, title="Work Plan", position=1)
    entry = WorkPlanEntry(committee=committee, meeting=meeting, municipal_year="2019-20", title="Roads update")
    delegation = Delegation(head=other_head, deputy=other_owner, starts_on=date(2019, 1, 1), ends_on=date(2030, 1, 1))
    notification = Notification(recipient=other_owner, kind="test", subject="Yours", body="Not theirs")
    db.session.add_all([plan, theme, action, milestone, risk, indicator, period, update, committee, meeting,
                        agenda_item, entry, delegation, notification])
    db.session.flush()
    report = Report(title="Highways progress", period=period, author_id=other_head.id, content="{}")
    report.plans = [plan]
    db.session.add(report)
    db.session.commit()
    attachment = add_attachment(update, "survey.pdf", pdf_samples.a_pdf("survey"), other_owner)
    return dict(plan=plan, theme=theme, action=action, milestone=milestone, risk=risk, indicator=indicator,
                update=update, committee=committee, meeting=meeting, agenda_item=agenda_item, entry=entry,
                delegation=delegation, report=report, attachment=attachment, notification=notification)


@pytest.mark.parametrize("person", sorted(EVERYONE))
def test_nobody_reaches_objects_outside_their_scope(sign_in_as, elsewhere, person, client):
    who = sign_in_as(person)
    token = who.csrf_token("/")
    allowed = []
    for endpoint, url in OUT_OF_SCOPE.items():
        path = url(elsewhere)
        methods = _methods(who.c.app, endpoint)
        if "GET" in methods and endpoint not in POST_ONLY:
            status = who.c.get(path).status_code
        else:
            status = who.c.post(path, data={"csrf_token": token}).status_code
        may = person == "admin" and endpoint not in ADMIN_REFUSED
        if may:
            assert status not in (403, 404), f"admin refused {endpoint}: {status}"
        elif status not in (403, 404):
            allowed.append(f"{endpoint} ({status})")
    assert not allowed, f"{person} reached objects outside their scope: {allowed}"
    # And nobody at all, signed out.
    for endpoint, url in OUT_OF_SCOPE.items():
        status = client.c.get(url(elsewhere)).status_code
        assert status in (302, 400, 405), f"anonymous {endpoint}: {status}"
