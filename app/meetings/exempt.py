"""Exempt items: Schedule 12A to the Local Government Act 1972, in one place.

An agenda item is exempt when the clerk names the paragraph of Schedule 12A that applies
(`AgendaItem.exempt_paragraph`, 1-7). The public agenda and the public pack list it by title
and paragraph only, under the standard wording (`exclusion_wording`); its papers go only in
the confidential pack, which the committee's councillors, its clerk, administrators and the
officers the clerk names may read (`may_read_confidential`).

The front sheet of the pack (app/meetings/pack.py), the public pages (app/public/) and the
agenda builder all take their words from here.
"""
from __future__ import annotations

import sqlalchemy as sa

from app.concurrency import Refused
from app.extensions import db

# Schedule 12A, Part 1: descriptions of exempt information (England).
PARAGRAPHS = {
    1: "Information relating to any individual.",
    2: "Information which is likely to reveal the identity of an individual.",
    3: "Information relating to the financial or business affairs of any particular person "
       "(including the authority holding that information).",
    4: "Information relating to any consultations or negotiations, or contemplated consultations or "
       "negotiations, in connection with any labour relations matter arising between the authority or a "
       "Minister of the Crown and employees of, or office holders under, the authority.",
    5: "Information in respect of which a claim to legal professional privilege could be maintained in "
       "legal proceedings.",
    6: "Information which reveals that the authority proposes (a) to give under any enactment a notice under "
       "or by virtue of which requirements are imposed on a person; or (b) to make an order or direction "
       "under any enactment.",
    7: "Information relating to any action taken or to be taken in connection with the prevention, "
       "investigation or prosecution of crime.",
}

HEADING = "Exclusion of the press and public"


def paragraph_of(item) -> int | None:
    """The Schedule 12A paragraph of an agenda item, a published agenda entry (dict) or a number."""
    if item is None:
        return None
    if isinstance(item, int):
        value = item
    elif isinstance(item, dict):
        value = item.get("exempt_paragraph")
    else:
        value = getattr(item, "exempt_paragraph", None)
    return value if isinstance(value, int) and value in PARAGRAPHS else None


def is_exempt(item) -> bool:
    return paragraph_of(item) is not None


def _and_list(numbers: list[int]) -> str:
    words = [str(n) for n in numbers]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def exclusion_wording(items) -> str | None:
    """The standard resolution above the exempt items, naming their paragraphs (None when none
    of `items` is exempt). `items`: agenda items, published agenda entries, or paragraph numbers."""
    paragraphs = sorted({p for p in (paragraph_of(i) for i in items) if p is not None})
    if not paragraphs:
        return None
    count = sum(1 for i in items if is_exempt(i))
    which = "item" if count == 1 else "items"
    para = "paragraph" if len(paragraphs) == 1 else "paragraphs"
    return (f"To consider excluding the press and public from the meeting during consideration of the following "
            f"{which} because of the likely disclosure of exempt information as defined in {para} "
            f"{_and_list(paragraphs)} of Schedule 12A to Section 100A of the Local Government Act 1972.")


def exempt_label(item) -> str | None:
    """"Exempt information: paragraph 3 of Schedule 12A to the Local Government Act 1972" — how an
    exempt item is shown in public."""
    p = paragraph_of(item)
    return f"Exempt information: paragraph {p} of Schedule 12A to the Local Government Act 1972" if p else None


def paragraph_choices() -> list[tuple[str, str]]:
    return [("", "Not exempt: the item and its papers are public")] + [
        (str(n), f"Paragraph {n}: {text}") for n, text in PARAGRAPHS.items()]


# --- marking an item exempt (the clerk, on the agenda builder) -----------------------------

def set_exempt(item, paragraph: int | None, actor, version) -> bool:
    """Mark an agenda item exempt under `paragraph` (1-7), or public again (None). Returns whether
    anything changed. The change carries the meeting's version from the page (a stale page or a
    double-click is refused, app/concurrency.py) and is on the trail in the same transaction."""
    from app.meetings.service import AgendaError, changing, check_agenda
    from app.trail import record

    meeting = item.meeting
    check_agenda(meeting, version)
    if paragraph is not None and paragraph not in PARAGRAPHS:
        raise AgendaError("Choose the paragraph of Schedule 12A that applies, from 1 to 7", "exempt_paragraph")
    if item.standing:
        raise AgendaError(f"“{item.title}” is a standing item: it is always taken in public.", "exempt_paragraph")
    old = item.exempt_paragraph
    if old == paragraph:
        return False
    with changing(meeting, version, "The agenda was changed at the same moment."):
        item.exempt_paragraph = paragraph
        verb = "agenda_item_marked_exempt" if paragraph else "agenda_item_made_public"
        record(verb, meeting, actor=actor,
               data={"title": item.title, "item_id": item.id,
                     "changes": {"Exempt (Schedule 12A paragraph)": [old, paragraph]}})
    return True


# --- who reads the confidential pack --------------------------------------------------------

def may_read_confidential(user, meeting) -> bool:
    """The committee's councillors and clerk, administrators, and the officers the clerk named."""
    from app.models import ConfidentialReader
    from app.permissions import scope_for

    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "active", False):
        return False
    scope = scope_for(user)
    if scope.admin or meeting.committee_id in scope.committees() or meeting.committee_id in scope.councillor_of():
        return True
    return bool(db.session.scalar(sa.select(ConfidentialReader.id).where(
        ConfidentialReader.meeting_id == meeting.id, ConfidentialReader.user_id == user.id)))


def readers_of(meeting) -> list:
    from app.models import ConfidentialReader, User

    return db.session.scalars(sa.select(User).join(ConfidentialReader, ConfidentialReader.user_id == User.id)
                              .where(ConfidentialReader.meeting_id == meeting.id).order_by(User.name)).all()


def name_reader(meeting, person, actor, version) -> None:
    """The clerk names an officer who may read the meeting's confidential pack."""
    from app.meetings.service import AgendaError, changing, check_agenda
    from app.models import ConfidentialReader
    from app.trail import record

    check_agenda(meeting, version)
    if person is None or not person.active:
        raise AgendaError("Choose a person who can sign in", "reader")
    if db.session.scalar(sa.select(ConfidentialReader.id).where(ConfidentialReader.meeting_id == meeting.id,
                                                                ConfidentialReader.user_id == person.id)):
        raise Refused(f"{person.name} can already read the confidential pack.", "reader")
    with changing(meeting, version, f"{person.name} can already read the confidential pack."):
        db.session.add(ConfidentialReader(meeting_id=meeting.id, user_id=person.id))
        db.session.flush()
        record("confidential_reader_named", meeting, actor=actor, data={"name": person.name, "user_id": person.id})


def remove_reader(meeting, person, actor, version) -> None:
    from app.meetings.service import changing, check_agenda
    from app.models import ConfidentialReader
    from app.trail import record

    check_agenda(meeting, version)
    row = db.session.scalar(sa.select(ConfidentialReader).where(ConfidentialReader.meeting_id == meeting.id,
                                                                ConfidentialReader.user_id == person.id))
    if row is None:
        raise Refused(f"{person.name} was already removed from the readers of the confidential pack.", "reader")
    with changing(meeting, version, "The readers were changed at the same moment."):
        db.session.delete(row)
        record("confidential_reader_removed", meeting, actor=actor, data={"name": person.name, "user_id": person.id})
