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

    __mapper_args__ = {"version_id_col": version}

    plans: Mapped[list["Plan"]] = relationship(secondary=report_plan)  # noqa: F821
    period: Mapped["ReportingPeriod | None"] = relationship()  # noqa: F821
    committee: Mapped["Committee | None"] = relationship()  # noqa: F821
    author: Mapped["User | None"] = relationship(foreign_keys=[author_id])  # noqa: F821
    chief_officer: Mapped["User | None"] = relationship(foreign_keys=[chief_officer_id])  # noqa: F821
    versions: Mapped[list["ReportVersion"]] = relationship(
        back_populates="report", order_by="ReportVersion.number", cascade="all, delete-orphan"
    )


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
