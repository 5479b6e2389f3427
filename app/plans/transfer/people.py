"""Who a council's own table names as an action's owner, and the people it names who are not
in Docket yet.

An owner may be written as a name, a job title or an e-mail address (as in the template),
as initials explained in a legend ("PK" → "Priya Kaur, Assistant Director Learning"), or by
a "Head of Service - Name" row above a group of rows. Several owners in one cell ("PK / RD")
make the first the owner and the others partners.

Someone the document names who is not in Docket is not a reason to refuse the import: they
are listed (`Owners.unknown`) with what the document says about them, and the officer
chooses, person by person, to add them as a person who cannot sign in yet ("add"), to match
them to someone in Docket ("user:<id>"), or to leave the rows without an owner ("none").
"""
import re
from dataclasses import dataclass, field

from app.demo.text import squash
from app.plans.transfer.rowkinds import group_owner, norm, strip_marks
from app.plans.transfer.state import People

_INITIALS = re.compile(r"^[A-Z]{2,4}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_TITLE_WORDS = re.compile(r"\b(?:head|director|manager|officer|lead|coordinator|co-ordinator|chief|team|service|"
                          r"principal|advisor|adviser)\b", re.IGNORECASE)
_SPLIT = re.compile(r"\s*(?:/|&|;|\n|,(?=\s*[A-Z]{2,4}\b)|\band\b(?=\s*[A-Z]{2,4}\b))\s*")
PLACEHOLDER_DOMAIN = "not-yet-known.invalid"


@dataclass
class Unknown:
    """Someone the document names who is not in Docket."""

    key: str
    name: str
    job_title: str | None
    said: str  # what the document says about them
    email: str | None = None
    rows: list[str] = field(default_factory=list)  # where they are named

    @property
    def field_id(self) -> str:
        return "person-" + self.key[:60]


class Owners:
    """Resolves owner cells, remembering the people it could not find."""

    def __init__(self, people: People, choices: dict | None = None, default: str | None = None):
        self.people = people
        self.choices = choices or {}
        self.default = default
        self.unknown: dict[str, Unknown] = {}

    def choice(self, unknown: Unknown) -> str | None:
        chosen = self.choices.get(unknown.key) or self.default
        if chosen and chosen.startswith("user:"):
            try:
                return chosen if int(chosen[5:]) in self.people.by_id else None
            except ValueError:
                return None
        return chosen if chosen in ("add", "none") else None

    def _unknown(self, name: str, job_title: str | None, said: str, where: str, email: str | None = None):
        key = norm(name) or norm(job_title or "") or norm(said)
        found = self.unknown.get(key)
        if found is None:
            found = self.unknown[key] = Unknown(key=key, name=name, job_title=job_title, said=said, email=email)
        if where not in found.rows:
            found.rows.append(where)
        chosen = self.choice(found)
        if chosen == "add":
            return "new:" + key, None
        if chosen == "none":
            return None, None
        if chosen:
            return int(chosen[5:]), None
        return None, (f"{name} is not in Docket: choose whether to add them as a person, or which person in Docket "
                      "they are")

    def _find(self, text: str):
        try:
            return self.people.find(text).id, None
        except ValueError as exc:
            message = str(exc)
            return None, (message if " could be " in message else None)

    def _named(self, name: str, job_title: str | None, said: str, where: str):
        for text in (name, job_title):
            if text:
                found, ambiguous = self._find(text)
                if found:
                    return found, None
                if ambiguous:
                    return None, ambiguous
        return self._unknown(name, job_title, said, where)

    def one(self, token: str, legend: dict, where: str):
        """(owner: id, "new:<key>" or None; problem or None) for one person's text."""
        found, ambiguous = self._find(token)
        if found or ambiguous:
            return found, ambiguous
        if _INITIALS.match(token) and token in legend:
            name, title = legend[token]
            said = f"{token}: {name}" + (f", {title}" if title else "") + " (from the document's legend)"
            return self._named(name, title, said, where)
        grouped = group_owner(token)
        if grouped:
            return self._named(grouped[0], grouped[1], token, where)
        if _EMAIL.match(token):
            name = token.split("@", 1)[0].replace(".", " ").title()
            return self._unknown(name, None, token, where, email=token.lower())
        if _INITIALS.match(token):
            return self._unknown(token, None, f"{token} (initials the document does not explain)", where)
        if _TITLE_WORDS.search(token) and len(token.split()) <= 8:
            return self._unknown(token, token, f"{token} (a job title)", where)
        return self._unknown(token[:200], None, token, where)

    def resolve(self, text: str, legend: dict, hint, where: str):
        """(owner, other people's text for the partners, problem or None) for an owner cell; the
        group row's person (`hint`: (name, job title)) when the cell is blank."""
        written = strip_marks(text or "")
        if not written:
            if hint:
                owner, problem = self._named(hint[0], hint[1], f"{hint[1]} - {hint[0]} (a group row)", where)
                return owner, None, problem
            return None, None, None
        owner, problem = self.one(written, legend, where) if not _SPLIT.search(written) else (None, "split")
        if problem != "split" and (owner or problem):
            return owner, None, problem
        tokens = [squash(t) for t in _SPLIT.split(written) if squash(t)]
        if len(tokens) <= 1:
            owner, problem = self.one(written, legend, where)
            return owner, None, problem
        owner, problem = self.one(tokens[0], legend, where)
        rest = []
        for token in tokens[1:]:
            if _INITIALS.match(token) and token in legend:
                name, title = legend[token]
                rest.append(f"{name}" + (f", {title}" if title else ""))
            else:
                rest.append(token)
        return owner, "\n".join(rest), problem


def placeholder_email(name: str, taken) -> str:
    """An address that says it is not known yet, for a person added from a document: the
    administrator puts the real one in before inviting them."""
    local = re.sub(r"[^a-z0-9]+", ".", squash(name).lower()).strip(".") or "person"
    email = f"{local[:60]}@{PLACEHOLDER_DOMAIN}"
    n = 2
    while taken(email):
        email = f"{local[:60]}.{n}@{PLACEHOLDER_DOMAIN}"
        n += 1
    return email
