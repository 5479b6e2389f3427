"""Committees, their members and meetings, agendas and work plans."""
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import LabelledEnum, Model, UTCDateTime, enum_column


class MemberRole(LabelledEnum):
    CHAIR = ("chair", "Chair")
    VICE_CHAIR = ("vice_chair", "Vice-Chair")
    MEMBER = ("member", "Member")


class AgendaState(LabelledEnum):
    DRAFT = ("draft", "Draft")
    PUBLISHED = ("published", "Published")


class AgendaItemKind(LabelledEnum):
    PROCEDURAL = ("procedural", "Procedural")
    REPORT = ("report", "Report")
    OTHER = ("other", "Other business")


class Committee(Model):
    __tablename__ = "committee"

    name: Mapped[str] = mapped_column(sa.String(300), unique=True)
    clerk_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    clerk_name: Mapped[str | None] = mapped_column(sa.String(200))
    clerk_telephone: Mapped[str | None] = mapped_column(sa.String(60))
    clerk_email: Mapped[str | None] = mapped_column(sa.String(254))
    default_venue: Mapped[str | None] = mapped_column(sa.String(300))
    default_time: Mapped[time | None]
    directorate_id: Mapped[int | None] = mapped_column(sa.ForeignKey("directorate.id"))
    # Retired: its meetings stay readable; left out of the active list and the clerk's choices.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    members: Mapped[list["CommitteeMember"]] = relationship(
        back_populates="committee", order_by="CommitteeMember.position", cascade="all, delete-orphan"
    )
    meetings: Mapped[list["Meeting"]] = relationship(
        back_populates="committee", order_by="Meeting.meets_on", cascade="all, delete-orphan"
    )
    clerk: Mapped["User | None"] = relationship()  # noqa: F821
    directorate: Mapped["Directorate | None"] = relationship()  # noqa: F821


class CommitteeMember(Model):
    __tablename__ = "committee_member"

    committee_id: Mapped[int] = mapped_column(sa.ForeignKey("committee.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(200))  # "Councillor D Taylor"
    role: Mapped[MemberRole] = enum_column(MemberRole, default=MemberRole.MEMBER)
    position: Mapped[int] = mapped_column(default=0)
    # The person who signs in as this councillor (Role.COUNCILLOR on the committee), if any.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True)

    committee: Mapped[Committee] = relationship(back_populates="members")
    user: Mapped["User | None"] = relationship()  # noqa: F821


class Meeting(Model):
    __tablename__ = "meeting"

    committee_id: Mapped[int] = mapped_column(sa.ForeignKey("committee.id", ondelete="CASCADE"), index=True)
    meets_on: Mapped[date]
    starts_at: Mapped[time | None]
    venue: Mapped[str | None] = mapped_column(sa.String(300))
    municipal_year: Mapped[str] = mapped_column(sa.String(9))  # "2019-20"
    agenda_state: Mapped[AgendaState] = enum_column(AgendaState, default=AgendaState.DRAFT)
    version: Mapped[int] = mapped_column(default=1)
    # Cancelled: the meeting stays (its page says so) and its agenda can no longer be published.
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(sa.Text)

    __mapper_args__ = {"version_id_col": version}

    committee: Mapped[Committee] = relationship(back_populates="meetings")
    agenda_items: Mapped[list["AgendaItem"]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )
    work_plan_entries: Mapped[list["WorkPlanEntry"]] = relationship(
        back_populates="meeting", order_by="WorkPlanEntry.position"
    )


class AgendaItem(Model):
    __tablename__ = "agenda_item"
    # A report is on an agenda once; each standing item is there once (one set a meeting).
    # Both columns may be empty, and empty values never clash.
    __table_args__ = (sa.UniqueConstraint("meeting_id", "report_id"), sa.UniqueConstraint("meeting_id", "standing"))

    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(sa.String(300))
    purpose: Mapped[str | None] = mapped_column(sa.Text)
    kind: Mapped[AgendaItemKind] = enum_column(AgendaItemKind, default=AgendaItemKind.OTHER)
    report_id: Mapped[int | None] = mapped_column(sa.ForeignKey("report.id"), index=True)
    # Standing items keep a key ("declarations", "minutes", "public_participation",
    # "work_plan", "urgent_business") so their wording can be written for the meeting.
    standing: Mapped[str | None] = mapped_column(sa.String(40))
    to_follow: Mapped[bool] = mapped_column(default=False)
    to_follow_reason: Mapped[str | None] = mapped_column(sa.Text)
    page_start: Mapped[int | None]
    page_end: Mapped[int | None]
    # Exempt: the paragraph (1-7) of Schedule 12A to the Local Government Act 1972 that applies
    # (app/meetings/exempt.py); listed in public by title and paragraph only.
    exempt_paragraph: Mapped[int | None]

    meeting: Mapped[Meeting] = relationship(back_populates="agenda_items")
    report: Mapped["Report | None"] = relationship()  # noqa: F821


class WorkPlanEntry(Model):
    """A planned item of business on a committee's work plan for the municipal year."""

    __tablename__ = "work_plan_entry"
    # An item is planned for a meeting once (a double-clicked "Add" cannot plan it twice).
    __table_args__ = (sa.UniqueConstraint("meeting_id", "title"),)

    committee_id: Mapped[int] = mapped_column(sa.ForeignKey("committee.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meeting.id", ondelete="SET NULL"), index=True)
    municipal_year: Mapped[str] = mapped_column(sa.String(9))
    title: Mapped[str] = mapped_column(sa.String(300))
    report_owner: Mapped[str | None] = mapped_column(sa.String(200))
    expected_report: Mapped[str | None] = mapped_column(sa.String(300))
    report_id: Mapped[int | None] = mapped_column(sa.ForeignKey("report.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    committee: Mapped[Committee] = relationship()
    meeting: Mapped[Meeting | None] = relationship(back_populates="work_plan_entries")
    report: Mapped["Report | None"] = relationship()  # noqa: F821


class AgendaPack(Model):
    """One published version of a meeting's agenda pack. Never changed once written:
    re-publishing makes the next version."""

    __tablename__ = "agenda_pack"
    # Each version has a public pack and, when it has exempt items, a confidential pack.
    __table_args__ = (sa.UniqueConstraint("meeting_id", "number", "confidential"),)

    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    confidential: Mapped[bool] = mapped_column(default=False)
    pdf: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    page_count: Mapped[int]
    # The pages before the first paper (front sheet and its blank page): a later version keeps
    # them, so that page numbers stay put (app/meetings/pack/).
    front_pages: Mapped[int | None]
    # The agenda as published (items, page ranges), JSON, for the HTML agenda page.
    agenda: Mapped[str] = mapped_column(sa.Text)
    change_note: Mapped[str | None] = mapped_column(sa.Text)
    late_reason: Mapped[str | None] = mapped_column(sa.Text)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    meeting: Mapped[Meeting] = relationship()
    published_by: Mapped["User | None"] = relationship()  # noqa: F821


class MeetingDocument(Model):
    """A PDF for the pack: the previous meeting's minutes, or an annex to an agenda item."""

    __tablename__ = "meeting_document"

    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agenda_item.id", ondelete="CASCADE"),
                                                       index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # "minutes" or "annex"
    filename: Mapped[str] = mapped_column(sa.String(255))
    # An annex's title ("Annex A: Improvement Board Dashboard"), used in the agenda and the
    # bookmarks instead of the file name.
    title: Mapped[str | None] = mapped_column(sa.String(300))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    position: Mapped[int] = mapped_column(default=0)


class ConfidentialReader(Model):
    """An officer the clerk names to read a meeting's confidential pack."""

    __tablename__ = "confidential_reader"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "user_id"),)

    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True)

    meeting: Mapped[Meeting] = relationship()
    user: Mapped["User"] = relationship()  # noqa: F821
