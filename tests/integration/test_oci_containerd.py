"""containerd 1.6 and its io.containerd.runc.v2 shim (what Kubernetes uses) drive mydocker-runc
(issue #15).

The test starts its own containerd (private --root, --state, socket and config, the CRI plugin
off) in a mount namespace of its own with a tmpfs over /run/containerd, where containerd 1.6
puts its shims' sockets whatever its roots. `ctr run --runc-binary mydocker-runc --runc-root
PRIVATE --rootfs DIR` runs the tests' busybox rootfs without images or snapshots (no mounts);
ctr's FIFOs go under the test's directory. Teardown stops everything and proves that nothing is
left: no process, cgroup, mount or runtime state.
"""

import os
import select
import shutil
import subprocess
import tarfile
import tempfile
import time
from pathlib import Path

import pytest

from conftest import BUSYBOX_TAR, MYDOCKER_BIN, mounts_mentioning, processes_mentioning, wait_for

RUNC = str(Path(MYDOCKER_BIN).resolve().parent / "mydocker-runc")
CONTAINERD = shutil.which("containerd")
CTR = shutil.which("ctr")
NAMESPACE = f"mydocker-test-{os.getpid()}"

CONFIG = """version = 2
disabled_plugins = ["io.containerd.grpc.v1.cri"]
"""

# containerd in a mount namespace of its own, /run/containerd (or /run where it does not exist:
# nothing may be made on the host) a tmpfs there.
PRIVATE_RUN = ("if [ -d /run/containerd ]; then d=/run/containerd; else d=/run; fi; "
               'mount -t tmpfs none "$d" && exec "$@"')


def namespace_cgroups():
    return [str(p) for p in Path("/sys/fs/cgroup").glob(f"*/{NAMESPACE}/*") if p.is_dir()] + [
        str(p) for p in Path("/sys/fs/cgroup").glob(f"{NAMESPACE}/*") if p.is_dir()]


class Containerd:
    def __init__(self, tmp):
        self.tmp = Path(tmp)
        self.rootfs = self.tmp / "rootfs"
        self.rootfs.mkdir()
        with tarfile.open(BUSYBOX_TAR) as tar:
            tar.extractall(self.rootfs)
        (self.tmp / "config.toml").write_text(CONFIG)
        (self.tmp / "fifo").mkdir()
        self.runc_root = self.tmp / "runc"
        self.sock = self.tmp / "containerd.sock"
        self.log = open(self.tmp / "containerd.log", "w")
        self.daemon = subprocess.Popen(
            ["unshare", "-m", "--propagation", "private", "sh", "-c", PRIVATE_RUN, "sh", CONTAINERD,
             "--config", str(self.tmp / "config.toml"), "--root", str(self.tmp / "root"),
             "--state", str(self.tmp / "state"), "--address", str(self.sock)],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        wait_for(lambda: self.ctr("version", check=False).returncode == 0, timeout=30,
                 what="containerd to answer")

    def ctr(self, *args, check=True, timeout=60):
        r = subprocess.run([CTR, "--address", str(self.sock), "--namespace", NAMESPACE, *args],
                           capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        if check and r.returncode != 0:
            pytest.fail(f"ctr {' '.join(args)}: exit {r.returncode}\n{r.stderr}")
        return r

    def run_args(self):
        return ["--runc-binary", RUNC, "--runc-root", str(self.runc_root), "--fifo-dir",
                str(self.tmp / "fifo"), "--rootfs", str(self.rootfs)]

    def remove_all(self):
        for cid in self.ctr("containers", "ls", "-q", check=False).stdout.split():
            self.ctr("task", "kill", "-s", "SIGKILL", cid, check=False)
            self.ctr("task", "delete", "--force", cid, check=False)
            self.ctr("containers", "delete", cid, check=False)

    def stop(self):
        self.daemon.terminate()
        try:
            self.daemon.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.daemon.kill()
            self.daemon.wait()
        self.log.close()


@pytest.fixture(scope="module")
def containerd():
    if os.geteuid() != 0:
        pytest.skip("needs root")
    if CONTAINERD is None or CTR is None:
        print("containerd is not installed (tools/install-deps.sh installs Debian's): skipped")
        pytest.skip("containerd is not installed (tools/install-deps.sh installs it)")
    tmp = tempfile.mkdtemp(prefix="oci-containerd-")
    c = None
    try:
        c = Containerd(tmp)
        yield c
    finally:
        if c is not None:
            c.remove_all()
            c.stop()
        leftovers = {
            "processes": wait_for_no_processes(tmp),
            "cgroups": namespace_cgroups(),
            "mounts": mounts_mentioning(tmp),
            # The shim gives the runtime --root RUNC_ROOT/NAMESPACE: any container left is in it.
            "state": [p.name for p in (Path(tmp) / "runc").glob("*/*")],
        }
        # The namespace's parent cgroup, made for its containers (runc leaves it too).
        for parent in Path("/sys/fs/cgroup").glob(f"*/{NAMESPACE}"):
            parent.rmdir()
        if Path(f"/sys/fs/cgroup/{NAMESPACE}").is_dir():
            Path(f"/sys/fs/cgroup/{NAMESPACE}").rmdir()
        shutil.rmtree(tmp, ignore_errors=True)
        assert not any(leftovers.values()), leftovers


def wait_for_no_processes(tmp):
    """The shims go some moments after containerd; what is still there after 10 s is left."""
    deadline = time.monotonic() + 10
    while processes_mentioning(tmp) and time.monotonic() < deadline:
        time.sleep(0.1)
    return processes_mentioning(tmp)


def test_run_rm_prints_and_exits_with_the_code(containerd):
    r = containerd.ctr("run", "--rm", *containerd.run_args(), "c1", "sh", "-c",
                       "echo hello from containerd; exit 3", check=False)
    assert r.returncode == 3, r.stderr
    assert r.stdout == "hello from containerd\n"
    assert containerd.ctr("containers", "ls", "-q").stdout.strip() == ""


def test_detached_task_exec_ps_pause_metrics_kill_delete(containerd):
    containerd.ctr("run", "-d", *containerd.run_args(), "c2", "sleep", "1000")
    r = containerd.ctr("task", "exec", "--exec-id", "e1", "--fifo-dir", str(containerd.tmp / "fifo"),
                       "c2", "sh", "-c", "echo in-exec; exit 5", check=False)
    assert (r.returncode, r.stdout) == (5, "in-exec\n"), r.stderr
    pid = int(containerd.ctr("task", "ls").stdout.split("\n")[1].split()[1])
    assert str(pid) in containerd.ctr("task", "ps", "c2").stdout
    containerd.ctr("task", "pause", "c2")
    assert "PAUSED" in containerd.ctr("task", "ls").stdout
    containerd.ctr("task", "resume", "c2")
    assert "RUNNING" in containerd.ctr("task", "ls").stdout
    assert "pids.current" in containerd.ctr("task", "metrics", "c2").stdout
    containerd.ctr("task", "kill", "-s", "SIGKILL", "c2")
    wait_for(lambda: "STOPPED" in containerd.ctr("task", "ls").stdout, what="the task to stop")
    containerd.ctr("task", "delete", "c2")
    containerd.ctr("containers", "delete", "c2")
    assert not os.path.exists(f"/proc/{pid}") and not namespace_cgroups()
    assert not list(containerd.runc_root.rglob("c2"))


def test_run_with_a_terminal(containerd):
    master, slave = os.openpty()
    cmd = [CTR, "--address", str(containerd.sock), "--namespace", NAMESPACE, "run", "-t", "--rm",
           *containerd.run_args(), "c3", "sh", "-c", "tty; echo on-the-ctr-pty"]
    p = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
    os.close(slave)
    data = b""
    deadline = time.monotonic() + 30
    try:
        while b"on-the-ctr-pty" not in data and time.monotonic() < deadline:
            if select.select([master], [], [], 1)[0]:
                try:
                    chunk = os.read(master, 1024)
                except OSError:
                    break
                if not chunk:
                    break
                data += chunk
        assert p.wait(timeout=30) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        os.close(master)
    assert b"/dev/pts/" in data and b"on-the-ctr-pty" in data, data
