"""Registries for the tests that pull and push (the CLI's in tests/integration, pymydocker's in
tests/python, which puts this directory on sys.path): Debian's docker-registry with private
storage on a loopback address, and the small helpers around it. `wait_for` comes from the
conftest of whichever suite imports this (both have it)."""

import contextlib
import hashlib
import json
import shutil
import socket
import subprocess
import tempfile
import urllib.request
from pathlib import Path

import pytest

from conftest import wait_for

SCHEMA2 = "application/vnd.docker.distribution.manifest.v2+json"
LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
ACCEPT = ", ".join([SCHEMA2, LIST, OCI_MANIFEST, "application/vnd.oci.image.index.v1+json"])
# The bound on every CLI call here: a hang is a failure, not a stuck suite.
LIMIT = 120


def need(*tools):
    for t in tools:
        if shutil.which(t) is None:
            pytest.skip(f"{t} is not installed (tools/install-deps.sh installs it)")


def run_tool(*args, **kwargs):
    r = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=LIMIT,
                       **kwargs)
    assert r.returncode == 0, f"{args[0]} failed: {r.stderr}"
    return r.stdout


def free_port(host="127.0.0.1"):
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class Registry:
    """One docker-registry process with private storage; stopped by stop(). `auth` is the
    config's auth: section (indented lines), `ip` the loopback address it listens on; with
    `access_log` the requests are logged in `self.log_path`."""

    def __init__(self, workdir, tls=None, auth="", ip="127.0.0.1", access_log=False):
        self.ip = ip
        self.port = free_port(ip)
        self.host = f"{ip}:{self.port}"
        self.scheme = "https" if tls else "http"
        self.tls = tls
        self.log_path = workdir / "registry.log"
        self.log = open(self.log_path, "w")
        config = workdir / "config.yml"
        tls_lines = ""
        if tls:
            tls_lines = f"  tls:\n    certificate: {tls['cert']}\n    key: {tls['key']}\n"
        config.write_text(
            "version: 0.1\nlog:\n  level: warn\n  accesslog:\n"
            f"    disabled: {'false' if access_log else 'true'}\n"
            f"storage:\n  filesystem:\n    rootdirectory: {workdir / 'data'}\n"
            f"  delete:\n    enabled: true\nhttp:\n  addr: {self.host}\n{tls_lines}"
            + (f"auth:\n{auth}" if auth else ""))
        self.proc = subprocess.Popen(["docker-registry", "serve", str(config)],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        try:
            wait_for(self.ready, timeout=30, what="docker-registry to listen")
        except BaseException:
            self.stop()
            raise

    def ready(self):
        if self.proc.poll() is not None:
            pytest.fail(f"docker-registry exited {self.proc.returncode}")
        try:
            with socket.create_connection((self.ip, self.port), timeout=1):
                return True
        except OSError:
            return False

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()

    def seed(self, archive, name, *extra):
        run_tool("skopeo", "copy", "-q", "--dest-tls-verify=false", *extra,
                 f"docker-archive:{archive}", f"docker://{self.host}/{name}")

    def request(self, method, path, data=None, headers=None):
        req = urllib.request.Request(f"http://{self.host}/v2/{path}", data=data, method=method,
                                     headers=headers or {})
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.headers, resp.read()

    def manifest(self, name, ref):
        """(digest, size, parsed body) of a manifest, as the registry serves it."""
        headers, body = self.request("GET", f"{name}/manifests/{ref}", headers={"Accept": ACCEPT})
        return "sha256:" + hashlib.sha256(body).hexdigest(), len(body), json.loads(body)


@contextlib.contextmanager
def temporary_registry(auth_for=None, **kwargs):
    """A Registry in a temporary directory, stopped and removed afterwards; `auth_for(work)`
    gives its auth: section (it may write files such as an htpasswd into `work`)."""
    need("docker-registry")
    work = Path(tempfile.mkdtemp(prefix="mydocker-it-reg-"))
    reg = None
    try:
        if auth_for:
            kwargs["auth"] = auth_for(work)
        reg = Registry(work, **kwargs)
        yield reg
    finally:
        if reg:
            reg.stop()
        shutil.rmtree(work, ignore_errors=True)
