"""login, logout and push against real registries: Debian's docker-registry (the distribution
registry 2.8) with htpasswd basic auth, one with token auth whose token server (a JWT signer with
a key and certificate the test makes with openssl) is written here, and a plain-HTTP one on
127.0.0.2 that only $MYDOCKER_INSECURE_REGISTRIES lets mydocker reach. Credentials go to a
config.json under a temporary $MYDOCKER_CONFIG. Every process and server started here is stopped,
even when a test fails. See docs/registries.md."""

import base64
import http.server
import json
import os
import secrets
import shutil
import stat
import subprocess
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from test_registry import LIMIT, Registry, archives, need, run_tool  # noqa: F401 (fixture)

USER, PASSWORD = "alice", "s3cret-pass"
ISSUER, SERVICE = "mydocker-test-issuer", "mydocker-test"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenServer:
    """A token server for docker-registry's `auth: token:`: checks basic auth, grants the scopes
    asked for in an RS256 JWT whose x5c names the certificate the registry trusts."""

    def __init__(self, work):
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import padding
        from cryptography import x509
        run_tool("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                 "token.key", "-out", "token.crt", "-days", "2", "-subj", "/CN=token signer",
                 cwd=work)
        self.cert_path = work / "token.crt"
        key = serialization.load_pem_private_key((work / "token.key").read_bytes(), None)
        der = x509.load_pem_x509_certificate(self.cert_path.read_bytes()).public_bytes(
            serialization.Encoding.DER)
        self.requests = []

        def sign(claims):
            header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(der).decode()]}
            signing = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
            signature = key.sign(signing.encode(), padding.PKCS1v15(), hashes.SHA256())
            return f"{signing}.{b64url(signature)}"

        server_self = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                url = urllib.parse.urlparse(self.path)
                query = urllib.parse.parse_qs(url.query)
                auth = self.headers.get("Authorization", "")
                expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
                server_self.requests.append((query.get("scope", []), auth.startswith("Basic ")))
                if url.path != "/token" or auth != expected:
                    self.send_response(401)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                access = []
                for scope in query.get("scope", []):
                    kind, name, actions = scope.split(":")
                    access.append({"type": kind, "name": name, "actions": actions.split(",")})
                now = int(time.time())
                token = sign({"iss": ISSUER, "sub": USER, "aud": SERVICE, "exp": now + 600,
                              "nbf": now - 60, "iat": now, "jti": secrets.token_hex(8),
                              "access": access})
                body = json.dumps({"token": token}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/token"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def registries(archives):  # noqa: F811 (the fixture imported above)
    """{"basic": Registry, "token": Registry, "insecure": Registry}, the last on 127.0.0.2."""
    need("htpasswd", "openssl", "docker-registry")
    pytest.importorskip("cryptography")
    work = Path(tempfile.mkdtemp(prefix="mydocker-it-regauth-"))
    started, token = {}, None
    try:
        htpasswd = run_tool("htpasswd", "-Bbn", USER, PASSWORD)
        (work / "htpasswd").write_text(htpasswd)
        (work / "basic").mkdir()
        started["basic"] = Registry(work / "basic", access_log=True, auth=(
            f"  htpasswd:\n    realm: basic-realm\n    path: {work / 'htpasswd'}\n"))
        token = TokenServer(work)
        (work / "token").mkdir()
        started["token"] = Registry(work / "token", auth=(
            f"  token:\n    realm: {token.url}\n    service: {SERVICE}\n"
            f"    issuer: {ISSUER}\n    rootcertbundle: {token.cert_path}\n"))
        started["token"].token_server = token
        (work / "insecure").mkdir()
        started["insecure"] = Registry(work / "insecure", ip="127.0.0.2")
        started["insecure"].seed(archives / "busybox.tar", "busybox:latest")
        yield started
    finally:
        for reg in started.values():
            reg.stop()
        if token:
            token.stop()
        shutil.rmtree(work, ignore_errors=True)


class Session:
    """A runtime with its own $MYDOCKER_CONFIG."""

    def __init__(self, runtime, config_dir, extra_env=None):
        self.rt = runtime
        self.config = Path(config_dir)
        self.env = {**os.environ, "MYDOCKER_CONFIG": str(self.config), **(extra_env or {})}

    def md(self, *args, input=None, check=False):
        return self.rt.md(*args, input=input, timeout=LIMIT, env=self.env, check=check)

    def login(self, host, password=PASSWORD):
        return self.md("login", "-u", USER, "--password-stdin", host, input=password + "\n")

    def auths(self):
        path = self.config / "config.json"
        return json.loads(path.read_text())["auths"] if path.exists() else {}


@pytest.fixture
def session(runtime):
    d = tempfile.mkdtemp(prefix="mydocker-it-cfg-")
    try:
        yield Session(runtime, d)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def layer_lines(stdout, text):
    return [line for line in stdout.splitlines() if line.endswith(": " + text)]


def commit_image(session, ref):
    """busybox plus a committed layer, tagged `ref`."""
    session.md("run", "--name", "c", "busybox", "sh", "-c", "echo pushed > /hello", check=True)
    session.md("commit", "c", ref, check=True)
    session.md("rm", "c", check=True)


@pytest.mark.parametrize("kind", ["basic", "token"])
def test_login_refused_then_accepted_and_logout(session, registries, kind):
    host = registries[kind].host
    r = session.login(host, password="wrong")
    assert r.returncode == 1
    assert r.stderr.count("\n") == 1 and "unauthorized: " in r.stderr, r.stderr
    assert session.auths() == {}
    r = session.login(host)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-1] == "Login Succeeded"
    assert PASSWORD not in r.stdout + r.stderr
    path = session.config / "config.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    auth = session.auths()[host]["auth"]
    assert base64.b64decode(auth).decode() == f"{USER}:{PASSWORD}"
    assert [p.name for p in session.config.iterdir()] == ["config.json"]  # no temporary left
    r = session.md("logout", host, check=True)
    assert r.stdout == f"Removing login credentials for {host}\n"
    assert host not in session.auths()
    r = session.md("logout", host, check=True)
    assert r.stdout == f"Not logged in to {host}\n"


def test_login_flags_as_docker(session, registries):
    host = registries["basic"].host
    r = session.md("login", "-u", USER, "-p", PASSWORD, host)
    assert r.returncode == 0, r.stderr
    assert "WARNING! Using --password via the CLI is insecure" in r.stderr
    r = session.md("login", "-p", "x", "--password-stdin", host, input="x")
    assert r.returncode == 1 and "mutually exclusive" in r.stderr
    r = session.md("login", "--password-stdin", host, input="x")
    assert r.returncode == 1 and "Must provide --username with --password-stdin" in r.stderr
    r = session.md("login", host, input="")
    assert r.returncode == 1 and "non TTY device" in r.stderr


@pytest.mark.parametrize("kind", ["basic", "token"])
def test_push_round_trip_needs_credentials(session, registries, kind):
    reg = registries[kind]
    ref = f"{reg.host}/app:v1"
    commit_image(session, ref)
    r = session.md("push", ref)
    assert r.returncode == 1 and "authentication required" in r.stderr, r.stderr
    assert session.login(reg.host).returncode == 0
    r = session.md("push", ref)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == f"The push refers to repository [{reg.host}/app]"
    assert len(layer_lines(r.stdout, "Pushed")) == 2  # busybox's layer and the committed one
    assert lines[-1].startswith("v1: digest: sha256:") and " size: " in lines[-1]
    digest = lines[-1].split()[2]
    if kind == "token":
        scopes = [s for s, _ in reg.token_server.requests if s]
        assert ["repository:app:pull,push"] in scopes
    session.md("rmi", ref, check=True)
    r = session.md("pull", ref)
    assert r.returncode == 0, r.stderr
    assert f"Digest: {digest}" in r.stdout
    r = session.md("run", "--rm", ref, "cat", "/hello", check=True)
    assert r.stdout == "pushed\n"
    session.md("logout", reg.host, check=True)
    session.md("rmi", ref, check=True)
    r = session.md("pull", ref)
    assert r.returncode == 1 and "authentication required" in r.stderr, r.stderr


def test_second_push_skips_and_other_repository_mounts(session, registries):
    reg = registries["basic"]
    assert session.login(reg.host).returncode == 0
    first = f"{reg.host}/first:v1"
    commit_image(session, first)
    # Small chunks: the committed layer and busybox's go up in several PATCHes each.
    env = {**session.env, "MYDOCKER_PUSH_CHUNK_SIZE": "65536"}
    r = session.rt.md("push", first, timeout=LIMIT, env=env)
    assert r.returncode == 0, r.stderr
    digest = r.stdout.splitlines()[-1].split()[2]
    # busybox's layer is 2 MB: dozens of PATCHes.
    assert reg.log_path.read_text().count('"PATCH /v2/first/blobs/uploads/') > 10
    r = session.md("push", first, check=True)
    assert len(layer_lines(r.stdout, "Layer already exists")) == 2
    assert layer_lines(r.stdout, "Pushed") == []
    assert r.stdout.splitlines()[-1].split()[2] == digest
    second = f"{reg.host}/second:v2"
    session.md("tag", first, second, check=True)
    r = session.md("push", second, check=True)
    assert len(layer_lines(r.stdout, "Mounted from first")) == 2, r.stdout
    assert r.stdout.splitlines()[-1].split()[:3] == ["v2:", "digest:", digest]
    session.md("rmi", first, second, check=True)
    r = session.md("pull", second, check=True)
    assert session.md("run", "--rm", second, "cat", "/hello", check=True).stdout == "pushed\n"


def test_pushing_a_missing_or_digest_reference(session, registries):
    host = registries["basic"].host
    r = session.md("push", f"{host}/nothing:here")
    assert r.returncode == 1
    assert f"An image does not exist locally with the tag: {host}/nothing" in r.stderr


def test_insecure_registry_not_on_loopback(session, registries):
    reg = registries["insecure"]
    ref = f"{reg.host}/busybox"
    r = session.md("pull", ref)
    assert r.returncode == 1, r.stdout  # HTTPS only: 127.0.0.2 is not a loopback name here
    session.env["MYDOCKER_INSECURE_REGISTRIES"] = f"other:1,{reg.host}"
    r = session.md("pull", ref)
    assert r.returncode == 0, r.stderr
    session.md("tag", ref, f"{reg.host}/copy:v1", check=True)
    r = session.md("push", f"{reg.host}/copy:v1")
    assert r.returncode == 0, r.stderr
    # The registry keeps busybox's layer gzipped (skopeo compressed it): the pull recorded that
    # blob, so the push mounts it from there rather than uploading the uncompressed stream.
    assert len(layer_lines(r.stdout, "Mounted from busybox")) == 1, r.stdout
    assert layer_lines(r.stdout, "Pushed") == [], r.stdout
