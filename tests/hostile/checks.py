"""The checks every response to hostile input must pass.

`scan` reads a page with the standard library's HTML parser (the same tokenizer BeautifulSoup's
"html.parser" uses, without building a tree: it is several times faster, which matters over
ten thousand submissions). A payload that reached the page as markup rather than text shows up
as an element or attribute the app never writes: an inline script, an on* handler, a
javascript: URL, a data-hostile attribute, an element the templates never use, a comment.
"""
import re
from html.parser import HTMLParser

import sqlalchemy as sa

# Elements no Docket page uses: one on a page came from a payload.
FORBIDDEN_ELEMENTS = {"img", "iframe", "object", "embed", "base", "style", "svg", "hostile-x", "frame", "frameset",
                      "applet", "math", "video", "audio", "source", "link-hostile"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "hx-get", "hx-post", "hx-put", "hx-delete", "data",
                  "data-hx-get", "data-hx-post", "data-hx-put", "data-hx-patch", "data-hx-delete",
                  "poster", "xlink:href", "background"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
_SPACE = re.compile(r"\s+")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


def norm(text: str) -> str:
    """Text as a reader sees it: runs of whitespace are one space, and none at the ends."""
    return _SPACE.sub(" ", text or "").strip()


class Scan(HTMLParser):
    """Every element with its attributes, every text node, and what was inside <script>."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.texts: list[str] = []
        self.script_data: list[str] = []
        self.comments: list[str] = []
        self._raw: str | None = None
        self.feed(html)
        self.close()
        self._text = None

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))
        if tag in ("script", "style"):
            self._raw = tag

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_endtag(self, tag):
        if tag == self._raw:
            self._raw = None

    def handle_data(self, data):
        if self._raw == "script":
            if data.strip():
                self.script_data.append(data)
        elif self._raw is None:
            self.texts.append(data)

    def handle_comment(self, data):
        self.comments.append(data)

    def handle_decl(self, decl):
        if decl.lower() != "doctype html":
            self.comments.append(decl)

    def unknown_decl(self, data):
        self.comments.append(data)

    def handle_pi(self, data):
        self.comments.append(data)

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = norm(" ".join(self.texts))
        return self._text

    def attribute_values(self, name: str) -> list[str]:
        return [v or "" for _, attrs in self.elements for n, v in attrs if n == name]

    def count(self, tag: str) -> int:
        return sum(1 for t, _ in self.elements if t == tag)


def injected(page: Scan, allow: frozenset = frozenset()) -> list[str]:
    """What on the page did not come from Docket's templates (empty when all is well)."""
    found = []
    for tag, attrs in page.elements:
        if tag in FORBIDDEN_ELEMENTS - allow:
            found.append(f"<{tag}> element")
        names = [n for n, _ in attrs]
        for name, value in attrs:
            if name.startswith("on"):
                found.append(f"{name} attribute on <{tag}>")
            if name == "data-hostile":
                found.append(f"data-hostile attribute on <{tag}>")
            if name in URL_ATTRIBUTES and value is not None:
                bare = _INVISIBLE.sub("", value).lower()
                if bare.startswith(BAD_SCHEMES) or "evil.example" in bare:
                    found.append(f"{name}={value[:60]!r} on <{tag}>")
        if tag == "script":
            src = dict(attrs).get("src") or ""
            if not src.startswith("/static/"):
                found.append(f"<script> without a Docket src: {attrs!r}"[:200])
        if tag == "meta" and "http-equiv" in names:
            found.append("<meta http-equiv>")
        if tag == "a" and "data-hostile" in names:
            found.append("<a> from a payload")
    if page.script_data:
        found.append(f"inline script: {page.script_data[0][:80]!r}")
    if page.comments:
        found.append(f"comment or declaration: {page.comments[0][:80]!r}")
    if page.count("h1") > 1:
        found.append(f"{page.count('h1')} <h1> elements")
    return found


def raw_markup(html: str) -> list[str]:
    """Comment and CDATA openers never appear raw in Docket's templates: escaped, "<" is "&lt;"."""
    return [f"raw {s!r} in the page" for s in ("<!--", "<![CDATA[") if s in html]


def check_page(html: str, where: str, allow: frozenset = frozenset()) -> Scan:
    page = Scan(html)
    problems = injected(page, allow) + raw_markup(html)
    assert not problems, f"{where}: markup from a payload reached the page: {problems}"
    return page


def check_shown(page: Scan, value: str, where: str) -> None:
    """The value appears on the page as text, exactly (whitespace aside)."""
    wanted = norm(value)
    assert wanted in page.text, (
        f"{where}: {wanted[:120]!r} is not on the page as text" + (
            " (it came out interpreted: 49 is on the page)" if "{{7*7}}" in wanted and "49" in page.text else ""))


def check_markers_shown(page: Scan, value: str, markers, where: str) -> None:
    """Each marker payload the value contains appears on the page as text."""
    for marker in markers:
        if marker in value:
            assert norm(marker) in page.text, f"{where}: {marker!r} is not on the page as text"


# --- the database -------------------------------------------------------------------------------

APPEND_ONLY = {"trail_event", "notification", "sign_in_failure"}


def snapshot(db, tables) -> dict:
    """Every row of these tables, in primary-key order, read on a fresh connection. For the
    append-only tables (the trail, the outbox), how many rows and the last id: cheaper, and
    enough, since a refused submission must not add one."""
    out = {}
    meta = db.metadata.tables
    with db.engine.connect() as conn:
        for name in tables:
            table = meta[name]
            if name in APPEND_ONLY:
                key = table.primary_key.columns.values()[0]
                out[name] = [tuple(conn.execute(sa.select(sa.func.count(), sa.func.max(key)).select_from(table)).one())]
            else:
                out[name] = [tuple(r) for r in conn.execute(sa.select(table).order_by(*table.primary_key.columns))]
    return out


_FINGERPRINT: dict = {}


def fingerprint(db) -> dict:
    """Every table of the database in one query: how many rows, the largest id, the latest
    updated_at (every Docket model sets it on each change), or for a link table the sum of its
    keys. Cheap enough to take before and after each of thousands of refused submissions."""
    if "sql" not in _FINGERPRINT:
        _FINGERPRINT["sql"] = str(_fingerprint_query(db).compile(db.engine, compile_kwargs={"literal_binds": True}))
    with db.engine.connect() as conn:
        return {name: (a, b, c) for name, a, b, c in conn.exec_driver_sql(_FINGERPRINT["sql"])}


def _fingerprint_query(db):
    parts = []
    for table in db.metadata.sorted_tables:
        cols = table.columns
        measures = [sa.func.count()]
        if "id" in cols:
            measures.append(sa.func.max(cols["id"]))
        if "updated_at" in cols:
            measures.append(sa.func.max(cols["updated_at"]))
        if "id" not in cols:
            # Summed where the key is a number; PostgreSQL has no sum of text (cache_generation's kind).
            measures.extend(sa.func.sum(c) if isinstance(c.type, sa.Integer) else sa.func.max(c)
                            for c in table.primary_key.columns)
        while len(measures) < 3:
            measures.append(sa.null())
        parts.append(sa.select(sa.literal(table.name, sa.String), *[sa.cast(m, sa.String) for m in measures[:3]])
                     .select_from(table))
    return sa.union_all(*parts)


def diff(before: dict, after: dict) -> list[str]:
    changed = []
    for name in before:
        if before[name] != after[name]:
            if isinstance(before[name], tuple):  # a fingerprint
                changed.append(f"{name}: {before[name]} became {after[name]}")
                continue
            b, a = set(before[name]), set(after[name])
            changed.append(f"{name}: {len(a - b)} rows new or changed, {len(b - a)} gone")
    return changed


def row(db, table_name: str, row_id: int) -> dict | None:
    table = db.metadata.tables[table_name]
    with db.engine.connect() as conn:
        found = conn.execute(sa.select(table).where(table.c.id == row_id)).mappings().first()
    return dict(found) if found else None


def overlong(db, tables) -> list[str]:
    """Values longer than their column allows. SQLite stores them anyway; PostgreSQL (which
    Docket runs on in production, and CI tests on) refuses the whole write with an error."""
    problems = []
    meta = db.metadata.tables
    with db.engine.connect() as conn:
        for name in tables:
            table = meta[name]
            for column in table.columns:
                length = getattr(column.type, "length", None)
                if not isinstance(column.type, sa.String) or not length or isinstance(column.type, sa.Enum):
                    continue
                for rid, n in conn.execute(sa.select(table.c.id, sa.func.length(column))
                                           .where(sa.func.length(column) > length)):
                    problems.append(f"{name}.{column.name} (id {rid}) holds {n} characters; the column allows {length}")
    return problems
