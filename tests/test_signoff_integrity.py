"""Sign-off integrity: an owner's update is the owner's; the Head of Service sees what signing
off will change; attachments and period opening are safe to double-click and to race."""
import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.models import (
    Action,
    Attachment,
    Indicator,
    IndicatorValue,
    Milestone,
    PeriodState,
    Plan,
    Polarity,
    ProgressUpdate,
    Rag,
    ReportingPeriod,
    TrailEvent,
    UpdateState,
)
from app.updates import service
from tests.race_client import Browser, at_once, serving


@pytest.fixture()
def world(db, org, people):
    """A plan with the owner's action (two milestones) and indicator, the quarter before
    (signed off: Amber, 40%) and this quarter, open."""
    plan = Plan(service=org["service"], title="Service Improvement Plan")
    action = Action(plan=plan, reference="A1", title="Recruit foster carers", owner=people["owner"])
    launched = Milestone(action=action, text="Campaign launched")
    Milestone(action=action, text="Panel trained")
    indicator = Indicator(plan=plan, reference="EFL3", description="% assessments in 45 days",
                          polarity=Polarity.UP_IS_GOOD, target=80, owner=people["owner"])
    today = date.today()
    before = ReportingPeriod(name="Q1 2019/20", starts_on=today - timedelta(days=181),
                             ends_on=today - timedelta(days=91), update_deadline=today - timedelta(days=80),
                             signoff_deadline=today - timedelta(days=70), state=PeriodState.OPEN)
    period = ReportingPeriod(name="Q2 2019/20", starts_on=today - timedelta(days=90), ends_on=today - timedelta(days=1),
                             update_deadline=today + timedelta(days=7), signoff_deadline=today + timedelta(days=14))
    db.session.add_all([plan, action, indicator, before, period])
    db.session.flush()
    db.session.add_all([
        ProgressUpdate(action=action, period=before, state=UpdateState.SIGNED_OFF, narrative="Designed",
                       rag=Rag.AMBER, percent_complete=40, corrective_action="More adverts"),
        IndicatorValue(indicator=indicator, period=before, state=UpdateState.SIGNED_OFF, value=70),
    ])
    action.rag = Rag.AMBER
    db.session.commit()
    service.open_period(period, people["admin"])
    update = db.session.scalar(sa.select(ProgressUpdate).where(ProgressUpdate.period_id == period.id))
    value = db.session.scalar(sa.select(IndicatorValue).where(IndicatorValue.period_id == period.id))
    return dict(people, plan=plan, action=action, launched=launched, period=period, update=update, value=value)


def editable_form(page):
    return page.soup.select_one("main form[data-warn-unsaved]")


def fields_of(page, **changes):
    data = {}
    for el in editable_form(page).select("input, textarea"):
        name = el.get("name")
        if not name or el.get("type") == "submit":
            continue
        if el.name == "textarea":
            data[name] = el.get_text()
        elif el.get("type") in ("radio", "checkbox"):
            if el.has_attr("checked"):
                data.setdefault(name, el["value"])
        else:
            data[name] = el.get("value", "")
    data.update(changes)
    return data


def events_of(db, obj):
    return db.session.scalars(sa.select(TrailEvent.verb).where(
        TrailEvent.object_type == obj.__tablename__, TrailEvent.object_id == obj.id).order_by(TrailEvent.seq)).all()


def fresh(db, model, obj_id):
    db.session.expire_all()
    return db.session.get(model, obj_id)


def submit_as_owner(owner, url, **fields):
    page = owner.post(url, fields_of(owner.get(url), intent="submit", **fields))
    assert page.status == 302, page.error_summary() or page.text()[:300]


# --- an owner's update is the owner's --------------------------------------------------------

def test_a_head_of_service_who_returns_an_update_cannot_rewrite_it(db, world, sign_in_as):
    owner, hos = sign_in_as("owner"), sign_in_as("hos")
    url = f"/updates/{world['update'].id}"
    submit_as_owner(owner, url, narrative="Owner's words", rag="green", percent_complete="60")
    version = fresh(db, ProgressUpdate, world["update"].id).version
    assert hos.post(f"{url}/return", {"version": version, "comment": "Say how many carers"}).status == 302

    page = hos.get(url)
    assert page.status == 200
    assert editable_form(page) is None and page.soup.select_one("textarea#narrative") is None
    assert "Owner's words" in page.text()  # read, not edited
    returned = fresh(db, ProgressUpdate, world["update"].id)
    trail_before = events_of(db, returned)
    crafted = {"version": returned.version, "narrative": "Head's words", "rag": "red",
               "corrective_action": "x", "percent_complete": "5"}
    assert hos.post(url, dict(crafted, intent="save"), token_from=url).status == 403
    assert hos.post(url, dict(crafted, intent="submit"), token_from=url).status == 403
    response = hos.c.post(f"{url}/autosave", data=dict(crafted, csrf_token=hos.csrf_token(url)),
                          headers={"HX-Request": "true"})
    assert response.status_code == 403
    after = fresh(db, ProgressUpdate, world["update"].id)
    assert (after.narrative, after.rag, after.percent_complete, after.state) == (
        "Owner's words", Rag.GREEN, 60, UpdateState.RETURNED)
    assert after.version == returned.version and events_of(db, after) == trail_before

    # The owner still writes it, and resubmits.
    page = owner.get(url)
    assert editable_form(page) is not None
    submit_as_owner(owner, url, narrative="Owner's words: 4 carers recruited")
    assert fresh(db, ProgressUpdate, world["update"].id).narrative == "Owner's words: 4 carers recruited"


def test_a_head_of_service_cannot_rewrite_a_submitted_update_or_value(db, world, sign_in_as):
    owner, hos = sign_in_as("owner"), sign_in_as("hos")
    url, vurl = f"/updates/{world['update'].id}", f"/indicator-values/{world['value'].id}"
    submit_as_owner(owner, url, narrative="Owner's words", rag="green")
    submit_as_owner(owner, vurl, value="85")
    for address, model, obj_id, crafted in [
            (url, ProgressUpdate, world["update"].id, {"narrative": "Head's words", "rag": "green"}),
            (vurl, IndicatorValue, world["value"].id, {"value": "12", "commentary": "Head's words"})]:
        before = fresh(db, model, obj_id)
        page = hos.get(address)
        assert editable_form(page) is None
        assert hos.post(address, dict(crafted, version=before.version, intent="save"), token_from=address).status == 403
        after = fresh(db, model, obj_id)
        assert after.version == before.version and after.state == UpdateState.SUBMITTED
        assert "Head's words" not in (getattr(after, "narrative", None) or after.commentary or "")
        assert not any(verb.endswith("_saved") for verb in events_of(db, after))
    with pytest.raises(service.NotAllowed):
        service.save_draft(fresh(db, IndicatorValue, world["value"].id), {"value": 1}, None, world["hos"])


# --- what signing off will change --------------------------------------------------------------

def test_the_head_of_service_sees_what_signing_off_will_change(db, world, sign_in_as):
    owner, hos = sign_in_as("owner"), sign_in_as("hos")
    url = f"/updates/{world['update'].id}"
    page = owner.get(url)
    submit_as_owner(owner, url, narrative="Campaign ran", rag="green", percent_complete="60",
                    milestones_done=str(world["launched"].id))
    submit_as_owner(owner, f"/indicator-values/{world['value'].id}", value="85")

    queue = hos.get("/sign-off").text()
    assert "RAG status: Amber to Green" in queue
    assert "Per cent complete: 40% to 60%" in queue
    assert "Milestones marked done (1): Campaign launched" in queue
    assert "Panel trained" not in queue
    assert "Value: 70 to 85" in queue
    assert "Compared with what was signed off for Q1 2019/20" in queue

    page = hos.get(url)
    decision = page.soup.select_one(".docket-sign-off-changes").get_text(" ", strip=True)
    assert "RAG status: Amber to Green" in decision and "Per cent complete: 40% to 60%" in decision
    assert "Campaign launched" in decision

    version = fresh(db, ProgressUpdate, world["update"].id).version
    assert hos.post(f"{url}/sign-off", {"version": version}).status == 302
    assert fresh(db, Milestone, world["launched"].id).done is True
    assert fresh(db, Action, world["action"].id).rag == Rag.GREEN


def test_the_queue_says_so_when_nothing_moves(db, world, sign_in_as):
    owner, hos = sign_in_as("owner"), sign_in_as("hos")
    url = f"/updates/{world['update'].id}"
    submit_as_owner(owner, url, narrative="Still going", rag="amber", percent_complete="40",
                    corrective_action="More adverts")
    queue = hos.get("/sign-off").text()
    assert "RAG status: stays Amber" in queue and "Per cent complete: stays 40%" in queue
    assert "No milestones are marked done" in queue


# --- attachments: the same file once -----------------------------------------------------------

def a_pdf(text: str) -> bytes:
    """A real one-page PDF (attachments are checked by parsing them)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def attach(client, url, name, data):
    return client.post(f"{url}/attachments", {"file": (io.BytesIO(data), name)}, token_from=url, follow=True,
                       content_type="multipart/form-data")


def test_a_double_clicked_attachment_is_stored_once(db, world, sign_in_as):
    owner = sign_in_as("owner")
    url = f"/updates/{world['update'].id}"
    data = a_pdf("Minutes of the board")
    assert "Minutes.pdf was attached" in attach(owner, url, "Minutes.pdf", data).text()
    page = attach(owner, url, "Minutes.pdf", data)
    assert "Minutes.pdf was not attached: This file is already attached, as Minutes.pdf." in page.text()
    page = attach(owner, url, "Copy of minutes.pdf", data)
    assert "already attached, as Minutes.pdf" in page.text()
    assert [a.filename for a in fresh(db, ProgressUpdate, world["update"].id).attachments] == ["Minutes.pdf"]
    assert events_of(db, world["update"]).count("attachment_added") == 1


def test_the_same_file_attached_at_once_in_parallel_is_stored_once(app, db, world):
    url = f"/updates/{world['update'].id}"
    data = a_pdf("The same file, ten times at once")
    with serving(app) as base:
        tabs = [Browser(base) for _ in range(10)]
        for tab in tabs:
            tab.sign_in("owner@example.org")
        tokens = [tab.token() for tab in tabs]
        replies = at_once([lambda t=tab, k=token: t.post_file(f"{url}/attachments", "minutes.pdf", data, k)
                           for tab, token in zip(tabs, tokens)])
    assert all(not isinstance(r, Exception) and r.status == 302 for r in replies), replies
    stored = db.session.scalars(sa.select(Attachment).where(Attachment.update_id == world["update"].id)).all()
    assert len(stored) == 1
    assert events_of(db, world["update"]).count("attachment_added") == 1


# --- opening a period: each draft once -----------------------------------------------------------

def new_period(db, name="Q3 2019/20"):
    today = date.today()
    period = ReportingPeriod(name=name, starts_on=today, ends_on=today + timedelta(days=90),
                             update_deadline=today + timedelta(days=100), signoff_deadline=today + timedelta(days=110))
    db.session.add(period)
    db.session.commit()
    return period


def test_opening_a_period_twice_is_refused_with_who_opened_it(db, world, sign_in_as):
    period = new_period(db)
    admin = sign_in_as("admin")
    assert admin.post(f"/periods/{period.id}/open", {}, token_from="/periods/").status == 302
    page = admin.post(f"/periods/{period.id}/open", {}, token_from="/periods/")
    assert page.status == 409
    assert "Q3 2019/20 is already open. Ada Admin opened it on" in page.text()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProgressUpdate)
                             .where(ProgressUpdate.period_id == period.id)) == 1


def test_twenty_opens_at_once_make_each_draft_once(app, db, world):
    period = new_period(db)
    actions = [Action(plan=world["plan"], reference=f"B{n}", title=f"Action {n}", owner=world["owner"])
               for n in range(5)]
    db.session.add_all(actions)
    db.session.commit()
    with serving(app) as base:
        admins = [Browser(base) for _ in range(20)]
        for admin in admins:
            admin.sign_in("admin@example.org")
        tokens = [admin.token() for admin in admins]
        address = f"/periods/{period.id}/open"
        replies = at_once([lambda a=admin, k=token: a.post(address, {}, token=k)
                           for admin, token in zip(admins, tokens)])
    statuses = sorted(r.status if not isinstance(r, Exception) else repr(r) for r in replies)
    assert statuses == [302] + [409] * 19, statuses
    refusals = [r.text() for r in replies if r.status == 409]
    assert all("Q3 2019/20 is already open. Ada Admin opened it on" in text for text in refusals), refusals[0][:500]
    db.session.expire_all()
    assert db.session.get(ReportingPeriod, period.id).state == PeriodState.OPEN
    drafts = db.session.scalars(sa.select(ProgressUpdate.action_id).where(ProgressUpdate.period_id == period.id)).all()
    assert sorted(drafts) == sorted([world["action"].id] + [a.id for a in actions])
    values = db.session.scalars(sa.select(IndicatorValue).where(IndicatorValue.period_id == period.id)).all()
    assert len(values) == 1
    assert events_of(db, db.session.get(ReportingPeriod, period.id)).count("period_opened") == 1
    from app.trail import verify

    assert verify()[1] is None
