"""Signing in with the council's directory (issue 15), against a real OpenID Connect provider
(npm oidc-provider on 127.0.0.1, tests/oidc_provider): nothing of the provider is mocked.

Docket is driven through Flask's test client; the person signs in at the provider's own
sign-in page without a browser (tests/oidc_provider.DirectoryUser). The token-level refusals
use real ID tokens from the provider (for Docket, and for another application registered with
it), changed or checked at another time where the case needs it; only the token signed with
another key is made by the test."""
import base64
import json
import time

from urllib.parse import urljoin

import pytest
import sqlalchemy as sa
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import RSAKey

from bs4 import BeautifulSoup

from app.auth import oidc
from app.auth.oidc_client import Pending, Provider, TokenRefused
from app.config import ConfigError
from app.models import Role, TrailEvent, User
from tests.conftest import TEST_PASSWORD, Page
from tests.oidc_provider import CLIENT_SECRET, DirectoryProvider, DirectoryUser, client, new_key, query

CALLBACK = "http://localhost/sign-in/oidc/callback"
OTHER_CALLBACK = "http://localhost/other-app/callback"

ACCOUNTS = {
    "olu": {"email": "owner@example.org", "email_verified": True, "name": "Olu Owner"},
    "nia": {"email": "nobody@example.org", "email_verified": True, "name": "Nia Nobody"},
    "ada": {"email": "admin@example.org", "email_verified": True, "name": "Ada Admin"},
    "stranger": {"email": "stranger@example.org", "email_verified": True, "name": "Sam Stranger"},
    "outsider": {"email": "olu@elsewhere.test", "email_verified": True, "name": "Olu Elsewhere"},
    "unverified": {"email": "hos@example.org", "email_verified": False, "name": "Not Hari"},
    "olu-again": {"email": "owner@example.org", "email_verified": True, "name": "Another Olu"},
    "newstarter": {"email": "new.starter@example.org", "email_verified": True, "name": "Nell Starter"},
}


@pytest.fixture(scope="module")
def provider():
    directory = DirectoryProvider(
        clients=[client("docket", [CALLBACK], ["http://localhost/sign-in"]), client("other-app", [OTHER_CALLBACK])],
        accounts=ACCOUNTS)
    yield directory
    directory.stop()


@pytest.fixture()
def directory(app, provider, monkeypatch):
    """Docket with the directory's settings, as the README tells a council to set them."""
    for name, value in {"OIDC_ISSUER": provider.issuer, "OIDC_CLIENT_ID": "docket",
                        "OIDC_CLIENT_SECRET": CLIENT_SECRET, "OIDC_ALLOWED_DOMAINS": "example.org",
                        "OIDC_CREATE_PEOPLE": False, "PASSWORD_SIGN_IN": "on"}.items():
        monkeypatch.setitem(app.config, name, value)
    app.extensions.pop("docket_oidc", None)  # a provider from another test's settings
    yield provider
    app.extensions.pop("docket_oidc", None)


def start(client_):
    """Docket's sign-in button: returns the address at the provider Docket sends the person to."""
    response = client_.c.get("/sign-in/oidc")
    assert response.status_code == 302
    return response.location


def sign_in(client_, login, back_to=CALLBACK):
    """The whole journey: the button, the provider's sign-in page, back to Docket's callback."""
    callback = DirectoryUser(login).sign_in(start(client_), back_to)
    return client_.c.get(callback.replace("http://localhost", "")), callback


def signed_in_as(client_) -> str | None:
    page = client_.get("/")
    return page.soup.select_one(".docket-account__name").get_text(strip=True) if page.status == 200 else None


def events(db, verb):
    return db.session.scalars(sa.select(TrailEvent).where(TrailEvent.verb == verb).order_by(TrailEvent.seq)).all()


def real_id_token(issuer, client_id, redirect_uri, login, nonce="a-nonce") -> str:
    """An ID token the provider issues to `client_id` for `login` (the test is that client)."""
    pending = Pending.new()
    pending.nonce = nonce
    url = Provider(issuer, client_id, CLIENT_SECRET).authorization_url(redirect_uri, pending)
    back = DirectoryUser(login).sign_in(url, redirect_uri)
    session = OAuth2Session(client_id, CLIENT_SECRET, redirect_uri=redirect_uri)
    token = session.fetch_token(issuer + "/token", grant_type="authorization_code", code=query(back)["code"],
                                code_verifier=pending.code_verifier)
    return token["id_token"]


def docket_provider(issuer) -> Provider:
    return Provider(issuer, "docket", CLIENT_SECRET)


# --- signing in -------------------------------------------------------------------------------

def test_a_person_signs_in_with_their_council_account_and_no_password(directory, people, client, db):
    page = client.get("/sign-in")
    button = page.soup.select_one("a#oidc-sign-in")
    assert button.get_text(strip=True) == "Sign in with your council account"
    # The council account comes first, the password form below it.
    assert str(page.soup).index('id="oidc-sign-in"') < str(page.soup).index('name="password"')

    authorization = start(client)
    params = query(authorization)
    assert authorization.startswith(directory.issuer + "/auth?")
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    assert params["scope"] == "openid email profile" and params["state"] and params["nonce"]
    assert params["redirect_uri"] == CALLBACK

    callback = DirectoryUser("olu").sign_in(authorization, CALLBACK)
    response = client.c.get(callback.replace("http://localhost", ""))
    assert response.status_code == 302 and response.location == "/"
    assert signed_in_as(client) == "Olu Owner"

    owner = db.session.get(User, people["owner"].id)
    assert (owner.oidc_issuer, owner.oidc_subject) == (directory.issuer, "olu")
    signed_in = events(db, "signed_in")[-1]
    assert json.loads(signed_in.data)["provider"] == directory.issuer and json.loads(signed_in.data)["method"] == "council account"
    assert signed_in.actor_id == owner.id
    linked = events(db, "directory_account_linked")
    assert [(e.object_id, json.loads(e.data)["email"]) for e in linked] == [(owner.id, "owner@example.org")]


def test_once_linked_the_person_is_found_by_the_directorys_subject(directory, people, client, db):
    sign_in(client, "olu")
    client.c.post("/sign-out", data={"csrf_token": client.csrf_token("/")})
    owner = db.session.get(User, people["owner"].id)
    owner.email = "olu.owner@example.org"  # the council changes their address in Docket
    db.session.commit()
    response, _ = sign_in(client, "olu")  # the directory still says owner@example.org
    assert response.status_code == 302
    assert signed_in_as(client) == "Olu Owner"
    assert len(events(db, "directory_account_linked")) == 1


def test_the_next_page_is_kept_through_the_directory(directory, people, client):
    response = client.c.get("/sign-in/oidc?next=/plans/")
    callback = DirectoryUser("olu").sign_in(response.location, CALLBACK)
    assert client.c.get(callback.replace("http://localhost", "")).location == "/plans/"


def test_signing_out_also_ends_the_providers_session(directory, people, client):
    person = DirectoryUser("olu")
    client.c.get(person.sign_in(start(client), CALLBACK).replace("http://localhost", ""))
    assert signed_in_as(client) == "Olu Owner"
    response = client.c.post("/sign-out", data={"csrf_token": client.csrf_token("/")})
    end_session = response.location
    assert end_session.startswith(directory.issuer + "/session/end?")
    assert query(end_session) == {"client_id": "docket", "post_logout_redirect_uri": "http://localhost/sign-in"}
    assert signed_in_as(client) is None
    # The provider's own page asks to confirm, then sends the person back to Docket's sign-in page.
    confirm = person.follow(end_session)
    assert confirm.status_code == 200 and "Do you want to sign-out" in confirm.text
    form = BeautifulSoup(confirm.text, "html.parser").find("form")
    data = {i["name"]: i.get("value", "") for i in form.find_all("input")}
    back = person.http.post(urljoin(end_session, form["action"]), data=dict(data, logout="yes"),
                            allow_redirects=False, timeout=10)
    assert back.headers["Location"] == "http://localhost/sign-in"
    # The provider's session has ended: the next sign-in asks for the council account again.
    again = person.follow(start(client))
    assert again.status_code in (302, 303) and "/interaction/" in again.headers["Location"]


def test_a_password_sign_out_does_not_visit_the_provider(directory, people, client):
    client.c.post("/sign-in", data={"csrf_token": client.csrf_token("/sign-in"), "email": "owner@example.org",
                                    "password": TEST_PASSWORD})
    response = client.c.post("/sign-out", data={"csrf_token": client.csrf_token("/")})
    assert response.location == "/sign-in"


# --- people the directory knows but Docket will not sign in -----------------------------------

def test_someone_docket_does_not_know_is_refused(directory, people, client, db):
    response, _ = sign_in(client, "stranger")
    assert response.status_code == 403
    assert "Docket does not know you yet: ask your Docket administrator to add you as stranger@example.org" in \
        response.get_data(as_text=True)
    assert signed_in_as(client) is None
    assert db.session.scalar(sa.select(User).where(User.email == "stranger@example.org")) is None
    refused = events(db, "directory_sign_in_refused")[-1]
    assert json.loads(refused.data)["email"] == "stranger@example.org" and json.loads(refused.data)["provider"] == directory.issuer


def test_with_oidc_create_people_a_newcomer_is_added_with_no_roles(directory, app, people, client, db, monkeypatch):
    monkeypatch.setitem(app.config, "OIDC_CREATE_PEOPLE", True)
    response, _ = sign_in(client, "newstarter")
    assert response.status_code == 302
    assert signed_in_as(client) == "Nell Starter"
    person = db.session.scalar(sa.select(User).where(User.email == "new.starter@example.org"))
    assert person.roles == [] and person.password_hash is None and person.oidc_subject == "newstarter"
    assert [e.object_id for e in events(db, "user_created")][-1] == person.id
    assert oidc.sign_in_method(person) == "Council account"


def test_an_address_outside_the_allowed_domains_is_refused(directory, people, client, db, make_user):
    make_user("olu@elsewhere.test", "Olu Elsewhere")  # even someone Docket knows
    response, _ = sign_in(client, "outsider")
    assert response.status_code == 403
    assert "Docket accepts council accounts from example.org only" in response.get_data(as_text=True)
    assert signed_in_as(client) is None


def test_a_deactivated_person_is_refused_whatever_the_directory_says(directory, people, client, db):
    sign_in(client, "nia")  # linked while active
    client.c.post("/sign-out", data={"csrf_token": client.csrf_token("/")})
    from app.users.service import deactivate_user

    deactivate_user(db.session.get(User, people["nobody"].id))
    db.session.commit()
    response, _ = sign_in(client, "nia")
    assert response.status_code == 403
    assert "Your Docket account has been deactivated" in response.get_data(as_text=True)
    assert signed_in_as(client) is None


def test_a_deactivated_person_is_not_linked_on_first_sign_in_either(directory, people, client, db):
    from app.users.service import deactivate_user

    deactivate_user(db.session.get(User, people["nobody"].id))
    db.session.commit()
    response, _ = sign_in(client, "nia")
    assert response.status_code == 403
    assert db.session.get(User, people["nobody"].id).oidc_subject is None


def test_an_unverified_address_is_not_trusted(directory, people, client, db):
    response, _ = sign_in(client, "unverified")
    assert response.status_code == 403
    assert "did not give Docket a verified email address" in response.get_data(as_text=True)
    assert db.session.get(User, people["hos"].id).oidc_subject is None


def test_a_second_directory_account_with_a_linked_persons_address_is_refused(directory, people, client, db):
    sign_in(client, "olu")
    client.c.post("/sign-out", data={"csrf_token": client.csrf_token("/")})
    response, _ = sign_in(client, "olu-again")  # the address passed on to someone else
    assert response.status_code == 403
    assert "Another council account is already linked" in response.get_data(as_text=True)
    assert signed_in_as(client) is None


# --- the protocol's checks --------------------------------------------------------------------

def test_a_replayed_callback_is_refused(directory, people, client):
    response, callback = sign_in(client, "olu")
    assert response.status_code == 302
    client.c.post("/sign-out", data={"csrf_token": client.csrf_token("/")})
    again = client.c.get(callback.replace("http://localhost", ""))  # the same state and code again
    assert again.status_code == 400
    assert "used already or has expired" in again.get_data(as_text=True)
    assert signed_in_as(client) is None


def test_a_replayed_code_is_refused_by_the_provider_even_with_the_old_session(directory, people, client, app):
    authorization = start(client)
    with client.c.session_transaction() as saved:
        pending = dict(saved["oidc_pending"])
    callback = DirectoryUser("olu").sign_in(authorization, CALLBACK)
    assert client.c.get(callback.replace("http://localhost", "")).status_code == 302
    client.c.post("/sign-out", data={"csrf_token": client.csrf_token("/")})
    with client.c.session_transaction() as stolen:  # a copy of the cookie from before the callback
        stolen["oidc_pending"] = pending
    again = client.c.get(callback.replace("http://localhost", ""))
    assert again.status_code == 400
    assert "refused this sign-in" in again.get_data(as_text=True)
    assert signed_in_as(client) is None


def test_a_callback_with_another_state_is_refused(directory, people, client):
    callback = DirectoryUser("olu").sign_in(start(client), CALLBACK)
    start(client)  # a second sign-in started in the meantime: a new state
    response = client.c.get(callback.replace("http://localhost", ""))
    assert response.status_code == 400
    assert signed_in_as(client) is None


def test_the_pkce_verifier_is_required(directory, people, client):
    callback = DirectoryUser("olu").sign_in(start(client), CALLBACK)
    with client.c.session_transaction() as session:
        session["oidc_pending"] = dict(session["oidc_pending"], code_verifier="x" * 64)
    response = client.c.get(callback.replace("http://localhost", ""))
    assert response.status_code == 400
    assert signed_in_as(client) is None


def test_a_real_token_passes_every_check(directory):
    token = real_id_token(directory.issuer, "docket", CALLBACK, "olu", nonce="n-1")
    claims = docket_provider(directory.issuer).validate_id_token(token, "n-1")
    assert claims["sub"] == "olu" and claims["email"] == "owner@example.org" and claims["aud"] == "docket"


def test_a_token_for_another_client_is_refused(directory):
    token = real_id_token(directory.issuer, "other-app", OTHER_CALLBACK, "olu", nonce="n-1")
    with pytest.raises(TokenRefused, match="issued for another application"):
        docket_provider(directory.issuer).validate_id_token(token, "n-1")


def test_an_expired_token_is_refused(directory):
    token = real_id_token(directory.issuer, "docket", CALLBACK, "olu", nonce="n-1")
    exp = jwt.decode(token, RSAKey.import_key(directory.keys[0])).claims["exp"]
    provider = docket_provider(directory.issuer)
    assert provider.validate_id_token(token, "n-1", now=exp + 30)  # within a minute's clock difference
    with pytest.raises(TokenRefused, match="expired"):
        provider.validate_id_token(token, "n-1", now=exp + 120)


def test_a_token_from_an_earlier_sign_in_is_refused(directory):
    """The nonce ties the token to one sign-in: a token replayed into another is refused."""
    token = real_id_token(directory.issuer, "docket", CALLBACK, "olu", nonce="earlier")
    with pytest.raises(TokenRefused, match="nonce"):
        docket_provider(directory.issuer).validate_id_token(token, "this-sign-in")


def _tamper(token: str, **changes) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return ".".join([header, payload, signature])


def test_a_tampered_token_is_refused(directory):
    token = real_id_token(directory.issuer, "docket", CALLBACK, "olu", nonce="n-1")
    provider = docket_provider(directory.issuer)
    for changes in ({"sub": "ada", "email": "admin@example.org"}, {"exp": int(time.time()) + 86400}):
        with pytest.raises(TokenRefused, match="signature"):
            provider.validate_id_token(_tamper(token, **changes), "n-1")
    header, payload, _ = token.split(".")
    with pytest.raises(TokenRefused):
        provider.validate_id_token(f"{header}.{payload}.", "n-1")  # signature removed


def test_a_token_signed_with_another_key_is_refused(directory):
    real = jwt.decode(real_id_token(directory.issuer, "docket", CALLBACK, "olu", nonce="n-1"),
                      RSAKey.import_key(directory.keys[0]))
    provider = docket_provider(directory.issuer)
    claims = dict(real.claims, sub="ada", email="admin@example.org")
    # The same key id as the provider's, another key: the signature does not verify.
    impostor = RSAKey.generate_key(2048, parameters={"kid": directory.keys[0]["kid"]}, private=True)
    with pytest.raises(TokenRefused, match="signature"):
        provider.validate_id_token(jwt.encode({"alg": "RS256", "kid": impostor.kid}, claims, impostor), "n-1")
    # A key id the provider does not publish (even after fetching its keys again).
    stranger = RSAKey.generate_key(2048, parameters={"kid": "not-the-providers"}, private=True)
    with pytest.raises(TokenRefused, match="key the council's sign-in service does not publish"):
        provider.validate_id_token(jwt.encode({"alg": "RS256", "kid": "not-the-providers"}, claims, stranger), "n-1")
    # Unsigned, or signed with a shared secret: never accepted.
    for header in ({"alg": "none"}, {"alg": "HS256"}):
        forged = _tamper(jwt.encode({"alg": "RS256", "kid": impostor.kid}, claims, impostor))
        head = base64.urlsafe_b64encode(json.dumps(header).encode()).rstrip(b"=").decode()
        with pytest.raises(TokenRefused, match="does not accept"):
            provider.validate_id_token(head + "." + forged.split(".")[1] + ".", "n-1")


def test_rotated_keys_are_followed(directory, people, client):
    response, _ = sign_in(client, "olu")  # Docket now holds the provider's first key
    assert response.status_code == 302
    client.c.post("/sign-out", data={"csrf_token": client.csrf_token("/")})
    old = directory.keys
    directory.restart(keys=[new_key("key-2")])  # the provider rotates: a new key, the old one gone
    try:
        assert [k["kid"] for k in directory.public_keys["keys"]] == ["key-2"]
        response, _ = sign_in(client, "olu")
        assert response.status_code == 302
        assert signed_in_as(client) == "Olu Owner"
    finally:
        directory.restart(keys=old)


def test_an_unreachable_provider_is_a_clear_refusal(app, client, monkeypatch, people):
    monkeypatch.setitem(app.config, "OIDC_ISSUER", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setitem(app.config, "OIDC_CLIENT_ID", "docket")
    app.extensions.pop("docket_oidc", None)
    page = client.get("/sign-in/oidc")
    assert page.status == 502
    assert "could not reach the council's sign-in service" in page.text()
    app.extensions.pop("docket_oidc", None)


# --- PASSWORD_SIGN_IN -------------------------------------------------------------------------

def _password(client_, email):
    return client_.c.post("/sign-in", data={"csrf_token": client_.csrf_token("/sign-in"), "email": email,
                                            "password": TEST_PASSWORD})


def test_admins_only_refuses_a_password_sign_in_for_anyone_else(directory, app, people, client, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_SIGN_IN", "admins-only")
    page = client.get("/sign-in")
    assert "Sign in with a Docket password (administrators only)" in page.text()
    refused = _password(client, "owner@example.org")
    assert refused.status_code == 401
    assert "Only Docket administrators sign in with a password" in refused.get_data(as_text=True)
    assert signed_in_as(client) is None
    # The words are the same as for a wrong password: they do not tell who is an administrator.
    wrong = client.c.post("/sign-in", data={"csrf_token": client.csrf_token("/sign-in"),
                                            "email": "admin@example.org", "password": "not the password"})
    assert "Only Docket administrators sign in with a password" in wrong.get_data(as_text=True)
    assert _password(client, "admin@example.org").status_code == 302
    assert signed_in_as(client) == "Ada Admin"


def test_off_hides_the_password_form_and_refuses_passwords(directory, app, people, client, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_SIGN_IN", "off")
    page = client.get("/sign-in")
    assert page.soup.select_one("a#oidc-sign-in") and not page.soup.select_one("input[name=password]")
    refused = Page(_password(client, "admin@example.org"))
    assert refused.status == 401
    assert "Docket's own passwords are turned off here" in refused.text()
    refused.check_structure()
    assert signed_in_as(client) is None


def test_without_oidc_issuer_docket_signs_in_as_before(app, people, client, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_SIGN_IN", "off")  # no effect without a directory
    page = client.get("/sign-in")
    assert not page.soup.select_one("#oidc-sign-in") and page.soup.select_one("input[name=password]")
    assert _password(client, "owner@example.org").status_code == 302
    assert client.get("/sign-in/oidc").h1 == "Signing in with a council account is not set up"


def test_sign_in_method_for_administrators(directory, app, people, db, monkeypatch):
    owner, admin = people["owner"], people["admin"]
    assert oidc.sign_in_method(owner) == "Password"
    owner.oidc_issuer, owner.oidc_subject = directory.issuer, "olu"
    assert oidc.sign_in_method(owner) == "Both"
    monkeypatch.setitem(app.config, "PASSWORD_SIGN_IN", "admins-only")
    assert oidc.sign_in_method(owner) == "Council account"
    assert oidc.sign_in_method(admin) == "Password"
    assert Role.ADMINISTRATOR in {a.role for a in admin.roles}


def test_settings_that_cannot_work_stop_docket_starting():
    with pytest.raises(ConfigError, match="PASSWORD_SIGN_IN must be one of"):
        oidc.check_config({"PASSWORD_SIGN_IN": "sometimes"})
    with pytest.raises(ConfigError, match="OIDC_CLIENT_ID"):
        oidc.check_config({"PASSWORD_SIGN_IN": "on", "OIDC_ISSUER": "https://login.example"})
