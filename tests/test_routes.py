"""Every route is classified by who may reach it; a new route that is not fails here.

PUBLIC: anyone, signed in or not. SIGNED_IN: any signed-in person.
A set of names from the `people` fixture: only those people (others get 403).
Routes with URL arguments give a function that builds the URL from the fixtures.
"""
import pytest

PUBLIC = "public"
SIGNED_IN = "signed in"
EVERYONE = {"admin", "ad", "hos", "owner", "clerk", "nobody"}

# endpoint -> (who, how to build a URL to GET, or None for POST-only routes)
ROUTES = {
    "static": (PUBLIC, lambda f: "/static/css/docket.css"),
    "auth.sign_in": (PUBLIC, lambda f: "/sign-in"),
    "auth.sign_out": (PUBLIC, None),
    "main.accessibility": (PUBLIC, lambda f: "/accessibility"),
    "main.home": (SIGNED_IN, lambda f: "/"),
    "users.index": ({"admin"}, lambda f: "/people/"),
    "trail.index": ({"admin"}, lambda f: "/trail/"),
}


def test_every_route_is_classified(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    unclassified = sorted(endpoints - set(ROUTES))
    stale = sorted(set(ROUTES) - endpoints)
    assert not unclassified, f"classify these routes in tests/test_routes.py: {unclassified}"
    assert not stale, f"these classified routes no longer exist: {stale}"


def test_only_public_routes_are_marked_public(app):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        marked = rule.endpoint == "static" or getattr(view, "is_public", False)
        assert marked == (ROUTES[rule.endpoint][0] == PUBLIC), rule.endpoint


GET_ROUTES = [(e, who, url) for e, (who, url) in ROUTES.items() if url is not None]


@pytest.mark.parametrize("endpoint,who,url", GET_ROUTES, ids=[e for e, _, _ in GET_ROUTES])
def test_anonymous_access(client, people, endpoint, who, url):
    page = client.c.get(url(people))
    if who == PUBLIC:
        assert page.status_code == 200
    else:
        assert page.status_code == 302
        assert page.location.startswith("/sign-in?next=")


@pytest.mark.parametrize("person", sorted(EVERYONE))
def test_access_by_role(sign_in_as, people, person):
    client = sign_in_as(person)
    for endpoint, who, url in GET_ROUTES:
        allowed = EVERYONE if who in (PUBLIC, SIGNED_IN) else who
        status = client.c.get(url(people)).status_code
        expected = 302 if (endpoint == "auth.sign_in") else (200 if person in allowed else 403)
        assert status == expected, f"{person} on {endpoint}: got {status}, expected {expected}"


def test_post_only_routes_refuse_get(client):
    for endpoint, (who, url) in ROUTES.items():
        if url is None:
            rule = next(r for r in client.c.app.url_map.iter_rules() if r.endpoint == endpoint)
            assert client.c.get(rule.rule).status_code == 405
