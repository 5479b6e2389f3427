"""The public pages: no sign-in, no JavaScript needed. Only published agendas are shown, and
nothing of an exempt item but its title and paragraph (app/public/service.py decides)."""
import calendar as calendar_module
import re
from datetime import date, timedelta
from functools import cache

import sqlalchemy as sa

from flask import Response, abort, render_template, request, url_for
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.meetings import dates
from app.meetings.exempt import HEADING, exclusion_wording
from app.models import AgendaPack, Committee, Meeting
from app.permissions import public
from app.public import bp, service

MONTH = re.compile(r"(\d{4})-(\d{2})")


def file_url(meeting: Meeting, key: str) -> str:
    return url_for("public.download", meeting_id=meeting.id, key=key)


def _with_urls(meeting: Meeting, items):
    for item in items:
        for f in item.files:
            f.url = file_url(meeting, f.key)
    return items


def published_or_404(meeting_id: int) -> Meeting:
    return _published(meeting_id)[0]


@cache
def _meeting_with_committee() -> sa.Select:
    """The meeting page's meeting and its committee, in a statement built once (issue 17)."""
    return sa.select(Meeting).options(joinedload(Meeting.committee)).where(Meeting.id == sa.bindparam("meeting_id"))


def _published(meeting_id: int, with_committee: bool = False) -> tuple[Meeting, AgendaPack]:
    """The meeting and its latest public pack, or 404."""
    if with_committee:
        meeting = db.session.scalar(_meeting_with_committee(), {"meeting_id": meeting_id})
    else:
        meeting = db.session.get(Meeting, meeting_id)
    pack = service.latest_public_pack(meeting) if meeting is not None else None
    if pack is None:
        abort(404)  # a draft agenda is the clerk's: it is not there until it is published
    return meeting, pack


@bp.route("/")
@public
def committees():
    return render_template("public/committees.html", committees=service.public_committees(),
                           upcoming=service.published_meetings(start=date.today(), limit=10))


@bp.route("/committees/<int:committee_id>")
@public
def committee(committee_id):
    committee = db.session.get(Committee, committee_id)
    if committee is None:
        abort(404)
    today = date.today()
    meetings = service.published_meetings(committee_id=committee.id)
    return render_template("public/committee.html", committee=committee,
                           upcoming=[m for m in meetings if m.meets_on >= today],
                           past=[m for m in meetings if m.meets_on < today][::-1],
                           time_text=service.time_text, cancelled=service.cancelled)


def _month(text: str | None) -> date:
    if not text:
        return date.today().replace(day=1)
    m = MONTH.fullmatch(text.strip())
    if not m or not 1 <= int(m.group(2)) <= 12 or not 1979 <= int(m.group(1)) <= 2100:
        abort(404)
    return date(int(m.group(1)), int(m.group(2)), 1)


def _shift(month: date, by: int) -> date:
    n = month.year * 12 + month.month - 1 + by
    return date(n // 12, n % 12 + 1, 1)


@bp.route("/calendar")
@public
def calendar():
    month = _month(request.args.get("month"))
    last = date(month.year, month.month, calendar_module.monthrange(month.year, month.month)[1])
    with_agenda = service.published_meetings(start=month, end=last)
    published = {m.id for m in with_agenda}
    meetings = sorted(with_agenda + service.scheduled_meetings(month, last), key=lambda m: (m.meets_on, m.id))
    previous, following = _shift(month, -1), _shift(month, 1)
    return render_template(
        "public/calendar.html", month=month, meetings=meetings, published=published, today=date.today(),
        time_text=service.time_text,
        previous=previous if previous.year >= 1979 else None, following=following if following.year <= 2100 else None,
        this_month=date.today().replace(day=1), cancelled=service.cancelled,
        recent=service.published_meetings(end=date.today() - timedelta(days=1), limit=5,
                                          newest_first=True))


@bp.route("/meetings/<int:meeting_id>")
@public
def meeting(meeting_id):
    meeting, pack = _published(meeting_id, with_committee=True)
    items = _with_urls(meeting, service.public_agenda(meeting, pack))
    exempt = [i for i in items if not i.public]
    return render_template(
        "public/meeting.html", meeting=meeting, pack=pack, items=items, exempt=exempt,
        members=service.members_of(meeting.committee_id),
        first_exempt=exempt[0].number if exempt else None, exclusion=exclusion_wording(
            [i.exempt_paragraph or 0 for i in exempt]) if exempt else None, exclusion_heading=HEADING,
        dates=dates, time_text=service.time_text, cancelled=service.cancelled(meeting),
        cancel_reason=service.cancel_reason(meeting))


def _download(data: bytes, name: str, mime: str) -> Response:
    safe = re.sub(r'[^A-Za-z0-9._ -]', "_", name)[:120] or "document"
    disposition = "inline" if mime == "application/pdf" else "attachment"
    return Response(data, mimetype=mime, headers={
        "Content-Disposition": f'{disposition}; filename="{safe}"', "X-Content-SHA256": service.sha256_of(data),
        "Cache-Control": "public, max-age=300"})


@bp.route("/meetings/<int:meeting_id>/agenda-pack.pdf")
@public
def pack(meeting_id):
    """The latest public pack (each version stays at its own address, `pack_version`)."""
    _meeting, latest = _published(meeting_id)
    return pack_version(meeting_id, latest.number)


@bp.route("/meetings/<int:meeting_id>/agenda-pack-<int:number>.pdf")
@public
def pack_version(meeting_id, number):
    meeting = published_or_404(meeting_id)
    found = db.session.scalar(db.select(AgendaPack).where(AgendaPack.meeting_id == meeting.id,
                                                          AgendaPack.number == number,
                                                          AgendaPack.confidential.is_(False)))
    if found is None:
        abort(404)
    return _download(found.pdf, f"agenda-pack-{meeting.meets_on:%Y-%m-%d}-v{number}.pdf", "application/pdf")


@bp.route("/meetings/<int:meeting_id>/files/<key>")
@public
def download(meeting_id, key):
    """A paper, annex or the minutes, on its own. Only what the public agenda lists is served:
    an exempt item's papers are not found here."""
    meeting = published_or_404(meeting_id)
    if not re.fullmatch(r"(paper|annex|report-annex|minutes)-\d{1,10}", key):
        abort(404)
    found = service.find_file(meeting, key)
    if found is None:
        abort(404)
    return _download(service.file_bytes(key), found.file_name, found.mime_type)
