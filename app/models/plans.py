"""Service improvement plans: themes, actions, milestones, risks and indicators."""
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import LabelledEnum, Model, enum_column


class PlanStatus(LabelledEnum):
    DRAFT = ("draft", "Draft")
    LIVE = ("live", "Live")
    ARCHIVED = ("archived", "Archived")


class Rag(LabelledEnum):
    """Red / Amber / Green status of an action, risk or update."""

    RED = ("red", "Red")
    AMBER = ("amber", "Amber")
    GREEN = ("green", "Green")
    COMPLETE = ("complete", "Complete")
    NOT_STARTED = ("not_started", "Not started")


class ActionType(LabelledEnum):
    BUSINESS_AS_USUAL = ("business_as_usual", "Business as usual")
    MEDIUM_PROJECT = ("medium_project", "Medium project")
    MAJOR_PROJECT = ("major_project", "Major project")


class ActionStatus(LabelledEnum):
    LIVE = ("live", "Live")
    COMPLETE = ("complete", "Complete")
    WITHDRAWN = ("withdrawn", "Withdrawn")


class Polarity(LabelledEnum):
    UP_IS_GOOD = ("up_is_good", "Up is Good")
    UP_IS_BAD = ("up_is_bad", "Up is Bad")
    NEUTRAL = ("neutral", "Neutral")


class Direction(LabelledEnum):
    """Direction of travel, judged by polarity."""

    GOOD = ("good", "Good")
    BAD = ("bad", "Bad")
    NEUTRAL = ("neutral", "Neutral")


class Unit(LabelledEnum):
    NUMBER = ("number", "Number")
    PERCENTAGE = ("percentage", "Percentage")
    COUNT = ("count", "Count")
    CURRENCY = ("currency", "£")


class Frequency(LabelledEnum):
    MONTHLY = ("monthly", "Monthly")
    QUARTERLY = ("quarterly", "Quarterly")
    SIX_MONTHLY = ("six_monthly", "Six-monthly")
    ANNUAL = ("annual", "Annual")


class Plan(Model):
    __tablename__ = "plan"

    service_id: Mapped[int] = mapped_column(sa.ForeignKey("service.id"), index=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    period_label: Mapped[str | None] = mapped_column(sa.String(40))  # "2016-19"
    plan_holder_title: Mapped[str | None] = mapped_column(sa.String(200))
    director_title: Mapped[str | None] = mapped_column(sa.String(200))
    cabinet_member: Mapped[str | None] = mapped_column(sa.String(200))
    last_updated_on: Mapped[date | None]
    description: Mapped[str | None] = mapped_column(sa.Text)
    operating_context: Mapped[str | None] = mapped_column(sa.Text)
    priorities: Mapped[str | None] = mapped_column(sa.Text)
    staff_ftes: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2))
    net_revenue_budget: Mapped[Decimal | None] = mapped_column(sa.Numeric(15, 2))  # pounds
    status: Mapped[PlanStatus] = enum_column(PlanStatus, default=PlanStatus.LIVE)
    # The plan this one was rolled over from (issue 12): unique, so a plan is rolled over once.
    rolled_over_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("plan.id"), unique=True)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    service: Mapped["Service"] = relationship(back_populates="plans")  # noqa: F821
    rolled_over_from: Mapped["Plan | None"] = relationship(remote_side="Plan.id", foreign_keys=[rolled_over_from_id])
    themes: Mapped[list["PriorityTheme"]] = relationship(
        back_populates="plan", order_by="PriorityTheme.position", cascade="all, delete-orphan"
    )
    actions: Mapped[list["Action"]] = relationship(
        back_populates="plan", order_by="Action.reference", cascade="all, delete-orphan"
    )
    risks: Mapped[list["Risk"]] = relationship(
        back_populates="plan", order_by="Risk.reference", cascade="all, delete-orphan"
    )
    indicators: Mapped[list["Indicator"]] = relationship(
        back_populates="plan", order_by="Indicator.position", cascade="all, delete-orphan"
    )


class PriorityTheme(Model):
    __tablename__ = "priority_theme"

    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.Text)
    position: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    plan: Mapped[Plan] = relationship(back_populates="themes")
    actions: Mapped[list["Action"]] = relationship(back_populates="theme", order_by="Action.reference")


class Action(Model):
    __tablename__ = "action"
    __table_args__ = (sa.UniqueConstraint("plan_id", "reference"),)

    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    reference: Mapped[str] = mapped_column(sa.String(40))
    theme_id: Mapped[int | None] = mapped_column(sa.ForeignKey("priority_theme.id"), index=True)
    title: Mapped[str] = mapped_column(sa.Text)  # the action, as written in the plan
    action_type: Mapped[ActionType | None] = enum_column(ActionType)
    statutory: Mapped[bool] = mapped_column(default=False)
    type_note: Mapped[str | None] = mapped_column(sa.String(300))  # wording beyond the type
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    due_on: Mapped[date | None]  # "Completed by date"
    # Issue 13: a grouping between theme and action (a plan's sub-heading row), the partners or other
    # agency leads (one a line), and the "By when" cell as written when it is not exactly one date.
    group_title: Mapped[str | None] = mapped_column(sa.String(300))
    partners: Mapped[str | None] = mapped_column(sa.Text)
    timing: Mapped[str | None] = mapped_column(sa.String(300))  # "Monthly", "Completed 31.05.21"
    rag: Mapped[Rag | None] = enum_column(Rag)
    status: Mapped[ActionStatus] = enum_column(ActionStatus, default=ActionStatus.LIVE)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    plan: Mapped[Plan] = relationship(back_populates="actions")
    theme: Mapped[PriorityTheme | None] = relationship(back_populates="actions")
    owner: Mapped["User | None"] = relationship()  # noqa: F821
    milestones: Mapped[list["Milestone"]] = relationship(
        back_populates="action", order_by="Milestone.position", cascade="all, delete-orphan"
    )


class Milestone(Model):
    __tablename__ = "milestone"

    action_id: Mapped[int] = mapped_column(sa.ForeignKey("action.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    due_on: Mapped[date | None]
    lead: Mapped[str | None] = mapped_column(sa.String(200))
    done: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    action: Mapped[Action] = relationship(back_populates="milestones")


class Risk(Model):
    __tablename__ = "risk"
    __table_args__ = (sa.UniqueConstraint("plan_id", "reference"),)

    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    reference: Mapped[str] = mapped_column(sa.String(40))
    description: Mapped[str] = mapped_column(sa.Text)
    rag: Mapped[Rag | None] = enum_column(Rag)
    mitigations: Mapped[str | None] = mapped_column(sa.Text)
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    plan: Mapped[Plan] = relationship(back_populates="risks")
    owner: Mapped["User | None"] = relationship()  # noqa: F821


class Indicator(Model):
    """A performance indicator (KPI). Its reference is optional: some plans leave it blank."""

    __tablename__ = "indicator"

    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("plan.id", ondelete="CASCADE"), index=True)
    reference: Mapped[str | None] = mapped_column(sa.String(40))
    description: Mapped[str] = mapped_column(sa.Text)
    group_name: Mapped[str | None] = mapped_column(sa.String(200))  # "Service Delivery", "Finance"
    frequency: Mapped[Frequency] = enum_column(Frequency, default=Frequency.QUARTERLY)
    polarity: Mapped[Polarity] = enum_column(Polarity, default=Polarity.NEUTRAL)
    unit: Mapped[Unit] = enum_column(Unit, default=Unit.NUMBER)
    target: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 4))
    target_text: Mapped[str | None] = mapped_column(sa.String(200))  # a target that is not a number: "TBD"
    comments: Mapped[str | None] = mapped_column(sa.Text)  # issue 13
    target_rationale: Mapped[str | None] = mapped_column(sa.Text)
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    benchmark_national: Mapped[str | None] = mapped_column(sa.String(100))
    benchmark_regional: Mapped[str | None] = mapped_column(sa.String(100))
    benchmark_comparator: Mapped[str | None] = mapped_column(sa.String(100))
    include: Mapped[bool] = mapped_column(default=True)
    direction: Mapped[Direction | None] = enum_column(Direction)  # latest direction of travel
    position: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    plan: Mapped[Plan] = relationship(back_populates="indicators")
    owner: Mapped["User | None"] = relationship()  # noqa: F821
    results: Mapped[list["IndicatorResult"]] = relationship(
        back_populates="indicator", order_by="IndicatorResult.label", cascade="all, delete-orphan"
    )


class IndicatorResult(Model):
    """A result recorded in the plan itself, such as "2016/17 Result": kept as written."""

    __tablename__ = "indicator_result"
    __table_args__ = (sa.UniqueConstraint("indicator_id", "label"),)

    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("indicator.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(sa.String(40))  # "2016/17"
    value_text: Mapped[str | None] = mapped_column(sa.String(100))  # "1,216 (329)", "N/A"
    value: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 4))  # the number, where there is one

    indicator: Mapped[Indicator] = relationship(back_populates="results")
