"""Generate a "large council" data set for the benchmark, fast, with SQLAlchemy Core bulk inserts.

    DATABASE_URL=sqlite:////tmp/docket-bench.db .venv/bin/python bench/generate.py --scale 1

At --scale 1 (the defaults below; everything but the size of one plan and the number of
periods is multiplied by the scale):

    8 directorates, 60 services, one plan each with 5 themes, 100 actions (2 milestones each),
    5 risks and 20 indicators (6,000 actions, 1,200 indicators);
    40 quarterly reporting periods (10 years): the latest open, the rest closed;
    a progress update for every action in every period (240,000) and a value for every
    indicator in every period (48,000): all signed off, except in the open period, which
    has a mix of draft, submitted, returned and signed off;
    2,000 people: an administrator, an Assistant Director per directorate, a Head of Service
    per service (who also owns a few actions), a clerk per committee, the rest action owners;
    30 committees (8 members each) with 100 meetings each over 10 years (3,000): past ones
    published, the next year's drafts; agendas (standing items and reports) on the last two
    years' meetings and the next three of each committee;
    9 reports per service: the last 8 closed periods approved (one frozen version each; the
    older ones published on an agenda) and the open period's in draft or submitted;
    a valid hash-chained trail for the reports and the open period's updates.

The database is emptied (SQLite: the file is deleted; PostgreSQL: the public schema is
dropped) and built with Docket's own migrations first. Everyone's password is
`docket-bench-2025`. Prints a JSON summary (counts, seconds, the people and ids the
benchmark uses) and writes it next to a SQLite database as <file>.json, or to --summary.
"""
from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import random
import secrets
import sys
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PASSWORD = "docket-bench-2025"
EMAIL_DOMAIN = "bench.example"
BATCH = 5_000
MEETING_TIME = datetime(2000, 1, 1, 17, 30).time()

ACTIONS_PER_PLAN = 100
THEMES_PER_PLAN = 5
RISKS_PER_PLAN = 5
INDICATORS_PER_PLAN = 20
MILESTONES_PER_ACTION = 2
PERIODS = 40
MEETINGS_PER_COMMITTEE = 100
MEMBERS_PER_COMMITTEE = 8
APPROVED_REPORT_PERIODS = 8      # reports for the last 8 closed periods, approved
PUBLISHED_BEFORE = 2             # ... of which all but the latest 2 are published on an agenda
AGENDA_YEARS = 2                 # past meetings with agenda items
UPCOMING_AGENDAS = 3             # upcoming (draft) meetings of each committee with agenda items

FIRST = ("Aisha Alex Amir Anna Ben Beth Callum Chloe Dan Deepa Ed Ella Fatima Finn George Grace Hamza Hannah "
         "Imran Isla Jack Jade Kai Kate Leo Lily Marcus Maya Nadia Noah Olu Olivia Priya Paul Qasim Ruby Sam "
         "Sara Tom Tara Umar Una Vik Vera Will Wendy Xavier Yasmin Zac Zoe Adam Bella Chris Diana Ethan Freya "
         "Gavin Holly Ian Jess Karl Laura Mo Nina Oscar Poppy Rhys Sophie Theo Uma Victor Wanda Yusuf Zara "
         "Abdul Bryony Carl Dora Emil Fern Glen Hattie Ivan June Kofi Lena Milo Nell Owen Pia Raj Suki").split()
LAST = ("Ashworth Bell Carter Dunmore Ellery Fisher Green Holt Iqbal Jones Khan Lewis Marsh Nowak Owen Pryce "
        "Quinn Ridley Shah Taylor Upton Vaughan Whitfield Young Zielinski Adams Baker Clarke Davies Evans "
        "Foster Gray Hughes Irwin James Kelly Lloyd Morgan Nash Osei Patel Reid Scott Turner Usher Vickers "
        "Walsh Yates Ahmed Brown Cole Doyle Ellis Ford Grant Hall Hunt Jarvis King Lane Mills Norris Oakes "
        "Parker Rowe Stone Todd Underwood Walker Webb Wood Akhtar Barnes Chapman Day Edwards Fox Gibson "
        "Harris Hill Jackson Kerr Lamb Moore Nixon Page Price Rees Short Stevens Thomas Wade Ward White "
        "Allen Booth Cook Dixon Fenton Gill Hayes Hollyer Kaur Lowe Mason Murray Newton Palmer Perry Pope "
        "Robinson Simpson Smith Sutton Tate Tyler Wells West Wilson Wright Ali Begum Chen Das Hussain Kim "
        "Lee Li Malik Nguyen Okafor Rahman Singh Wang Yilmaz Zhang Bailey Brooks Burton Collins Cox Dean "
        "Field Gordon Hart Holmes Hunter Knight Marshall Matthews Mitchell Moss Owens Pearce Phillips "
        "Richards Rogers Russell Saunders Shaw Spencer Stewart Watson Watts Wheeler Wilkinson Woods").split()
JOBS = ["Service Manager", "Team Manager", "Practice Manager", "Performance Officer", "Project Manager",
        "Operations Manager", "Strategy Lead", "Commissioning Manager", "Principal Officer", "Head of Team"]
DIRECTORATES = ["Children, Education and Communities", "Health, Housing and Adult Social Care",
                "Economy and Place", "Customer and Corporate Services", "Public Health",
                "Resources", "Governance", "Transport and Environment"]
SERVICE_WORDS = ["Specialist Services", "Early Help", "Adult Social Care", "Highways", "Waste",
                 "Housing Options", "Libraries", "Planning", "Revenues and Benefits", "Public Protection",
                 "Parks", "Schools Support", "Customer Contact", "Finance", "Human Resources", "ICT",
                 "Legal Services", "Building Control", "Youth Justice", "Transport"]
VERBS = ["Deliver", "Implement", "Review", "Improve", "Embed", "Develop", "Reduce", "Increase", "Launch",
         "Procure", "Consult on", "Roll out", "Evaluate", "Refresh", "Integrate"]
THINGS = ["the workforce development programme", "the new case management system", "a locality model",
          "the early help offer", "the recruitment and retention strategy", "the quality assurance framework",
          "the commissioning plan", "partnership working with health", "digital self-service",
          "the demand management approach", "the placement sufficiency strategy", "the budget recovery plan",
          "the performance framework", "practice standards", "the estates rationalisation plan"]
SENTENCES = [
    "Work is progressing in line with the plan agreed by the management team.",
    "The project board met twice this quarter and agreed the revised timetable.",
    "Recruitment to the two vacant posts has completed and the new starters are being inducted.",
    "A delay in the supplier's delivery has pushed the go-live date back by four weeks.",
    "Consultation with staff and partners closed with 140 responses, which are being analysed.",
    "The pilot in the west locality has finished and the evaluation will report next quarter.",
    "Budget pressures mean the second phase has been re-scoped; the core outcomes are unchanged.",
    "Training has been delivered to 85% of front-line staff; the remainder are booked.",
    "Performance against the key indicators improved for the third quarter in a row.",
    "The audit recommendations have been accepted and an action plan is in place.",
    "Partners have agreed the data-sharing protocol, which is now being signed.",
    "Demand rose by 12% on the same quarter last year, which has slowed progress.",
]
RAG_WEIGHTS = [("green", 50), ("amber", 25), ("red", 10), ("complete", 10), ("not_started", 5)]
RAG_LABELS = {"red": "Red", "amber": "Amber", "green": "Green", "complete": "Complete", "not_started": "Not started"}
RAG_ORDER = ["red", "amber", "green", "complete", "not_started"]
STATE_LABELS = {"draft": "Draft", "submitted": "Submitted", "returned": "Returned", "signed_off": "Signed off"}
UNIT_VALUES = ["number", "percentage", "count", "currency"]
POLARITIES = ["up_is_good", "up_is_bad", "neutral"]
POLARITY_LABELS = {"up_is_good": "Up is Good", "up_is_bad": "Up is Bad", "neutral": "Neutral"}


@functools.lru_cache(maxsize=100_000)
def utc(d: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=timezone.utc)


def scaled(n: int, scale: float) -> int:
    return max(1, round(n * scale))


# --- reporting periods: UK financial-year quarters ---------------------------------------------

def quarter_of(d: date) -> tuple[date, date, str]:
    """(start, end, name) of the financial-year quarter (April to June is Q1) containing d."""
    start = date(d.year, (d.month - 1) // 3 * 3 + 1, 1)
    after = date(start.year + (start.month == 10), start.month % 12 + 3 if start.month < 10 else 1, 1)
    fy = start.year if start.month >= 4 else start.year - 1
    quarter = {4: 1, 7: 2, 10: 3, 1: 4}[start.month]
    return start, after - timedelta(days=1), f"Q{quarter} {fy}/{(fy + 1) % 100:02d}"


def make_periods(today: date) -> list[dict]:
    """40 quarters ending with the last one that has finished; it is open, the rest closed."""
    current_start, _, _ = quarter_of(today)
    end = current_start - timedelta(days=1)
    quarters = []
    for _ in range(PERIODS):
        start, qend, name = quarter_of(end)
        quarters.append((start, qend, name))
        end = start - timedelta(days=1)
    quarters.reverse()
    periods = []
    for i, (start, qend, name) in enumerate(quarters, start=1):
        is_open = i == PERIODS
        periods.append({
            "id": i, "name": name, "starts_on": start, "ends_on": qend,
            "update_deadline": today + timedelta(days=7) if is_open else qend + timedelta(days=30),
            "signoff_deadline": today + timedelta(days=21) if is_open else qend + timedelta(days=45),
            "state": "open" if is_open else "closed",
        })
    return periods


@functools.lru_cache(maxsize=200_000)
def _sqlite_datetime(value: datetime) -> str:
    """As SQLAlchemy stores a UTC timestamp in SQLite (UTCDateTime): naive UTC, microseconds."""
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.isoformat(" ", "microseconds")


def _sqlite_time(value) -> str:
    return value.isoformat("microseconds")


# --- the generator ------------------------------------------------------------------------------

class Generator:
    def __init__(self, engine, scale: float, seed: int, today: date):
        import sqlalchemy as sa

        from app.extensions import db

        self.sa = sa
        self.engine = engine
        self.scale = scale
        self.today = today
        self.rng = random.Random(seed)
        self.tables = db.metadata.tables
        self.counts: dict[str, int] = {}
        self.now = datetime.now(timezone.utc)
        self.n_directorates = scaled(8, scale)
        self.n_services = scaled(60, scale)
        self.n_committees = scaled(30, scale)
        self.n_people = max(scaled(2000, scale),
                            1 + self.n_directorates + self.n_services + self.n_committees + 2 * self.n_services)
        self.ids: dict[str, int] = {}
        self.trail: list[dict] = []
        self.sentences = SENTENCES
        self.summary: dict = {}
        self._plain: dict = {}
        self._texts: dict[int, list[str]] = {}

    # -- helpers

    def next_id(self, table: str) -> int:
        self.ids[table] = self.ids.get(table, 0) + 1
        return self.ids[table]

    def insert(self, conn, table: str, rows: list[dict]) -> None:
        """executemany through an untyped Core table, with the values already in the form the
        driver takes (SQLAlchemy's per-value type processing would be most of the time).
        The rows are converted in place: do not insert the same dict twice."""
        if not rows:
            return
        if table not in self._plain:
            self._plain[table] = self._plain_table(conn, table)
        plain, converters, defaults = self._plain[table]
        for row in rows:
            for name, value in defaults:  # columns added since the generator was written
                row.setdefault(name, value)
            for name, convert in converters:
                value = row[name]
                if value is not None:
                    row[name] = convert(value)
        for i in range(0, len(rows), BATCH):
            conn.execute(plain.insert(), rows[i:i + BATCH])
        self.counts[table] = self.counts.get(table, 0) + len(rows)

    def _plain_table(self, conn, table: str):
        sa = self.sa
        typed = self.tables[table]
        converters = []
        if conn.dialect.name == "sqlite":
            for col in typed.columns:
                kind = col.type
                impl = getattr(kind, "impl", kind)
                if isinstance(impl, sa.DateTime):
                    converters.append((col.name, _sqlite_datetime))
                elif isinstance(impl, sa.Date):
                    converters.append((col.name, date.isoformat))
                elif isinstance(impl, sa.Time):
                    converters.append((col.name, _sqlite_time))
                elif isinstance(impl, sa.Numeric) and not isinstance(impl, sa.Float):
                    converters.append((col.name, float))
                elif isinstance(impl, sa.Boolean):
                    converters.append((col.name, int))
        plain = sa.table(table, *[sa.column(c.name) for c in typed.columns])
        # Every column gets a value (executemany needs the same keys in every row): the model's
        # plain default where it has one, else NULL.
        defaults = [(c.name, c.default.arg if c.default is not None and c.default.is_scalar else None)
                    for c in typed.columns if not c.primary_key]
        return plain, converters, defaults

    def stamp(self, row: dict, when: datetime | None = None) -> dict:
        row.setdefault("created_at", when or self.now)
        row.setdefault("updated_at", when or self.now)
        return row

    def text(self, n: int) -> str:
        """n sentences, from a pool made once (joining random sentences per row is slow)."""
        pool = self._texts.get(n)
        if pool is None:
            pool = self._texts[n] = [" ".join(self.rng.choice(self.sentences) for _ in range(n)) for _ in range(400)]
        return pool[int(self.rng.random() * 400)]

    def randint(self, a: int, b: int) -> int:
        """random.randint, without its argument checking (called millions of times)."""
        return a + int(self.rng.random() * (b - a + 1))

    def rag(self) -> str:
        x = self.rng.randrange(100)
        for value, weight in RAG_WEIGHTS:
            if x < weight:
                return value
            x -= weight
        return "green"

    def event(self, when: datetime, actor: dict | None, verb: str, object_type: str, object_id: int,
              from_state=None, to_state=None, version=None, comment=None, data=None) -> None:
        self.trail.append({
            "occurred_at": when, "actor_id": actor["id"] if actor else None,
            "actor_name": actor["name"] if actor else None, "on_behalf_of_id": None, "verb": verb,
            "object_type": object_type, "object_id": object_id, "from_state": from_state, "to_state": to_state,
            "object_version": version, "comment": comment,
            "data": json.dumps(data, sort_keys=True, default=str) if data is not None else None,
        })

    # -- the whole data set

    def run(self) -> dict:
        started = time.perf_counter()
        if self.engine.dialect.name == "sqlite":
            # A rollback journal while loading: WAL would hold every new page until the one
            # commit (gigabytes at --scale 10). Docket puts WAL back on its next connection.
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA journal_mode=DELETE")
        with self.engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA synchronous=OFF")
                conn.exec_driver_sql("PRAGMA cache_size=-200000")
            self.people(conn)
            self.organisation(conn)
            self.periods_(conn)
            self.committees(conn)
            for service in self.services:
                self.plan_for(conn, service)
            self.meetings(conn)
            self.write_trail(conn)
            if conn.dialect.name == "postgresql":
                self.reset_sequences(conn)
        seconds = time.perf_counter() - started
        return {"scale": self.scale, "seconds": round(seconds, 1), "counts": self.counts, **self.summary}

    def people(self, conn) -> None:
        from app.auth.passwords import PRODUCTION_HASHER

        password_hash = PRODUCTION_HASHER.hash(PASSWORD)
        names = [f"{f} {last}" for last in LAST for f in FIRST]
        self.rng.shuffle(names)
        if len(names) < self.n_people:
            names += [f"{n} {k}" for k in range(2, 20) for n in names][: self.n_people - len(names)]
        users = []

        def person(email: str, job: str | None) -> dict:
            uid = self.next_id("user_account")
            row = self.stamp({"id": uid, "email": email, "name": names[uid - 1], "job_title": job,
                              "password_hash": password_hash, "active": True,
                              "session_token": secrets.token_hex(16), "last_signed_in_at": None})
            users.append(row)
            return row

        self.admin = person(f"admin@{EMAIL_DOMAIN}", "Docket Administrator")
        self.ads = [person(f"ad{d + 1}@{EMAIL_DOMAIN}", f"Assistant Director {d + 1}")
                    for d in range(self.n_directorates)]
        self.heads = [person(f"hos{s + 1}@{EMAIL_DOMAIN}", f"Head of Service {s + 1}")
                      for s in range(self.n_services)]
        self.clerks = [person(f"clerk{c + 1}@{EMAIL_DOMAIN}", "Democracy Officer") for c in range(self.n_committees)]
        n_owners = self.n_people - len(users)
        self.owners = [person(f"owner{o + 1}@{EMAIL_DOMAIN}", self.rng.choice(JOBS)) for o in range(n_owners)]
        self.insert(conn, "user_account", users)

    def organisation(self, conn) -> None:
        directorates, services, roles = [], [], []
        for d in range(self.n_directorates):
            name = DIRECTORATES[d % len(DIRECTORATES)] + (f" {d // len(DIRECTORATES) + 1}" if d >= len(DIRECTORATES) else "")
            directorates.append(self.stamp({"id": d + 1, "name": name, "director_title": f"Corporate Director {d + 1}",
                                            "director_id": None}))
        self.services = []
        for s in range(self.n_services):
            d = s % self.n_directorates
            name = f"{SERVICE_WORDS[s % len(SERVICE_WORDS)]} {s + 1}"
            row = self.stamp({"id": s + 1, "name": name, "directorate_id": d + 1, "plan_holder_id": self.ads[d]["id"]})
            services.append(row)
            self.services.append({"id": s + 1, "name": name, "directorate": d + 1, "head": self.heads[s],
                                  "ad": self.ads[d], "owners": []})
        for i, owner in enumerate(self.owners):
            self.services[i % self.n_services]["owners"].append(owner)

        def grant(user, role, kind, service=None, directorate=None, committee=None):
            roles.append(self.stamp({"id": self.next_id("role_assignment"), "user_id": user["id"], "role": role,
                                     "scope_kind": kind, "service_id": service, "directorate_id": directorate,
                                     "committee_id": committee, "granted_by_id": self.admin["id"]}))

        grant(self.admin, "administrator", "everything")
        for d, ad in enumerate(self.ads):
            grant(ad, "assistant_director", "directorate", directorate=d + 1)
        for s, service in enumerate(self.services):
            grant(service["head"], "head_of_service", "service", service=service["id"])
            for owner in service["owners"]:
                grant(owner, "action_owner", "service", service=service["id"])
        self.roles = roles  # clerks are granted once the committees exist
        self.insert(conn, "directorate", directorates)
        self.insert(conn, "service", services)

    def periods_(self, conn) -> None:
        self.periods = make_periods(self.today)
        self.open_period = self.periods[-1]
        self.insert(conn, "reporting_period", [self.stamp(dict(p)) for p in self.periods])

    def committees(self, conn) -> None:
        committees, members = [], []
        self.committee_rows = []
        for c in range(self.n_committees):
            d = c % self.n_directorates
            clerk = self.clerks[c]
            row = self.stamp({
                "id": c + 1, "name": f"{DIRECTORATES[d % len(DIRECTORATES)]} Policy & Scrutiny Committee {c + 1}",
                "clerk_id": clerk["id"], "clerk_name": clerk["name"], "clerk_telephone": "(01904) 551031",
                "clerk_email": clerk["email"], "default_venue": "The Thornton Room - Ground Floor, West Offices (G039)",
                "default_time": MEETING_TIME, "directorate_id": d + 1})
            committees.append(row)
            self.committee_rows.append(row)
            for m in range(MEMBERS_PER_COMMITTEE):
                role = "chair" if m == 0 else "vice_chair" if m == 1 else "member"
                members.append(self.stamp({"id": self.next_id("committee_member"), "committee_id": c + 1,
                                           "name": f"Councillor {self.rng.choice(LAST)}", "role": role,
                                           "position": m + 1}))
            self.roles.append(self.stamp({
                "id": self.next_id("role_assignment"), "user_id": clerk["id"], "role": "clerk",
                "scope_kind": "committee", "service_id": None, "directorate_id": None, "committee_id": c + 1,
                "granted_by_id": self.admin["id"]}))
        self.insert(conn, "committee", committees)
        self.insert(conn, "committee_member", members)
        self.insert(conn, "role_assignment", self.roles)
        self.reports_by_directorate: dict[int, list[dict]] = {}

    def plan_for(self, conn, service: dict) -> None:
        """One service's plan, its updates and values for every period, and its reports."""
        rng = self.rng
        plan_id = service["id"]
        head, ad = service["head"], service["ad"]
        owners = service["owners"] or [head]
        self.insert(conn, "plan", [self.stamp({
            "id": plan_id, "service_id": service["id"], "title": f"{service['name']} Service Improvement Plan",
            "period_label": "2016-26", "plan_holder_title": ad["job_title"], "director_title": "Corporate Director",
            "cabinet_member": "Executive Member", "last_updated_on": self.today - timedelta(days=40),
            "description": self.text(3), "operating_context": self.text(2), "priorities": self.text(3),
            "staff_ftes": Decimal("120.50"), "net_revenue_budget": Decimal("15250000.00"), "status": "live",
            "version": 1})])
        themes = []
        for t in range(THEMES_PER_PLAN):
            themes.append(self.stamp({"id": self.next_id("priority_theme"), "plan_id": plan_id,
                                      "title": f"Priority {t + 1}: {rng.choice(VERBS)} {rng.choice(THINGS)}",
                                      "position": t + 1, "version": 1}))
        self.insert(conn, "priority_theme", themes)
        actions, milestones = [], []
        for a in range(ACTIONS_PER_PLAN):
            owner = head if a < 3 else owners[a % len(owners)]
            rag = self.rag()
            action = self.stamp({
                "id": self.next_id("action"), "plan_id": plan_id, "reference": f"S{service['id']:03d}-{a + 1:03d}",
                "theme_id": themes[a % THEMES_PER_PLAN]["id"] if a % 17 else None,
                "title": f"{rng.choice(VERBS)} {rng.choice(THINGS)} ({a + 1})",
                "action_type": rng.choice(["business_as_usual", "medium_project", "major_project"]),
                "statutory": a % 9 == 0, "type_note": None, "owner_id": owner["id"],
                "due_on": self.today + timedelta(days=self.randint(-200, 900)), "rag": rag,
                "status": "complete" if rag == "complete" else "live", "version": 1})
            actions.append(action)
            for m in range(MILESTONES_PER_ACTION):
                milestones.append(self.stamp({
                    "id": self.next_id("milestone"), "action_id": action["id"], "text": self.text(1),
                    "due_on": self.today + timedelta(days=self.randint(-300, 600)), "lead": owner["name"],
                    "done": rng.random() < 0.4, "position": m + 1, "version": 1}))
        self.insert(conn, "action", actions)
        self.insert(conn, "milestone", milestones)
        risks = [self.stamp({"id": self.next_id("risk"), "plan_id": plan_id, "reference": f"R{service['id']}{r + 1:02d}",
                             "description": self.text(1), "rag": self.rag(), "mitigations": self.text(2),
                             "owner_id": owners[r % len(owners)]["id"], "version": 1})
                 for r in range(RISKS_PER_PLAN)]
        self.insert(conn, "risk", risks)
        indicators, results = [], []
        for i in range(INDICATORS_PER_PLAN):
            owner = head if i == 0 else owners[(i * 7) % len(owners)]
            indicators.append(self.stamp({
                "id": self.next_id("indicator"), "plan_id": plan_id, "reference": f"KPI{service['id']}-{i + 1:02d}",
                "description": f"Percentage of {rng.choice(THINGS)} on track ({i + 1})",
                "group_name": rng.choice(["Service Delivery", "Finance", "Workforce"]), "frequency": "quarterly",
                "polarity": POLARITIES[i % 3], "unit": UNIT_VALUES[i % 4], "target": Decimal(self.randint(40, 95)),
                "target_rationale": "Benchmarked against statistical neighbours", "owner_id": owner["id"],
                "benchmark_national": f"{self.randint(40, 90)}%", "benchmark_regional": f"{self.randint(40, 90)}%",
                "benchmark_comparator": f"{self.randint(40, 90)}%", "include": True, "direction": None,
                "position": i + 1, "version": 1}))
            for label in ("2016/17", "2017/18"):
                value = self.randint(30, 99)
                results.append(self.stamp({"id": self.next_id("indicator_result"),
                                           "indicator_id": indicators[-1]["id"], "label": label,
                                           "value_text": str(value), "value": Decimal(value)}))
        self.insert(conn, "indicator", indicators)
        self.insert(conn, "indicator_result", results)

        owner_of = {a["id"]: next((o for o in owners if o["id"] == a["owner_id"]), head) for a in actions}
        theme_of = {t["id"]: t for t in themes}
        people = {u["id"]: u for u in owners + [head]}
        report_periods = {p["id"] for p in self.periods[-(APPROVED_REPORT_PERIODS + 1):]}
        compiled_rows: dict[int, list[dict]] = {}
        values_by_period: dict[int, dict[int, Decimal]] = {}
        for period in self.periods:
            is_open = period["state"] == "open"
            updates, values = [], []
            for a in actions:
                state = self._state(is_open)
                rag = self.rag()
                submitted = utc(period["ends_on"] + timedelta(days=self.randint(3, 25)), self.randint(8, 17))
                signed = submitted + timedelta(days=self.randint(1, 12))
                owner = owner_of[a["id"]]
                row = self.stamp({
                    "id": self.next_id("progress_update"), "action_id": a["id"], "period_id": period["id"],
                    "state": state, "narrative": self.text(self.randint(1, 3)) if state != "draft" or rng.random() < .5 else None,
                    "rag": rag, "percent_complete": self.randint(0, 100),
                    "key_actions_remaining": self.text(1), "corrective_action": self.text(1) if rag in ("red", "amber") else None,
                    "next_focus": self.text(1), "return_comment": "Please add the figures for the quarter." if state == "returned" else None,
                    "milestones_done": None,
                    "submitted_at": submitted if state in ("submitted", "signed_off", "returned") else None,
                    "submitted_by_id": owner["id"] if state in ("submitted", "signed_off", "returned") else None,
                    "signed_off_at": signed if state == "signed_off" else None,
                    "signed_off_by_id": head["id"] if state == "signed_off" else None,
                    "version": 1 if state == "draft" else 2 if state == "submitted" else 3}, submitted)
                updates.append(row)
                if is_open and state != "draft":
                    self.event(submitted, owner, "update_submitted", "progress_update", row["id"], "draft", "submitted", 2)
                    if state == "signed_off":
                        self.event(signed, head, "update_signed_off", "progress_update", row["id"], "submitted", "signed_off", 3)
                    elif state == "returned":
                        self.event(signed, head, "update_returned", "progress_update", row["id"], "submitted", "returned", 3,
                                   comment=row["return_comment"])
                if period["id"] in report_periods and state == "signed_off":
                    theme = theme_of.get(a["theme_id"])
                    compiled_rows.setdefault(period["id"], []).append({
                        "action_id": a["id"], "reference": a["reference"], "title": a["title"],
                        "theme": theme["title"] if theme else "No priority theme",
                        "theme_position": theme["position"] if theme else 10_000, "owner": owner["name"],
                        "rag": rag, "rag_label": RAG_LABELS[rag], "progress": row["narrative"],
                        "key_actions_remaining": row["key_actions_remaining"],
                        "corrective_action": row["corrective_action"], "percent_complete": row["percent_complete"]})
            for ind in indicators:
                state = self._state(is_open)
                value = Decimal(self.randint(20, 100))
                submitted = utc(period["ends_on"] + timedelta(days=self.randint(3, 25)), self.randint(8, 17))
                owner = people.get(ind["owner_id"], head)
                values.append(self.stamp({
                    "id": self.next_id("indicator_value"), "indicator_id": ind["id"], "period_id": period["id"],
                    "state": state, "value": value, "commentary": self.text(1),
                    "return_comment": "Check the figure against the return." if state == "returned" else None,
                    "submitted_at": submitted if state != "draft" else None,
                    "submitted_by_id": owner["id"] if state != "draft" else None,
                    "signed_off_at": submitted + timedelta(days=3) if state == "signed_off" else None,
                    "signed_off_by_id": head["id"] if state == "signed_off" else None,
                    "version": 1 if state == "draft" else 2}, submitted))
                if state == "signed_off":
                    values_by_period.setdefault(period["id"], {})[ind["id"]] = value
            self.insert(conn, "progress_update", updates)
            self.insert(conn, "indicator_value", values)
        self.reports_for(conn, service, plan_id, indicators, compiled_rows, values_by_period)

    def _state(self, is_open: bool) -> str:
        if not is_open:
            return "signed_off"
        x = self.rng.random()
        return "signed_off" if x < .35 else "submitted" if x < .60 else "draft" if x < .90 else "returned"

    def reports_for(self, conn, service, plan_id, indicators, compiled_rows, values_by_period) -> None:
        from app.reports import content as C

        rng = self.rng
        head, ad = service["head"], service["ad"]
        reports, versions, links = [], [], []
        recent = self.periods[-(APPROVED_REPORT_PERIODS + 1):]
        for n, period in enumerate(recent):
            is_open = period["state"] == "open"
            rows = sorted(compiled_rows.get(period["id"], []),
                          key=lambda r: (r["theme_position"], r["theme"], r["reference"]))
            exceptions = sorted([r for r in rows if r["rag"] in ("red", "amber")],
                                key=lambda r: (r["rag"] != "red", r["reference"]))
            counts = {r: sum(1 for x in rows if x["rag"] == r) for r in RAG_ORDER}
            scorecard = []
            trend_periods = [p for p in self.periods if p["ends_on"] <= period["ends_on"]][-6:]
            for ind in indicators:
                value = values_by_period.get(period["id"], {}).get(ind["id"])
                if value is None:
                    continue
                trend = [{"period": p["name"], "value": float(values_by_period[p["id"]][ind["id"]])}
                         for p in trend_periods if ind["id"] in values_by_period.get(p["id"], {})]
                scorecard.append({
                    "indicator_id": ind["id"], "reference": ind["reference"],
                    "label": f"{ind['reference']} {ind['description']}", "description": ind["description"],
                    "value_text": str(value), "target_text": str(ind["target"]), "unit": ind["unit"],
                    "polarity": POLARITY_LABELS[ind["polarity"]], "rag": "green" if value >= ind["target"] else "red",
                    "rag_label": "Green" if value >= ind["target"] else "Red", "direction": "good",
                    "direction_label": "Good", "commentary": "On track.", "trend": trend})
            data = C.blank_content()
            data["summary"] = f"This report sets out progress on the {service['name']} service improvement plan in {period['name']}."
            data["background"] = self.text(4)
            data["progress"] = self.text(3)
            data["recommendations"] = "Members are asked to note the progress made."
            data["reason"] = "To keep the committee informed of progress."
            data["compiled"] = {"period": period["name"],
                                "rag_counts": [{"rag": r, "label": RAG_LABELS[r], "count": counts[r]} for r in RAG_ORDER],
                                "exceptions": exceptions, "actions": rows, "indicators": scorecard,
                                "not_signed_off": []}
            data["changes"] = {"available": False}
            data["compiled_at"] = utc(period["ends_on"] + timedelta(days=40)).isoformat()
            text = C.canonical(data)
            rid = self.next_id("report")
            created = utc(period["ends_on"] + timedelta(days=35))
            if is_open:
                state = "submitted" if service["id"] % 3 == 0 else "draft"
            else:
                state = "published" if n < APPROVED_REPORT_PERIODS - PUBLISHED_BEFORE else "approved"
            reports.append(self.stamp({
                "id": rid, "title": f"{service['name']}: progress in {period['name']}", "period_id": period["id"],
                "committee_id": None, "author_id": head["id"], "chief_officer_id": ad["id"], "state": state,
                "content": text, "version_number": 1, "version": 1 if state == "draft" else 3}, created))
            links.append({"report_id": rid, "plan_id": plan_id})
            self.event(created, head, "report_created", "report", rid, None, "draft", 1, data={"title": reports[-1]["title"]})
            if state != "draft":
                self.event(created + timedelta(days=2), head, "report_submitted", "report", rid, "draft", "submitted", 1)
            if state in ("approved", "published"):
                approved_at = created + timedelta(days=self.randint(3, 9))
                versions.append(self.stamp({
                    "id": self.next_id("report_version"), "report_id": rid, "number": 1, "content": text,
                    "content_hash": hashlib.sha256(text.encode("utf-8")).hexdigest(), "approved_at": approved_at,
                    "approved_by_id": ad["id"]}, approved_at))
                self.event(approved_at, ad, "report_approved", "report", rid, "submitted", "approved", 1,
                           data={"content_hash": versions[-1]["content_hash"]})
                self.reports_by_directorate.setdefault(service["directorate"], []).append(
                    {"id": rid, "title": reports[-1]["title"], "state": state, "period": period, "service": service["id"]})
        self.insert(conn, "report", reports)
        self.insert(conn, "report_plan", links)
        self.insert(conn, "report_version", versions)
        if service["id"] == 1:
            latest = [r for r in reports if r["state"] == "approved"]
            self.summary["report_id"] = latest[-1]["id"] if latest else reports[-1]["id"]

    def meetings(self, conn) -> None:
        from app.meetings import dates
        from app.meetings.pack import DECLARATIONS, URGENT

        rng = self.rng
        first = self.today - timedelta(days=int(365.25 * 9))
        span = int(365.25 * 10)
        meetings, items = [], []
        per_directorate_committees: dict[int, list[dict]] = {}
        for c in self.committee_rows:
            per_directorate_committees.setdefault(c["directorate_id"], []).append(c)
        published_pool = {d: [r for r in rs if r["state"] == "published"] for d, rs in self.reports_by_directorate.items()}
        approved_pool = {d: [r for r in rs if r["state"] == "approved"] for d, rs in self.reports_by_directorate.items()}
        agenda_meeting = None
        for c in self.committee_rows:
            upcoming_with_items = 0
            is_lead = per_directorate_committees[c["directorate_id"]][0] is c  # published reports go on its agendas
            prev = None
            for k in range(MEETINGS_PER_COMMITTEE):
                day = first + timedelta(days=k * span // MEETINGS_PER_COMMITTEE + (c["id"] % 7))
                while day.weekday() >= 5:
                    day += timedelta(days=1)
                past = day < self.today
                mid = self.next_id("meeting")
                meetings.append(self.stamp({
                    "id": mid, "committee_id": c["id"], "meets_on": day, "starts_at": MEETING_TIME,
                    "venue": c["default_venue"], "municipal_year": dates.municipal_year(day),
                    "agenda_state": "published" if past else "draft", "version": 1}))
                with_items = (past and day >= self.today - timedelta(days=365 * AGENDA_YEARS)) or (
                    not past and upcoming_with_items < UPCOMING_AGENDAS)
                if with_items:
                    reports = []
                    if past and is_lead:
                        pool = published_pool.get(c["directorate_id"], [])
                        reports = [pool.pop() for _ in range(min(2, len(pool)))]
                    elif not past:
                        upcoming_with_items += 1
                        if upcoming_with_items == 1:
                            pool = approved_pool.get(c["directorate_id"], [])
                            reports = [r for r in pool if r["service"] % 2 == 1][:2] if is_lead else []
                    standing = [
                        ("declarations", "Declarations of Interest", DECLARATIONS),
                        ("minutes", "Minutes", f"To approve and sign the minutes of the meeting held on "
                                               f"{dates.format_long_date(prev).split(', ', 1)[1] if prev else 'last held'}."),
                        ("public_participation", "Public Participation",
                         "At this point in the meeting members of the public who have registered to speak can do so."),
                    ]
                    closing = [("work_plan", "Work Plan", "To consider the committee's draft work plan for the municipal "
                                                          f"year {dates.municipal_year(day)}."),
                               ("urgent_business", "Urgent Business", URGENT)]
                    position = 0
                    for key, title, purpose in standing:
                        position += 1
                        items.append(self._item(mid, position, title, purpose, "procedural", key, None))
                    for r in reports:
                        position += 1
                        items.append(self._item(mid, position, r["title"], "To note progress on the plan.", "report",
                                                None, r["id"]))
                    position += 1
                    items.append(self._item(mid, position, f"Update on {rng.choice(THINGS)}", self.text(1), "other",
                                            None, None))
                    for key, title, purpose in closing:
                        position += 1
                        items.append(self._item(mid, position, title, purpose, "procedural", key, None))
                    if not past and c["id"] == 1 and agenda_meeting is None:
                        agenda_meeting = mid
                prev = day
        self.insert(conn, "meeting", meetings)
        self.insert(conn, "agenda_item", items)
        self.summary["agenda_meeting_id"] = agenda_meeting

    def _item(self, meeting_id, position, title, purpose, kind, standing, report_id) -> dict:
        return self.stamp({"id": self.next_id("agenda_item"), "meeting_id": meeting_id, "position": position,
                           "title": title[:300], "purpose": purpose, "kind": kind, "report_id": report_id,
                           "standing": standing, "to_follow": False, "to_follow_reason": None,
                           "page_start": None, "page_end": None})

    def write_trail(self, conn) -> None:
        """The events in time order, each hashed onto the one before (as app.trail would)."""
        from app.models import GENESIS_HASH
        from app.trail.service import event_hash

        self.trail.sort(key=lambda e: (e["occurred_at"], e["object_type"], e["object_id"]))
        prev = GENESIS_HASH
        rows = []
        for seq, e in enumerate(self.trail, start=1):
            e["seq"] = seq
            e["prev_hash"] = prev
            e["hash"] = prev = event_hash(prev, SimpleNamespace(**e))
            e["id"] = seq
            rows.append(e)
        self.insert(conn, "trail_event", rows)
        conn.execute(self.tables["trail_head"].update().where(self.tables["trail_head"].c.id == 1)
                     .values(last_seq=len(rows), last_hash=prev))

    def reset_sequences(self, conn) -> None:
        for name, table in self.tables.items():
            if "id" in table.c and table.c.id.primary_key:
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)")


# --- the database ----------------------------------------------------------------------------------

def database_url(raw: str) -> str:
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix):]
    return raw


def fresh_database(url: str):
    """An empty database with Docket's schema, built by its migrations."""
    import sqlalchemy as sa

    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", ".json"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    from app import create_app

    app = create_app({"SECRET_KEY": "bench-generate", "TRAIL_KEY": "docket-benchmark-trail-key-not-secret",
                      "SQLALCHEMY_DATABASE_URI": url})  # bench/run.py's TRAIL_KEY
    with app.app_context():
        from flask_migrate import upgrade

        from app.extensions import db

        if url.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        import logging

        logging.getLogger("alembic").setLevel(logging.WARNING)
        upgrade(directory=str(ROOT / "migrations"))
    return app


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = the large council; 0.1 = a tenth; 10 = ten times")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""),
                        help="default: $DATABASE_URL, else bench/data/docket-<scale>x.db")
    parser.add_argument("--summary", help="where to write the JSON summary (default: next to a SQLite file)")
    args = parser.parse_args(argv)
    url = args.database_url.strip() or f"sqlite:///{ROOT / 'bench' / 'data' / f'docket-{args.scale:g}x.db'}"
    url = database_url(url)
    started = time.perf_counter()
    app = fresh_database(url)
    migrated = time.perf_counter() - started
    with app.app_context():
        from app.extensions import db

        gen = Generator(db.engine, args.scale, args.seed, date.today())
        summary = gen.run()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    summary.update({
        "database_url": url if "@" not in url else url.split("@", 1)[1],
        "migrate_seconds": round(migrated, 1),
        "password": PASSWORD,
        "people": {
            "admin": gen.admin["email"],
            "head_of_service": gen.heads[0]["email"],
            "assistant_director": gen.ads[0]["email"],
            "clerk": gen.clerks[0]["email"],
            "owner": gen.services[0]["owners"][0]["email"] if gen.services[0]["owners"] else gen.heads[0]["email"],
        },
        "plan_id": 1,
        "period_id": gen.open_period["id"],
        "totals": {"directorates": gen.n_directorates, "services": gen.n_services, "committees": gen.n_committees,
                   "people": gen.n_people},
    })
    if url.startswith("sqlite:///"):
        summary["bytes"] = Path(url[len("sqlite:///"):]).stat().st_size
    out = args.summary or (url[len("sqlite:///"):] + ".json" if url.startswith("sqlite:///") else None)
    if out:
        Path(out).write_text(json.dumps(summary, indent=2, default=str))
    print(json.dumps(summary, indent=2, default=str))
    return summary


if __name__ == "__main__":
    main()
