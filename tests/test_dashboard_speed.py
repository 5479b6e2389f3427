"""What the dashboard and the report page now work out in Python rather than in a template
(issue 17) reads exactly as the templates wrote it: typed text in a report's table cells, and
the dashboard's days after the period ended."""
import pytest
from markupsafe import Markup

from app.reports.charts import cell_text
from app.reports.dashboard import days_text

# What templates/reports/_text.html's macro wrote, before the filter: paragraphs, and lines
# starting "- " (or "* ", "• ") as a bulleted list; typed text escaped.
PARA = '<p class="govuk-body-s govuk-!-margin-bottom-1 docket-cell-para">'
LIST = '<ul class="govuk-list govuk-list--bullet govuk-body-s govuk-!-margin-bottom-1 docket-cell-list">'


@pytest.mark.parametrize("typed, shown", [
    (None, ""),
    ("", ""),
    ("   ", ""),
    ("On track", f"{PARA}On track</p>"),
    ("  On track  ", f"{PARA}On track</p>"),
    ("Fees <b> & \"charges\"", f"{PARA}Fees &lt;b&gt; &amp; &#34;charges&#34;</p>"),
    ("- Recruit", f"{LIST}<li>Recruit</li></ul>"),
    ("-", ""),
    ("We will:\n- recruit\n- train", f"{PARA}We will:</p>{LIST}<li>recruit</li><li>train</li></ul>"),
    ("One\r\ntwo\n\nThree", f"{PARA}One two</p>{PARA}Three</p>"),
    ("a - b", f"{PARA}a - b</p>"),
])
def test_typed_text_in_a_table_cell_reads_as_the_macro_wrote_it(typed, shown):
    html = cell_text(typed)
    assert isinstance(html, Markup)
    assert str(html) == shown


def test_the_cell_text_macro_is_the_filter(app):
    with app.app_context():
        macro = app.jinja_env.get_template("reports/_text.html").module.cell_text
        for typed in (None, "x", "- a\n- b", "a\n\n<i>b</i>"):
            assert str(macro(typed)) == str(cell_text(typed))


@pytest.mark.parametrize("days, shown", [
    (None, "Not yet"),
    (0, "0 days: on the day the period ended"),
    (0.0, "0 days: on the day the period ended"),
    (1, "1 day"),
    (1.0, "1 day"),
    (20, "20 days"),
    (20.5, "20.5 days"),
    (-1, "1 day early"),
    (-3.5, "3.5 days early"),
    (2.25, "2.2 days"),
])
def test_days_after_the_period_ended_read_plainly(days, shown):
    assert days_text(days) == shown
