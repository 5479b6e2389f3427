"""Open data: published meetings as JSON, modelled on OParl 1.1 (Meeting, AgendaItem, File).

Only what the public pages show: published meetings, their latest public agenda, and the
papers of items that are not exempt. An exempt item is `"public": false` with no files.
Addresses are absolute (`url_for(..., _external=True)`), as OParl's ids are.
"""
from __future__ import annotations

from datetime import datetime

from flask import url_for

from app.public import service
from app.public.ical import LONDON, MEETING_LENGTH

OPARL = "https://schema.oparl.org/1.1/"
PER_PAGE = 50


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(LONDON).isoformat() if value is not None else None


def _file(meeting, f: service.PublicFile, with_content: bool, item_id: str | None = None) -> dict:
    url = url_for("public.download", meeting_id=meeting.id, key=f.key, _external=True)
    out = {"id": url, "type": OPARL + "File", "name": f.name, "fileName": f.file_name, "mimeType": f.mime_type,
           "accessUrl": url, "downloadUrl": url}
    if item_id:
        out["agendaItem"] = [item_id]
    if with_content:
        data = service.file_bytes(f.key)
        out.update(size=len(data), sha256Checksum=service.sha256_of(data))
    return out


def _pack_file(meeting, pack) -> dict:
    url = url_for("public.pack_version", meeting_id=meeting.id, number=pack.number, _external=True)
    return {"id": url, "type": OPARL + "File", "name": f"Agenda pack (version {pack.number})",
            "fileName": f"agenda-pack-{meeting.meets_on:%Y-%m-%d}-v{pack.number}.pdf", "mimeType": "application/pdf",
            "accessUrl": url, "downloadUrl": url, "sha256Checksum": pack.sha256, "date": _iso(pack.published_at),
            "x-pageCount": pack.page_count}


def meeting_json(meeting, with_content: bool = True) -> dict:
    """One meeting, its agenda items and files. `with_content` adds each file's size and SHA-256
    (reads every file: the single meeting's address does, the list does not)."""
    pack = service.latest_public_pack(meeting)
    own = url_for("public.api_meeting", meeting_id=meeting.id, _external=True)
    start = end = None
    if meeting.starts_at is not None:
        begins = datetime.combine(meeting.meets_on, meeting.starts_at, tzinfo=LONDON)
        start, end = begins.isoformat(), (begins + MEETING_LENGTH).isoformat()
    else:
        start = meeting.meets_on.isoformat()
    items = []
    for n, item in enumerate(service.public_agenda(meeting, pack), start=1):
        item_id = f"{own}#item-{item.number}"
        entry = {"id": item_id, "type": OPARL + "AgendaItem", "meeting": own, "number": str(item.number), "order": n,
                 "name": item.title, "public": item.public}
        if item.public:
            if item.purpose:
                entry["x-purpose"] = item.purpose
            if item.pages:
                entry["x-pages"] = item.pages
            if item.to_follow is not None:
                entry["x-toFollow"] = item.to_follow or True
            entry["auxiliaryFile"] = [_file(meeting, f, with_content, item_id) for f in item.files]
        else:
            entry["x-exemptParagraph"] = item.exempt_paragraph or None
            entry["x-exempt"] = item.exempt_label or "Exempt information under Schedule 12A"
        items.append(entry)
    cancelled = service.cancelled(meeting)
    return {
        "id": own,
        "type": OPARL + "Meeting",
        "name": f"{meeting.committee.name}, {meeting.meets_on.day} {meeting.meets_on:%B %Y}",
        "meetingState": "cancelled" if cancelled else "scheduled",
        "cancelled": cancelled,
        "start": start,
        "end": end,
        "x-startTimeText": service.time_text(meeting.starts_at),
        "location": {"type": OPARL + "Location", "description": meeting.venue} if meeting.venue else None,
        "organization": [url_for("public.committee", committee_id=meeting.committee_id, _external=True)],
        "x-organizationName": meeting.committee.name,
        "invitation": _pack_file(meeting, pack) if pack else None,
        "agendaItem": items,
        "web": url_for("public.meeting", meeting_id=meeting.id, _external=True),
        "created": _iso(meeting.created_at),
        "modified": _iso(pack.published_at if pack else meeting.updated_at),
    }


def meeting_list_json(page: int) -> dict:
    meetings = service.published_meetings(newest_first=True)
    total = len(meetings)
    pages = max(1, -(-total // PER_PAGE))
    chosen = meetings[(page - 1) * PER_PAGE: page * PER_PAGE]

    def link(n):
        return url_for("public.api_meetings", page=n, _external=True)

    links = {"first": link(1), "last": link(pages), "self": link(page)}
    if page > 1:
        links["prev"] = link(page - 1)
    if page < pages:
        links["next"] = link(page + 1)
    return {"data": [meeting_json(m, with_content=False) for m in chosen],
            "pagination": {"totalElements": total, "elementsPerPage": PER_PAGE, "currentPage": page,
                           "totalPages": pages},
            "links": links}
