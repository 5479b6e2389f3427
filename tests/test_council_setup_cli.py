"""A council sets Docket up from nothing with the command line, as its IT team would script it
(issue 12, "The same from the command line"): on an empty, migrated database, the first
administrator, a directorate, a service, a plan, ten people from an HR system's CSV export with
their roles, a committee with its clerk, a set-password link, a leaver deactivated. Every bad
input exits non-zero with one plain line; everything is on the trail; and a new person follows
the printed link, sets a password and signs in."""
import re

import pytest
import sqlalchemy as sa

from app.models import (
    Committee,
    Directorate,
    Plan,
    Role,
    RoleAssignment,
    ScopeKind,
    Service,
    TrailEvent,
    User,
)

ADMIN = "it.lead@example-council.gov.uk"
ADMIN_PASSWORD = "a long first admin passphrase"
NEW_PASSWORD = "kettle orchard lantern 42"

# The shape an HR system exports: a byte-order mark, a "Work email" heading, job titles with
# commas (so quoted), roles and services as people write them.
HR_EXPORT = (
    "\ufeffFirst name,Surname,Work email,Job title,Service,Role\r\n"
    "Priya,Natarajan,Priya.Natarajan@example-council.gov.uk,Assistant Director Adult Social Care,"
    "Adult Social Care,Assistant Director\r\n"
    "Gareth,Lloyd,gareth.lloyd@example-council.gov.uk,Head of Adult Social Care,Adult Social Care,Head of Service\r\n"
    "Mei,Chen,mei.chen@example-council.gov.uk,\"Service Manager, Reablement\",Adult Social Care,Action owner\r\n"
    "Tomasz,Nowak,tomasz.nowak@example-council.gov.uk,Safeguarding Lead,Adult Social Care,Action owner\r\n"
    "Aisha,Rahman,aisha.rahman@example-council.gov.uk,Commissioning Manager,Adult Social Care,action owner\r\n"
    "Owen,Hughes,owen.hughes@example-council.gov.uk,\"Team Manager, Hospital Discharge\",Adult Social Care,"
    "Action Owner\r\n"
    "Grace,Okafor,grace.okafor@example-council.gov.uk,Head of Public Health,Public Health,Head of Service\r\n"
    "Liam,Byrne,liam.byrne@example-council.gov.uk,Health Improvement Manager,Public Health,Action owner\r\n"
    "Sofia,Rossi,sofia.rossi@example-council.gov.uk,Senior Public Health Analyst,Public Health,Action owner\r\n"
    "Hannah,Webb,hannah.webb@example-council.gov.uk,Democracy Officer,,\r\n"
)
TEN = 10
# A set-password link as printed: the full address with BASE_URL set, else its path.
LINK = r"(?:https?://[^\s/]+)?/set-password/[A-Za-z0-9_\-]+"


def flask(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def ok(app, *args) -> str:
    result = flask(app, *args)
    assert result.exit_code == 0, f"flask {' '.join(args)} failed:\n{result.output}"
    return result.output


def refused(app, *args, says: str) -> str:
    """The command exits non-zero with one clear line that says `says` (and no traceback).
    Click's own usage lines before a usage error ("Usage: …", "Try '… --help'") are not counted."""
    result = flask(app, *args)
    lines = [line for line in result.output.splitlines()
             if line.strip() and not line.startswith(("Usage: ", "Try '"))]
    assert result.exit_code != 0, f"flask {' '.join(args)} should have been refused:\n{result.output}"
    assert len(lines) == 1, f"flask {' '.join(args)} should say one line, said:\n{result.output}"
    assert says.lower() in lines[0].lower(), f"flask {' '.join(args)}: expected {says!r} in {lines[0]!r}"
    assert "Traceback" not in result.output
    return lines[0]


def link_in(output: str) -> str:
    """The one-time set-password address a command printed."""
    links = re.findall(LINK, output)
    assert links, f"no set-password link in:\n{output}"
    return links[-1].rstrip(".,)")


def links_by_email(output: str) -> dict[str, str]:
    """{email: link} from `flask users import`'s "Name <email>:" lines, each followed by its link."""
    found, email = {}, None
    for line in output.splitlines():
        named = re.match(r"^\S.* <([^>]+)>:$", line)
        if named:
            email = named.group(1)
        elif email and re.search(LINK, line):
            found[email] = re.search(LINK, line).group(0)
            email = None
    return found


def choose_password(app, link: str, password: str):
    """Follow a set-password link as the person would, in their own browser (a new client)."""
    from tests.conftest import Client

    person = Client(app)
    path = re.sub(r"^https?://[^/]+", "", link)
    page = person.get(path)
    if page.status != 200:
        return person, page
    assert page.h1 == "Choose your password", page.text()[:300]
    form = page.soup.find("form", attrs={"method": "post"})
    fields = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")}
    for box in form.find_all("input", attrs={"type": "password"}):
        fields[box["name"]] = password
    return person, person.post(form["action"], fields, follow=True)


def signs_in(app, email: str, password: str) -> bool:
    from tests.conftest import Client

    return Client(app).sign_in(email, password).status == 302


def count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def verbs(db) -> list[str]:
    return db.session.scalars(sa.select(TrailEvent.verb).order_by(TrailEvent.seq)).all()


@pytest.fixture()
def hr_export(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(HR_EXPORT, encoding="utf-8", newline="")
    return path


def test_a_council_is_set_up_from_nothing_with_the_commands(app, db, tmp_path, hr_export):
    assert count(db, User) == 0 and count(db, Service) == 0 and count(db, TrailEvent) == 0

    # The first administrator, as the README says.
    ok(app, "users", "create", ADMIN, "--name", "Rowan Price", "--job-title", "ICT Business Partner",
       "--password", ADMIN_PASSWORD)
    ok(app, "users", "grant", ADMIN, "administrator")
    refused(app, "users", "create", ADMIN, "--name", "Rowan Price", "--password", ADMIN_PASSWORD,
            says="already a person")
    refused(app, "users", "grant", "nobody@example-council.gov.uk", "administrator", says="no person")

    # The organisation.
    ok(app, "directorates", "create", "Adults and Health", "--director", "Sharon Houlden")
    ok(app, "directorates", "create", "Place")
    refused(app, "directorates", "create", "Adults and Health", says="already a directorate called Adults and Health")
    ok(app, "services", "create", "Adult Social Care", "--directorate", "Adults and Health")
    ok(app, "services", "create", "Public Health", "--directorate", "Adults and Health")
    refused(app, "services", "create", "Highways", "--directorate", "Transport", says="Transport")
    refused(app, "services", "create", "Public Health", "--directorate", "Place",
            says="already a service called Public Health")
    directorate = db.session.scalar(sa.select(Directorate).where(Directorate.name == "Adults and Health"))
    assert [s.name for s in directorate.services] == ["Adult Social Care", "Public Health"]
    assert (directorate.director, directorate.director_title) == (None, "Sharon Houlden"), "not a person in Docket"

    # A plan; the printed id is the plan's ("Created plan 7: …", or only the id with --id-only).
    output = ok(app, "plans", "create", "--service", "Adult Social Care", "--title",
                "Adult Social Care Service Improvement Plan", "--period", "2026/27")
    plan_id = int(re.match(r"Created plan (\d+): ", output).group(1))
    assert ok(app, "plans", "create", "--service", "Public Health", "--title", "Public Health Plan",
              "--period", "2026-29", "--id-only").strip().isdigit()
    plan = db.session.get(Plan, plan_id)
    assert plan is not None, output
    assert (plan.title, plan.period_label, plan.service.name) == (
        "Adult Social Care Service Improvement Plan", "2026/27", "Adult Social Care")
    refused(app, "plans", "create", "--service", "Libraries", "--title", "Libraries plan", "--period", "2026/27",
            says="Libraries")
    refused(app, "plans", "create", "--service", "Public Health", "--title", "Public Health plan",
            "--period", "next year", says="period")
    assert count(db, Plan) == 2

    # Ten people from the HR system's export: checked first, stored by the second run.
    before = verbs(db)
    dry = ok(app, "users", "import", str(hr_export), "--dry-run")
    assert "Row 3: new: Gareth Lloyd <gareth.lloyd@example-council.gov.uk> as Head of Service (Adult Social Care)" in dry
    assert "Checked: 10 new, 0 to update, 0 unchanged. Nothing was stored (--dry-run)." in dry
    assert count(db, User) == 1 and verbs(db) == before, "a dry run stores nothing"
    imported = ok(app, "users", "import", str(hr_export))
    assert count(db, User) == 1 + TEN
    first_links = links_by_email(imported)
    assert len(first_links) == TEN, f"each new person gets a set-password link:\n{imported}"
    gareth = db.session.scalar(sa.select(User).where(User.email == "gareth.lloyd@example-council.gov.uk"))
    assert gareth.name == "Gareth Lloyd" and gareth.job_title == "Head of Adult Social Care"
    assert [(a.role, a.scope_label) for a in gareth.roles] == [(Role.HEAD_OF_SERVICE, "Adult Social Care")]
    mei = db.session.scalar(sa.select(User).where(User.email == "mei.chen@example-council.gov.uk"))
    assert mei.job_title == "Service Manager, Reablement"
    assert [(a.role, a.scope_label) for a in mei.roles] == [(Role.ACTION_OWNER, "Adult Social Care")]
    priya = db.session.scalar(sa.select(User).where(User.email == "priya.natarajan@example-council.gov.uk"))
    assert [a.role for a in priya.roles] == [Role.ASSISTANT_DIRECTOR]
    owners = db.session.scalar(sa.select(sa.func.count()).select_from(RoleAssignment)
                               .where(RoleAssignment.role == Role.ACTION_OWNER))
    assert owners == 6

    # A file with a problem stores nothing, and says which row.
    bad = tmp_path / "more.csv"
    bad.write_text("First name,Surname,Work email,Job title,Service,Role\r\n"
                   "Nia,Evans,nia.evans@example-council.gov.uk,Officer,Adult Social Care,Action owner\r\n"
                   "Ravi,Patel,ravi.patel@example-council.gov.uk,Officer,Libraries,Action owner\r\n",
                   encoding="utf-8")
    result = flask(app, "users", "import", str(bad))
    assert result.exit_code == 1, result.output
    assert "Row 3: problem: Ravi Patel <ravi.patel@example-council.gov.uk> — There is no service called “Libraries”" \
        in result.output and "nothing was stored" in result.output, result.output
    assert count(db, User) == 1 + TEN
    refused(app, "users", "import", str(tmp_path / "missing.csv"), says="missing.csv")

    # A committee with its Democracy Officer as clerk.
    ok(app, "committees", "create", "Health and Adult Social Care Policy and Scrutiny Committee",
       "--clerk", "hannah.webb@example-council.gov.uk")
    committee = db.session.scalar(sa.select(Committee))
    assert committee.name == "Health and Adult Social Care Policy and Scrutiny Committee"
    hannah = db.session.scalar(sa.select(User).where(User.email == "hannah.webb@example-council.gov.uk"))
    db.session.refresh(hannah)
    assert (Role.CLERK, ScopeKind.COMMITTEE, committee.id) in {(a.role, a.scope_kind, a.committee_id)
                                                              for a in hannah.roles}
    refused(app, "committees", "create", "Audit and Governance Committee", "--clerk", "ghost@example-council.gov.uk",
            says="ghost@example-council.gov.uk")
    refused(app, "committees", "create", "Health and Adult Social Care Policy and Scrutiny Committee",
            says="already a committee called")
    assert count(db, Committee) == 1

    # Owen follows the link the import printed for him and signs in; later he leaves.
    _, page = choose_password(app, first_links["owen.hughes@example-council.gov.uk"], NEW_PASSWORD)
    assert page.status == 200 and page.h1 == "Home", page.text()[:300]
    assert signs_in(app, "owen.hughes@example-council.gov.uk", NEW_PASSWORD)
    left = ok(app, "users", "deactivate", "owen.hughes@example-council.gov.uk")
    assert "Deactivated Owen Hughes" in left, left
    refused(app, "users", "deactivate", "nobody@example-council.gov.uk", says="no person")
    owen = db.session.scalar(sa.select(User).where(User.email == "owen.hughes@example-council.gov.uk"))
    db.session.refresh(owen)
    assert owen.active is False and owen.name == "Owen Hughes"
    assert not signs_in(app, "owen.hughes@example-council.gov.uk", NEW_PASSWORD), "a leaver cannot sign in"

    # Mei lost her e-mail: a new link, which ends the import's.
    reset = ok(app, "users", "reset-password", "mei.chen@example-council.gov.uk")
    link = link_in(reset)
    refused(app, "users", "reset-password", "nobody@example-council.gov.uk", says="no person")
    _, page = choose_password(app, first_links["mei.chen@example-council.gov.uk"], NEW_PASSWORD)
    assert page.status == 404 and "newer link" in page.text(), "the older link no longer works"

    # Everything is on the trail, and the chain is intact.
    events = verbs(db)
    for verb in ("user_created", "role_granted", "directorate_created", "service_created", "plan_created",
                 "people_imported", "committee_created", "set_password_link_created", "set_password_link_used",
                 "person_deactivated"):
        assert verb in events, f"{verb} is not on the trail: {sorted(set(events))}"
    assert events.count("user_created") == 1 + TEN
    assert events.count("directorate_created") == 2 and events.count("service_created") == 2
    assert events.count("plan_created") == 2 and events.count("committee_created") == 1
    assert events.count("people_imported") == 1, "the refused file and the dry run left nothing"
    assert events.count("set_password_link_created") == TEN + 1
    ok(app, "trail", "verify")

    # Mei follows the new link (in her browser: here a test client), chooses a password, is
    # signed in, and can sign in with it again; the link works once.
    mei, page = choose_password(app, link, NEW_PASSWORD)
    assert page.status == 200 and page.h1 == "Home", page.text()[:300]
    assert mei.get("/").h1 == "Home"
    _, again = choose_password(app, link, "another long passphrase")
    assert again.status == 404 and "already been used" in again.text(), "the link works once"
    assert signs_in(app, "mei.chen@example-council.gov.uk", NEW_PASSWORD)
