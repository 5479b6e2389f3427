"""The checkers `Visit.check()` runs on every page catch what the independent checkers found:
invalid HTML (vnu), a page that scrolls sideways at 320 CSS px, a target under 24 by 24 px."""
import pytest

from tests.browser.conftest import InvalidHtml, ScrollsSideways, SmallTargets

pytestmark = pytest.mark.browser

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Checker test</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Checker test</h1>
{body}
</main></body></html>"""


def served(visit, body: str, javascript: bool = True):
    """A tab showing `body` in a page as if Docket had served it at /checker-test."""
    tab = visit(javascript=javascript)
    html = PAGE.format(body=body)
    tab.page.route("**/checker-test", lambda route: route.fulfill(status=200, content_type="text/html; charset=utf-8",
                                                                   body=html))
    tab.goto("/checker-test")
    return tab


@pytest.mark.parametrize("javascript", [True, False], ids=["js-on", "js-off"])
def test_a_valid_narrow_page_passes(visit, javascript):
    tab = served(visit, '<p>Hello.</p><form><label for="a">Name</label><input id="a" name="a"></form>', javascript)
    tab.check()


def test_htmx_attributes_without_data_are_invalid_html_named_with_their_line(visit):
    tab = served(visit, '<form action="/x" method="post"\nhx-post="/x"><button>Save</button></form>')
    with pytest.raises(InvalidHtml) as refused:
        tab.check()
    assert "line 6: Attribute “hx-post” not allowed on element “form” at this point." in str(refused.value)
    tab = served(visit, '<form action="/x" method="post" data-hx-post="/x"><button>Save</button></form>')
    tab.check()


def test_a_required_select_must_start_with_an_empty_choice(visit):
    tab = served(visit, '<form><label for="f">Frequency</label>'
                        '<select id="f" name="f" required><option value="q">Quarterly</option></select></form>')
    with pytest.raises(InvalidHtml, match="The first “option” element in a “select” element"):
        tab.check()


def test_vnu_checks_what_htmx_swapped_in_when_there_was_no_navigation(visit):
    tab = served(visit, '<div id="here"><p>Before.</p></div>')
    tab.check()
    tab.page.evaluate("document.getElementById('here').innerHTML = '<p><div>block in a paragraph</div></p><span hx-get=\"/y\">x</span>'")
    with pytest.raises(InvalidHtml, match="hx-get"):
        tab.check()


def test_a_page_wider_than_320_px_fails_naming_the_element(visit):
    tab = served(visit, '<p>Text.</p><div id="wide" style="width: 700px">A wide block</div>')
    with pytest.raises(ScrollsSideways) as refused:
        tab.check()
    message = str(refused.value)
    assert "is 7" in message and "at a 320 px wide viewport" in message and 'div#wide "A wide block"' in message
    assert tab.page.viewport_size["width"] == 1280  # restored for the rest of the test


def test_a_wide_table_in_its_own_labelled_scrolling_region_passes(visit):
    cells = "".join(f"<td>Column{n}wordwordword</td>" for n in range(8))
    heads = "".join(f"<th scope=col>Heading {n}</th>" for n in range(8))
    tab = served(visit, '<div class="docket-table-wrapper" role="region" aria-label="Wide" tabindex="0" '
                        'style="overflow-x: auto; position: relative">'
                        f'<table><caption>Wide</caption><thead><tr>{heads}</tr></thead><tbody><tr>{cells}</tr></tbody>'
                        '</table></div>')
    tab.check()


def test_hidden_text_that_escapes_its_scrolling_region_is_found(visit):
    cells = "".join(f"<td>Column{n}wordwordword</td>" for n in range(8))
    tab = served(visit, '<div role="region" aria-label="Wide" tabindex="0" style="overflow-x: auto">'
                        f'<table><caption>Wide</caption><tbody><tr>{cells}'
                        '<td><span id="hidden" style="position: absolute; width: 1px; height: 1px; overflow: hidden; '
                        'clip: rect(0 0 0 0)">Open</span></td></tr></tbody></table></div>')
    with pytest.raises(ScrollsSideways, match='span#hidden "Open"'):
        tab.check()


def test_a_crowded_target_under_24_px_fails(visit):
    style = "display: block; font-size: 12px; line-height: 1; padding: 0; margin: 0"  # one above the other
    tab = served(visit, f'<form><button style="{style}">Remove</button><button style="{style}">Move</button></form>')
    with pytest.raises(SmallTargets) as refused:
        tab.check()
    assert 'button "Remove" is ' in str(refused.value) and 'button "Move" is ' in str(refused.value)


def test_a_small_target_with_room_around_it_passes(visit):
    tab = served(visit, '<form><p>Text.</p><button style="font-size: 12px; line-height: 1; padding: 0">Remove</button>'
                        '<p>More text.</p></form>')
    tab.check()
