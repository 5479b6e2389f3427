"""Reporting periods, quarterly progress updates and indicator values."""
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import LabelledEnum, Model, UTCDateTime, enum_column
from app.models.plans import Rag


class PeriodState(LabelledEnum):
    PLANNED = ("planned", "Planned")
    OPEN = ("open", "Open")
    CLOSED = ("closed", "Closed")


class UpdateState(LabelledEnum):
    """The path of a progress update or an indicator value."""

    DRAFT = ("draft", "Draft")
    SUBMITTED = ("submitted", "Submitted")
    RETURNED = ("returned", "Returned")
    SIGNED_OFF = ("signed_off", "Signed off")


class ReportingPeriod(Model):
    __tablename__ = "reporting_period"

    name: Mapped[str] = mapped_column(sa.String(60), unique=True)  # "Q1 2019/20"
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    update_deadline: Mapped[date]
    signoff_deadline: Mapped[date]
    state: Mapped[PeriodState] = enum_column(PeriodState, default=PeriodState.PLANNED)

    # The plans the period was opened for (issue 12: plans on different cycles live side by side).
    plans: Mapped[list["Plan"]] = relationship(secondary="period_plan", order_by="Plan.title")  # noqa: F821


period_plan = sa.Table(
    "period_plan",
    Model.metadata,
    sa.Column("period_id", sa.ForeignKey("reporting_period.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("plan_id", sa.ForeignKey("plan.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class ProgressUpdate(Model):
    __tablename__ = "progress_update"
    __table_args__ = (
        sa.UniqueConstraint("action_id", "period_id"),
        # The sign-off queue and My tasks look for an action's updates in one state, and for the
        # period of each signed off before: read from the index alone (migration 0021).
        sa.Index("ix_progress_update_action_id_state_period_id", "action_id", "state", "period_id"),
    )

    action_id: Mapped[int] = mapped_column(sa.ForeignKey("action.id", ondelete="CASCADE"), index=True)
    period_id: Mapped[int] = mapped_column(sa.ForeignKey("reporting_period.id"), index=True)
    state: Mapped[UpdateState] = enum_column(UpdateState, default=UpdateState.DRAFT)
    narrative: Mapped[str | None] = mapped_column(sa.Text)
    rag: Mapped[Rag | None] = enum_column(Rag)
    percent_complete: Mapped[int | None]
    key_actions_remaining: Mapped[str | None] = mapped_column(sa.Text)
    corrective_action: Mapped[str | None] = mapped_column(sa.Text)
    next_focus: Mapped[str | None] = mapped_column(sa.Text)
    return_comment: Mapped[str | None] = mapped_column(sa.Text)
    # Ids of the action's milestones ticked off in this update (JSON list).
    milestones_done: Mapped[str | None] = mapped_column(sa.Text)
    last_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the owner's last save (issue 16)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    signed_off_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    action: Mapped["Action"] = relationship()  # noqa: F821
    submitted_by: Mapped["User | None"] = relationship(foreign_keys=[submitted_by_id])  # noqa: F821
    signed_off_by: Mapped["User | None"] = relationship(foreign_keys=[signed_off_by_id])  # noqa: F821
    period: Mapped[ReportingPeriod] = relationship()
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="update", cascade="all, delete-orphan", order_by="Attachment.id"
    )


class Attachment(Model):
    """A file attached to a progress update. The bytes live in shared storage, by key."""

    __tablename__ = "attachment"
    # The same file once per update: a double-click, or the same file chosen twice, is refused.
    __table_args__ = (sa.UniqueConstraint("update_id", "sha256"),)

    update_id: Mapped[int] = mapped_column(sa.ForeignKey("progress_update.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    content_type: Mapped[str] = mapped_column(sa.String(120))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))
    storage_key: Mapped[str] = mapped_column(sa.String(255), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    update: Mapped[ProgressUpdate] = relationship(back_populates="attachments")


class IndicatorValue(Model):
    __tablename__ = "indicator_value"
    __table_args__ = (
        sa.UniqueConstraint("indicator_id", "period_id"),
        sa.Index("ix_indicator_value_indicator_id_state_period_id", "indicator_id", "state", "period_id"),
    )

    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("indicator.id", ondelete="CASCADE"), index=True)
    period_id: Mapped[int] = mapped_column(sa.ForeignKey("reporting_period.id"), index=True)
    state: Mapped[UpdateState] = enum_column(UpdateState, default=UpdateState.DRAFT)
    value: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 4))
    commentary: Mapped[str | None] = mapped_column(sa.Text)
    last_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the owner's last save (issue 16)
    return_comment: Mapped[str | None] = mapped_column(sa.Text)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    signed_off_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    indicator: Mapped["Indicator"] = relationship()  # noqa: F821
    period: Mapped[ReportingPeriod] = relationship()
    submitted_by: Mapped["User | None"] = relationship(foreign_keys=[submitted_by_id])  # noqa: F821
    signed_off_by: Mapped["User | None"] = relationship(foreign_keys=[signed_off_by_id])  # noqa: F821
