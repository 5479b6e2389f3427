"""The demo's people: invented names, the job titles the seed plan names as owners.

Every name and e-mail address here is made up (the domain docket.example is reserved for
examples); the job titles are the ones the seed documents use, because plans name their
accountable officers by job title. The clerk's telephone number is in Ofcom's range kept
for fiction. Everyone signs in with DEMO_PASSWORD.
"""
from typing import NamedTuple

from app.models import Role, ScopeKind

DEMO_PASSWORD = "docket-demo-2019"
DEMO_DOMAIN = "docket.example"
DEMO_CLERK_TELEPHONE = "(01632) 960123"


class DemoPerson(NamedTuple):
    email: str
    name: str
    job_title: str
    # Each role with the kind of scope it is granted for: the demo's one service,
    # directorate or committee, or everything.
    roles: tuple[tuple[Role, ScopeKind], ...]


_OWNER = (Role.ACTION_OWNER, ScopeKind.SERVICE)

DEMO_PEOPLE: list[DemoPerson] = [
    DemoPerson("admin@docket.example", "Sam Ellery", "Docket Administrator",
               ((Role.ADMINISTRATOR, ScopeKind.EVERYTHING),)),
    DemoPerson("jo.whitfield@docket.example", "Jo Whitfield", "Assistant Director Children's Specialist Services",
               ((Role.ASSISTANT_DIRECTOR, ScopeKind.DIRECTORATE), _OWNER)),
    DemoPerson("marcus.bell@docket.example", "Marcus Bell", "Head of Children's Social Care",
               ((Role.HEAD_OF_SERVICE, ScopeKind.SERVICE),)),
    DemoPerson("hannah.pryce@docket.example", "Hannah Pryce", "Head of RAA", (_OWNER,)),
    DemoPerson("tom.ridley@docket.example", "Tom Ridley", "Youth Justice Practice Manager", (_OWNER,)),
    DemoPerson("claire.dunmore@docket.example", "Claire Dunmore", "Head of Early Help and Local Area Teams",
               (_OWNER,)),
    DemoPerson("ben.ashworth@docket.example", "Ben Ashworth", "Practice manager Pathway Team", (_OWNER,)),
    DemoPerson("helen.marsh@docket.example", "Helen Marsh",
               "Corporate Director Children, Education and Communities", (_OWNER,)),
    # A team, not a person: the plan names it as the owner of the corporate health indicators.
    DemoPerson("health.check@docket.example", "Organisational Health Check team", "Organisational Health Check",
               (_OWNER,)),
    DemoPerson("nadia.holt@docket.example", "Nadia Holt", "Democracy Officer",
               ((Role.CLERK, ScopeKind.COMMITTEE),)),
]

CLERK_EMAIL = "nadia.holt@docket.example"
