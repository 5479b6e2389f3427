"""The OpenID Connect protocol, as a client of the council's directory (Entra ID, Google,
ADFS, Keycloak…): the provider's discovery document and published keys, the authorization
request (state, nonce and PKCE with S256) and the ID token's checks.

Authlib does the OAuth 2.0 parts (the authorization URL, the code exchange with the PKCE
verifier); the ID token is checked here, with joserfc (Authlib's JOSE library), against every
rule of OpenID Connect Core 3.1.3.7: signature by a key the provider publishes (fetched again
when a token names a key not seen before, so rotated keys are followed), issuer, audience,
authorised party, expiry, issue time and nonce. Nothing here knows about Docket's people:
that is app/auth/oidc.py."""
import hmac
import logging
import secrets
import threading
import time
from dataclasses import dataclass

import requests
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

log = logging.getLogger(__name__)

SCOPES = "openid email profile"
TIMEOUT = 10  # seconds for each request to the provider
LEEWAY = 60  # seconds of clock difference allowed between Docket and the provider
METADATA_LIFETIME = 3600  # discovery documents are fetched again after an hour
# Only signatures by a key pair: a token signed with a shared secret (HS256) or not at all
# ("none") is refused, whatever the provider says it supports.
ASYMMETRIC = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}


class DirectoryError(Exception):
    """The directory could not be reached or answered wrongly (the message is for people)."""


class TokenRefused(DirectoryError):
    """The ID token fails a check: it is not proof of who is signing in."""


@dataclass
class Pending:
    """What Docket keeps (in the signed session cookie) between sending a person to the
    directory and their return: each is used once."""

    state: str
    nonce: str
    code_verifier: str

    @classmethod
    def new(cls) -> "Pending":
        return cls(secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64))

    def as_dict(self) -> dict:
        return {"state": self.state, "nonce": self.nonce, "code_verifier": self.code_verifier}


class Provider:
    """One OpenID Connect provider: its discovery document and keys, cached in this process."""

    def __init__(self, issuer: str, client_id: str, client_secret: str | None):
        self.configured_issuer = issuer
        self.client_id = client_id
        self.client_secret = client_secret or None
        self._metadata: dict | None = None
        self._metadata_at = 0.0
        self._keys: KeySet | None = None
        self._lock = threading.Lock()

    # --- discovery and keys -------------------------------------------------------------
    def _get_json(self, url: str) -> dict:
        try:
            response = requests.get(url, timeout=TIMEOUT, headers={"Accept": "application/json"})
            response.raise_for_status()
            return response.json()
        except (requests.RequestException, ValueError) as exc:
            log.warning("OpenID Connect: could not read %s: %s", url, exc)
            raise DirectoryError("Docket could not reach the council's sign-in service. Try again in a few "
                                 "minutes; if it goes on, tell your IT service desk.") from exc

    @property
    def metadata(self) -> dict:
        with self._lock:
            if self._metadata is None or time.time() - self._metadata_at > METADATA_LIFETIME:
                url = self.configured_issuer.rstrip("/") + "/.well-known/openid-configuration"
                metadata = self._get_json(url)
                # OpenID Connect Discovery 4.3: the document must name the issuer it was fetched for.
                if str(metadata.get("issuer", "")).rstrip("/") != self.configured_issuer.rstrip("/"):
                    log.warning("OpenID Connect: %s names the issuer %r", url, metadata.get("issuer"))
                    raise DirectoryError("The council's sign-in service is not set up as Docket expects "
                                         "(its issuer differs from OIDC_ISSUER). Tell your Docket administrator.")
                for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                    if not metadata.get(name):
                        raise DirectoryError(f"The council's sign-in service publishes no {name}. "
                                             "Tell your Docket administrator.")
                self._metadata, self._metadata_at = metadata, time.time()
            return self._metadata

    @property
    def issuer(self) -> str:
        return self.metadata["issuer"]

    def keys(self, refresh: bool = False) -> KeySet:
        jwks_uri = self.metadata["jwks_uri"]
        with self._lock:
            if self._keys is None or refresh:
                document = self._get_json(jwks_uri)
                usable = [k for k in document.get("keys", []) if k.get("use", "sig") == "sig"]
                try:
                    self._keys = KeySet.import_key_set({"keys": usable})
                except (JoseError, ValueError, TypeError, KeyError) as exc:
                    raise DirectoryError("The council's sign-in service publishes keys Docket cannot read. "
                                         "Tell your Docket administrator.") from exc
            return self._keys

    # --- the flow -----------------------------------------------------------------------
    def _session(self, redirect_uri: str) -> OAuth2Session:
        methods = self.metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        if not self.client_secret:
            method = "none"
        elif "client_secret_basic" in methods:
            method = "client_secret_basic"
        else:
            method = "client_secret_post"
        return OAuth2Session(self.client_id, self.client_secret, scope=SCOPES, redirect_uri=redirect_uri,
                             code_challenge_method="S256", token_endpoint_auth_method=method)

    def authorization_url(self, redirect_uri: str, pending: Pending) -> str:
        """Where to send the person: the provider's sign-in, with state, nonce and the PKCE
        challenge (S256 of the verifier, which stays with Docket)."""
        url, _ = self._session(redirect_uri).create_authorization_url(
            self.metadata["authorization_endpoint"], state=pending.state, nonce=pending.nonce,
            code_verifier=pending.code_verifier)
        return url

    def finish(self, args: dict, pending: Pending | None, redirect_uri: str) -> dict:
        """The person is back with `args` (the callback's query). Check the state, exchange the
        code (with the PKCE verifier), check the ID token, and return its claims, with the
        userinfo endpoint's added when the provider has one. Raises DirectoryError."""
        if pending is None or not args.get("state") or not hmac.compare_digest(
                str(args.get("state")), pending.state):
            raise TokenRefused("This sign-in link has been used already or has expired. Start again.")
        if args.get("error"):
            log.info("OpenID Connect: the provider answered %s: %s", args.get("error"),
                     args.get("error_description"))
            if args.get("error") == "access_denied":
                raise DirectoryError("You chose not to sign in with your council account.")
            raise DirectoryError("The council's sign-in service could not sign you in. Try again; if it goes "
                                 "on, tell your IT service desk.")
        # RFC 9207: when the provider names itself in the response, it must be this one.
        if args.get("iss") and args.get("iss") != self.issuer:
            raise TokenRefused("This answer did not come from the council's sign-in service.")
        if not args.get("code"):
            raise TokenRefused("The council's sign-in service sent no sign-in code. Start again.")
        client = self._session(redirect_uri)
        try:
            token = client.fetch_token(self.metadata["token_endpoint"], grant_type="authorization_code",
                                       code=args["code"], code_verifier=pending.code_verifier, timeout=TIMEOUT)
        except Exception as exc:  # Authlib's OAuthError, requests' errors, bad JSON
            log.warning("OpenID Connect: the code exchange failed: %s", exc)
            raise TokenRefused("The council's sign-in service refused this sign-in (it may have been used "
                               "already). Start again.") from exc
        if not token.get("id_token"):
            raise TokenRefused("The council's sign-in service sent no ID token.")
        claims = self.validate_id_token(token["id_token"], pending.nonce)
        userinfo_endpoint = self.metadata.get("userinfo_endpoint")
        if userinfo_endpoint and not claims.get("email"):
            try:
                response = client.get(userinfo_endpoint, timeout=TIMEOUT)
                response.raise_for_status()
                info = response.json()
            except (requests.RequestException, ValueError) as exc:
                raise DirectoryError("Docket could not read your details from the council's sign-in service. "
                                     "Try again.") from exc
            # OpenID Connect Core 5.3.2: userinfo is about the token's person, or is ignored.
            if info.get("sub") == claims["sub"]:
                claims = {**info, **claims}
        return claims

    def validate_id_token(self, id_token: str, nonce: str, now: float | None = None) -> dict:
        """The ID token's claims, if every check passes; TokenRefused names the first that fails."""
        now = time.time() if now is None else now
        try:
            header = jws.extract_compact(id_token.encode("ascii") if isinstance(id_token, str) else id_token).headers()
        except (JoseError, ValueError, UnicodeError) as exc:
            raise TokenRefused("The sign-in token is not a signed token.") from exc
        allowed = ASYMMETRIC & set(self.metadata.get("id_token_signing_alg_values_supported") or ["RS256"])
        if header.get("alg") not in allowed:
            raise TokenRefused(f"The sign-in token is signed with {header.get('alg')!r}, which Docket does not accept.")
        keys = self.keys()
        kid = header.get("kid")
        if kid is not None and not _has_kid(keys, kid):
            keys = self.keys(refresh=True)  # the provider may have rotated its keys
            if not _has_kid(keys, kid):
                raise TokenRefused("The sign-in token is signed with a key the council's sign-in service does "
                                   "not publish.")
        try:
            claims = dict(jwt.decode(id_token, keys, algorithms=sorted(allowed)).claims)
        except (JoseError, ValueError) as exc:
            raise TokenRefused("The sign-in token's signature is not the council's sign-in service's.") from exc
        return check_claims(claims, issuer=self.issuer, client_id=self.client_id, nonce=nonce, now=now)

    def end_session_url(self, post_logout_redirect_uri: str) -> str | None:
        """RP-initiated logout: the provider's end-session address, when it offers one."""
        try:
            endpoint = self.metadata.get("end_session_endpoint")
        except DirectoryError:
            return None
        if not endpoint:
            return None
        from urllib.parse import urlencode

        params = {"client_id": self.client_id, "post_logout_redirect_uri": post_logout_redirect_uri}
        return endpoint + ("&" if "?" in endpoint else "?") + urlencode(params)


def _has_kid(keys: KeySet, kid: str) -> bool:
    try:
        keys.get_by_kid(kid)
    except (JoseError, ValueError, KeyError):
        return False
    return True


def check_claims(claims: dict, *, issuer: str, client_id: str, nonce: str, now: float) -> dict:
    """OpenID Connect Core 3.1.3.7, items 2-4, 9-11: the claims of a token whose signature
    has been checked."""
    if claims.get("iss") != issuer:
        raise TokenRefused("The sign-in token was issued by another service.")
    audience = claims.get("aud")
    audiences = [audience] if isinstance(audience, str) else list(audience or [])
    if client_id not in audiences:
        raise TokenRefused("The sign-in token was issued for another application.")
    if (len(audiences) > 1 or "azp" in claims) and claims.get("azp") != client_id:
        raise TokenRefused("The sign-in token was issued for another application.")
    for name in ("exp", "iat"):
        if not isinstance(claims.get(name), (int, float)) or isinstance(claims.get(name), bool):
            raise TokenRefused(f"The sign-in token has no {name} time.")
    if claims["exp"] + LEEWAY < now:
        raise TokenRefused("The sign-in token has expired. Start again.")
    if claims["iat"] - LEEWAY > now:
        raise TokenRefused("The sign-in token was issued in the future: check the server's clock.")
    if not isinstance(claims.get("nonce"), str) or not hmac.compare_digest(claims["nonce"], nonce or ""):
        raise TokenRefused("The sign-in token was not issued for this sign-in (its nonce differs). Start again.")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise TokenRefused("The sign-in token names nobody.")
    return claims
