"""Hostile input: fixed payloads, and Hypothesis strategies built from them.

Lone surrogates are never generated: a browser cannot send them (they are not UTF-8).
"""
from hypothesis import strategies as st

# Markup, script and template payloads. Each carries something the escaping checks look for
# (a script element, an on* attribute, a javascript: URL, a data-hostile attribute, a
# forbidden element) should it ever reach the page as markup rather than text.
HTML = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "</textarea><script>alert(2)</script>",
    "</title><script>alert(3)</script>",
    "<b data-hostile=1>bold</b>",
    '<a href="javascript:alert(1)" data-hostile=1>link</a>',
    "<iframe src=javascript:alert(1)></iframe>",
    "<hostile-x data-hostile=1>",
    "<!--",
    "-->",
    "<![CDATA[x]]>",
    "<style>body{display:none}</style>",
    "<base href=//evil.example/>",
    '<meta http-equiv="refresh" content="0;url=//evil.example">',
    "&lt;script&gt;",
    "&amp;",
    "&#60;b&#62;",
]
TEMPLATE = ["{{7*7}}", "{{ config }}", "{% raw %}", "${7*7}", "#{7*7}", "<%= 7*7 %>", "{{request.application}}"]
URLS = ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>",
        "//evil.example", "\\\\evil.example", "/\\evil.example", "https://evil.example/"]
SQL = ["' OR 1=1 --", "'; DROP TABLE plan; --", "\"; DROP TABLE user_account; --", "') OR ('1'='1",
       "1; SELECT * FROM user_account", "%", "_", "\\", "' UNION SELECT password_hash FROM user_account --"]
UNICODE = [
    "مرحبا بالعالم",                      # Arabic, right to left
    "שלום עולם",                          # Hebrew
    "\u202eevil\u202c",                   # right-to-left override
    "\u200b\u200c\u200d\ufeff",           # zero-width characters and a byte order mark
    "👩\u200d👩\u200d👧\u200d👦",            # a family emoji (joined)
    "🏴\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f",  # Wales flag (tag characters)
    "Z\u0334\u0321\u0322a\u0337l\u0336g\u0338o\u0335",  # combining marks
    "e\u0301\u0301\u0301",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "\uffff\ufffe\ufffd",                 # non-characters and the replacement character
    "\u2028\u2029\u0085",                 # line and paragraph separators, next line
    "ﷺ",
    "İıßﬃ",                               # case mapping that changes length
]
# NUL is left out of generated text: PostgreSQL refuses it in a text column, a known 500 there
# (tests/test_hostile_input.py::test_text_with_a_nul_character_is_never_stored_with_it). Put 0x00 back
# (here, in `fragment` and in `date_part`) when it is fixed.
CONTROL = [chr(c) for c in range(0x01, 0x20)] + ["\x7f"]
NO_NUL = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")
SPECIAL = HTML + TEMPLATE + URLS + SQL
# Fragments a display must show as text, exactly: looked for on the page after a save.
MARKERS = HTML + TEMPLATE + SQL

WHITESPACE_CHARS = " \t\n\r\x0b\x0c\u00a0\u2003\u3000\u2028"

# One piece of hostile text.
fragment = st.one_of(
    st.sampled_from(SPECIAL),
    st.sampled_from(UNICODE),
    st.sampled_from(CONTROL),
    st.text(NO_NUL, max_size=20),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7e), min_size=1, max_size=20),
)

whitespace = st.text(st.sampled_from(WHITESPACE_CHARS), min_size=1, max_size=12)


def _long(piece: str, size: int) -> str:
    piece = piece or "x"
    return (piece * (size // len(piece) + 1))[:size]


# 10k to 100k characters, made by repeating a payload (cheap to generate, still hostile).
long_text = st.builds(_long, st.sampled_from(SPECIAL + UNICODE + ["a", "a b\n"]), st.integers(10_000, 100_000))

short_text = st.lists(fragment, min_size=1, max_size=6).map("".join)


@st.composite
def hostile_text(draw, long_ok: bool = True) -> str:
    """Empty, whitespace only, a mix of payloads, or (sometimes) very long."""
    kind = draw(st.integers(0, 19))
    if kind == 0:
        return ""
    if kind in (1, 2):
        return draw(whitespace)
    if kind == 3 and long_ok:
        return draw(long_text)
    return draw(short_text)


def visible_text() -> st.SearchStrategy:
    """Text that is stored and must then be shown, as text: always has a marker payload in it."""
    return st.tuples(st.sampled_from(MARKERS), short_text, st.sampled_from(UNICODE)).map(
        lambda t: f"{t[0]} {t[1]} {t[2]}")


# --- dates (day, month, year boxes) -------------------------------------------------------

# A day or month too big for a C long (like "9" * 30) is a known 500
# (tests/test_hostile_input.py::test_a_day_or_month_too_big_for_the_computer_is_refused_not_a_500),
# kept out of the property tests; "999999999" (big, but not that big) stays. Put "9" * 30 back when fixed.
date_part = st.one_of(
    st.integers(-5, 40).map(str),
    st.sampled_from(["", " ", "0", "00", "-1", "31", "02", "1e3", "abc", "٣", "²", "1.5", "999999999",
                     "<script>", "' OR 1=1 --", "\x01", "１２"]),
)
year_part = st.one_of(
    st.integers(1900, 2100).map(str),
    st.sampled_from(["0", "0000", "0001", "1", "-2019", "9999", "10000", "99999999999999999999", "20l9", "abcd",
                     "２０１９", "١٩٧٧", "2019 ", " 2019", "1977", "1978", "1066"]),
)


@st.composite
def date_boxes(draw) -> list[str]:
    """A GOV.UK date input's three boxes, sometimes sent with too few.

    Never with more than three: that is a known 500 (tests/test_hostile_input.py::
    test_a_date_sent_with_four_boxes_is_refused_not_a_500), kept out of the property tests so
    that they go on finding other problems. Put `[day, month, year, extra]` back here when it is fixed.
    """
    day, month, year = draw(date_part), draw(date_part), draw(year_part)
    shape = draw(st.integers(0, 15))
    if shape == 0:
        return []
    if shape in (1, 2):
        return [day, month][:shape]
    return [day, month, year]


@st.composite
def real_date_boxes(draw, min_year=2000, max_year=2030) -> list[str]:
    from datetime import date, timedelta

    start = date(min_year, 1, 1)
    d = start + timedelta(days=draw(st.integers(0, (date(max_year, 12, 31) - start).days)))
    return [str(d.day), str(d.month), str(d.year)]


# --- ids and choices ---------------------------------------------------------------------------

# Ids that do not fit the database's integer columns (2**31 and more on PostgreSQL, 2**63 and more
# on SQLite) are a known 500 wherever an id is read
# (tests/test_hostile_input.py::test_an_id_too_big_for_the_database_is_not_found_not_a_500), so they
# are kept out of the property tests. Move TOO_BIG_IDS back into BAD_IDS when it is fixed.
TOO_BIG_IDS = [str(2 ** 31), str(2 ** 63), str(2 ** 64), str(-(2 ** 31) - 1)]
BAD_IDS = ["0", "-1", str(2 ** 31 - 1), str(-(2 ** 31)), "abc", "", " ", "1.0", "1e3", "0x10", "١", "1 OR 1=1",
           "<script>", "null", "None", "[]"]


def bad_id() -> st.SearchStrategy:
    return st.one_of(st.sampled_from(BAD_IDS), st.integers(-(2 ** 31), 2 ** 31 - 1).map(str))


def _not_only_spaces(text: str) -> str:
    return text if text == "" or text.strip() else "x" + text


def choice(valid: list[str]) -> st.SearchStrategy:
    """A select or radio answer: usually one of the valid values, often something else.

    Never only spaces: an optional select answered with spaces is a known 500
    (tests/test_hostile_input.py::test_an_optional_choice_answered_with_spaces_is_refused_not_a_500).
    Drop the map below when it is fixed.
    """
    return st.one_of(st.sampled_from(valid), st.sampled_from(valid), st.sampled_from(BAD_IDS),
                     st.sampled_from(SPECIAL), short_text).map(_not_only_spaces)


# A number whose exponent is beyond the decimal context's (1e1000000 and up) is a known 500
# (tests/test_hostile_input.py::test_a_number_with_a_huge_exponent_is_refused_not_a_500), so it is
# kept out of the property tests. Put "1e999999999" back in this list when it is fixed.
number_text = st.one_of(
    st.integers(-10 ** 15, 10 ** 15).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=6).map(str),
    st.sampled_from(["", " ", "NaN", "-NaN", "sNaN", "Infinity", "-inf", "1e999999", "1e-999999999", "1E12",
                     "999999999999.99", "£1,000", "1,2,3", "0x1F", "12%", "½", "٣", "1_000", "--1", "+5", ".",
                     "1.", ".5", "1e", "e1", "\x01", "١٢٣"]),
    short_text,
)


def any_text(long_ok: bool = True) -> st.SearchStrategy:
    """Hostile text, or text with a marker in it that a display must then show as text."""
    return st.one_of(hostile_text(long_ok), visible_text())


def nonblank(strategy: st.SearchStrategy, prefix: str = "R") -> st.SearchStrategy:
    """Text that is not blank once stripped (a blank one gets a prefix)."""
    return strategy.map(lambda s: s if s.strip() else prefix + s)


@st.composite
def mixed(draw, base: dict, hostile: dict, max_fields: int = 3) -> dict:
    """A form whose answers are plausible except for one to three hostile ones."""
    names = draw(st.lists(st.sampled_from(sorted(hostile)), min_size=1, max_size=max_fields, unique=True))
    data = dict(base)
    for name in names:
        data[name] = draw(hostile[name])
    return data
