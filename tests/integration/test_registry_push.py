"""push's later phases (issue #16) against Debian's docker-registry on 127.0.0.1: layers go up
gzip-compressed with their compressed digests recorded (a second push is a HEAD hit, another
repository mounts), the pushed manifest's digest becomes a RepoDigest usable as NAME@DIGEST, and
credentials kept by a credential helper (config.json's credsStore and credHelpers) that the test
writes into a temporary $PATH directory. Every process started here is stopped, even when a test
fails. See docs/registries.md."""

import gzip
import hashlib
import json
import os
import shutil
import stat
import tempfile
from pathlib import Path

import pytest

from registry_helpers import LIMIT, OCI_MANIFEST, need, run_tool, temporary_registry

USER, PASSWORD = "bob", "helper-pass"
GZIP_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"


@pytest.fixture(scope="module")
def registry():
    """A plain-HTTP registry (empty)."""
    with temporary_registry() as reg:
        yield reg


def htpasswd_auth(work):
    (work / "htpasswd").write_text(run_tool("htpasswd", "-Bbn", USER, PASSWORD))
    return f"  htpasswd:\n    realm: basic-realm\n    path: {work / 'htpasswd'}\n"


@pytest.fixture(scope="module")
def basic_registry():
    """A registry with htpasswd basic auth (USER, PASSWORD)."""
    need("htpasswd")
    with temporary_registry(auth_for=htpasswd_auth) as reg:
        yield reg


def commit_image(runtime, ref, text="pushed", env=None):
    """busybox plus a committed layer holding /hello, tagged `ref`."""
    runtime.md("run", "--name", "c", "busybox", "sh", "-c", f"echo {text} > /hello", check=True,
               env=env)
    runtime.md("commit", "c", ref, check=True, env=env)
    runtime.md("rm", "c", check=True, env=env)


def inspect(runtime, ref):
    return json.loads(runtime.md("image", "inspect", ref, check=True).stdout)[0]


def layer_lines(stdout, text):
    return [line for line in stdout.splitlines() if line.endswith(": " + text)]


def pushed_digest(stdout, tag):
    last = stdout.splitlines()[-1].split()
    assert last[:2] == [f"{tag}:", "digest:"] and last[3] == "size:", stdout
    return last[2]


def test_push_compresses_layers_and_records_their_digests(runtime, registry):
    ref = f"{registry.host}/gz/app:v1"
    commit_image(runtime, ref)
    diff_ids = inspect(runtime, ref)["RootFS"]["Layers"]
    r = runtime.md("push", ref, timeout=LIMIT)
    assert r.returncode == 0, r.stderr
    assert len(layer_lines(r.stdout, "Pushed")) == 2, r.stdout
    # Docker's short ids are of the diff ids.
    assert sorted(line.split(":")[0] for line in layer_lines(r.stdout, "Pushed")) == sorted(
        d.split(":")[1][:12] for d in diff_ids)
    _, _, manifest = registry.manifest("gz/app", "v1")
    assert manifest["mediaType"] == OCI_MANIFEST
    assert [d["mediaType"] for d in manifest["layers"]] == [GZIP_LAYER, GZIP_LAYER]
    _, config = registry.request("GET", f"gz/app/blobs/{manifest['config']['digest']}")
    assert json.loads(config)["rootfs"]["diff_ids"] == diff_ids  # uncompressed digests stay
    for layer, diff_id in zip(manifest["layers"], diff_ids):
        _, blob = registry.request("GET", f"gz/app/blobs/{layer['digest']}")
        assert blob[:2] == b"\x1f\x8b", "the registry's blob is not gzip"
        assert len(blob) == layer["size"] and layer["digest"] != diff_id
        assert "sha256:" + hashlib.sha256(blob).hexdigest() == layer["digest"]
        assert "sha256:" + hashlib.sha256(gzip.decompress(blob)).hexdigest() == diff_id
        record = Path(runtime.root) / "distribution/v2metadata-by-diffid" / (
            diff_id.split(":")[1] + ".json")
        sources = json.loads(record.read_text())["sources"]
        assert {"digest": layer["digest"], "mediaType": GZIP_LAYER, "size": layer["size"],
                "domain": registry.host, "repository": "gz/app"} in sources
        assert stat.S_IMODE(record.stat().st_mode) == 0o600

    # Again: the registry has the compressed blobs (HEAD), nothing is uploaded.
    r = runtime.md("push", ref, timeout=LIMIT, check=True)
    assert len(layer_lines(r.stdout, "Layer already exists")) == 2, r.stdout
    # Another repository of the registry mounts them.
    other = f"{registry.host}/gz/other:v1"
    runtime.md("tag", ref, other, check=True)
    r = runtime.md("push", other, timeout=LIMIT, check=True)
    assert len(layer_lines(r.stdout, "Mounted from gz/app")) == 2, r.stdout
    _, _, copied = registry.manifest("gz/other", "v1")
    assert copied["layers"] == manifest["layers"]

    # Without the records, the layers compress to the same blobs: found by HEAD.
    shutil.rmtree(Path(runtime.root) / "distribution")
    r = runtime.md("push", ref, timeout=LIMIT, check=True)
    assert len(layer_lines(r.stdout, "Layer already exists")) == 2, r.stdout

    # The round trip: rmi, pull the gzip layers back, run.
    runtime.md("rmi", ref, other, check=True)
    runtime.md("rmi", "busybox", check=True)
    assert runtime.layer_dirs() == []
    r = runtime.md("pull", ref, timeout=LIMIT)
    assert r.returncode == 0, r.stderr
    assert inspect(runtime, ref)["RootFS"]["Layers"] == diff_ids
    assert runtime.md("run", "--rm", ref, "cat", "/hello", check=True).stdout == "pushed\n"
    assert not any(p.name.startswith("tmp-") for p in (Path(runtime.root) / "layers").iterdir())


def test_pushed_digest_is_a_reference(runtime, registry):
    ref = f"{registry.host}/dg/app:v2"
    commit_image(runtime, ref, text="by-digest")
    r = runtime.md("push", ref, timeout=LIMIT)
    assert r.returncode == 0, r.stderr
    digest = pushed_digest(r.stdout, "v2")
    size = int(r.stdout.splitlines()[-1].split()[4])
    got, got_size, _ = registry.manifest("dg/app", "v2")
    assert (got, got_size) == (digest, size)
    by_digest = f"{registry.host}/dg/app@{digest}"
    assert inspect(runtime, ref)["RepoDigests"] == [by_digest]
    rows = runtime.md("images", "--digests", check=True).stdout.splitlines()
    row = [line.split() for line in rows if line.startswith(f"{registry.host}/dg/app ")]
    assert row and row[0][:3] == [f"{registry.host}/dg/app", "v2", digest], rows
    r = runtime.md("run", "--rm", by_digest, "cat", "/hello", check=True)
    assert r.stdout == "by-digest\n"
    # Gone with the image's last tag of the repository (as Docker), then pulled by digest.
    runtime.md("rmi", ref, check=True)
    assert runtime.md("image", "inspect", by_digest).returncode != 0
    r = runtime.md("pull", by_digest, timeout=LIMIT)
    assert r.returncode == 0, r.stderr
    assert f"Digest: {digest}" in r.stdout
    r = runtime.md("run", "--rm", by_digest, "cat", "/hello", check=True)
    assert r.stdout == "by-digest\n"
    runtime.md("rmi", by_digest, check=True)


HELPER = """#!/usr/bin/python3
# A credential helper for the test (docker-credential-helpers' protocol), keeping its secrets
# in a JSON file beside itself and logging each call.
import json, os, sys
here = os.path.dirname(os.path.abspath(__file__))
store = os.path.join(here, "store.json")
data = json.load(open(store)) if os.path.exists(store) else {}
action = sys.argv[1]
text = sys.stdin.read()
with open(os.path.join(here, "calls.log"), "a") as log:
    log.write(action + " " + (text if action != "store" else json.loads(text)["ServerURL"]) + "\\n")
if action == "store":
    entry = json.loads(text)
    data[entry["ServerURL"]] = [entry["Username"], entry["Secret"]]
elif action == "get":
    if text.strip() not in data:
        print("credentials not found in native keychain")
        sys.exit(1)
    user, secret = data[text.strip()]
    print(json.dumps({"ServerURL": text.strip(), "Username": user, "Secret": secret}))
elif action == "erase":
    if data.pop(text.strip(), None) is None:
        print("credentials not found in native keychain")
        sys.exit(1)
else:
    print("unknown action")
    sys.exit(1)
json.dump(data, open(store, "w"))
"""


class HelperSession:
    """A runtime with its own $MYDOCKER_CONFIG and a $PATH directory holding
    docker-credential-mdtest."""

    def __init__(self, runtime, work):
        self.rt = runtime
        self.config = work / "config"
        self.config.mkdir()
        self.bin = work / "bin"
        self.bin.mkdir()
        helper = self.bin / "docker-credential-mdtest"
        helper.write_text(HELPER)
        helper.chmod(0o755)
        self.env = {**os.environ, "MYDOCKER_CONFIG": str(self.config),
                    "PATH": f"{self.bin}:{os.environ['PATH']}"}

    def md(self, *args, input=None, check=False):
        return self.rt.md(*args, input=input, timeout=LIMIT, env=self.env, check=check)

    def write_config(self, doc):
        (self.config / "config.json").write_text(json.dumps(doc))

    def read_config(self):
        return json.loads((self.config / "config.json").read_text())

    def calls(self):
        log = self.bin / "calls.log"
        return log.read_text().splitlines() if log.exists() else []

    def login(self, host):
        return self.md("login", "-u", USER, "--password-stdin", host, input=PASSWORD + "\n")


@pytest.fixture
def helper_session(runtime):
    work = Path(tempfile.mkdtemp(prefix="mydocker-it-credhelper-"))
    try:
        yield HelperSession(runtime, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


@pytest.mark.parametrize("key", ["credsStore", "credHelpers"])
def test_credential_helper_keeps_the_credentials(helper_session, basic_registry, key):
    s, host = helper_session, basic_registry.host
    s.write_config({"credsStore": "mdtest"} if key == "credsStore" else
                   {"credHelpers": {host: "mdtest", "other.example:5000": "absent"},
                    "credsStore": "absent", "kept": {"x": 1}})
    ref = f"{host}/helped/app:v1"
    commit_image(s.rt, ref, env=s.env)
    r = s.md("push", ref)
    assert r.returncode == 1 and "authentication required" in r.stderr, r.stderr
    assert s.calls() == [f"get {host}"]
    r = s.login(host)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[-1] == "Login Succeeded"
    # The secret went to the helper; the file keeps an empty entry, as Docker's does.
    config = s.read_config()
    assert config["auths"] == {host: {}}
    assert PASSWORD not in (s.config / "config.json").read_text()
    if key == "credHelpers":
        assert config["kept"] == {"x": 1}
    assert json.loads((s.bin / "store.json").read_text()) == {host: [USER, PASSWORD]}
    r = s.md("push", ref)
    assert r.returncode == 0, r.stderr
    s.md("rmi", ref, check=True)
    assert s.md("pull", ref).returncode == 0
    r = s.md("logout", host, check=True)
    assert r.stdout == f"Removing login credentials for {host}\n"
    assert s.calls()[-1] == f"erase {host}"
    assert json.loads((s.bin / "store.json").read_text()) == {}
    assert s.read_config()["auths"] == {}
    r = s.md("logout", host, check=True)
    assert r.stdout == f"Not logged in to {host}\n"
    s.md("rmi", ref, check=True)
    r = s.md("pull", ref)
    assert r.returncode == 1 and "authentication required" in r.stderr, r.stderr


def test_missing_credential_helper_is_one_error_line(helper_session, basic_registry):
    s, host = helper_session, basic_registry.host
    s.write_config({"credsStore": "nothere"})
    s.md("tag", "busybox", f"{host}/box:v1", check=True)
    for args in (["pull", f"{host}/any:v1"], ["push", f"{host}/box:v1"]):
        r = s.md(*args)
        assert r.returncode == 1, r.stdout
        assert r.stderr.count("\n") == 1, r.stderr
        assert "docker-credential-nothere" in r.stderr and "not found in $PATH" in r.stderr
    r = s.login(host)
    assert r.returncode == 1 and r.stderr.count("\n") == 1, r.stderr
    assert "docker-credential-nothere" in r.stderr
    # A helper that fails says why, in one line.
    failing = s.bin / "docker-credential-broken"
    failing.write_text("#!/bin/sh\necho 'keychain locked'\nexit 3\n")
    failing.chmod(0o755)
    s.write_config({"credHelpers": {host: "broken"}})
    r = s.md("pull", f"{host}/any:v1")
    assert r.returncode == 1, r.stdout
    assert r.stderr.count("\n") == 1 and "keychain locked" in r.stderr, r.stderr
