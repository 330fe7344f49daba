"""The OpenID Connect provider of the test suite: oidc-provider (an OpenID certified implementation from npm)
run by Node on a free loopback port, as its own process, and a browser stand-in that signs in through its
development login form.

`npm ci` in tests/oidc installs it (the Makefile's test target and .ci/services do it); the tests refuse to
run without it rather than skip."""
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import requests

from tests.support.services import free_port

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "provider.js"


def require_provider_installed():
    if shutil.which("node") is None:
        raise RuntimeError("node is not installed (apt-get install -y nodejs npm)")
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        raise RuntimeError(f"oidc-provider is not installed: run `npm ci` in {HERE}")


class OidcProvider:
    """One provider process. `clients` are oidc-provider client metadata; `accounts` maps a login name (the
    subject) to its claims; `jwks` (private keys) fixes the signing keys, otherwise they change at each start."""

    def __init__(self, clients, accounts=None, jwks=None, issuer=None, port=None):
        require_provider_installed()
        self.port = port or free_port()
        self.issuer = issuer or f"http://127.0.0.1:{self.port}"
        self.clients, self.jwks = clients, jwks
        self.accounts_file = Path(tempfile.mkdtemp(prefix="oidc-provider-")) / "accounts.json"
        self.set_accounts(accounts or {})
        self.process = None

    def set_accounts(self, accounts):
        """The claims of each login, from now on (the provider reads them at each use)."""
        self.accounts = accounts
        self.accounts_file.write_text(json.dumps(accounts))

    def start(self):
        env = dict(os.environ, OIDC_PORT=str(self.port), OIDC_ISSUER=self.issuer,
                   OIDC_CLIENTS=json.dumps(self.clients), OIDC_ACCOUNTS_FILE=str(self.accounts_file),
                   NODE_ENV="test")
        if self.jwks:
            env["OIDC_JWKS"] = json.dumps(self.jwks)
        self.process = subprocess.Popen(["node", str(SCRIPT)], cwd=HERE, env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("oidc-provider stopped at start: " + self.process.stderr.read().decode()[-2000:])
            try:
                requests.get(self.issuer + "/.well-known/openid-configuration", timeout=0.5).raise_for_status()
                return self
            except requests.RequestException:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("oidc-provider did not answer within 20 s")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process.stderr.close()
            self.process = None

    def restart(self):
        self.stop()
        return self.start()


_FORM = re.compile(r'<form[^>]*action="([^"]+)"[^>]*method="post"', re.I)
_HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', re.I)


def sign_in_at_provider(authorization_url, login, stop_at):
    """What a browser does at the provider: follow its redirects, fill the development login form with `login`
    (any password), agree on the consent page, until a redirect leaves for `stop_at` (our callback).
    -> that redirect's URL."""
    browser = requests.Session()
    url, method, data = authorization_url, "GET", None
    for _ in range(20):
        response = browser.request(method, url, data=data, allow_redirects=False, timeout=5)
        if response.is_redirect:
            url, method, data = urljoin(url, response.headers["Location"]), "GET", None
            if url.startswith(stop_at):
                return url
            continue
        response.raise_for_status()
        form = _FORM.search(response.text)
        if form is None:
            raise AssertionError(f"no form at the provider's page {url}: {response.text[:500]}")
        data = dict(_HIDDEN.findall(response.text))
        if data.get("prompt") == "login":
            data.update(login=login, password="any password")
        url, method = urljoin(url, unescape(form.group(1))), "POST"
    raise AssertionError("the provider never sent the browser back")
