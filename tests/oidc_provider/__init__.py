"""A real OpenID Connect provider for the tests (npm `oidc-provider`, see provider.mjs), and a
browserless person who signs in through its own pages (`DirectoryUser`).

Nothing of the provider is mocked: Docket talks to it over HTTP on 127.0.0.1 as it would to
Entra ID. Node and `npm ci` (bin/setup) are needed; without them the tests fail and say why."""
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import requests
from bs4 import BeautifulSoup
from joserfc.jwk import RSAKey

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("provider.mjs")
CLIENT_SECRET = "docket-test-client-secret-0123456789"


def new_key(kid: str) -> dict:
    """A fresh RSA signing key, as the provider's private JWK."""
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"}, private=True).as_dict(
        private=True)


def client(client_id: str, redirect_uris: list[str], post_logout_redirect_uris: list[str] | None = None) -> dict:
    return {"client_id": client_id, "client_secret": CLIENT_SECRET, "redirect_uris": redirect_uris,
            "post_logout_redirect_uris": post_logout_redirect_uris or [], "grant_types": ["authorization_code"],
            "response_types": ["code"], "token_endpoint_auth_method": "client_secret_basic"}


class DirectoryProvider:
    """The provider process. `restart(keys=...)` starts it again on the same port (same
    issuer) with other signing keys: a key rotation."""

    def __init__(self, clients: list[dict], accounts: dict, keys: list[dict] | None = None):
        node = shutil.which("node")
        if not node or not (ROOT / "node_modules" / "oidc-provider").is_dir():
            raise RuntimeError("The directory sign-in tests need Node.js and the npm package oidc-provider: "
                               "run bin/setup with npm installed (apt-get install npm).")
        self.node = node
        self.clients, self.accounts = clients, accounts
        self.keys = keys or [new_key("key-1")]
        self.port = 0
        self.process = None
        self.dir = tempfile.mkdtemp(prefix="docket-oidc-")
        self.start()

    def start(self) -> None:
        config = Path(self.dir) / "config.json"
        config.write_text(json.dumps({"port": self.port, "clients": self.clients, "accounts": self.accounts,
                                      "keys": self.keys}))
        self.log = open(Path(self.dir) / "provider.log", "a")
        self.process = subprocess.Popen([self.node, str(SCRIPT), str(config)], cwd=ROOT, stdout=subprocess.PIPE,
                                        stderr=self.log, text=True)
        line = self.process.stdout.readline()  # "ready http://127.0.0.1:PORT", or nothing if it failed
        if not line.startswith("ready "):
            self.process.wait(timeout=10)
            raise RuntimeError(f"The test OpenID provider did not start: {(Path(self.dir) / 'provider.log').read_text()}")
        self.issuer = line.split()[1]
        self.port = int(self.issuer.rsplit(":", 1)[1])

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.log.close()

    def restart(self, keys: list[dict] | None = None) -> None:
        self.stop()
        if keys is not None:
            self.keys = keys
        for _ in range(50):  # the port is free again almost at once
            try:
                self.start()
                return
            except RuntimeError:
                time.sleep(0.1)
        self.start()

    @property
    def public_keys(self) -> dict:
        return requests.get(self.issuer + "/jwks", timeout=10).json()


class DirectoryUser:
    """A person at the provider's own sign-in page, without a browser (requests keeps the
    provider's cookies): given the address Docket sent them to, they sign in as `login` and
    come back with the address the provider sends them to (Docket's callback, with the code)."""

    def __init__(self, login: str):
        self.login = login
        self.http = requests.Session()

    def sign_in(self, authorization_url: str, back_to: str) -> str:
        url = authorization_url
        for _ in range(10):
            if url.startswith(back_to):
                return url
            response = self.http.get(url, allow_redirects=False, timeout=10)
            if response.status_code in (302, 303):
                url = urljoin(url, response.headers["Location"])
                continue
            assert response.status_code == 200, response.text[:500]
            form = BeautifulSoup(response.text, "html.parser").find("form")
            assert form is not None and form.find("input", attrs={"name": "login"}), response.text[:500]
            response = self.http.post(urljoin(url, form["action"]), allow_redirects=False, timeout=10,
                                      data={"prompt": "login", "login": self.login, "password": "any password"})
            assert response.status_code in (302, 303), response.text[:500]
            url = urljoin(url, response.headers["Location"])
        raise AssertionError(f"the provider never sent {self.login} back to {back_to}")

    def follow(self, url: str) -> requests.Response:
        return self.http.get(url, allow_redirects=False, timeout=10)


def query(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
