"""Markup rules the independent checkers hold Docket to, checked where they are written (the
browser tests then run the Nu HTML Checker and reflow on every page they visit):

- htmx attributes are written `data-hx-*`, which htmx reads and HTML allows (`hx-*` is invalid);
- every data table sits in its own labelled, focusable region that scrolls sideways by itself,
  so the page never does at 320 CSS px (WCAG 1.4.10);
- a select carries `required` only when its first option is an empty placeholder (HTML's rule).
"""
import re
from pathlib import Path

from bs4 import BeautifulSoup
from flask_wtf import FlaskForm
from wtforms.validators import DataRequired

from app.forms import ChoiceField

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
# Attribute names only: an `hx-` after whitespace, not after `data-` (nor inside a word).
BARE_HTMX = re.compile(r"(?:^|[\s\"'])(hx-[a-z][a-z:-]*)\s*=", re.M)


def test_htmx_attributes_are_written_data_hx():
    found = []
    for path in TEMPLATES + sorted((ROOT / "static" / "js").glob("*.js")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            for name in BARE_HTMX.findall(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {name}")
    assert not found, "write htmx attributes data-hx-*: " + "; ".join(found)


def test_every_data_table_scrolls_in_its_own_labelled_focusable_region():
    unwrapped = []
    for path in TEMPLATES:
        text = path.read_text()
        if "govuk-table" not in text:
            continue
        for table in BeautifulSoup(text, "html.parser").find_all("table", class_="govuk-table"):
            region = table.find_parent("div")
            ok = (region is not None and "docket-table-wrapper" in (region.get("class") or [])
                  and region.get("role") == "region" and region.get("aria-label") and region.get("tabindex") == "0")
            if not ok:
                unwrapped.append(f"{path.relative_to(ROOT)}: {table.caption.get_text(' ', strip=True) if table.caption else table}")
    assert not unwrapped, f"tables outside a scrolling region: {unwrapped}"


class _Form(FlaskForm):
    class Meta:
        csrf = False

    frequency = ChoiceField("Collection frequency", choices=[("quarterly", "Quarterly"), ("annual", "Annual")],
                            validators=[DataRequired(message="Choose how often it is collected")])
    deputy = ChoiceField("Deputy", choices=[("", "Choose a person"), ("1", "Jo Whitfield")],
                         validators=[DataRequired(message="Choose your deputy")])


def test_a_select_is_required_only_with_an_empty_first_option(app):
    from govuk_frontend_wtf.wtforms_widgets import GovSelect

    with app.test_request_context("/", method="POST", data={"frequency": "", "deputy": ""}):
        form = _Form()
        form.frequency.widget = form.deputy.widget = GovSelect()
        html = BeautifulSoup(str(form.frequency()) + str(form.deputy()), "html.parser")
        frequency, deputy = html.find("select", id="frequency"), html.find("select", id="deputy")
        assert frequency.find("option")["value"] == "quarterly" and not frequency.has_attr("required")
        assert deputy.find("option")["value"] == "" and deputy.has_attr("required")
        # Still required on the server: nothing chosen is refused with the field's message.
        assert not form.validate()
        assert form.frequency.errors == ["Choose how often it is collected"]
        assert form.deputy.errors == ["Choose your deputy"]
