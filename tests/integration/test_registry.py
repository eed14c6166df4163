"""pull from real registries: Debian's docker-registry (the distribution registry 2.8) on
127.0.0.1, plain and with TLS from a CA made here with openssl, seeded with skopeo from archives
that `save` wrote (busybox, a multi-layer image made with commit, an OCI-manifest copy, a manifest
list of two platforms pushed through the registry API); and a hostile registry written here that
lies about digests, truncates, redirects in a loop, never ends or stalls. Every process and
server started here is stopped, even when a test fails. See docs/registries.md."""

import gzip
import http.server
import json
import os
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path

import pytest

from conftest import BUSYBOX_TAR, Runtime
from image_fixtures import busybox_layer, config_for, layer, sha256
from registry_helpers import (LIMIT, LIST, OCI_MANIFEST, SCHEMA2, Registry,  # noqa: F401
                              free_port, need, run_tool)


def temp_leftovers(runtime):
    d = Path(runtime.root) / "layers"
    return sorted(p.name for p in d.iterdir() if p.name.startswith("tmp-")) if d.is_dir() else []


def image_ids(runtime):
    return sorted(runtime.md("images", "-q", "--no-trunc", check=True).stdout.split())


def image_id(runtime, ref):
    return json.loads(runtime.md("image", "inspect", ref, check=True).stdout)[0]["Id"]


@pytest.fixture(scope="module")
def archives(mydocker_bin):
    """busybox and snap:v1 (busybox plus a committed layer), written by `save`."""
    need("skopeo", "docker-registry")
    work = Path(tempfile.mkdtemp(prefix="mydocker-it-reg-"))
    rt = Runtime(tempfile.mkdtemp(prefix="mydocker-it-"), mydocker_bin)
    problems = []
    try:
        rt.md("image", "import", BUSYBOX_TAR, "busybox", check=True)
        rt.md("run", "--name", "c", "busybox", "sh", "-c", "echo layered > /hello", check=True)
        rt.md("commit", "c", "snap:v1", check=True)
        rt.md("rm", "c", check=True)
        rt.md("save", "-o", work / "busybox.tar", "busybox", check=True)
        rt.md("save", "-o", work / "snap.tar", "snap:v1", check=True)
        yield work
    finally:
        problems = rt.teardown()
        shutil.rmtree(work, ignore_errors=True)
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="module")
def registry(archives):
    """A plain-HTTP registry with busybox:latest, snap:v1, oci/busybox (OCI manifest) and list
    (a manifest list: linux/amd64 is busybox, linux/arm64/v8 is snap)."""
    work = Path(tempfile.mkdtemp(prefix="mydocker-it-reg-"))
    reg = None
    try:
        reg = Registry(work)
        reg.seed(archives / "busybox.tar", "busybox:latest")
        reg.seed(archives / "snap.tar", "snap:v1")
        reg.seed(archives / "busybox.tar", "oci/busybox:latest", "--format", "oci")
        reg.seed(archives / "busybox.tar", "list:amd64")
        reg.seed(archives / "snap.tar", "list:arm64")
        entries = []
        for tag, platform in (("amd64", {"architecture": "amd64", "os": "linux"}),
                              ("arm64", {"architecture": "arm64", "os": "linux", "variant": "v8"})):
            digest, size, _ = reg.manifest("list", tag)
            entries.append({"mediaType": SCHEMA2, "digest": digest, "size": size,
                            "platform": platform})
        body = json.dumps({"schemaVersion": 2, "mediaType": LIST, "manifests": entries}).encode()
        reg.request("PUT", "list/manifests/latest", data=body, headers={"Content-Type": LIST})
        yield reg
    finally:
        if reg:
            reg.stop()
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(scope="module")
def tls_registry(archives):
    """A registry serving TLS with a certificate of a CA made here; yields (registry, certs.d)."""
    need("openssl")
    work = Path(tempfile.mkdtemp(prefix="mydocker-it-reg-"))
    reg = None
    try:
        def ssl(*args):
            run_tool("openssl", *args, cwd=work)
        ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt",
            "-days", "2", "-subj", "/CN=mydocker test CA")
        ssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
            "-subj", "/CN=127.0.0.1")
        (work / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
        ssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "server.crt", "-days", "2", "-extfile", "ext.cnf")
        reg = Registry(work, tls={"cert": work / "server.crt", "key": work / "server.key"})
        reg.seed(archives / "busybox.tar", "busybox:latest")
        certs = work / "certs.d"
        (certs / reg.host).mkdir(parents=True)
        shutil.copy(work / "ca.crt", certs / reg.host / "ca.crt")
        yield reg, certs
    finally:
        if reg:
            reg.stop()
        shutil.rmtree(work, ignore_errors=True)


def pull(runtime, *args, env=None):
    return runtime.md("pull", *args, timeout=LIMIT, env=env)


def test_pull_by_tag_and_digest_records_and_runs(runtime, registry):
    runtime.md("rmi", "busybox", check=True)
    ref = f"{registry.host}/busybox"
    digest, _, _ = registry.manifest("busybox", "latest")
    r = pull(runtime, ref)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "latest: Pulling from busybox"
    assert any(line.endswith(": Pull complete") for line in lines)
    assert f"Digest: {digest}" in lines
    assert f"Status: Downloaded newer image for {ref}:latest" in lines
    assert lines[-1] == f"{ref}:latest"
    r = pull(runtime, ref)
    assert f"Status: Image is up to date for {ref}:latest" in r.stdout
    rows = runtime.md("images", "--digests", check=True).stdout.splitlines()
    assert rows[0].split()[:3] == ["REPOSITORY", "TAG", "DIGEST"]
    assert [ref, "latest", digest] == rows[1].split()[:3]
    r = runtime.md("run", "--rm", f"{ref}@{digest}", "echo", "by digest", check=True)
    assert r.stdout == "by digest\n"
    r = pull(runtime, "-q", f"{ref}@{digest}")
    assert r.returncode == 0 and r.stdout == f"{ref}@{digest}\n"
    runtime.md("tag", f"{ref}@{digest}", "mine:v1", check=True)
    assert runtime.md("run", "--rm", "mine:v1", "true").returncode == 0
    r = runtime.md("rmi", f"{ref}@{digest}", check=True)
    assert r.stdout == f"Untagged: {ref}@{digest}\n"
    runtime.md("rmi", f"{ref}:latest", check=True)
    r = runtime.md("rmi", "mine:v1", check=True)
    assert "Deleted: " in r.stdout
    assert image_ids(runtime) == [] and runtime.layer_dirs() == []
    assert temp_leftovers(runtime) == []


def test_layer_shared_between_images_is_fetched_once(runtime, registry):
    runtime.md("rmi", "busybox", check=True)
    r = pull(runtime, f"{registry.host}/snap:v1")
    assert r.returncode == 0, r.stderr
    assert r.stdout.count(": Pull complete") == 2
    r = pull(runtime, f"{registry.host}/busybox")
    assert r.returncode == 0, r.stderr
    assert r.stdout.count(": Already exists") == 1
    assert "Pulling fs layer" not in r.stdout and "Pull complete" not in r.stdout
    r = runtime.md("run", "--rm", f"{registry.host}/snap:v1", "cat", "/hello", check=True)
    assert r.stdout == "layered\n"
    assert len(runtime.layer_dirs()) == 2


def test_pulled_image_is_pushed_with_its_layer_digests(runtime, registry):
    """A pulled image's layers go back as the compressed blobs they came as (as Docker's v2
    metadata): mounted into another repository of the registry, found in their own, never
    uploaded again; pushing twice gives the same manifest digest."""
    ref = f"{registry.host}/snap:v1"
    assert pull(runtime, ref).returncode == 0
    _, _, pulled = registry.manifest("snap", "v1")
    blobs = [d["digest"] for d in pulled["layers"]]
    copy = f"{registry.host}/keep/snap:v1"
    runtime.md("tag", ref, copy, check=True)
    runtime.md("rmi", ref, check=True)  # the record, not a tag, names where the blobs are
    r = runtime.md("push", copy, timeout=LIMIT)
    assert r.returncode == 0, r.stderr
    assert r.stdout.count(": Mounted from snap\n") == 2, r.stdout
    assert "Pushed" not in r.stdout and "Pushing" not in r.stdout
    digest = r.stdout.splitlines()[-1].split()[2]
    _, _, pushed = registry.manifest("keep/snap", "v1")
    assert [d["digest"] for d in pushed["layers"]] == blobs
    r = runtime.md("push", copy, timeout=LIMIT, check=True)
    assert r.stdout.count(": Layer already exists\n") == 2, r.stdout
    assert r.stdout.splitlines()[-1].split()[2] == digest
    back = f"{registry.host}/snap:again"
    runtime.md("tag", copy, back, check=True)
    r = runtime.md("push", back, timeout=LIMIT, check=True)
    assert r.stdout.count(": Layer already exists\n") == 2, r.stdout
    assert r.stdout.splitlines()[-1].split()[2] == digest
    assert runtime.md("run", "--rm", copy, "cat", "/hello", check=True).stdout == "layered\n"


def test_push_uploads_layers_in_parallel(runtime):
    """Three layers the registry lacks go up at once (3 at a time, as a pull's downloads): the
    registry's access log shows every upload started before the largest layer's chunks ended."""
    need("docker-registry")
    work = Path(tempfile.mkdtemp(prefix="mydocker-it-reg-"))
    reg = None
    try:
        reg = Registry(work, access_log=True)
        ref = f"{reg.host}/par:v1"
        runtime.md("run", "--name", "c1", "busybox", "sh", "-c", "echo one > /one", check=True)
        runtime.md("commit", "c1", "par:step", check=True)
        runtime.md("run", "--name", "c2", "par:step", "sh", "-c", "echo two > /two", check=True)
        runtime.md("commit", "c2", ref, check=True)
        runtime.md("rm", "c1", "c2", check=True)
        env = {**os.environ, "MYDOCKER_PUSH_CHUNK_SIZE": "16384"}
        r = runtime.md("push", ref, timeout=LIMIT, env=env)
        assert r.returncode == 0, r.stderr
        assert r.stdout.count(": Pushed\n") == 3, r.stdout
        log = [line for line in reg.log_path.read_text().splitlines() if "/v2/par/blobs/" in line]
        last_patch = max(i for i, line in enumerate(log) if '"PATCH /v2/par/blobs/uploads/' in line)
        started = [line for line in log[:last_patch] if '"POST /v2/par/blobs/uploads/' in line]
        assert len(started) == 3, "\n".join(log)
        runtime.md("rmi", ref, "par:step", check=True)
        assert runtime.md("pull", ref, timeout=LIMIT).returncode == 0
        r = runtime.md("run", "--rm", ref, "cat", "/one", "/two", check=True)
        assert r.stdout == "one\ntwo\n"
    finally:
        if reg:
            reg.stop()
        shutil.rmtree(work, ignore_errors=True)


def test_oci_manifest_image(runtime, registry):
    _, _, manifest = registry.manifest("oci/busybox", "latest")
    assert manifest["mediaType"] == OCI_MANIFEST
    r = pull(runtime, f"{registry.host}/oci/busybox")
    assert r.returncode == 0, r.stderr
    r = runtime.md("run", "--rm", f"{registry.host}/oci/busybox", "echo", "oci", check=True)
    assert r.stdout == "oci\n"


def test_manifest_list_platform_selection(runtime, registry):
    ref = f"{registry.host}/list"
    list_digest, _, _ = registry.manifest("list", "latest")
    _, _, amd64 = registry.manifest("list", "amd64")
    _, _, arm64 = registry.manifest("list", "arm64")
    r = pull(runtime, ref)
    assert r.returncode == 0, r.stderr
    assert f"Digest: {list_digest}" in r.stdout
    assert image_id(runtime, ref) == amd64["config"]["digest"]
    r = pull(runtime, "--platform", "linux/arm64/v8", ref)
    assert r.returncode == 0, r.stderr
    assert image_id(runtime, ref) == arm64["config"]["digest"]
    r = pull(runtime, "--platform", "linux/s390x", ref)
    assert r.returncode == 1
    assert "no matching manifest for linux/s390x" in r.stderr
    r = pull(runtime, "--platform", "linux", ref)
    assert r.returncode == 1 and "invalid platform" in r.stderr


def test_single_platform_image_checked_against_platform(runtime, registry):
    ref = f"{registry.host}/busybox"
    images = image_ids(runtime)
    r = pull(runtime, "--platform", "linux/arm64", ref)
    assert r.returncode == 1
    assert ("was found but does not match the specified platform: wanted linux/arm64, "
            "actual: linux/amd64") in r.stderr
    assert image_ids(runtime) == images and temp_leftovers(runtime) == []
    r = pull(runtime, "--platform", "linux/amd64", ref)
    assert r.returncode == 0, r.stderr


def test_tls_registry_needs_its_ca(runtime, tls_registry):
    reg, certs = tls_registry
    ref = f"{reg.host}/busybox"
    r = pull(runtime, ref, env=dict(os.environ, MYDOCKER_CERTS_D=str(certs.parent / "none")))
    assert r.returncode == 1
    assert "certificate" in r.stderr and len(r.stderr.splitlines()) == 1
    r = pull(runtime, ref, env=dict(os.environ, MYDOCKER_CERTS_D=str(certs)))
    assert r.returncode == 0, r.stderr
    assert runtime.md("run", "--rm", ref, "true").returncode == 0


def test_missing_image_and_unreachable_registry(runtime, registry):
    r = pull(runtime, f"{registry.host}/nothing:here")
    assert r.returncode == 1 and r.stderr.startswith("mydocker: ") and r.stdout == ""
    assert "HTTP 404" in r.stderr and len(r.stderr.splitlines()) == 1
    r = pull(runtime, f"127.0.0.1:{free_port()}/busybox")
    assert r.returncode == 1 and len(r.stderr.splitlines()) == 1
    r = pull(runtime, "Bad/Name")
    assert r.returncode == 1 and "invalid image reference" in r.stderr
    assert temp_leftovers(runtime) == []


def test_run_pull_policies(runtime, registry):
    runtime.md("rmi", "busybox", check=True)
    ref = f"{registry.host}/busybox"
    r = runtime.md("run", "--rm", "--pull", "never", ref, "true")
    assert r.returncode == 125 and "no such image" in r.stderr
    r = runtime.md("run", "--rm", ref, "echo", "pulled", timeout=LIMIT)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "pulled\n"
    assert f"Unable to find image '{ref}' locally" in r.stderr
    assert "Status: Downloaded newer image" in r.stderr
    r = runtime.md("run", "--rm", "--pull", "always", ref, "true", timeout=LIMIT)
    assert r.returncode == 0 and "Image is up to date" in r.stderr
    r = runtime.md("run", "--rm", "--pull", "sometimes", ref, "true")
    assert r.returncode == 125 and "invalid pull option" in r.stderr
    gone = f"127.0.0.1:{free_port()}/gone"
    r = runtime.md("run", "--rm", gone, "true", timeout=LIMIT)
    assert r.returncode == 125
    assert r.stderr.splitlines()[0] == f"Unable to find image '{gone}' locally"
    errors = [line for line in r.stderr.splitlines() if line.startswith("mydocker: ")]
    assert len(errors) == 1 and "ping registry" in errors[0]
    assert runtime.container_dirs() == []


# The hostile registry: one image, busybox (already stored by the fixture: never fetched) plus a
# small layer, whose blob or manifest each mode corrupts.
SMALL = layer(("hostile.txt", "x" * 4000))
SMALL_GZ = gzip.compress(SMALL, mtime=0)
CONFIG = config_for([busybox_layer(), SMALL], {"Cmd": ["sh"]})


def blob_desc(media_type, data):
    return {"mediaType": media_type, "digest": sha256(data), "size": len(data)}


MANIFEST = json.dumps({
    "schemaVersion": 2, "mediaType": SCHEMA2,
    "config": blob_desc("application/vnd.docker.container.image.v1+json", CONFIG),
    "layers": [blob_desc("application/vnd.docker.image.rootfs.diff.tar", busybox_layer()),
               blob_desc("application/vnd.docker.image.rootfs.diff.tar.gzip", SMALL_GZ)],
}).encode()

HOSTILE_MODES = {
    "wrong-digest": "does not match its digest",
    "truncated": "transfer closed",
    "oversized-manifest": "larger than the 4194304 bytes allowed",
    "endless-manifest": "larger than the 4194304 bytes allowed",
    "redirect-loop": "too many redirects",
    "endless-body": "more than the",
    "stall": "stalled",
}


class HostileHandler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, body, content_type="application/octet-stream", length=None):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def endless(self):
        self.send_response(200)
        self.end_headers()  # no length: the body ends when the connection does
        chunk = b"{" * 65536
        try:
            while not self.server.stopping.is_set():
                self.wfile.write(chunk)
        except OSError:
            pass

    def do_GET(self):
        parts = self.path.split("/")
        if self.path == "/v2/":
            return self.reply(b"{}", "application/json")
        mode, kind, ref = parts[2], parts[3], parts[4]
        if kind == "manifests":
            if mode == "oversized-manifest":
                return self.reply(b" " * (5 << 20), SCHEMA2)
            if mode == "endless-manifest":
                return self.endless()
            return self.reply(MANIFEST, SCHEMA2)
        if ref == sha256(CONFIG):
            return self.reply(CONFIG)
        if ref == sha256(busybox_layer()):
            return self.reply(busybox_layer())
        self.server.blob_requested.set()
        self.blob(mode)

    def resume(self):
        """The first request gets half of the blob and a closed connection; a request with a
        Range header gets the rest (206)."""
        asked = self.headers.get("Range")
        if not asked:
            self.send_response(200)
            self.send_header("Content-Length", str(len(SMALL_GZ)))
            self.end_headers()
            self.wfile.write(SMALL_GZ[:len(SMALL_GZ) // 2])
            return
        self.server.ranges.append(asked)
        start = int(asked.removeprefix("bytes=").split("-")[0])
        self.send_response(206)
        self.send_header("Content-Range", f"bytes {start}-{len(SMALL_GZ) - 1}/{len(SMALL_GZ)}")
        self.send_header("Content-Length", str(len(SMALL_GZ) - start))
        self.end_headers()
        self.wfile.write(SMALL_GZ[start:])

    def blob(self, mode):
        if mode == "resume":
            return self.resume()
        if mode == "wrong-digest":
            return self.reply(bytes(reversed(SMALL_GZ)))
        if mode == "truncated":
            self.send_response(200)
            self.send_header("Content-Length", str(len(SMALL_GZ)))
            self.end_headers()
            self.wfile.write(SMALL_GZ[:len(SMALL_GZ) // 2])
            return
        if mode == "redirect-loop":
            self.send_response(302)
            self.send_header("Location", self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if mode == "endless-body":
            return self.endless()
        if mode == "stall":
            self.send_response(200)
            self.send_header("Content-Length", str(len(SMALL_GZ)))
            self.end_headers()
            self.wfile.flush()
            self.server.stopping.wait(LIMIT)
            return
        self.reply(SMALL_GZ)


@pytest.fixture(scope="module")
def hostile():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), HostileHandler)
    server.daemon_threads = True
    server.stopping = threading.Event()
    server.blob_requested = threading.Event()
    server.ranges = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def test_hostile_registry_control_pull_works(runtime, hostile):
    host = f"127.0.0.1:{hostile.server_address[1]}"
    r = pull(runtime, f"{host}/honest")
    assert r.returncode == 0, r.stderr
    assert r.stdout.count(": Already exists") == 1
    assert runtime.md("run", "--rm", f"{host}/honest", "cat", "/hostile.txt",
                      check=True).stdout == "x" * 4000


def test_broken_download_resumes_with_a_range_request(runtime, hostile):
    host = f"127.0.0.1:{hostile.server_address[1]}"
    hostile.ranges.clear()
    r = pull(runtime, f"{host}/resume")
    assert r.returncode == 0, r.stderr
    assert hostile.ranges == [f"bytes={len(SMALL_GZ) // 2}-"]
    assert runtime.md("run", "--rm", f"{host}/resume", "cat", "/hostile.txt",
                      check=True).stdout == "x" * 4000
    assert temp_leftovers(runtime) == []


@pytest.mark.parametrize("mode", sorted(HOSTILE_MODES))
def test_hostile_registry_is_refused(runtime, hostile, mode):
    host = f"127.0.0.1:{hostile.server_address[1]}"
    images, layers = image_ids(runtime), runtime.layer_dirs()
    r = pull(runtime, f"{host}/{mode}",
             env=dict(os.environ, MYDOCKER_REGISTRY_STALL_TIMEOUT="2"))
    assert r.returncode == 1
    errors = r.stderr.splitlines()
    assert len(errors) == 1 and errors[0].startswith("mydocker: "), r.stderr
    assert HOSTILE_MODES[mode] in errors[0]
    assert image_ids(runtime) == images and runtime.layer_dirs() == layers
    assert temp_leftovers(runtime) == []


def test_interrupted_pull_stores_nothing(runtime, hostile):
    host = f"127.0.0.1:{hostile.server_address[1]}"
    images, layers = image_ids(runtime), runtime.layer_dirs()
    hostile.blob_requested.clear()
    proc = runtime.popen("pull", f"{host}/stall")
    assert hostile.blob_requested.wait(LIMIT), "the pull never asked for the blob"
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=LIMIT)
    assert proc.returncode == 1
    assert "interrupted" in err
    assert image_ids(runtime) == images and runtime.layer_dirs() == layers
    assert temp_leftovers(runtime) == []
