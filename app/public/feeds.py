"""The iCalendar feeds and the open data (JSON): no sign-in, published meetings only."""
from flask import Response, abort, jsonify, request, url_for

from app.extensions import db
from app.models import Committee
from app.permissions import public
from app.public import bp, ical, opendata, service
from app.public.routes import published_or_404


def _event(meeting) -> ical.Event:
    pack = service.latest_public_pack(meeting)
    url = url_for("public.meeting", meeting_id=meeting.id, _external=True)
    note = service.cancel_reason(meeting) if service.cancelled(meeting) else None
    return ical.Event(
        uid=f"meeting-{meeting.id}@{request.host.split(':')[0]}", summary=meeting.committee.name,
        starts_on=meeting.meets_on, starts_at=meeting.starts_at, location=meeting.venue, url=url,
        description=(f"Cancelled. {note}\n" if note else "") + f"Agenda and papers: {url}",
        cancelled=service.cancelled(meeting), sequence=pack.number if pack else 0,
        modified=pack.published_at if pack else None)


def _ics(name: str, meetings, filename: str) -> Response:
    body = ical.calendar(name, [_event(m) for m in meetings])
    return Response(body.encode("utf-8"), mimetype="text/calendar",
                    headers={"Content-Disposition": f'inline; filename="{filename}"',
                             "Cache-Control": "public, max-age=300"})


@bp.route("/calendar.ics")
@public
def calendar_feed():
    from app.settings import council_name

    return _ics(f"{council_name()}: committee meetings", service.published_meetings(), "meetings.ics")


@bp.route("/committees/<int:committee_id>/calendar.ics")
@public
def committee_calendar_feed(committee_id):
    committee = db.session.get(Committee, committee_id)
    if committee is None:
        abort(404)
    return _ics(committee.name, service.published_meetings(committee_id=committee.id),
                f"committee-{committee.id}.ics")


def _json(data, status=200):
    response = jsonify(data)
    response.status_code = status
    response.headers["Cache-Control"] = "public, max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/api/meetings")
@public
def api_meetings():
    page = request.args.get("page", default=1, type=int)
    if page is None or not 1 <= page <= 100000:
        return _json({"error": "page must be a whole number from 1"}, 400)
    return _json(opendata.meeting_list_json(page))


@bp.route("/api/meetings/<int:meeting_id>")
@public
def api_meeting(meeting_id):
    return _json(opendata.meeting_json(published_or_404(meeting_id)))
