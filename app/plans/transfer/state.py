"""The plan as it stands, and Docket's people, as an import compares against them."""
import hashlib
import json
from dataclasses import dataclass
import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from app.demo.text import key, squash
from app.extensions import db
from app.models import Action, Indicator, Plan, PriorityTheme, Risk, User
from app.plans.transfer.columns import KINDS


# --- the plan as it stands -----------------------------------------------------------------

class Person:
    """A person as an import reads them: who they are, not their whole record."""

    __slots__ = ("id", "name", "email", "job_title")

    def __init__(self, id: int, name: str, email: str, job_title: str | None):
        self.id, self.name, self.email, self.job_title = id, name, email, job_title

    def __repr__(self) -> str:
        return f"<Person {self.email}>"


class People:
    """Docket's people, found by exact name, job title or e-mail address (case does not matter)."""

    def __init__(self, users: list[User]):
        self.by_id = {u.id: u for u in users}
        self.pending: dict = {}  # people an import would add: key -> people.Unknown
        self._email: dict[str, User] = {}
        self._named: dict[str, list[User]] = {}
        for user in users:
            self._email[key(user.email)] = user
            for text in {key(user.name), key(user.job_title)} - {""}:
                self._named.setdefault(text, []).append(user)

    @classmethod
    def load(cls) -> "People":
        # performance (issue 17): the four columns an import reads, not thousands of full records
        return cls([Person(*row) for row in db.session.execute(
            sa.select(User.id, User.name, User.email, User.job_title).order_by(User.name, User.email))])

    def find(self, text: str) -> User:
        """The one person the text names. Raises ValueError with a message for anyone else."""
        wanted = key(text)
        if wanted in self._email:
            return self._email[wanted]
        found = self._named.get(wanted, [])
        if len(found) == 1:
            return found[0]
        if found:
            names = " or ".join(f"{u.name} ({u.email})" for u in found)
            raise ValueError(f"“{squash(text)}” could be {names}: write the person’s e-mail address instead")
        raise ValueError(f"No one in Docket is called “{squash(text)}” or has that job title or e-mail address: "
                         "check the spelling, or ask an administrator to add them under People")

    def label(self, user: User | None) -> str:
        """How the export names a person: job title if it is theirs alone, else name, else e-mail."""
        if user is None:
            return ""
        for text in (user.job_title, user.name):
            if text and [u.id for u in self._named.get(key(text), ())] == [user.id] and key(text) not in self._email:
                return text
        return user.email

    @staticmethod
    def display(user: User | None) -> str:
        if user is None:
            return ""
        return f"{user.name} ({user.job_title})" if user.job_title else user.name


@dataclass
class PlanState:
    """Everything the import compares against, loaded once."""

    plan: Plan
    actions: list[Action]
    risks: list[Risk]
    indicators: list[Indicator]
    themes: list[PriorityTheme]
    people: People

    @classmethod
    def load(cls, plan: Plan, fresh: bool = False) -> "PlanState":
        """The plan's rows; `fresh` re-reads rows the session already holds from the database."""
        opts = {"populate_existing": True} if fresh else {}

        def rows(stmt):
            return db.session.scalars(stmt.execution_options(**opts)).all()

        actions = rows(sa.select(Action).where(Action.plan_id == plan.id).order_by(Action.reference)
                       .options(selectinload(Action.milestones), selectinload(Action.theme)))
        risks = rows(sa.select(Risk).where(Risk.plan_id == plan.id).order_by(Risk.reference))
        indicators = rows(sa.select(Indicator).where(Indicator.plan_id == plan.id)
                          .order_by(Indicator.position, Indicator.id).options(selectinload(Indicator.results)))
        themes = rows(sa.select(PriorityTheme).where(PriorityTheme.plan_id == plan.id)
                      .order_by(PriorityTheme.position, PriorityTheme.id))
        return cls(plan, actions, risks, indicators, themes, People.load())

    def objects(self, kind: str) -> list:
        return {"actions": self.actions, "risks": self.risks, "indicators": self.indicators}[kind]

    def theme_titled(self, title: str) -> PriorityTheme | None:
        wanted = key(title)
        return next((t for t in self.themes if key(t.title) == wanted), None)

    def fingerprint(self) -> str:
        """A hash of everything an import reads: any change to the plan's rows changes it."""
        state = {
            kind: [[obj.id, obj.version, snapshot(kind, obj)] for obj in sorted(self.objects(kind), key=lambda o: o.id)]
            for kind in KINDS
        }
        state["themes"] = sorted([t.id, t.title] for t in self.themes)
        text = json.dumps(state, sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]


def _milestones_of(action: Action) -> tuple:
    return tuple((m.text, m.due_on, bool(m.done)) for m in sorted(action.milestones, key=lambda m: m.position))


def snapshot(kind: str, obj) -> dict:
    """An object's importable fields, in the form `preview` parses cells into."""
    if kind == "actions":
        return {
            "reference": obj.reference, "theme": obj.theme.title if obj.theme else None, "title": obj.title,
            "action_type": obj.action_type, "statutory": bool(obj.statutory), "type_note": obj.type_note,
            "owner": obj.owner_id, "due_on": obj.due_on, "status": obj.status, "milestones": _milestones_of(obj),
            "group_title": obj.group_title, "partners": obj.partners, "timing": obj.timing, "rag": obj.rag,
        }
    if kind == "risks":
        return {"reference": obj.reference, "description": obj.description, "rag": obj.rag,
                "mitigations": obj.mitigations, "owner": obj.owner_id}
    return {
        "reference": obj.reference, "description": obj.description, "polarity": obj.polarity,
        "direction": obj.direction, "owner": obj.owner_id, "include": bool(obj.include),
        "group_name": obj.group_name, "unit": obj.unit, "target": obj.target, "frequency": obj.frequency,
        "results": {r.label: r.value_text for r in obj.results},
        "target_text": obj.target_text, "comments": obj.comments, "benchmark_comparator": obj.benchmark_comparator,
        "benchmark_national": obj.benchmark_national, "benchmark_regional": obj.benchmark_regional,
        "target_rationale": obj.target_rationale,
    }
