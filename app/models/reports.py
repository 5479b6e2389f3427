"""Committee reports compiled from signed-off updates, and their approved versions."""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import LabelledEnum, Model, UTCDateTime, enum_column


class ReportState(LabelledEnum):
    DRAFT = ("draft", "Draft")
    SUBMITTED = ("submitted", "Submitted")
    RETURNED = ("returned", "Returned")
    APPROVED = ("approved", "Approved")
    PUBLISHED = ("published", "Published")


class ReportKind(LabelledEnum):
    """A progress report compiled from plans, or a committee paper written (or uploaded) by an
    officer of any service (issue 14). Both follow the same approval route."""

    PROGRESS = ("progress", "Progress report")
    PAPER = ("paper", "Committee paper")


report_plan = sa.Table(
    "report_plan",
    Model.metadata,
    sa.Column("report_id", sa.ForeignKey("report.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("plan_id", sa.ForeignKey("plan.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Report(Model):
    __tablename__ = "report"

    title: Mapped[str] = mapped_column(sa.String(300))
    period_id: Mapped[int | None] = mapped_column(sa.ForeignKey("reporting_period.id"), index=True)
    committee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("committee.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    chief_officer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    state: Mapped[ReportState] = enum_column(ReportState, default=ReportState.DRAFT)
    # The sections as written: JSON text keyed by section name.
    content: Mapped[str] = mapped_column(sa.Text, default="{}")
    version_number: Mapped[int] = mapped_column(default=1)  # the version being drafted or approved
    version: Mapped[int] = mapped_column(default=1)
    # The one-time token of the "Create a report" form this report was made from: the database
    # refuses a second report from the same form (a double-click, a repeated request).
    form_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    # Committee papers (issue 14): a paper has no plans; its service is the author's, and it
    # names the meeting it is for. An uploaded paper keeps its file (Word or PDF) as written.
    kind: Mapped[ReportKind] = enum_column(ReportKind, default=ReportKind.PROGRESS)
    service_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meeting.id", ondelete="SET NULL"), index=True)
    source_filename: Mapped[str | None] = mapped_column(sa.String(255))
    source_content_type: Mapped[str | None] = mapped_column(sa.String(120))
    source_sha256: Mapped[str | None] = mapped_column(sa.String(64))
    source_data: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)

    __mapper_args__ = {"version_id_col": version}

    plans: Mapped[list["Plan"]] = relationship(secondary=report_plan)  # noqa: F821
    period: Mapped["ReportingPeriod | None"] = relationship()  # noqa: F821
    committee: Mapped["Committee | None"] = relationship()  # noqa: F821
    author: Mapped["User | None"] = relationship(foreign_keys=[author_id])  # noqa: F821
    chief_officer: Mapped["User | None"] = relationship(foreign_keys=[chief_officer_id])  # noqa: F821
    versions: Mapped[list["ReportVersion"]] = relationship(
        back_populates="report", order_by="ReportVersion.number", cascade="all, delete-orphan"
    )
    service: Mapped["Service | None"] = relationship()  # noqa: F821
    meeting: Mapped["Meeting | None"] = relationship()  # noqa: F821
    annexes: Mapped[list["ReportAnnex"]] = relationship(
        back_populates="report", order_by="ReportAnnex.position", cascade="all, delete-orphan"
    )

    @property
    def is_paper(self) -> bool:
        return self.kind == ReportKind.PAPER


class ReportVersion(Model):
    """A frozen, approved version of a report's content."""

    __tablename__ = "report_version"
    __table_args__ = (sa.UniqueConstraint("report_id", "number"),)

    report_id: Mapped[int] = mapped_column(sa.ForeignKey("report.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    content: Mapped[str] = mapped_column(sa.Text)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    # The approved version's PDF, built once (at approval) and served as it is ever after.
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    pdf_sha256: Mapped[str | None] = mapped_column(sa.String(64))

    report: Mapped[Report] = relationship(back_populates="versions")
    approved_by: Mapped["User | None"] = relationship()  # noqa: F821


class ReportAnnex(Model):
    """An annex to a report or paper ("Annex A: Improvement Board Dashboard"): PDF, Word or
    Excel. Its title, never its file name, is what the report, the agenda and the pack show."""

    __tablename__ = "report_annex"
    __table_args__ = (sa.UniqueConstraint("report_id", "letter", name="uq_report_annex_report_id_letter"),)

    report_id: Mapped[int] = mapped_column(sa.ForeignKey("report.id", ondelete="CASCADE"), index=True)
    letter: Mapped[str] = mapped_column(sa.String(4))  # "A", "B", …
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(sa.String(300))
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(120))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int] = mapped_column(default=0)
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)

    report: Mapped[Report] = relationship(back_populates="annexes")

    @property
    def heading(self) -> str:
        """"Annex A: Improvement Board Dashboard"."""
        return f"Annex {self.letter}: {self.title}"
