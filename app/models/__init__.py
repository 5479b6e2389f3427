"""Docket's domain model. Import models from here."""
from app.models.base import LabelledEnum, Model, utcnow  # noqa: F401
from app.models.committees import (  # noqa: F401
    AgendaItem,
    AgendaPack,
    MeetingDocument,
    AgendaItemKind,
    AgendaState,
    Committee,
    CommitteeMember,
    ConfidentialReader,
    Meeting,
    MemberRole,
    WorkPlanEntry,
)
from app.models.notifications import AttachmentContent, Delegation, Notification  # noqa: F401
from app.models.org import (  # noqa: F401
    ROLE_SCOPES,
    Directorate,
    Role,
    RoleAssignment,
    ScopeKind,
    Service,
    SignInFailure,
    User,
)
from app.models.people import SetPasswordLink  # noqa: F401
from app.models.plans import (  # noqa: F401
    Action,
    ActionStatus,
    ActionType,
    Direction,
    Frequency,
    Indicator,
    IndicatorResult,
    Milestone,
    Plan,
    PlanStatus,
    Polarity,
    PriorityTheme,
    Rag,
    Risk,
    Unit,
)
from app.models.settings import CouncilSetting  # noqa: F401
from app.models.reports import Report, ReportState, ReportVersion, report_plan  # noqa: F401
from app.models.trail import GENESIS_HASH, TrailEvent, TrailHead  # noqa: F401
from app.models.updates import (  # noqa: F401
    Attachment,
    IndicatorValue,
    PeriodState,
    ProgressUpdate,
    ReportingPeriod,
    UpdateState,
)
# --- plan import in the council's own shape (issue 13) ---
# --- plan fields, current position and export (issue 13) ---
# --- committee papers (issue 14) ---
from app.models.reports import ReportAnnex, ReportKind  # noqa: F401,E402
# --- exempt items, councillors and public agendas (issue 14) ---
# --- the clerk's editing tools and the pack (issue 14) ---
# --- the owner's quarter (issue 16) ---
# --- sign-off, approval, dashboard and reports (issue 16) ---
# --- performance (issue 17) ---
