"""Progress updates and indicator values: periods, the update form, sign-off, races."""
import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from app.models import (
    Action,
    Delegation,
    Indicator,
    IndicatorValue,
    Milestone,
    Notification,
    PeriodState,
    Plan,
    Polarity,
    ProgressUpdate,
    Rag,
    ReportingPeriod,
    Role,
    ScopeKind,
    TrailEvent,
    UpdateState,
    User,
)
from app.updates import rules, service
from tests import pdf_samples
from tests.conftest import Client, TEST_PASSWORD


@pytest.fixture()
def world(db, org, people):
    """A plan with two actions (the owner's, and someone else's) and two indicators, and an
    open quarter whose deadline is a week away."""
    other_owner = User(email="other@example.org", name="Otto Other", session_token="x")
    plan = Plan(service=org["service"], title="Service Improvement Plan")
    mine = Action(plan=plan, reference="A1", title="Recruit foster carers", owner=people["owner"])
    Milestone(action=mine, text="Campaign launched")
    theirs = Action(plan=plan, reference="A2", title="Audit case files", owner=other_owner)
    indicator = Indicator(plan=plan, reference="EFL3", description="% assessments in 45 days",
                          polarity=Polarity.UP_IS_GOOD, target=80, owner=people["owner"])
    today = date.today()
    period = ReportingPeriod(name="Q2 2019/20", starts_on=today - timedelta(days=90), ends_on=today - timedelta(days=1),
                             update_deadline=today + timedelta(days=7), signoff_deadline=today + timedelta(days=14))
    db.session.add_all([other_owner, plan, mine, theirs, indicator, period])
    db.session.commit()
    counts = service.open_period(period, people["admin"])
    update = db.session.scalar(sa.select(ProgressUpdate).where(ProgressUpdate.action_id == mine.id))
    value = db.session.scalar(sa.select(IndicatorValue))
    return dict(people, plan=plan, mine=mine, theirs=theirs, period=period, update=update, value=value,
                counts=counts, other_owner=other_owner, indicator=indicator)


def form_of(page, **changes):
    data = {}
    form = page.soup.select_one("main form[data-warn-unsaved]")
    for el in form.select("input, textarea"):
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


def trail_verbs(db, obj):
    return db.session.scalars(sa.select(TrailEvent.verb).where(
        TrailEvent.object_type == obj.__tablename__, TrailEvent.object_id == obj.id).order_by(TrailEvent.seq)).all()


def test_opening_a_period_creates_drafts_for_live_actions_and_due_indicators(db, world):
    assert world["counts"] == {"updates": 2, "values": 1}
    assert world["period"].state == PeriodState.OPEN
    assert {u.state for u in db.session.scalars(sa.select(ProgressUpdate))} == {UpdateState.DRAFT}
    with pytest.raises(service.TransitionError):
        service.open_period(world["period"], world["admin"])


def test_next_period_starts_from_the_previous_text(db, world):
    world["update"].narrative = "Campaign planned"
    world["update"].key_actions_remaining = "Launch it"
    db.session.commit()
    p = world["period"]
    nxt = ReportingPeriod(name="Q3 2019/20", starts_on=p.ends_on + timedelta(days=1), ends_on=p.ends_on + timedelta(days=92),
                          update_deadline=p.ends_on + timedelta(days=100), signoff_deadline=p.ends_on + timedelta(days=107))
    db.session.add(nxt)
    db.session.commit()
    service.open_period(nxt, world["admin"])
    carried = db.session.scalar(sa.select(ProgressUpdate).where(ProgressUpdate.period_id == nxt.id,
                                                                ProgressUpdate.action_id == world["mine"].id))
    assert carried.narrative == "Campaign planned" and carried.key_actions_remaining == "Launch it"


@pytest.mark.parametrize("values,target,polarity,previous,rag,direction", [
    (85, 80, Polarity.UP_IS_GOOD, 70, Rag.GREEN, "good"),
    (77, 80, Polarity.UP_IS_GOOD, 79, Rag.AMBER, "bad"),
    (60, 80, Polarity.UP_IS_GOOD, None, Rag.RED, None),
    (10, 12, Polarity.UP_IS_BAD, 11, Rag.GREEN, "good"),
    (14, 12, Polarity.UP_IS_BAD, 11, Rag.RED, "bad"),
    (5, None, Polarity.NEUTRAL, 5, None, "neutral"),
])
def test_value_rag_and_direction_by_polarity(values, target, polarity, previous, rag, direction):
    from decimal import Decimal

    v = Decimal(values)
    t = Decimal(target) if target is not None else None
    p = Decimal(previous) if previous is not None else None
    assert rules.value_rag(v, t, polarity) == rag
    got = rules.direction(v, p, polarity)
    assert (got.value if got else None) == direction


def test_the_whole_update_journey_with_trail_and_notifications(app, db, world, sign_in_as):
    owner, hos = sign_in_as("owner"), sign_in_as("hos")
    update = world["update"]
    url = f"/updates/{update.id}"

    home = owner.get("/")
    assert "Updates due (2)" in home.text() and "A1: Recruit foster carers" in home.text()
    assert "7 days left" in home.text()

    page = owner.get(url)
    draft = form_of(page, narrative="Campaign designed", rag="red", intent="save")
    assert owner.post(url, draft).status == 302
    # Red without a corrective action cannot be submitted; nothing is stored, the typing is kept.
    page = owner.post(url, form_of(owner.get(url), narrative="Campaign delayed", intent="submit"))
    assert page.status == 400
    assert page.error_summary() == ["Enter the corrective action: it is needed when the status is red"]
    assert page.soup.select_one("#narrative").get_text() == "Campaign delayed"
    db.session.expire_all()
    assert db.session.get(ProgressUpdate, update.id).state == UpdateState.DRAFT
    assert db.session.get(ProgressUpdate, update.id).narrative == "Campaign designed"

    fixed = form_of(page, corrective_action="Second campaign in October", intent="submit")
    assert owner.post(url, fixed).status == 302
    db.session.expire_all()
    assert db.session.get(ProgressUpdate, update.id).state == UpdateState.SUBMITTED
    told = db.session.scalars(sa.select(Notification).where(Notification.recipient_id == world["hos"].id)).all()
    assert [n.subject for n in told] == ["For sign-off: A1 Q2 2019/20"]

    # Returning needs a comment.
    version = db.session.get(ProgressUpdate, update.id).version
    page = hos.post(f"{url}/return", {"version": version, "comment": " "})
    assert page.status == 400 and page.field_error("comment") == "Enter a comment saying what the owner needs to change"
    assert hos.post(f"{url}/return", {"version": version, "comment": "Say how many carers"}).status == 302

    home = owner.get("/")
    assert "Returned to you (1)" in home.text() and "Say how many carers" in home.text()
    resubmit = form_of(owner.get(url), narrative="Campaign delayed; 4 carers recruited", intent="submit")
    assert owner.post(url, resubmit).status == 302

    db.session.expire_all()
    version = db.session.get(ProgressUpdate, update.id).version
    assert "Waiting for your sign-off (1)" in hos.get("/").text()
    assert hos.post(f"{url}/sign-off", {"version": version}).status == 302

    db.session.expire_all()
    signed = db.session.get(ProgressUpdate, update.id)
    assert signed.state == UpdateState.SIGNED_OFF
    # My tasks is kept until anything is recorded on the trail: the sign-off shows at once.
    assert "Waiting for your sign-off" not in hos.get("/").text()
    assert signed.action.rag == Rag.RED  # the action's current RAG follows its signed-off update
    assert trail_verbs(db, signed) == ["update_drafted", "update_submitted", "update_returned",
                                       "update_resubmitted", "update_signed_off"]
    page = owner.get(url)
    assert page.soup.select_one("main form[data-warn-unsaved]") is None  # read-only
    assert "Signed off" in page.text() and "Say how many carers" in page.text()
    timeline = [h.get_text(" ", strip=True) for h in page.soup.select(".docket-timeline__title")]
    assert len(timeline) == 5
    # The owner can no longer change it, even by a crafted request.
    assert owner.post(url, form_of(owner.get(f"/updates/{world['update'].id}"), intent="save") if False else
                      {"version": signed.version, "narrative": "sneaky", "intent": "save"}).status == 409


def test_owner_withdraws_before_sign_off(db, world, sign_in_as):
    owner = sign_in_as("owner")
    url = f"/updates/{world['update'].id}"
    owner.post(url, form_of(owner.get(url), narrative="Done", rag="green", intent="submit"))
    db.session.expire_all()
    version = db.session.get(ProgressUpdate, world["update"].id).version
    assert owner.post(f"{url}/withdraw", {"version": version}).status == 302
    db.session.expire_all()
    assert db.session.get(ProgressUpdate, world["update"].id).state == UpdateState.DRAFT


def test_reopen_needs_a_reason_and_returns_it_to_the_owner(db, world, sign_in_as):
    owner, hos = sign_in_as("owner"), sign_in_as("hos")
    url = f"/updates/{world['update'].id}"
    owner.post(url, form_of(owner.get(url), narrative="Done", rag="green", intent="submit"))
    db.session.expire_all()
    hos.post(f"{url}/sign-off", {"version": db.session.get(ProgressUpdate, world["update"].id).version})
    db.session.expire_all()
    version = db.session.get(ProgressUpdate, world["update"].id).version
    page = hos.post(f"{url}/reopen", {"version": version, "reason": ""})
    assert page.field_error("reason") == "Enter the reason for reopening it"
    assert hos.post(f"{url}/reopen", {"version": version, "reason": "Figures were wrong"}).status == 302
    db.session.expire_all()
    reopened = db.session.get(ProgressUpdate, world["update"].id)
    assert reopened.state == UpdateState.RETURNED and reopened.return_comment == "Figures were wrong"
    assert db.session.scalar(sa.select(Notification).where(Notification.kind == "update_reopened"))


def test_indicator_value_needs_commentary_when_it_misses_target(db, world, sign_in_as):
    owner = sign_in_as("owner")
    url = f"/indicator-values/{world['value'].id}"
    page = owner.post(url, form_of(owner.get(url), value="61.5", intent="submit"))
    assert page.status == 400
    assert page.field_error("commentary") == "Enter a commentary: the value misses its target"
    page = owner.post(url, form_of(page, value="abc", intent="submit"))
    assert page.field_error("value") == "Value for this period must be a number, like 12.5"
    assert owner.post(url, form_of(page, value="85", commentary="", intent="submit")).status == 302
    db.session.expire_all()
    assert db.session.get(IndicatorValue, world["value"].id).state == UpdateState.SUBMITTED


def test_nobody_acts_on_someone_elses_update_by_url(app, db, world, make_user, org):
    theirs = db.session.scalar(sa.select(ProgressUpdate).where(ProgressUpdate.action_id == world["theirs"].id))
    owner = Client(app)
    owner.sign_in("owner@example.org")
    url = f"/updates/{theirs.id}"
    assert owner.c.get(url).status_code == 403
    for suffix, data in [("", {"narrative": "x", "intent": "submit"}), ("/autosave", {}), ("/withdraw", {}),
                         ("/sign-off", {}), ("/return", {"comment": "x"}), ("/reopen", {"reason": "x"})]:
        assert owner.post(url + suffix, data, token_from="/").status == 403, suffix
    # A Head of Service elsewhere cannot sign off here.
    make_user("hos2@example.org", "Hana Highways", Role.HEAD_OF_SERVICE, ScopeKind.SERVICE, org["other_service"])
    elsewhere = Client(app)
    elsewhere.sign_in("hos2@example.org")
    assert elsewhere.post(f"/updates/{world['update'].id}/sign-off", {}, token_from="/").status == 403
    assert "Nothing is waiting" in elsewhere.get("/sign-off").text()


def test_cannot_sign_off_what_you_submitted_yourself(db, world, sign_in_as):
    world["mine"].owner_id = world["hos"].id  # a Head of Service who owns an action writes its update
    db.session.commit()
    hos = sign_in_as("hos")
    url = f"/updates/{world['update'].id}"
    assert hos.post(url, form_of(hos.get(url), narrative="On track", rag="green", intent="submit")).status == 302
    db.session.expire_all()
    page = hos.post(f"{url}/sign-off", {"version": db.session.get(ProgressUpdate, world["update"].id).version})
    assert page.status == 409 and "someone else must sign it off" in page.text()


def test_deputy_signs_off_on_behalf_while_the_delegation_lasts(db, world, sign_in_as):
    owner, deputy = sign_in_as("owner"), sign_in_as("nobody")
    url = f"/updates/{world['update'].id}"
    owner.post(url, form_of(owner.get(url), narrative="On track", rag="green", intent="submit"))
    db.session.expire_all()
    version = db.session.get(ProgressUpdate, world["update"].id).version
    assert deputy.post(f"{url}/sign-off", {"version": version}).status == 403  # not yet a deputy
    db.session.add(Delegation(head=world["hos"], deputy=world["nobody"], starts_on=date.today() - timedelta(days=1),
                              ends_on=date.today() + timedelta(days=5)))
    db.session.commit()
    queue = deputy.get("/sign-off")
    assert "A1: Recruit foster carers" in queue.text()
    assert deputy.post(f"{url}/sign-off", {"version": version}).status == 302
    event = db.session.scalar(sa.select(TrailEvent).where(TrailEvent.verb == "update_signed_off"))
    assert event.actor_name == "Nia Nobody" and event.on_behalf_of_id == world["hos"].id
    assert "Nia Nobody on behalf of Hari Head" in owner.get(url).text()


def test_bulk_sign_off_reports_each(db, world, sign_in_as, people):
    owner, hos = sign_in_as("owner"), sign_in_as("hos")
    url = f"/updates/{world['update'].id}"
    owner.post(url, form_of(owner.get(url), narrative="On track", rag="green", intent="submit"))
    vurl = f"/indicator-values/{world['value'].id}"
    owner.post(vurl, form_of(owner.get(vurl), value="90", intent="submit"))
    queue = hos.get("/sign-off")
    boxes = [b["value"] for b in queue.soup.select("input[name=selected]")]
    assert len(boxes) == 2
    stale = boxes[0].rsplit(":", 1)[0] + ":999"
    page = hos.post("/sign-off", {"selected": [boxes[1], stale]}, follow=True)
    assert "Signed off 1" in page.text()
    assert "It was not signed off again" in page.text() or "was not" in page.text()


def test_stale_save_keeps_typing_and_says_who(db, world, sign_in_as):
    owner, other_tab = sign_in_as("owner"), sign_in_as("owner")  # the owner, in two tabs
    url = f"/updates/{world['update'].id}"
    mine = form_of(owner.get(url), narrative="My words", intent="save")
    assert other_tab.post(url, form_of(other_tab.get(url), narrative="Other words", intent="save")).status == 302
    page = owner.post(url, mine)
    assert page.status == 409
    assert "Olu Owner started this on" in page.text()
    assert page.soup.select_one("#narrative").get_text() == "My words"


def test_autosave_returns_the_new_version(db, world, sign_in_as):
    owner = sign_in_as("owner")
    url = f"/updates/{world['update'].id}"
    data = form_of(owner.get(url), narrative="Typing…")
    data["csrf_token"] = owner.csrf_token(url)
    response = owner.c.post(f"{url}/autosave", data=data, headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "Saved at" in body
    db.session.expire_all()
    saved = db.session.get(ProgressUpdate, world["update"].id)
    assert saved.narrative == "Typing…" and f'value="{saved.version}"' in body and 'hx-swap-oob="true"' in body


def test_twenty_simultaneous_sign_offs_give_exactly_one(app, db, world):
    """Twenty threads, each its own connection, sign off one update at once."""
    update = world["update"]
    update.narrative, update.rag, update.state = "On track", Rag.GREEN, UpdateState.SUBMITTED
    update.submitted_by_id = world["owner"].id
    db.session.commit()
    version, uid, hos_id = update.version, update.id, world["hos"].id
    barrier = threading.Barrier(20, timeout=60)
    outcomes = []

    def attempt():
        with app.test_request_context():
            from app.extensions import db as tdb

            try:
                hos = tdb.session.get(User, hos_id)
                obj = tdb.session.get(ProgressUpdate, uid)
                tdb.session.commit()  # give the connection back while waiting for the others
                barrier.wait()
                service.sign_off(obj, version, hos)
                outcomes.append("ok")
            except service.TransitionError as exc:
                outcomes.append(str(exc))
            except Exception as exc:  # reported by the assertion below
                outcomes.append(f"unexpected {exc!r}")
            finally:
                tdb.session.remove()

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1, outcomes
    refusals = [o for o in outcomes if o != "ok"]
    assert len(refusals) == 19
    assert all("Hari Head signed off this on" in r for r in refusals), refusals[:3]
    db.session.expire_all()
    assert trail_verbs(db, db.session.get(ProgressUpdate, uid)).count("update_signed_off") == 1
    from app.trail import verify

    assert verify()[1] is None


def _docx(extra: dict | None = None) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize("filename,data,message", [
    ("notes.pdf", b"just some text, not a PDF", "must be a PDF, Word or Excel file"),
    ("report.docx", pdf_samples.a_pdf("a pdf really"), "is a PDF file but its name ends .docx"),
    ("empty.pdf", b"", "The selected file is empty"),
    ("big.pdf", b"%PDF-1.4" + b"0" * (10 * 1024 * 1024), "must be smaller than 10 MB"),
    ("bomb.docx", None, "unpacks to more than 100 MB"),
    ("script.pdf", pdf_samples.plain_pdf(b" /OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>"), "contains scripts"),
    ("junk.pdf", b"%PDF-1.4 1 0 obj << /OpenAction << /S /JavaScript >> >>", "The selected PDF is damaged"),
    ("tool.exe", b"MZ\x90\x00", "must be a PDF, Word or Excel file"),
])
def test_attachments_are_checked_by_content(db, world, sign_in_as, filename, data, message):
    import io

    if data is None:
        data = _docx({"word/media/zeros.bin": b"\0" * (101 * 1024 * 1024)})
    owner = sign_in_as("owner")
    url = f"/updates/{world['update'].id}"
    page = owner.post(f"{url}/attachments", {"file": (io.BytesIO(data), filename)}, token_from=url, follow=True,
                      content_type="multipart/form-data")
    assert message in page.text()
    db.session.expire_all()
    assert db.session.get(ProgressUpdate, world["update"].id).attachments == []


def test_good_attachments_are_kept_and_served_to_those_who_may_see_them(app, db, world, sign_in_as):
    import io

    owner = sign_in_as("owner")
    url = f"/updates/{world['update'].id}"
    minutes = pdf_samples.a_pdf("minutes of the board")  # a real PDF: attachments are checked by parsing them
    for name, data in [("Minutes.PDF", minutes), ("plan.docx", _docx())]:
        page = owner.post(f"{url}/attachments", {"file": (io.BytesIO(data), name)}, token_from=url, follow=True,
                          content_type="multipart/form-data")
        assert f"{name} was attached" in page.text()
    db.session.expire_all()
    attachments = db.session.get(ProgressUpdate, world["update"].id).attachments
    assert [a.filename for a in attachments] == ["Minutes.PDF", "plan.docx"]
    response = sign_in_as("hos").c.get(f"/attachments/{attachments[0].id}")
    assert response.status_code == 200 and response.data == minutes
    assert "attachment" in response.headers["Content-Disposition"]
    other = Client(app)
    db.session.add(User(email="x@example.org", name="X", password_hash=world["owner"].password_hash, session_token="t"))
    db.session.commit()
    other.sign_in("x@example.org")
    assert other.c.get(f"/attachments/{attachments[0].id}").status_code == 403
