"""Adding many people from a CSV in the shape an HR system exports.

`read_csv` turns the file into rows (UTF-8 with or without a byte-order mark, or Excel's
Windows-1252; commas or semicolons; common heading variants in any case). `preview` says,
for each row, what confirming would do — a new person, an update, nothing — and its
problems. `apply` stores a preview that has no problems, all of it or (on any error) none.
The browser and `flask users import` both use these.
"""
import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.auth.service import normalise_email
from app.extensions import db
from app.forms import text_problem
from app.models import Committee, Role, ScopeKind, Service, User
from app.trail import record
from app.users.service import UserError, create_user, email_problem, grant_role, update_user

MAX_BYTES = 1024 * 1024
MAX_ROWS = 2000


class ImportProblem(ValueError):
    """The file as a whole cannot be read; the message says why."""


def _key(text: str) -> str:
    return re.sub(r"[^a-z]", "", (text or "").lower())


HEADINGS = {
    "name": {"name", "fullname", "employeename", "displayname", "staffname", "employee", "person", "preferredname"},
    "first_name": {"firstname", "forename", "forenames", "givenname", "first", "knownas"},
    "surname": {"surname", "lastname", "familyname", "last"},
    "email": {"email", "emailaddress", "workemail", "workemailaddress", "mail", "emailaddr", "businessemail"},
    "job_title": {"jobtitle", "title", "position", "post", "posttitle", "job", "jobrole", "positiontitle"},
    "service": {"service", "servicename", "servicearea", "team", "department", "serviceteam"},
    "role": {"role", "roles", "docketrole", "docketroles", "accessrole", "accessroles"},
    "committee": {"committee", "committees", "committeename"},
}

ROLE_WORDS = {
    "headofservice": Role.HEAD_OF_SERVICE, "hos": Role.HEAD_OF_SERVICE,
    "actionowner": Role.ACTION_OWNER, "owner": Role.ACTION_OWNER, "accountableofficer": Role.ACTION_OWNER,
    "assistantdirector": Role.ASSISTANT_DIRECTOR, "ad": Role.ASSISTANT_DIRECTOR,
    "administrator": Role.ADMINISTRATOR, "admin": Role.ADMINISTRATOR, "docketadministrator": Role.ADMINISTRATOR,
    "committeeclerk": Role.CLERK, "clerk": Role.CLERK, "democracyofficer": Role.CLERK,
}
ROLE_HINT = "Head of Service, Action owner, Assistant Director, Administrator or Committee clerk"


def decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_csv(data: bytes) -> tuple[list[str], list[tuple[int, dict]]]:
    """(the headings as found, [(row number in the file, {field: text})])."""
    if len(data) > MAX_BYTES:
        raise ImportProblem("The file is larger than 1 MB: split it into smaller files")
    try:
        text = decode(data)
    except UnicodeDecodeError:
        raise ImportProblem("The file is not a CSV Docket can read: save it as CSV (UTF-8) and try again") from None
    if "\x00" in text:
        raise ImportProblem("The file is not a CSV: save the spreadsheet as CSV (comma delimited) and try again")
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    if not first:
        raise ImportProblem("The file is empty")
    delimiter = ";" if first.count(";") > first.count(",") else ("\t" if first.count("\t") > first.count(",") else ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise ImportProblem(f"The file could not be read as CSV: {exc}") from None
    rows = [(n, r) for n, r in rows if any(cell.strip() for cell in r)]
    headings = [cell.strip() for cell in rows[0][1]]
    columns = {}
    for index, heading in enumerate(headings):
        for name, variants in HEADINGS.items():
            if _key(heading) in variants and name not in columns:
                columns[name] = index
    if "email" not in columns:
        raise ImportProblem(f"The file has no email address column. Its headings are: {', '.join(headings)}. "
                            "Name the columns: Name (or First name and Surname), Email, Job title, Service, Role")
    if "name" not in columns and not ("first_name" in columns and "surname" in columns):
        raise ImportProblem("The file has no name column: add Name, or First name and Surname")
    out = []
    for number, cells in rows[1:]:
        values = {name: (cells[i].strip() if i < len(cells) else "") for name, i in columns.items()}
        if "name" not in values or not values["name"]:
            values["name"] = " ".join(p for p in (values.get("first_name", ""), values.get("surname", "")) if p)
        out.append((number, values))
    if not out:
        raise ImportProblem("The file has headings but no people")
    if len(out) > MAX_ROWS:
        raise ImportProblem(f"The file has {len(out)} people: import at most {MAX_ROWS} at a time")
    return headings, out


def parse_roles(text: str) -> tuple[list[Role], list[str]]:
    roles, unknown = [], []
    for part in re.split(r"[;,/|]", text or ""):
        if not part.strip():
            continue
        role = ROLE_WORDS.get(_key(part))
        if role is None:
            unknown.append(part.strip())
        elif role not in roles:
            roles.append(role)
    return roles, unknown


@dataclass
class Row:
    number: int
    name: str
    email: str
    job_title: str
    service_name: str
    role_text: str
    committee_name: str = ""
    grants: list = field(default_factory=list)  # [(Role, ScopeKind, scope object or None)]
    problems: list = field(default_factory=list)
    outcome: str = ""  # "new", "update", "unchanged"
    changes: list = field(default_factory=list)  # plain sentences for an update
    person: User | None = None

    @property
    def roles_label(self) -> str:
        return "; ".join(f"{role.label} ({scope.name if scope else 'everything'})" for role, _, scope in self.grants)

    @property
    def outcome_label(self) -> str:
        if self.problems:
            return "Not imported"
        return {"new": "New person", "update": "Will be updated", "unchanged": "Unchanged"}[self.outcome]


@dataclass
class Preview:
    rows: list

    @property
    def ok(self) -> bool:
        return not any(r.problems for r in self.rows)

    @property
    def problem_count(self) -> int:
        return sum(1 for r in self.rows if r.problems)

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if not r.problems and r.outcome == outcome)

    @property
    def fingerprint(self) -> str:
        """What confirming would do: a confirm is refused if this changed since the preview."""
        plan = [(r.number, r.email, r.outcome, r.changes, r.problems,
                 [(role.value, kind.value, getattr(s, "id", None)) for role, kind, s in r.grants]) for r in self.rows]
        return hashlib.sha256(json.dumps(plan, sort_keys=True, default=str).encode()).hexdigest()


def _lookup(model, name: str):
    if not name:
        return None
    return db.session.scalar(sa.select(model).where(sa.func.lower(model.name) == name.strip().lower()))


def preview(rows: list[tuple[int, dict]]) -> Preview:
    seen: dict[str, int] = {}
    out = []
    for number, values in rows:
        row = Row(number=number, name=values.get("name", ""), email=normalise_email(values.get("email", "")),
                  job_title=values.get("job_title", ""), service_name=values.get("service", ""),
                  role_text=values.get("role", ""), committee_name=values.get("committee", ""))
        out.append(row)
        if not row.name:
            row.problems.append("Name is missing")
        problem = email_problem(row.email)
        if problem:
            row.problems.append(f"Email address “{values.get('email', '')}” is not valid" if row.email
                                else "Email address is missing")
        elif row.email in seen:
            row.problems.append(f"{row.email} is also on row {seen[row.email]}: give each person once")
        else:
            seen[row.email] = number
        for label, text in (("Name", row.name), ("Job title", row.job_title)):
            problem = text_problem(text, label, one_line=True) or (
                f"{label} must be 200 characters or fewer" if len(text) > 200 else None)
            if problem:
                row.problems.append(problem)
        service = _lookup(Service, row.service_name)
        if row.service_name and service is None:
            row.problems.append(f"There is no service called “{row.service_name}”")
        elif service is not None and service.retired_at is not None:
            row.problems.append(f"The service {service.name} is retired: people cannot be given it")
            service = None
        committee = _lookup(Committee, row.committee_name)
        if row.committee_name and committee is None:
            row.problems.append(f"There is no committee called “{row.committee_name}”")
        elif committee is not None and committee.retired_at is not None:
            row.problems.append(f"The committee {committee.name} is retired")
            committee = None
        roles, unknown = parse_roles(row.role_text)
        for word in unknown:
            row.problems.append(f"“{word}” is not a Docket role: use {ROLE_HINT}")
        for role in roles:
            if role == Role.ADMINISTRATOR:
                row.grants.append((role, ScopeKind.EVERYTHING, None))
            elif role == Role.CLERK:
                if committee is None:
                    if not row.committee_name:
                        row.problems.append("Committee clerk needs a committee: add a Committee column")
                else:
                    row.grants.append((role, ScopeKind.COMMITTEE, committee))
            elif service is None:
                if not row.service_name:
                    row.problems.append(f"{role.label} needs a service: fill in the Service column")
            else:
                row.grants.append((role, ScopeKind.SERVICE, service))
        _compare_with_docket(row)
    return Preview(out)


def _held(person: User, role, kind, scope) -> bool:
    scope_id = getattr(scope, "id", None)
    return any(a.role == role and a.scope_kind == kind
               and (kind == ScopeKind.EVERYTHING or getattr(a, f"{kind.value}_id") == scope_id) for a in person.roles)


def _compare_with_docket(row: Row) -> None:
    person = db.session.scalar(sa.select(User).where(User.email == row.email)) if row.email else None
    row.person = person
    if person is None:
        row.outcome = "new"
        return
    if not person.active:
        row.problems.append(f"{person.name} ({row.email}) is deactivated: reactivate them on their page first, "
                            "or remove this row")
    if row.name and row.name != person.name:
        row.changes.append(f"Name: {person.name} → {row.name}")
    if row.job_title and row.job_title != (person.job_title or ""):
        row.changes.append(f"Job title: {person.job_title or 'none'} → {row.job_title}")
    for role, kind, scope in row.grants:
        if not _held(person, role, kind, scope):
            row.changes.append(f"New role: {role.label} ({scope.name if scope else 'everything'})")
    row.outcome = "update" if row.changes else "unchanged"


@dataclass
class Outcome:
    created: list = field(default_factory=list)  # [(User, links.Sent)]
    updated: list = field(default_factory=list)
    unchanged: int = 0


def apply(pv: Preview, actor: User | None, source: str | None = None) -> Outcome:
    """Store a preview with no problems. The caller commits (or rolls back on UserError)."""
    from app.auth.links import send_link

    if not pv.ok:
        raise UserError("The file has problems: nothing was stored")
    outcome = Outcome()
    for row in pv.rows:
        if row.outcome == "unchanged":
            outcome.unchanged += 1
            continue
        if row.outcome == "new":
            person = create_user(row.email, row.name, None, row.job_title or None, actor=actor)
        else:
            person = row.person
            update_user(person, row.name or person.name, person.email, row.job_title or person.job_title, actor=actor)
        for role, kind, scope in row.grants:
            grant_role(person, role, kind, scope, actor=actor)
        if row.outcome == "new":
            outcome.created.append((person, send_link(person, actor)))
        else:
            outcome.updated.append(person)
    record("people_imported", None, actor=actor, object_type="people_import",
           data={"source": source, "created": len(outcome.created), "updated": len(outcome.updated),
                 "unchanged": outcome.unchanged})
    return outcome
