"""htmx and the address bar: what a page's forms post to, and what address a response names.

Two rules, one for each way a form is sent.

**Without JavaScript, a form posts to the page's own address.** A page's action (publish the
agenda, return an update, …) has its own route, but its form is sent to the address of the
page it is on, naming the action in a hidden field (`{{ post_here(action_url) }}` in the
template, with `action=` the page's address). `dispatch_to_action` (the first thing that runs
for a request) routes it to the action's view, which checks the form token and permission as
ever. A refused action re-renders the page with its errors and what was typed, and the address
bar shows the page's address, never the action's. (A redirect after a refusal would have to
keep what was typed somewhere between the two requests; the session cookie is too small for a
long comment, so Docket does not do that.) An accepted action redirects, as before. The
action's own address still works (htmx posts there, and so may a script). A new page with
forms: give each form `action="{{ <the page's address> }}"` and `{{ post_here(<its action>) }}`.

**The first error summary on a page has the focus when the page arrives**, with JavaScript or
without (`tabindex="-1" autofocus`: templates/govuk_frontend_jinja/components/error-summary/).

**With JavaScript (htmx), an error response is shown and the address is left alone.** htmx
swaps error responses into the page (`responseHandling` in static/js/docket.js: a 4xx or 5xx
replaces the whole page body, whatever the form targets, so the GOV.UK error summary and the
messages beside the fields are seen), then moves focus to the error summary. The response says
`HX-Push-Url: false`, so the address bar keeps showing the page the person is on — which is
the page shown again with its errors — rather than the address the form was sent to. A form
that moves to another page on success (publishing the agenda) has `data-hx-push-url="true"`:
htmx then shows the address the redirect ended at, which is the page shown.
"""
from urllib.parse import urlsplit

from flask import abort, current_app, g, request
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException

ACTION_FIELD = "docket_action"


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def wants_partial() -> bool:
    """A partial only for real htmx requests, never for history restores."""
    return is_htmx() and request.headers.get("HX-History-Restore-Request") != "true"


def post_here(action_url: str) -> Markup:
    """The hidden field that names a form's action when the form posts to its page's address."""
    return Markup(f'<input type="hidden" name="{ACTION_FIELD}" value="{escape(action_url)}">')


def first_error_summary() -> bool:
    """True for the first error summary a response shows, which has the focus when the page
    arrives (templates/govuk_frontend_jinja/components/error-summary/macro.html)."""
    if g.get("docket_error_summary_shown"):
        return False
    g.docket_error_summary_shown = True
    return True


def _match(path: str, method: str):
    adapter = current_app.create_url_adapter(request)
    return adapter.match(path, method=method, return_rule=True)


def dispatch_to_action():
    """before_request, first of all (before the form-token check, which then checks the
    action): a POST to a page's address that names an action runs that action's view.

    Only an address that is a page (it answers GET) and an action that is a POST route of
    Docket are accepted; anything else is refused as a request Docket does not understand."""
    if request.method != "POST" or ACTION_FIELD not in request.form:
        return None
    target = urlsplit(request.form.get(ACTION_FIELD, ""))
    root = request.script_root
    path = target.path[len(root):] if root and target.path.startswith(root + "/") else target.path
    if target.scheme or target.netloc or not path.startswith("/"):
        abort(400)
    if path == request.path:
        return None  # sent to the action's own address (htmx does): routed as it is
    try:
        _match(request.path, "GET")  # the address posted to is a page …
        rule, args = _match(path, "POST")  # … and the action is one of Docket's POST routes
    except HTTPException:  # not found, not allowed, or a redirect (RequestRedirect)
        abort(400)
    request.url_rule, request.view_args, request.routing_exception = rule, args, None
    return None


def name_the_address(response):
    """after_request: an htmx POST answered with an error leaves the address bar alone (the
    page shown is the page the person is on, with the errors); never the POST's address."""
    if (is_htmx() and request.method not in ("GET", "HEAD") and response.status_code >= 400
            and "HX-Push-Url" not in response.headers):
        response.headers["HX-Push-Url"] = "false"
    return response


def register(app) -> None:
    app.before_request_funcs.setdefault(None, []).insert(0, dispatch_to_action)
    app.after_request(name_the_address)
    app.jinja_env.globals["post_here"] = post_here
    app.jinja_env.globals["first_error_summary"] = first_error_summary
