"""Real podman (through conmon) drives mydocker-runc (issue #15).

podman runs with private storage (--root, --runroot, --tmpdir under a temporary directory, the
vfs driver: no overlay mounts), cgroupfs, file events, no network (--network none) and a private
containers.conf (CONTAINERS_CONF) with the ulimits this host can grant; mydocker-runc keeps its
state under a private --root too (--runtime-flag). The image is the tests' busybox rootfs,
imported. Teardown removes everything and proves that nothing is left: no mount, cgroup,
process or state, and the host's own podman storage untouched.
"""

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import BUSYBOX_TAR, MYDOCKER_BIN, mounts_mentioning, processes_mentioning, wait_for

RUNC = str(Path(MYDOCKER_BIN).resolve().parent / "mydocker-runc")
PODMAN = shutil.which("podman")
HOST_STORAGE = Path("/var/lib/containers")

CONTAINERS_CONF = """[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
"""


def storage_snapshot():
    """What the host's default podman storage holds, with modification times (it must not
    change)."""
    if not HOST_STORAGE.exists():
        return None
    return sorted((str(p), p.stat().st_mtime_ns) for p in HOST_STORAGE.rglob("*"))


def libpod_cgroups():
    """podman's cgroupfs manager puts its containers (and conmon) under libpod_parent."""
    found = []
    for sub in [p / "libpod_parent" for p in Path("/sys/fs/cgroup").iterdir()] + [
            Path("/sys/fs/cgroup/libpod_parent")]:
        if sub.is_dir():
            found += [str(sub)] + [str(p) for p in sub.iterdir() if p.is_dir()]
    return set(found)


def remove_podman_parents(made):
    """libpod_parent and libpod_parent/conmon, which podman makes and never removes (with runc
    too), when this test made them."""
    for d in sorted(made, reverse=True):
        if d.endswith("/libpod_parent") or d.endswith("/libpod_parent/conmon"):
            try:
                os.rmdir(d)
            except OSError:
                pass


class Podman:
    def __init__(self, tmp):
        self.tmp = Path(tmp)
        self.state = self.tmp / "runc-state"
        conf = self.tmp / "containers.conf"
        conf.write_text(CONTAINERS_CONF)
        self.env = dict(os.environ, CONTAINERS_CONF=str(conf),
                        CONTAINERS_STORAGE_CONF=str(self.tmp / "storage.conf"))
        # Never the host's /etc/containers/storage.conf: its roots are the host's storage.
        (self.tmp / "storage.conf").write_text(
            f'[storage]\ndriver = "vfs"\nrunroot = "{self.tmp / "runroot"}"\n'
            f'graphroot = "{self.tmp / "root"}"\n')
        # The runtime with its private --root: podman's exit command (`container cleanup`) does
        # not pass --runtime-flag on, so the root goes in through a wrapper.
        runtime = self.tmp / "mydocker-runc"
        runtime.write_text(f'#!/bin/sh\nexec {RUNC} --root {self.state} "$@"\n')
        runtime.chmod(0o755)
        self.base = [PODMAN, "--root", str(self.tmp / "root"), "--runroot", str(self.tmp / "runroot"),
                     "--tmpdir", str(self.tmp / "tmpdir"), "--cgroup-manager", "cgroupfs",
                     "--events-backend", "file", "--storage-driver", "vfs", "--runtime", str(runtime)]

    def run(self, *args, check=True, timeout=120, stdin=None, wrap=()):
        r = subprocess.run(list(wrap) + self.base + list(args), env=self.env, capture_output=True, text=True,
                           timeout=timeout, stdin=stdin if stdin is not None else subprocess.DEVNULL)
        if check and r.returncode != 0:
            pytest.fail(f"podman {' '.join(args)}: exit {r.returncode}\n{r.stderr}")
        return r


@pytest.fixture(scope="module")
def podman():
    if os.geteuid() != 0:
        pytest.skip("needs root")
    if PODMAN is None:
        pytest.skip("podman is not installed (tools/install-deps.sh installs it)")
    before = storage_snapshot()
    cgroups_before = libpod_cgroups()
    tmp = tempfile.mkdtemp(prefix="oci-podman-")
    p = Podman(tmp)
    try:
        p.run("import", BUSYBOX_TAR, "bb", wrap=HIDE_BLOB_CACHE)
        yield p
    finally:
        p.run("pod", "rm", "--all", "--force", "--time", "0", check=False)
        p.run("rm", "--all", "--force", "--time", "0", check=False)
        p.run("rmi", "--all", "--force", check=False)
        remove_podman_parents(libpod_cgroups() - cgroups_before)
        mounts = mounts_mentioning(tmp)
        for line in reversed(mounts):  # not left behind even when the test fails
            subprocess.run(["umount", "-l", line.split()[4]], check=False)
        leftovers = {
            "mounts": mounts,
            "state": [q.name for q in p.state.iterdir()] if p.state.exists() else [],
            "cgroups": sorted(libpod_cgroups() - cgroups_before),
            "processes": processes_mentioning(tmp),
        }
        shutil.rmtree(tmp, ignore_errors=True)
        assert storage_snapshot() == before, "the host's podman storage changed"
        assert not any(leftovers.values()), leftovers


NO_NET = ["--network", "none"]

# Making an image (import, a pod's infra image) writes the blob cache of containers/image in the
# host's /var/lib/containers/cache whatever the storage roots: a tmpfs hides it, in a mount
# namespace of the command's own (these commands make no mount podman needs later).
# (Where /var/lib/containers does not exist, over /var/lib: nothing may be made on the host.)
HIDE_BLOB_CACHE = ["unshare", "-m", "--propagation", "private", "sh", "-c",
                   "if [ -d /var/lib/containers ]; then d=/var/lib/containers; else d=/var/lib; fi; "
                   'mount -t tmpfs none "$d" && exec "$@"', "sh"]


def test_run_rm_prints_and_exits_with_the_code(podman):
    r = podman.run("run", "--rm", *NO_NET, "bb", "sh", "-c", "echo hello from podman; exit 3",
                   check=False)
    assert r.returncode == 3, r.stderr
    assert r.stdout == "hello from podman\n"
    assert podman.run("ps", "-aq").stdout.strip() == ""


def test_detached_container_exec_logs_top_stats_pause_stop_rm(podman):
    cid = podman.run("run", "-d", *NO_NET, "--name", "c1", "bb", "sh", "-c",
                     "echo started; exec sleep 1000").stdout.strip()
    assert cid
    wait_for(lambda: "started" in podman.run("logs", "c1").stdout, what="the container's output")
    r = podman.run("exec", "c1", "sh", "-c", "echo in-exec $$; exit 4", check=False)
    assert r.returncode == 4 and r.stdout.startswith("in-exec "), r.stderr
    r = podman.run("exec", "-e", "X=y", "-w", "/tmp", "c1", "sh", "-c", "echo $X; pwd")
    assert r.stdout == "y\n/tmp\n"
    # -t: a terminal through conmon's console socket (stdin from /dev/null is fine for podman).
    r = podman.run("exec", "-t", "c1", "tty")
    assert r.stdout.strip().startswith("/dev/pts/"), r.stdout
    top = podman.run("top", "c1").stdout
    assert "sleep 1000" in top
    stats = json.loads(podman.run("stats", "--no-stream", "--format", "json", "c1").stdout)
    assert stats and stats[0]["name"] == "c1"
    podman.run("pause", "c1")
    assert podman.run("inspect", "--format", "{{.State.Status}}", "c1").stdout.strip() == "paused"
    podman.run("unpause", "c1")
    assert podman.run("inspect", "--format", "{{.State.Status}}", "c1").stdout.strip() == "running"
    podman.run("stop", "--time", "1", "c1")
    assert podman.run("inspect", "--format", "{{.State.Status}}", "c1").stdout.strip() == "exited"
    podman.run("rm", "c1")
    assert not list(podman.state.iterdir()) if podman.state.exists() else True


def test_a_pod_of_two_containers_shares_one_network_namespace(podman):
    podman.run("pod", "create", "--name", "p1", "--network", "none", wrap=HIDE_BLOB_CACHE)
    podman.run("run", "-d", "--pod", "p1", "--name", "a", "bb", "sleep", "1000")
    podman.run("run", "-d", "--pod", "p1", "--name", "b", "bb", "sleep", "1000")
    pids = [int(podman.run("inspect", "--format", "{{.State.Pid}}", name).stdout) for name in ("a", "b")]
    links = {os.readlink(f"/proc/{pid}/ns/net") for pid in pids}
    assert len(links) == 1, links
    assert links != {os.readlink("/proc/self/ns/net")}
    uts = {os.readlink(f"/proc/{pid}/ns/pid") for pid in pids}
    assert len(uts) == 2  # each its own PID namespace
    podman.run("pod", "rm", "--force", "--time", "0", "p1")
    wait_for(lambda: not any(os.path.exists(f"/proc/{pid}") for pid in pids), what="the pod's processes end")
