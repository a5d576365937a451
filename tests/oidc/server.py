"""Start the real OpenID provider (tests/oidc/provider.mjs, npm's oidc-provider) on loopback, and
drive its sign-in page from Python where no browser is needed."""

import base64
import hashlib
import json
import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlparse

import pytest
import requests

SCRIPT = Path(__file__).with_name("provider.mjs")
CLIENT_ID = "mappa-tracker"
CLIENT_SECRET = "loopback-client-secret"
OTHER_CLIENT_ID = "another-service"
OTHER_CLIENT_SECRET = "another-service-secret"
SECRET_ENV = "OIDC_TEST_GWENT_CLIENT_SECRET"

# The provider's people. Roles in claims are there to show they are ignored.
ACCOUNTS = {
    "gwent.staff": {"email": "gwent.staff@example.org", "email_verified": True, "roles": ["opcc_admin"]},
    "gwent.chief": {"email": "gwent.chief@example.org", "email_verified": True},
    "new.starter": {
        "email": "new.starter@example.org",
        "email_verified": True,
        "given_name": "Nia",
        "family_name": "Jones",
        "roles": ["chief_officer", "admin"],
    },
    "unverified": {"email": "gwent.staff@example.org", "email_verified": False},
    "outsider": {"email": "gwent.staff@elsewhere.example.com", "email_verified": True},
    "stranger": {"email": "stranger@example.org", "email_verified": True},
    "dyfed.staff": {"email": "dyfed-powys.staff@example.org", "email_verified": True},
}


@dataclass
class RunningProvider:
    issuer: str
    process: subprocess.Popen

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_provider(redirect_uris: list[str]) -> RunningProvider:
    node = shutil.which("node")
    if node is None or not (Path(SCRIPT).parents[2] / "node_modules" / "oidc-provider").exists():
        if os.environ.get("CI"):
            pytest.fail("CI needs Node.js and `npm ci` (oidc-provider) for the single sign-on tests.")
        pytest.skip("Node.js or the oidc-provider npm package is missing (scripts/bootstrap.sh installs it)")
    clients = [
        {
            "client_id": client_id,
            "client_secret": secret,
            "redirect_uris": redirect_uris,
            "token_endpoint_auth_method": "client_secret_post",
        }
        for client_id, secret in ((CLIENT_ID, CLIENT_SECRET), (OTHER_CLIENT_ID, OTHER_CLIENT_SECRET))
    ]
    env = {**os.environ, "OIDC_TEST_CONFIG": json.dumps({"clients": clients, "accounts": ACCOUNTS})}
    process = subprocess.Popen(
        [node, str(SCRIPT)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True
    )
    line = process.stdout.readline()
    if not line:
        process.kill()
        pytest.fail("the OpenID provider did not start")
    return RunningProvider(json.loads(line)["issuer"], process)


def make_identity_provider(force, issuer: str, **extra):
    from accounts.models import IdentityProvider

    os.environ[SECRET_ENV] = CLIENT_SECRET
    return IdentityProvider.objects.create(
        force=force,
        display_name="Gwent Police account",
        issuer=issuer,
        client_id=CLIENT_ID,
        client_secret_env=SECRET_ENV,
        allowed_domains="example.org",
        **extra,
    )


def sign_in_at_provider(authorization_url: str, login: str, *, mfa: bool = False, stop_at: str = "") -> str:
    """Follow the provider's redirects and fill in its sign-in page; return the URL it sends back to."""
    session = requests.Session()
    url = authorization_url
    for _ in range(10):
        response = session.get(url, allow_redirects=False, timeout=10)
        if response.status_code == 200 and "/interaction/" in url:
            data = {"login": login, "password": "anything"} | ({"mfa": "1"} if mfa else {})
            response = session.post(url, data=data, allow_redirects=False, timeout=10)
        assert response.status_code in (302, 303), (response.status_code, response.text[:500])
        url = urljoin(url, response.headers["Location"])
        if stop_at and url.startswith(stop_at):
            return url
    raise AssertionError(f"the provider never sent the browser back: {url}")


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def real_id_token(
    issuer: str, redirect_uri: str, login: str = "gwent.staff", *, client=CLIENT_ID
) -> tuple[str, str]:
    """A genuine ID token from the provider for `client` (ours or another service's), and its nonce."""
    secret = CLIENT_SECRET if client == CLIENT_ID else OTHER_CLIENT_SECRET
    verifier, challenge = pkce_pair()
    nonce, state = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    query = urlencode(
        {
            "client_id": client,
            "response_type": "code",
            "scope": "openid email profile",
            "redirect_uri": redirect_uri,
            "state": state,
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    back = sign_in_at_provider(f"{issuer}/auth?{query}", login, stop_at=redirect_uri)
    code = parse_qs(urlparse(back).query)["code"][0]
    tokens = requests.post(
        f"{issuer}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": client,
            "client_secret": secret,
            "code_verifier": verifier,
        },
        timeout=10,
    ).json()
    return tokens["id_token"], nonce
