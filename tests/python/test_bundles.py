"""pymydocker.Bundles: containers from OCI bundles through mydocker-runc (docs/oci.md), on
real containers. The test process is made a subreaper for each test (and stops being one after
it), as conmon is, so each container's init becomes its child once create returns, and the test
reaps it with os.waitpid. Teardown deletes whatever a failing test left and proves no state,
cgroup, mount or process of it remains. mydocker-runc comes from MYDOCKER_RUNC (CTest sets it).
"""

import ctypes
import glob
import json
import os
import shutil
import signal
import socket
import tempfile
import threading
import time
from pathlib import Path

import pytest

import pymydocker

PR_SET_CHILD_SUBREAPER = 36
REPO = Path(__file__).resolve().parents[2]
RUNC = os.environ.get("MYDOCKER_RUNC", str(REPO / "build" / "bin" / "mydocker-runc"))
APPLETS = ("sh", "echo", "cat", "sleep", "id", "pwd")


def _set_subreaper(on):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1 if on else 0, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def _reap_all():
    """Reaps every child that has ended; the pids reaped."""
    reaped = []
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return reaped
        if pid == 0:
            return reaped
        reaped.append(pid)


def _cgroups(ids):
    return [p for i in ids for p in glob.glob(f"/sys/fs/cgroup/**/mydocker-runc/{i}",
                                               recursive=True)]


class Env:
    def __init__(self, top):
        self.top = top
        self.root = str(top / "state")
        self.bundle = top / "bundle"
        rootfs = self.bundle / "rootfs"
        for d in ("bin", "proc", "dev"):
            (rootfs / d).mkdir(parents=True)
        shutil.copy("/bin/busybox", rootfs / "bin" / "busybox")
        for applet in APPLETS:
            os.symlink("busybox", rootfs / "bin" / applet)
        self.bundles = pymydocker.Bundles(self.root, runc=RUNC)
        self.ids = set()

    def config(self, args, **process):
        config = {
            "ociVersion": "1.0.2",
            "process": {"args": args, "env": ["PATH=/bin", "FROM=config"], "cwd": "/",
                        "user": {"uid": 0, "gid": 0}, **process},
            "root": {"path": "rootfs"},
            "hostname": "pybundle",
            "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
                       {"destination": "/dev", "type": "tmpfs", "source": "tmpfs"},
                       {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
                        "options": ["newinstance", "ptmxmode=0666", "mode=0620"]}],
            "linux": {"namespaces": [{"type": t} for t in
                                     ("pid", "mount", "uts", "ipc", "network")]},
        }
        (self.bundle / "config.json").write_text(json.dumps(config))

    def create(self, id, args, **kwargs):
        self.config(args)
        self.ids.add(id)
        return self.bundles.create(self.bundle, id, **kwargs)


@pytest.fixture
def env():
    if not os.path.exists(RUNC):
        pytest.skip(f"no mydocker-runc at {RUNC}")
    _set_subreaper(True)
    top = Path(tempfile.mkdtemp(prefix="pymydocker-bundles-"))
    e = None
    try:
        e = Env(top)
        yield e
    finally:
        try:
            left = []
            if e is not None:
                for b in e.bundles.list():
                    left.append(b.id)
                    b.delete(force=True)
            _reap_all()
            assert not left, f"containers left: {left}"
            assert not _cgroups(e.ids if e else ()), "cgroups left"
            with open("/proc/self/mountinfo") as f:
                assert str(top) not in f.read(), "mounts left"
            assert _reap_all() == [], "processes left"
        finally:
            _set_subreaper(False)
            shutil.rmtree(top, ignore_errors=True)


def test_lifecycle(env):
    out = env.top / "out"
    with open(out, "wb") as f:
        b = env.create("p1", ["sh", "-c", "echo hello from $(cat /proc/sys/kernel/hostname); "
                              "exec sleep 60"], stdout=f)
    assert b.id == "p1" and repr(b) == "<pymydocker.Bundle p1>"
    state = b.state()
    assert state["status"] == "created" and state["id"] == "p1"
    assert state["bundle"] == str(env.bundle)
    pid = b.pid
    assert pid == state["pid"] and pid > 0
    assert out.read_bytes() == b""  # init waits for start
    assert env.bundles.get("p1") == b
    assert [x.id for x in env.bundles.list()] == ["p1"]
    b.start()
    assert b.status == "running"
    for _ in range(200):
        if out.read_bytes():
            break
        time.sleep(0.01)
    assert out.read_bytes() == b"hello from pybundle\n"
    with pytest.raises(pymydocker.Conflict):
        b.start()
    with pytest.raises(pymydocker.Conflict):
        b.delete()
    assert b.status == "running"
    # Its processes and stats; paused and resumed, as the kernel's freezer says.
    assert b.pids() == [pid]
    stats = b.stats()
    assert stats["type"] == "stats" and stats["id"] == "p1"
    assert stats["data"]["pids"]["current"] == 1
    with pytest.raises(pymydocker.Conflict):
        b.resume()
    b.pause()
    assert b.status == "paused"
    with pytest.raises(pymydocker.Conflict):
        b.pause()
    b.resume()
    assert b.status == "running"
    b.kill(signal.SIGKILL)
    _, status = os.waitpid(pid, 0)  # this subreaper's child
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    assert b.status == "stopped"
    with pytest.raises(pymydocker.Conflict):
        b.kill()
    with pytest.raises(pymydocker.Conflict):
        b.stats()
    b.delete()
    with pytest.raises(pymydocker.NotFound):
        b.state()
    with pytest.raises(pymydocker.NotFound):
        env.bundles.get("p1")


def test_exec(env):
    b = env.create("p2", ["sleep", "60"])
    init = b.pid
    b.start()
    out = env.top / "exec-out"
    with open(out, "wb") as f:
        code = b.exec(["sh", "-c", "echo $FROM $GREETING $(pwd) $(id -u):$(id -g); exit 7"],
                      env={"GREETING": "hi"}, workdir="/proc", user=(1000, 1001), stdout=f)
    assert code == 7
    assert out.read_bytes() == b"config hi /proc 1000:1001\n"
    # A str is split as a shell would; stderr by descriptor; config.json's user and cwd.
    with open(out, "wb") as f:
        assert b.exec("sh -c 'echo $(pwd) $(id -u) >&2'", stderr=f.fileno()) == 0
    assert out.read_bytes() == b"/ 0\n"
    assert b.exec(["sh", "-c", "kill -9 $$"]) == 128 + signal.SIGKILL
    # Detached: its pid, reaped by this subreaper.
    pid = b.exec(["sh", "-c", "exit 5"], detach=True)
    assert pid > 0 and pid != init
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 5
    # A command the container lacks: CommandError 127, naming it; nothing left behind.
    with pytest.raises(pymydocker.CommandError) as info:
        b.exec(["no-such-command"])
    assert info.value.exit_code == 127
    assert str(info.value) == 'exec: "no-such-command": executable file not found in $PATH'
    assert _reap_all() == []
    # Bad input, refused before anything is started.
    for kwargs, needle in [({"env": ["NOEQUALS"]}, "NOEQUALS"),
                           ({"workdir": "relative"}, "relative"),
                           ({"user": "nobody"}, "nobody"),
                           ({"tty": True}, "console socket")]:
        with pytest.raises(pymydocker.InvalidArgument, match=needle):
            b.exec(["sh"], **kwargs)
    with pytest.raises(pymydocker.InvalidArgument, match="command"):
        b.exec([])
    with pytest.raises(TypeError):
        b.exec(["sh"], stdout="not a file")
    # Stopped: refused.
    b.kill(signal.SIGKILL)
    os.waitpid(init, 0)
    with pytest.raises(pymydocker.Conflict, match="stopped"):
        b.exec(["sh", "-c", "true"])
    b.delete()


def test_exec_with_a_terminal(env):
    """tty: the pty's master reaches the console socket; the process's output is read there."""
    b = env.create("p4", ["sleep", "60"])
    init = b.pid
    b.start()
    path = str(env.top / "console.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    server.settimeout(10)
    got = {}

    def receive():
        conn, _ = server.accept()
        with conn:
            _, fds, _, _ = socket.recv_fds(conn, 1024, 1)
        master = fds[0]
        data = b""
        try:  # until the process has ended (EIO): closed earlier, the master would hang it up
            while True:
                chunk = os.read(master, 1024)
                if not chunk:
                    break
                data += chunk
        except OSError:
            pass
        os.close(master)
        got["data"] = data

    thread = threading.Thread(target=receive, daemon=True)
    thread.start()
    try:
        code = b.exec(["sh", "-c", "[ -t 0 ] && [ -t 1 ] && echo on a tty; sleep 0.2; exit 3"],
                      tty=True, console_socket=path)
    finally:
        thread.join(10)
        server.close()
    assert code == 3
    assert got["data"] == b"on a tty\r\n"
    b.kill(signal.SIGKILL)
    os.waitpid(init, 0)
    b.delete()


def test_refusals(env):
    (env.bundle / "config.json").write_text(json.dumps(
        {"ociVersion": "1.0.2", "process": {"args": "sh", "cwd": "/"},
         "root": {"path": "rootfs"}}))
    with pytest.raises(pymydocker.InvalidArgument, match="process.args"):
        env.bundles.create(str(env.bundle), "p3")
    with pytest.raises(pymydocker.NotFound, match="nonexistent-bundle"):
        env.bundles.create("/nonexistent-bundle", "p3")
    with pytest.raises(pymydocker.InvalidArgument, match="id"):
        env.bundles.create(str(env.bundle), "")
    with pytest.raises(pymydocker.InvalidArgument, match="id"):
        env.bundles.create(str(env.bundle), "../x")
    with pytest.raises(pymydocker.NotFound, match="nosuch"):
        env.bundles.get("nosuch")
    with pytest.raises(pymydocker.NotFound, match="/nonexistent/mydocker-runc"):
        pymydocker.Bundles(env.root, runc="/nonexistent/mydocker-runc")
    with pytest.raises(pymydocker.InvalidArgument, match="absolute"):
        pymydocker.Bundles("relative", runc=RUNC)
    assert env.bundles.list() == []
    assert os.listdir(env.root) == []
