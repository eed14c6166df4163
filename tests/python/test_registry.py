"""Runtime.images.pull() and push(), Runtime.login() and logout() against Debian's
docker-registry on 127.0.0.1 (the CLI tests' Registry, tests/integration/registry_helpers.py):
one open registry and one with htpasswd basic auth. Progress events seen, a cancel from the
callable leaving nothing, a push round trip, login refused and accepted, two threads pulling the
same image into one state root at once. Credentials go to a config.json under a temporary
$MYDOCKER_CONFIG."""

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

import pymydocker

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))
from registry_helpers import Registry, need  # noqa: E402

USER, PASSWORD = "pyuser", "py-s3cret"


@pytest.fixture(scope="module")
def registries():
    """(open, basic-auth) docker-registry instances, stopped afterwards."""
    need("docker-registry", "htpasswd")
    work = Path(tempfile.mkdtemp(prefix="pymydocker-reg-"))
    started = []
    try:
        (work / "open").mkdir()
        started.append(Registry(work / "open"))
        (work / "basic").mkdir()
        lines = subprocess.run(["htpasswd", "-Bbn", USER, PASSWORD], capture_output=True,
                               text=True, check=True, timeout=60).stdout
        (work / "htpasswd").write_text(lines)
        started.append(Registry(work / "basic", auth=(
            f"  htpasswd:\n    realm: basic-realm\n    path: {work / 'htpasswd'}\n")))
        yield started[0], started[1]
    finally:
        for r in started:
            r.stop()
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture
def config_dir(monkeypatch):
    d = tempfile.mkdtemp(prefix="pymydocker-auth-")
    monkeypatch.setenv("MYDOCKER_CONFIG", d)
    yield Path(d)
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def fresh():
    """A second Runtime on an empty state root (nothing imported), removed afterwards."""
    root = tempfile.mkdtemp(prefix="pymydocker-test-pull-")
    yield pymydocker.Runtime(root)
    shutil.rmtree(root, ignore_errors=True)


def stored_layers(runtime):
    d = Path(runtime.root) / "layers" / "sha256"
    return sorted(p.name for p in d.iterdir()) if d.is_dir() else []


def temp_leftovers(runtime):
    d = Path(runtime.root) / "layers"
    return sorted(p.name for p in d.iterdir() if p.name.startswith("tmp-")) if d.is_dir() else []


def push_busybox(rt, busybox_tar, ref):
    image = rt.images.import_tar(busybox_tar, ref)
    rt.images.push(ref)
    return image


def test_push_and_pull_round_trip_with_progress(rt, fresh, registries, busybox_tar, config_dir):
    ref = f"{registries[0].host}/py/box:v1"
    image = rt.images.import_tar(busybox_tar, ref)
    events = []
    digest = rt.images.push(ref, progress=events.append)
    assert digest.startswith("sha256:")
    statuses = [e["status"] for e in events]
    assert statuses[0] == "Preparing" and statuses[-1] == "Pushed"
    assert "Pushing" in statuses
    assert all(len(e["id"]) == 12 for e in events)
    events.clear()
    assert rt.images.push(ref, progress=events.append) == digest
    assert [e["status"] for e in events] == ["Preparing", "Layer already exists"]

    events.clear()
    pulled = fresh.images.pull(ref, progress=events.append)
    assert pulled.id == image.id and ref in pulled.tags
    statuses = [e["status"] for e in events]
    for want in ("Resolved", "Pulling fs layer", "Downloading", "Download complete",
                 "Extracting", "Pull complete"):
        assert want in statuses, statuses
    downloading = [e for e in events if e["status"] == "Downloading"]
    assert downloading[-1]["progressDetail"]["current"] == downloading[-1]["progressDetail"]["total"]
    inspect = fresh.images.inspect(ref)
    assert inspect["RepoDigests"] and inspect["RepoDigests"][0].startswith(f"{registries[0].host}/py/box@")
    assert temp_leftovers(fresh) == []


def test_an_exception_in_the_callable_cancels_and_leaves_nothing(rt, fresh, registries,
                                                                  busybox_tar, config_dir):
    ref = f"{registries[0].host}/py/cancel:v1"
    push_busybox(rt, busybox_tar, ref)
    seen = []

    def progress(event):
        seen.append(event["status"])
        if event["status"] == "Downloading":
            raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        fresh.images.pull(ref, progress=progress)
    assert seen.count("Downloading") == 1, "the callable was called after it raised"
    assert fresh.images.list() == []
    assert stored_layers(fresh) == []
    assert temp_leftovers(fresh) == []
    # Nothing was left half-done: the same pull then succeeds.
    assert fresh.images.pull(ref).tags == [ref]


def test_login_refused_then_accepted_and_logout(rt, fresh, registries, busybox_tar, config_dir):
    host = registries[1].host
    ref = f"{host}/py/private:v1"
    rt.images.import_tar(busybox_tar, ref)
    with pytest.raises(pymydocker.MyDockerError, match="authentication required"):
        rt.images.push(ref)
    with pytest.raises(pymydocker.MyDockerError, match="unauthorized") as refused:
        pymydocker.Runtime.login(host, USER, "wrong")
    assert refused.value.code == "UNAUTHENTICATED"
    assert not (config_dir / "config.json").exists()

    rt.login(host, USER, PASSWORD)
    config = config_dir / "config.json"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert host in json.loads(config.read_text())["auths"]
    assert rt.images.push(ref).startswith("sha256:")
    assert fresh.images.pull(ref).tags == [ref]

    assert rt.logout(host) is True
    assert rt.logout(host) is False
    assert host not in json.loads(config.read_text())["auths"]
    with pytest.raises(pymydocker.MyDockerError, match="authentication required"):
        fresh.images.pull(f"{host}/py/private:v1")


def test_two_threads_pull_the_same_image_at_once(rt, fresh, registries, busybox_tar, config_dir):
    ref = f"{registries[0].host}/py/threads:v1"
    image = push_busybox(rt, busybox_tar, ref)
    barrier = threading.Barrier(2)
    results, errors, other_thread_ran = [], [], []

    def pull():
        barrier.wait()
        try:
            # The GIL is released during the transfer: the other thread runs Python meanwhile.
            results.append(fresh.images.pull(ref, progress=lambda e: other_thread_ran.append(1)))
        except Exception as e:  # noqa: BLE001 (reported below)
            errors.append(e)

    threads = [threading.Thread(target=pull) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert [r.id for r in results] == [image.id, image.id]
    assert stored_layers(fresh) == [layer.split(":")[1] for layer in image.layers]
    assert temp_leftovers(fresh) == []
    assert [i.id for i in fresh.images.list()] == [image.id]
    assert os.listdir(Path(fresh.root) / "layers" / "sha256")  # the one layer, whole


def test_byte_counts_reach_the_callable_at_most_every_100ms_per_layer(rt, fresh, registries,
                                                                       config_dir):
    """Over a transfer of T ms, at most 2 + T / 100 byte counts for the one layer (libcurl
    reports every 16 KiB: hundreds of chunks for 8 MiB), the last one complete."""
    import tarfile
    import time
    work = Path(tempfile.mkdtemp(prefix="pymydocker-big-"))
    try:
        (work / "blob").write_bytes(os.urandom(8 << 20))
        with tarfile.open(work / "big.tar", "w") as tar:
            tar.add(work / "blob", arcname="blob")
        ref = f"{registries[0].host}/py/big:v1"
        image = rt.images.import_tar(str(work / "big.tar"), ref)
        for status, call in (("Pushing", lambda cb: rt.images.push(ref, progress=cb)),
                             ("Downloading", lambda cb: fresh.images.pull(ref, progress=cb))):
            events = []
            start = time.monotonic()
            call(events.append)
            elapsed_ms = (time.monotonic() - start) * 1000
            counts = [e["progressDetail"] for e in events if e["status"] == status]
            assert counts and counts[-1]["current"] == counts[-1]["total"] >= 8 << 20
            assert len(counts) <= 2 + elapsed_ms // 100, (status, len(counts), elapsed_ms)
        assert fresh.images.inspect(ref)["Id"] == image.id
    finally:
        shutil.rmtree(work, ignore_errors=True)
