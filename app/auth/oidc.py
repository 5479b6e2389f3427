"""Signing in with the council's directory (OpenID Connect, issue 15): which person a directory
account is, and whether Docket's own passwords may still be used.

The protocol itself (discovery, keys, state, nonce, PKCE, the ID token's checks) is in
app/auth/oidc_client.py; the pages are app/auth/oidc_routes.py. Settings (app/config.py):

- OIDC_ISSUER: the provider's issuer (its discovery document is ISSUER/.well-known/openid-configuration);
  without it, Docket signs people in with its own passwords only, as before.
- OIDC_CLIENT_ID, OIDC_CLIENT_SECRET: Docket's registration with the provider.
- OIDC_BUTTON_TEXT: the button on the sign-in page.
- OIDC_ALLOWED_DOMAINS: e-mail domains accepted (comma-separated); empty accepts any.
- OIDC_CREATE_PEOPLE: add someone the directory knows and Docket does not, with no roles.
- PASSWORD_SIGN_IN: on / admins-only / off (only with OIDC_ISSUER set).

A person is found by the directory's stable identifier (issuer and subject) once linked; the
first time, by a verified e-mail address, and then linked. Deactivated people are refused
whatever the directory says."""
import logging

import sqlalchemy as sa
from flask import current_app, has_app_context, url_for

from app.auth.oidc_client import DirectoryError, Provider, TokenRefused  # noqa: F401  (re-exported)
from app.auth.passwords import check_password
from app.auth.service import GENERIC, SignInRefused, authenticate, normalise_email
from app.config import ConfigError
from app.extensions import db
from app.models import Role, User, utcnow
from app.trail import record

log = logging.getLogger(__name__)

PASSWORD_MODES = ("on", "admins-only", "off")
DEFAULT_BUTTON_TEXT = "Sign in with your council account"
SESSION_FLAG = "oidc_signed_in"  # in the session of a person signed in through the directory


class PersonRefused(Exception):
    """The directory vouched for someone Docket will not sign in (the message says why)."""


# --- settings -------------------------------------------------------------------------------
def check_config(config) -> None:
    """Refuse to start with settings that cannot work (called when the app is built)."""
    mode = config.get("PASSWORD_SIGN_IN", "on")
    if mode not in PASSWORD_MODES:
        raise ConfigError(f"PASSWORD_SIGN_IN must be one of {', '.join(PASSWORD_MODES)}, not {mode!r}.")
    if config.get("OIDC_ISSUER") and not config.get("OIDC_CLIENT_ID"):
        raise ConfigError("OIDC_ISSUER is set but OIDC_CLIENT_ID is not: set both (and OIDC_CLIENT_SECRET) "
                          "to the values from registering Docket with the council's directory.")
    if mode != "on" and not config.get("OIDC_ISSUER"):
        log.warning("PASSWORD_SIGN_IN=%s has no effect without OIDC_ISSUER: passwords stay on.", mode)


def enabled() -> bool:
    return has_app_context() and bool(current_app.config.get("OIDC_ISSUER"))


def password_mode() -> str:
    """'on', 'admins-only' or 'off'. Without the directory, passwords are always on: nobody
    could sign in otherwise."""
    return current_app.config.get("PASSWORD_SIGN_IN", "on") if enabled() else "on"


def allowed_domains() -> set[str]:
    value = current_app.config.get("OIDC_ALLOWED_DOMAINS") or ""
    items = value if isinstance(value, (list, tuple, set)) else value.split(",")
    return {d.strip().lower().lstrip("@") for d in items if d.strip()}


def button_text() -> str:
    return current_app.config.get("OIDC_BUTTON_TEXT") or DEFAULT_BUTTON_TEXT


def provider() -> Provider:
    """This app's provider (its discovery document and keys are kept between requests)."""
    config = current_app.config
    key = (config["OIDC_ISSUER"], config.get("OIDC_CLIENT_ID"), config.get("OIDC_CLIENT_SECRET"))
    cached = current_app.extensions.get("docket_oidc")
    if cached is None or cached[0] != key:
        cached = (key, Provider(*key))
        current_app.extensions["docket_oidc"] = cached
    return cached[1]


def external_url(endpoint: str, **values) -> str:
    """A full address of a Docket page, for the provider: BASE_URL's when set, else this request's."""
    base = (current_app.config.get("BASE_URL") or "").rstrip("/")
    return base + url_for(endpoint, **values) if base else url_for(endpoint, _external=True, **values)


# --- who may use a password -----------------------------------------------------------------
def is_administrator(user: User | None) -> bool:
    return bool(user) and any(a.role == Role.ADMINISTRATOR for a in user.roles)


ADMINS_ONLY = ("Enter a correct email address and password. Only Docket administrators sign in with a "
               "password: everyone else, use the “{button}” button.")
PASSWORDS_OFF = "Docket's own passwords are turned off here: use the “{button}” button."


def password_sign_in(email: str, password: str, ip_address: str | None = None) -> User:
    """A password sign-in, as PASSWORD_SIGN_IN allows it (app/auth/service.authenticate does
    the rest). With admins-only, someone who is not an active administrator is refused with
    the same words as a wrong password, so that the refusal does not tell who is one."""
    mode = password_mode()
    if mode == "off":
        raise SignInRefused(PASSWORDS_OFF.format(button=button_text()))
    if mode == "admins-only":
        person = db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))
        if not (person and person.active and is_administrator(person)):
            check_password(None, password)  # the same time as checking a real password
            db.session.rollback()
            raise SignInRefused(ADMINS_ONLY.format(button=button_text()))
        try:
            return authenticate(email, password, ip_address)
        except SignInRefused as exc:
            if str(exc) == GENERIC:
                raise SignInRefused(ADMINS_ONLY.format(button=button_text())) from exc
            raise
    return authenticate(email, password, ip_address)


def sign_in_method(user: User) -> str:
    """How this person signs in, for administrators: "Council account", "Password" or "Both"."""
    linked = bool(user.oidc_subject)
    mode = password_mode()
    password = user.password_hash is not None and (
        mode == "on" or (mode == "admins-only" and is_administrator(user)))
    if linked and password:
        return "Both"
    if linked:
        return "Council account"
    if password:
        return "Password"
    # Neither yet: they will use the directory if there is one, else a set-password link.
    return "Council account" if enabled() else "Password"


# --- who the directory's account is ---------------------------------------------------------
def email_of(claims: dict) -> str | None:
    """The verified e-mail address in the claims, or None. `email_verified: false` is never
    accepted. Some directories (Entra ID) send no email_verified: their addresses are set by the
    council's own administrators, so the address is accepted when OIDC_ALLOWED_DOMAINS names
    the council's domains (and only then). Entra ID may send the address only as
    preferred_username (the user principal name)."""
    email = claims.get("email")
    if not email and "@" in str(claims.get("preferred_username") or ""):
        email = claims.get("preferred_username")
    if not isinstance(email, str) or "@" not in email:
        return None
    verified = claims.get("email_verified")
    if isinstance(verified, str):
        verified = verified.lower() == "true"
    if verified is False or (verified is None and not allowed_domains()):
        return None
    return normalise_email(email)


def _domain_refusal(email: str) -> str | None:
    domains = allowed_domains()
    if domains and email.rsplit("@", 1)[-1] not in domains:
        return (f"Docket accepts council accounts from {', '.join(sorted(domains))} only, and yours is "
                f"{email}. Sign in with your council account from one of those.")
    return None


def person_for(claims: dict, issuer: str) -> User:
    """The Docket person this directory account is: linked already, or found by verified
    e-mail address and linked now, or (with OIDC_CREATE_PEOPLE) added with no roles. Raises
    PersonRefused. Writes the link or the new person on the trail; the caller commits."""
    subject = claims["sub"]
    email = email_of(claims)
    if not email:
        raise PersonRefused("Your council account did not give Docket a verified email address, so Docket "
                            "cannot tell who you are. Ask your IT service desk or your Docket administrator.")
    refusal = _domain_refusal(email)
    if refusal:
        raise PersonRefused(refusal)
    person = db.session.scalar(sa.select(User).where(User.oidc_issuer == issuer, User.oidc_subject == subject))
    if person is None:
        person = db.session.scalar(sa.select(User).where(User.email == email))
        if person is not None and person.oidc_subject and person.oidc_issuer == issuer:
            # Another directory account was linked to this person: an address passed on to a
            # new member of staff does not give them the old one's Docket.
            raise PersonRefused(f"Another council account is already linked to the Docket account for {email}. "
                                "Ask your Docket administrator.")
        if person is not None and person.active:
            person.oidc_issuer, person.oidc_subject = issuer, subject
            record("directory_account_linked", person, actor=person,
                   data={"provider": issuer, "email": email})
    if person is None:
        if not current_app.config.get("OIDC_CREATE_PEOPLE"):
            raise PersonRefused(f"Docket does not know you yet: ask your Docket administrator to add you as "
                                f"{email}.")
        from app.users.service import UserError, create_user

        name = str(claims.get("name") or "").strip() or email.split("@", 1)[0]
        try:
            person = create_user(email, name[:200], actor=None)
        except UserError as exc:
            raise PersonRefused(str(exc)) from exc
        person.oidc_issuer, person.oidc_subject = issuer, subject
        record("directory_account_linked", person, actor=person, data={"provider": issuer, "email": email})
    if not person.active:
        raise PersonRefused("Your Docket account has been deactivated, so you cannot sign in. If you need it "
                            "again, ask your Docket administrator.")
    return person


def sign_in(claims: dict, issuer: str, ip_address: str | None = None) -> User:
    """Sign the person in from checked claims (on the trail, with the provider named), or
    raise PersonRefused (also on the trail: the directory vouched for someone). Commits."""
    try:
        person = person_for(claims, issuer)
    except PersonRefused as exc:
        db.session.rollback()
        known = db.session.scalar(sa.select(User).where(User.email == (email_of(claims) or "")))
        record("directory_sign_in_refused", known, actor=None, object_type="user_account",
               data={"provider": issuer, "email": email_of(claims) or claims.get("email"),
                     "reason": str(exc), "ip_address": ip_address})
        db.session.commit()
        raise
    person.last_signed_in_at = utcnow()
    record("signed_in", person, actor=person,
           data={"ip_address": ip_address, "provider": issuer, "method": "council account"})
    db.session.commit()
    return person


def sign_out_url(signed_in_through_directory: bool) -> str | None:
    """Where to send someone signing out: the provider's end-session address (which brings
    them back to Docket's sign-in page), when they signed in through it and it offers one."""
    if not (signed_in_through_directory and enabled()):
        return None
    try:
        return provider().end_session_url(external_url("auth.sign_in"))
    except DirectoryError:
        return None
