"""mydocker-runc, the OCI runtime mode (issue #15): runc's command line over a bundle.

Each test gets a private --root and a bundle whose rootfs is Debian's static busybox, and proves
on teardown that nothing is left: no state directory, no cgroup, no process, no mount.
"""

import array
import ctypes
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

from conftest import MYDOCKER_BIN, children_of, mounts_mentioning, wait_for

RUNC = str(Path(MYDOCKER_BIN).resolve().parent / "mydocker-runc")
BUSYBOX = "/bin/busybox"


def cgroups_named(name):
    return [p for p in glob.glob(f"/sys/fs/cgroup/*/mydocker-runc/{name}") if os.path.isdir(p)] + [
        p for p in glob.glob(f"/sys/fs/cgroup/mydocker-runc/{name}") if os.path.isdir(p)
    ]


def base_config(args):
    return {
        "ociVersion": "1.0.2",
        "process": {
            "terminal": False,
            "user": {"uid": 0, "gid": 0},
            "args": args,
            "env": ["PATH=/bin"],
            "cwd": "/",
            "capabilities": {s: ["CAP_KILL", "CAP_CHOWN"] for s in
                             ("bounding", "effective", "permitted", "inheritable", "ambient")},
            "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 512}],
        },
        "root": {"path": "rootfs"},
        "hostname": "ocibox",
        "mounts": [
            {"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]},
            {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
             "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"]},
            {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup", "options": ["ro"]},
        ],
        "linux": {
            "namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")],
            "resources": {"devices": [{"allow": False, "access": "rwm"}], "pids": {"limit": 64}},
            "maskedPaths": ["/proc/kcore"],
            "readonlyPaths": ["/proc/sys"],
        },
    }


def with_user_namespace(config, uid=((0, 100000, 65536),), gid=((0, 100000, 65536),)):
    config["linux"]["namespaces"].append({"type": "user"})
    config["linux"]["uidMappings"] = [{"containerID": c, "hostID": h, "size": n} for c, h, n in uid]
    config["linux"]["gidMappings"] = [{"containerID": c, "hostID": h, "size": n} for c, h, n in gid]
    return config


class Oci:
    def __init__(self, tmp):
        self.tmp = Path(tmp)
        self.root = self.tmp / "state"
        self.log = self.tmp / "runc.log"
        self.bundle = self.tmp / "bundle"
        rootfs = self.bundle / "rootfs"
        (rootfs / "bin").mkdir(parents=True)
        shutil.copy(BUSYBOX, rootfs / "bin" / "busybox")
        for applet in ("sh", "echo", "cat", "sleep", "hostname", "grep", "true", "ls", "tty"):
            os.symlink("busybox", rootfs / "bin" / applet)
        for d in ("proc", "dev", "sys", "tmp"):
            (rootfs / d).mkdir()
        self.pids = set()  # every init seen, none of which may outlive the test
        self.prefix = []  # before the command: nsenter into a private mount namespace

    def write_config(self, config):
        (self.bundle / "config.json").write_text(json.dumps(config))

    def run(self, *args, check=True, stdout=None):
        """Runs mydocker-runc; its stdout and stderr are files, never pipes: a container's init
        inherits create's stdio and would keep a pipe open."""
        cmd = [*self.prefix, RUNC, "--root", str(self.root), "--log", str(self.log), "--log-format", "json", *args]
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            rc = subprocess.run(cmd, stdout=stdout or out, stderr=err, timeout=60).returncode
            out.seek(0)
            err.seek(0)
            r = subprocess.CompletedProcess(cmd, rc, out.read(), err.read())
        if check and r.returncode != 0:
            pytest.fail(f"{' '.join(args)}: exit {r.returncode}: {r.stderr}")
        return r

    def state(self, cid):
        state = json.loads(self.run("state", cid).stdout)
        if state["pid"]:
            self.pids.add(state["pid"])
        return state

    def ids(self):
        return self.run("list", "-q").stdout.split()


@pytest.fixture
def oci():
    if os.geteuid() != 0:
        pytest.skip("needs root")
    tmp = tempfile.mkdtemp(prefix="oci-test-")
    o = Oci(tmp)
    try:
        yield o
    finally:
        for cid in o.ids() if o.root.exists() else []:
            o.run("delete", "--force", cid, check=False)
        leftovers = {
            "state": [p.name for p in o.root.iterdir()] if o.root.exists() else [],
            "cgroups": cgroups_named("*"),
            "processes": [p for p in o.pids if os.path.exists(f"/proc/{p}")
                          and "Z" not in open(f"/proc/{p}/stat").read().rsplit(")", 1)[1][:3]],
            "mounts": mounts_mentioning(tmp),
        }
        shutil.rmtree(tmp, ignore_errors=True)
        assert not any(leftovers.values()), leftovers


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda c: c["process"].__setitem__("args", "sh"), "process.args"),
        (lambda c: c.__setitem__("hostname", 7), "hostname"),
        (lambda c: c["root"].__setitem__("path", "missing"), "root.path"),
        (lambda c: c["linux"]["namespaces"].append({"type": "time-travel"}), "namespace"),
        (lambda c: c["linux"]["namespaces"].append({"type": "user"}), "user namespaces"),
        (lambda c: c["linux"].__setitem__("uidMappings", [{"containerID": 0, "hostID": 1000, "size": 1}]),
         "mappings need a new user namespace"),
        (lambda c: with_user_namespace(c, uid=[(0, 1000, 10), (5, 2000, 10)]), "overlaps"),
        (lambda c: with_user_namespace(c, uid=[(0, 1000, 0)]), "size"),
        (lambda c: with_user_namespace(c, uid=[(4294967290, 1000, 10)]), "largest id"),
        (lambda c: c["linux"]["namespaces"].append({"type": "user", "path": "/proc/1/ns/user"}),
         "joining a user namespace by path"),
        (lambda c: c["process"].__setitem__("apparmorProfile", "x"), "AppArmor"),
        (lambda c: c.__setitem__("ociVersion", "banana"), "ociVersion"),
        (lambda c: c["linux"].setdefault("resources", {}).__setitem__(
            "hugepageLimits", [{"pageSize": "3MB", "limit": 1 << 20}]), "invalid hugepage size"),
        (lambda c: c["linux"].setdefault("resources", {}).__setitem__(
            "hugepageLimits", [{"pageSize": "2MB", "limit": "lots"}]), "hugepageLimits[0].limit"),
        (lambda c: c["linux"].setdefault("resources", {}).__setitem__(
            "network", {"priorities": [{"name": "eth0 9", "priority": 1}]}),
         "invalid network interface name"),
    ],
)
def test_bad_config_is_refused_with_one_line_and_a_json_log_entry(oci, mutate, message):
    config = base_config(["true"])
    mutate(config)
    oci.write_config(config)
    r = oci.run("create", "--bundle", str(oci.bundle), "c1", check=False)
    assert r.returncode == 1
    assert message in r.stderr and r.stderr.count("\n") == 1, r.stderr
    entry = json.loads(oci.log.read_text().splitlines()[-1])
    assert entry["level"] == "error" and message in entry["msg"] and entry["time"]
    assert not list(oci.root.iterdir())
    assert not cgroups_named("c1")


@pytest.mark.parametrize("cid", ["a/b", "..", ".", "../x", ""])
def test_bad_ids_are_refused(oci, cid):
    oci.write_config(base_config(["true"]))
    r = oci.run("create", "--bundle", str(oci.bundle), cid, check=False)
    assert r.returncode == 1 and "id" in r.stderr
    assert not list(oci.root.iterdir())


def test_pid_file_in_a_missing_directory_is_refused(oci):
    oci.write_config(base_config(["true"]))
    r = oci.run("create", "--bundle", str(oci.bundle), "--pid-file", str(oci.tmp / "no" / "pid"), "c1",
                check=False)
    assert r.returncode == 1 and "pid file" in r.stderr
    assert not list(oci.root.iterdir())


def test_create_start_state_kill_delete(oci):
    oci.write_config(base_config(["sleep", "60"]))
    out = open(oci.tmp / "out", "w")
    oci.run("create", "--bundle", str(oci.bundle), "--pid-file", str(oci.tmp / "pid"), "c1", stdout=out)
    pid = int((oci.tmp / "pid").read_text())
    state = oci.state("c1")
    assert state["status"] == "created" and state["pid"] == pid
    assert state["bundle"] == str(oci.bundle)
    # Waiting before execve: still the runtime's image, not sleep.
    assert Path(f"/proc/{pid}/exe").resolve().name != "busybox"
    r = oci.run("delete", "c1", check=False)
    assert r.returncode == 1 and "not stopped" in r.stderr
    oci.run("start", "c1")
    wait_for(lambda: Path(f"/proc/{pid}/exe").resolve().name == "busybox", what="execve")
    assert oci.state("c1")["status"] == "running"
    assert pid in json.loads(oci.run("ps", "--format", "json", "c1").stdout)
    oci.run("pause", "c1")
    assert oci.state("c1")["status"] == "paused"
    oci.run("resume", "c1")
    assert oci.run("start", "c1", check=False).returncode == 1
    oci.run("kill", "c1", "KILL")
    wait_for(lambda: oci.state("c1")["status"] == "stopped", what="stopped")
    assert oci.state("c1")["pid"] == 0
    oci.run("delete", "c1")
    assert oci.ids() == [] and not cgroups_named("c1")


def test_run_gives_the_container_its_settings_and_its_exit_code(oci):
    script = ("hostname; cat /proc/self/status | grep -E '^Cap(Eff|Amb)'; "
              "cat /proc/self/limits | grep 'open files'; ls /sys/fs/cgroup/pids/ | grep -c pids.max; exit 3")
    oci.write_config(base_config(["sh", "-c", script]))
    r = oci.run("run", "--bundle", str(oci.bundle), "c2", check=False)
    assert r.returncode == 3, r.stderr
    assert "ocibox" in r.stdout
    assert "CapEff:\t0000000000000021" in r.stdout and "CapAmb:\t0000000000000021" in r.stdout
    assert "512" in r.stdout and "1024" in r.stdout
    assert oci.ids() == []


def test_a_missing_command_fails_after_start_with_127(oci):
    oci.write_config(base_config(["no-such-command"]))
    r = oci.run("run", "--bundle", str(oci.bundle), "c3", check=False)
    assert r.returncode == 127
    assert "no-such-command" in r.stderr


def read_pty(fd, marker):
    data = b""
    deadline = time.monotonic() + 10
    while marker not in data and time.monotonic() < deadline:
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    return data


def receive_fd(listener, result):
    conn, _ = listener.accept()
    with conn:
        fds = array.array("i")
        msg, anc, _, _ = conn.recvmsg(64, socket.CMSG_SPACE(fds.itemsize))
        for level, kind, data in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(data[: fds.itemsize])
        result.append(fds[0])


class ConsoleSocket:
    """A --console-socket: the pty master sent to it, received in a thread."""

    def __init__(self, path):
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(path)
        self.listener.listen(1)
        self.got = []
        self.thread = threading.Thread(target=receive_fd, args=(self.listener, self.got))
        self.thread.start()

    def master(self):
        self.thread.join(10)
        self.listener.close()
        assert self.got, "no pty master received"
        return self.got[0]


def test_terminal_goes_to_the_console_socket(oci):
    config = base_config(["sh", "-c", "tty; echo on-the-pty"])
    config["process"]["terminal"] = True
    oci.write_config(config)
    sock_path = str(oci.tmp / "console.sock")
    console = ConsoleSocket(sock_path)
    oci.run("create", "--bundle", str(oci.bundle), "--console-socket", sock_path, "c4")
    master = console.master()
    oci.run("start", "c4")
    data = read_pty(master, b"on-the-pty")
    os.close(master)
    assert b"/dev/pts/0" in data and b"on-the-pty" in data, data
    wait_for(lambda: oci.state("c4")["status"] == "stopped", what="stopped")
    oci.run("delete", "c4")


def test_spec_and_features(oci):
    d = oci.tmp / "fresh"
    d.mkdir()
    oci.run("spec", "--bundle", str(d))
    spec = json.loads((d / "config.json").read_text())
    assert spec["root"]["path"] == "rootfs" and spec["process"]["args"] == ["sh"]
    assert oci.run("spec", "--bundle", str(d), check=False).returncode == 1
    features = json.loads(oci.run("features").stdout)
    assert "pid" in features["linux"]["namespaces"]


def started(oci, cid, args=("sleep", "60"), env=("PATH=/bin",)):
    """A running container (its init in oci.pids)."""
    config = base_config(list(args))
    config["process"]["env"] = list(env)
    oci.write_config(config)
    oci.run("create", "--bundle", str(oci.bundle), cid, stdout=open(oci.tmp / f"{cid}.out", "w"))
    oci.run("start", cid)
    return oci.state(cid)["pid"]


def test_exec_waits_and_exits_with_the_process_status(oci):
    started(oci, "e1")
    r = oci.run("exec", "e1", "sh", "-c", "echo out; echo err >&2; exit 7", check=False)
    assert (r.returncode, r.stdout, r.stderr) == (7, "out\n", "err\n")
    assert oci.run("exec", "e1", "sh", "-c", "kill -9 $$", check=False).returncode == 137
    assert oci.run("exec", "e1", "hostname").stdout == "ocibox\n"
    r = oci.run("exec", "e1", "no-such-command", check=False)
    assert r.returncode == 1 and "no-such-command" in r.stderr and r.stderr.count("\n") == 1
    # In the container's cgroup and PID namespace: ps sees both.
    r = oci.run("exec", "e1", "sh", "-c", "cat /proc/self/cgroup; echo $$")
    assert "mydocker-runc/e1" in r.stdout
    assert int(r.stdout.split()[-1]) < 10  # a pid of the container's namespace


def test_exec_stub_runs_from_a_read_only_overlay_without_a_state_directory(oci):
    """CVE-2019-5736 in this mode: the exec stub on the host executes mydocker-runc through a
    private read-only overlay (its second layer an empty tmpfs mounted nowhere, since this mode
    keeps no directory of its own for it), not from a copy and never the file itself; nothing
    is left in the state root or the mount table."""
    started(oci, "e1")
    cmd = [RUNC, "--root", str(oci.root), "exec", "e1", "sleep", "2"]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    try:
        def stub_exe():
            for pid in children_of(proc.pid):
                try:
                    fd = os.open(f"/proc/{pid}/exe", os.O_RDONLY)
                except OSError:
                    continue
                buf = ctypes.create_string_buffer(256)
                if ctypes.CDLL(None).fstatfs(fd, buf) == 0 and \
                        ctypes.c_long.from_buffer(buf).value == 0x794C7630:
                    return fd
                os.close(fd)
            return None
        fd = wait_for(stub_exe, timeout=10, what="the stub to run from an overlay")
        try:
            assert os.fstatvfs(fd).f_flag & os.ST_RDONLY
            with open(RUNC, "rb") as f, os.fdopen(os.dup(fd), "rb") as g:
                assert f.read() == g.read()
        finally:
            os.close(fd)
        assert proc.wait(timeout=15) == 0
    finally:
        proc.kill()
        proc.wait()
    assert sorted(p.name for p in oci.root.iterdir()) == ["e1"]
    with open("/proc/self/mountinfo") as f:
        assert " overlay " not in "".join(line for line in f if "mydocker-runc" in line)


def test_init_never_runs_the_host_binary(oci):
    """CVE-2019-5736 through init: `create` clones the container's init from mydocker-runc, and
    init runs that binary until `start` (and for good, if its command is /proc/self/exe). So
    `create` re-executes mydocker-runc from a private read-only overlay first: a process of the
    container that opens /proc/1/exe gets a file nothing can write through, not the host's."""
    with open(RUNC, "rb") as f:
        before = f.read()
    oci.write_config(base_config(["/proc/self/exe", "--log", "/fifo", "state", "x"]))
    os.mkfifo(oci.bundle / "rootfs" / "fifo")  # opening the log blocks: PID 1 stays the runtime
    oci.run("create", "--bundle", str(oci.bundle), "--pid-file", str(oci.tmp / "pid"), "c1",
            stdout=open(oci.tmp / "out", "w"))
    pid = int((oci.tmp / "pid").read_text())
    handles = [os.open(f"/proc/{pid}/exe", os.O_RDONLY)]
    try:
        oci.run("start", "c1")
        r = oci.run("exec", "c1", "sh", "-c", "readlink /proc/1/exe; echo pwned >> /proc/1/exe",
                    check=False)
        assert r.returncode != 0 and "Read-only file system" in r.stderr, (r.stdout, r.stderr)
        handles.append(os.open(f"/proc/{pid}/exe", os.O_RDONLY))  # after its execve too
        for fd in handles:
            buf = ctypes.create_string_buffer(256)
            assert ctypes.CDLL(None).fstatfs(fd, buf) == 0
            assert ctypes.c_long.from_buffer(buf).value == 0x794C7630  # overlayfs
            assert os.fstatvfs(fd).f_flag & os.ST_RDONLY
            with os.fdopen(os.dup(fd), "rb") as g:
                assert g.read() == before
        oci.run("delete", "--force", "c1")
        for fd in handles:
            for flags in (os.O_WRONLY, os.O_RDWR, os.O_WRONLY | os.O_TRUNC):
                with pytest.raises(OSError):
                    os.close(os.open(f"/proc/self/fd/{fd}", flags))
    finally:
        for fd in handles:
            os.close(fd)
    with open(RUNC, "rb") as f:
        assert f.read() == before
    with open("/proc/self/mountinfo") as f:
        assert " overlay " not in "".join(line for line in f if "mydocker-runc" in line)


def test_exec_process_json_sets_env_cwd_user_caps_rlimits(oci):
    started(oci, "e2", env=("PATH=/bin", "ONLY_INIT=1"))
    process = {
        "terminal": False,
        "user": {"uid": 1000, "gid": 1001, "additionalGids": [1002]},
        "args": ["sh", "-c", "echo FOO=$FOO INIT=$ONLY_INIT; pwd; "
                 "grep -E '^(Uid|Gid|Groups|CapEff|CapBnd|NoNewPrivs)' /proc/self/status; "
                 "grep 'open files' /proc/self/limits"],
        "env": ["PATH=/bin", "FOO=bar"],
        "cwd": "/tmp",
        "capabilities": {s: ["CAP_KILL"] for s in
                         ("bounding", "effective", "permitted", "inheritable", "ambient")},
        "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 300, "soft": 256}],
        "noNewPrivileges": True,
    }
    (oci.tmp / "process.json").write_text(json.dumps(process))
    out = oci.run("exec", "--process", str(oci.tmp / "process.json"), "e2").stdout
    assert "FOO=bar INIT=\n/tmp\n" in out
    assert "Uid:\t1000\t1000" in out and "Gid:\t1001\t1001" in out and "Groups:\t1002" in out
    assert "CapEff:\t0000000000000020" in out and "CapBnd:\t0000000000000020" in out
    assert "NoNewPrivs:\t1" in out
    assert "256" in out and "300" in out
    process["apparmorProfile"] = "x"
    (oci.tmp / "process.json").write_text(json.dumps(process))
    r = oci.run("exec", "--process", str(oci.tmp / "process.json"), "e2", check=False)
    assert r.returncode == 1 and "AppArmor" in r.stderr
    (oci.tmp / "process.json").write_text(json.dumps({"args": "sh", "cwd": "/"}))
    r = oci.run("exec", "--process", str(oci.tmp / "process.json"), "e2", check=False)
    assert r.returncode == 1 and "process.args" in r.stderr


def test_umask_and_oom_score_adj_for_init_and_exec(oci):
    """process.user.umask and process.oomScoreAdj, for the container's process and an exec's.
    Raising the score needs no privilege (this host gives the runtime no CAP_SYS_RESOURCE)."""
    config = base_config(["sh", "-c", "grep Umask /proc/self/status; cat /proc/self/oom_score_adj;"
                          " sleep 60"])
    config["process"]["user"]["umask"] = 0o027
    config["process"]["oomScoreAdj"] = 300
    oci.write_config(config)
    out = oci.tmp / "u.out"
    oci.run("create", "--bundle", str(oci.bundle), "u1", stdout=open(out, "w"))
    oci.run("start", "u1")
    wait_for(lambda: out.read_text().count("\n") >= 2, timeout=10, what="the init's output")
    assert out.read_text().split() == ["Umask:", "0027", "300"]
    # An exec takes the container's umask unless its process says otherwise.
    r = oci.run("exec", "u1", "sh", "-c", "grep Umask /proc/self/status")
    assert r.stdout.split() == ["Umask:", "0027"]
    process = {"args": ["sh", "-c", "grep Umask /proc/self/status; cat /proc/self/oom_score_adj"],
               "cwd": "/", "env": ["PATH=/bin"], "user": {"uid": 0, "gid": 0, "umask": 0o077},
               "oomScoreAdj": 500}
    (oci.tmp / "process.json").write_text(json.dumps(process))
    r = oci.run("exec", "--process", str(oci.tmp / "process.json"), "u1")
    assert r.stdout.split() == ["Umask:", "0077", "500"]
    process["user"]["umask"] = 0o1777
    (oci.tmp / "process.json").write_text(json.dumps(process))
    r = oci.run("exec", "--process", str(oci.tmp / "process.json"), "u1", check=False)
    assert r.returncode == 1 and "umask" in r.stderr and r.stderr.count("\n") == 1


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="needs valgrind")
def test_exec_without_pidfds(oci):
    """Under valgrind, which answers pidfd_open with ENOSYS (as old kernels do): exec still joins
    the container (through /proc/PID/ns) and passes a signal on to the command through the
    helper's pid."""
    started(oci, "np")
    # --tool=none: only valgrind's emulation (memcheck does not understand a static glibc).
    vg = ["valgrind", "--quiet", "--tool=none", "--trace-children=no", RUNC,
          "--root", str(oci.tmp / "state")]
    r = subprocess.run(vg + ["exec", "np", "sh", "-c", "hostname; exit 5"], capture_output=True,
                       text=True, timeout=120)
    assert (r.returncode, r.stdout) == (5, "ocibox\n"), r.stderr
    proc = subprocess.Popen(vg + ["exec", "np", "sh", "-c", "trap 'echo got TERM; exit 3' TERM;"
                                  " echo ready; while :; do sleep 0.1; done"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline() == "ready\n"
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
        assert (proc.returncode, out) == (3, "got TERM\n"), err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_exec_flags_env_cwd_user_cap(oci):
    started(oci, "e3")
    r = oci.run("exec", "--env", "A=1", "-e", "PATH=/bin:/sbin", "--cwd", "/tmp", "--user", "1000:1001",
                "--cap", "CAP_NET_RAW", "--no-new-privs", "e3", "sh", "-c",
                "echo $A $PATH; pwd; grep -E '^(Uid|Gid|CapBnd|NoNewPrivs)' /proc/self/status")
    assert "1 /bin:/sbin\n/tmp\n" in r.stdout
    assert "Uid:\t1000\t1000" in r.stdout and "Gid:\t1001\t1001" in r.stdout
    assert "CapBnd:\t0000000000002021" in r.stdout and "NoNewPrivs:\t1" in r.stdout
    for bad, message in [(["--user", "bob"], "--user"), (["--apparmor", "x"], "AppArmor"),
                         (["--process-label", "x"], "SELinux"), (["--tty"], "console-socket"),
                         (["--cwd", "tmp"], "absolute"), (["--env", "=x"], "KEY=VALUE"),
                         (["--process", str(oci.tmp / "p.json")], "not both"),
                         (["--pid-file", str(oci.tmp / "no" / "pid")], "pid file")]:
        r = oci.run("exec", *bad, "e3", "true", check=False)
        assert r.returncode == 1 and message in r.stderr, (bad, r.stderr)
    assert oci.run("exec", "nosuch", "true", check=False).returncode == 1


def test_exec_preserve_fds_passes_the_callers_descriptors(oci):
    started(oci, "e7")
    r1, w1 = os.pipe()
    r2, w2 = os.pipe()
    try:
        # Our descriptors 3 and 4 (the pipes' write ends) become the process's 3 and 4; nothing
        # else of ours reaches it.
        script = ("import os, subprocess, sys\n"
                  "os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4)\n"
                  "sys.exit(subprocess.run(sys.argv[3:], pass_fds=(3, 4)).returncode)\n")
        cmd = [RUNC, "--root", str(oci.root), "exec", "--preserve-fds", "2", "e7", "sh", "-c",
               "echo one >&3; echo two >&4; ls /proc/self/fd"]
        r = subprocess.run(["/usr/bin/python3", "-c", script, str(w1), str(w2), *cmd],
                           pass_fds=(w1, w2), capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, r.stderr
        os.close(w1)
        os.close(w2)
        w1 = w2 = -1
        assert os.read(r1, 100) == b"one\n" and os.read(r2, 100) == b"two\n"
        assert sorted(int(fd) for fd in r.stdout.split()) in ([0, 1, 2, 3, 4], [0, 1, 2, 3, 4, 5])
    finally:
        for fd in (r1, w1, r2, w2):
            if fd >= 0:
                os.close(fd)
    r = oci.run("exec", "--preserve-fds", "x", "e7", "true", check=False)
    assert r.returncode == 1 and "--preserve-fds" in r.stderr


def test_exec_detach_writes_the_pid_file_and_returns(oci):
    init = started(oci, "e4")
    pid_file = oci.tmp / "exec.pid"
    oci.run("exec", "--detach", "--pid-file", str(pid_file), "e4", "sleep", "50")
    pid = int(pid_file.read_text())
    oci.pids.add(pid)
    assert Path(f"/proc/{pid}/exe").resolve().name == "busybox"
    assert os.readlink(f"/proc/{pid}/ns/pid") == os.readlink(f"/proc/{init}/ns/pid")
    assert os.readlink(f"/proc/{pid}/ns/mnt") == os.readlink(f"/proc/{init}/ns/mnt")
    assert "mydocker-runc/e4" in Path(f"/proc/{pid}/cgroup").read_text()
    assert pid in json.loads(oci.run("ps", "--format", "json", "e4").stdout)
    oci.run("delete", "--force", "e4")
    wait_for(lambda: not os.path.exists(f"/proc/{pid}"), what="the exec'd process ends with its container")


def test_exec_tty_sends_the_pty_master_to_the_console_socket(oci):
    started(oci, "e5")
    sock_path = str(oci.tmp / "exec-console.sock")
    console = ConsoleSocket(sock_path)
    pid_file = oci.tmp / "tty.pid"
    oci.run("exec", "--tty", "--console-socket", sock_path, "--detach", "--pid-file", str(pid_file),
            "e5", "sh", "-c", "tty; echo on-the-exec-pty; sleep 1")
    master = console.master()
    oci.pids.add(int(pid_file.read_text()))
    data = read_pty(master, b"on-the-exec-pty")
    os.close(master)
    assert b"/dev/pts/" in data and b"on-the-exec-pty" in data, data


def test_exec_into_a_paused_or_stopped_container_is_refused(oci):
    started(oci, "e6")
    oci.run("pause", "e6")
    r = oci.run("exec", "e6", "true", check=False)
    assert r.returncode == 1 and "paused" in r.stderr
    oci.run("resume", "e6")
    oci.run("kill", "e6", "KILL")
    wait_for(lambda: oci.state("e6")["status"] == "stopped", what="stopped")
    r = oci.run("exec", "e6", "true", check=False)
    assert r.returncode == 1 and "stopped" in r.stderr


def cgroup_file(cid, v1_controller, v1_name, v2_name):
    v1 = Path(f"/sys/fs/cgroup/{v1_controller}/mydocker-runc/{cid}/{v1_name}")
    return (v1 if v1.exists() else Path(f"/sys/fs/cgroup/mydocker-runc/{cid}/{v2_name}")).read_text().strip()


def test_update_changes_the_cgroup_limits(oci):
    started(oci, "u1")
    oci.run("update", "--memory", "64m", "--pids-limit", "20", "--cpu-quota", "50000",
            "--cpu-period", "100000", "u1")
    assert cgroup_file("u1", "memory", "memory.limit_in_bytes", "memory.max") == str(64 << 20)
    assert cgroup_file("u1", "pids", "pids.max", "pids.max") == "20"
    assert cgroup_file("u1", "cpu", "cpu.cfs_quota_us", "cpu.max").split()[0] == "50000"
    (oci.tmp / "resources.json").write_text(json.dumps({"pids": {"limit": 30}}))
    oci.run("update", "--resources", str(oci.tmp / "resources.json"), "u1")
    assert cgroup_file("u1", "pids", "pids.max", "pids.max") == "30"
    # The memory limit stays: only what the document has changes.
    assert cgroup_file("u1", "memory", "memory.limit_in_bytes", "memory.max") == str(64 << 20)
    r = subprocess.run([RUNC, "--root", str(oci.root), "update", "--resources", "-", "u1"],
                       input='{"pids": {"limit": 40}}', capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert cgroup_file("u1", "pids", "pids.max", "pids.max") == "40"
    oci.run("update", "--memory-reservation", "32m", "u1")
    assert cgroup_file("u1", "memory", "memory.soft_limit_in_bytes", "memory.low") == str(32 << 20)
    for bad, message in [(["--kernel-memory", "1m"], "not supported"), (["--memory", "lots"], "--memory"),
                         (["--pids-limit", "x"], "--pids-limit")]:
        r = oci.run("update", *bad, "u1", check=False)
        assert r.returncode == 1 and message in r.stderr, (bad, r.stderr)
    (oci.tmp / "resources.json").write_text(json.dumps({"pids": {"limit": "many"}}))
    r = oci.run("update", "--resources", str(oci.tmp / "resources.json"), "u1", check=False)
    assert r.returncode == 1 and "pids.limit" in r.stderr
    assert cgroup_file("u1", "pids", "pids.max", "pids.max") == "40"
    oci.run("kill", "u1", "KILL")
    wait_for(lambda: oci.state("u1")["status"] == "stopped", what="stopped")
    r = oci.run("update", "--pids-limit", "10", "u1", check=False)
    assert r.returncode == 1 and "not running" in r.stderr


def test_events_stats_prints_one_stats_object(oci):
    started(oci, "s1")
    event = json.loads(oci.run("events", "--stats", "s1").stdout)
    assert event["type"] == "stats" and event["id"] == "s1"
    data = event["data"]
    assert data["pids"]["current"] >= 1 and data["pids"]["limit"] == 64
    assert data["cpu"]["usage"]["total"] > 0 and data["memory"]["usage"]["usage"] > 0
    assert oci.run("events", "--stats", "nosuch", check=False).returncode == 1
    # Without --stats: one every --interval until the container ends.
    events = subprocess.Popen([RUNC, "--root", str(oci.root), "events", "--interval", "100ms", "s1"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert [json.loads(events.stdout.readline())["id"] for _ in range(2)] == ["s1", "s1"]
        oci.run("kill", "s1", "KILL")
        assert events.wait(timeout=10) == 0
    finally:
        events.kill()
        events.wait()


def host_ids(pid):
    """The real uid and gid of `pid` as the host sees them."""
    status = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status").read().splitlines())
    return int(status["Uid"].split()[0]), int(status["Gid"].split()[0])


def test_user_namespace_maps_the_containers_ids_onto_the_hosts(oci):
    """linux.uidMappings/gidMappings: init and exec'd processes are the namespace's root, host ids
    100000; what they create belongs to 100000 on the host; devices are the host's nodes bound in
    (a user namespace cannot make them); proc and sysfs are the container's own."""
    config = with_user_namespace(base_config(["sleep", "60"]), gid=[(0, 100000, 1000), (1000, 300000, 10)])
    config["mounts"].append({"destination": "/sys", "type": "sysfs", "source": "sysfs",
                             "options": ["nosuid", "noexec", "nodev", "ro"]})
    config["root"]["readonly"] = True
    (oci.bundle / "rootfs" / "sys" / "fs" / "cgroup").mkdir(parents=True)
    config["mounts"].append({"destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
                             "options": ["mode=1777"]})
    (oci.bundle / "rootfs" / "data").mkdir(mode=0o777)
    os.chmod(oci.bundle / "rootfs" / "data", 0o777)
    config["mounts"].append({"destination": "/data", "type": "bind", "source": str(oci.bundle / "rootfs" / "data"),
                             "options": ["rbind"]})
    oci.write_config(config)
    oci.run("create", "--bundle", str(oci.bundle), "u1", stdout=open(oci.tmp / "u1.out", "w"))
    oci.run("start", "u1")
    pid = oci.state("u1")["pid"]
    assert host_ids(pid) == (100000, 100000)
    assert os.readlink(f"/proc/{pid}/ns/user") != os.readlink("/proc/self/ns/user")
    r = oci.run("exec", "u1", "sh", "-c",
                "cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g; "
                "echo x > /dev/null && cat /dev/zero | head -c 3 | wc -c; "
                "touch /data/made-inside /tmp/t && echo made; "
                "touch /bin/nope 2>/dev/null || echo root-is-read-only; "
                "grep -c ' /proc .* - proc ' /proc/self/mountinfo; grep -c ' /sys .* - sysfs ' /proc/self/mountinfo")
    lines = r.stdout.split("\n")
    assert lines[0].split() == ["0", "100000", "65536"], r.stdout
    assert lines[1].split() == ["0", "100000", "1000"] and lines[2].split() == ["1000", "300000", "10"]
    assert lines[3:6] == ["0", "0", "3"], r.stdout
    assert "made" in lines and "root-is-read-only" in lines, r.stdout
    assert lines[-3:-1] == ["1", "1"], r.stdout
    made = os.stat(oci.bundle / "rootfs" / "data" / "made-inside")
    assert (made.st_uid, made.st_gid) == (100000, 100000)
    # The exec'd process is in the container's user namespace too, as the host sees it.
    r = oci.run("exec", "u1", "sh", "-c", "cat /proc/self/uid_map; sleep 0.5 & echo $!")
    assert r.stdout.split()[:3] == ["0", "100000", "65536"]
    oci.run("kill", "u1", "KILL")
    wait_for(lambda: oci.state("u1")["status"] == "stopped", what="stopped")
    oci.run("delete", "u1")
    assert oci.ids() == [] and not cgroups_named("u1")


def test_user_namespace_run_exits_with_the_status_and_a_failed_setup_leaves_nothing(oci):
    """run with a user namespace exits with the command's status. A mount point the namespace's
    root may not create (the rootfs belongs to the host's root, which the namespace does not
    map) fails the create with one line naming it, and leaves nothing behind."""
    # The namespace's root may not make mount points in the host root's tree: the bundle has them.
    (oci.bundle / "rootfs" / "sys" / "fs" / "cgroup").mkdir(parents=True)
    oci.write_config(with_user_namespace(base_config(["sh", "-c", "id -u; exit 5"])))
    r = oci.run("run", "--bundle", str(oci.bundle), "u2", check=False)
    assert (r.returncode, r.stdout) == (5, "0\n"), r.stderr
    config = with_user_namespace(base_config(["true"]))
    config["mounts"].append({"destination": "/not-there", "type": "tmpfs", "source": "tmpfs"})
    oci.write_config(config)
    r = oci.run("create", "--bundle", str(oci.bundle), "u3", check=False)
    assert r.returncode == 1 and "/not-there" in r.stderr and r.stderr.count("\n") == 1, r.stderr
    assert oci.ids() == [] and not cgroups_named("u2") and not cgroups_named("u3")


def test_hooks_run_where_the_spec_says_with_the_state_on_stdin(oci):
    """createRuntime in the runtime's namespaces; createContainer in the container's with its path
    resolved in the runtime's (a script outside the root file system); startContainer in the
    container's with its path resolved there; each gets the state on stdin."""
    script = oci.tmp / "create-container.sh"
    script.write_text("#!/bin/sh\nhostname > /tmp/cc-host; cat > /tmp/cc-state\n")
    script.chmod(0o755)
    config = base_config(["sleep", "60"])
    config["hooks"] = {
        "createRuntime": [{"path": "/bin/sh", "args": ["sh", "-c", f"hostname > {oci.tmp}/cr-host; cat > {oci.tmp}/cr-state"]}],
        "createContainer": [{"path": str(script), "args": ["create-container.sh"], "env": ["PATH=/bin"]}],
        "startContainer": [{"path": "/bin/sh", "args": ["sh", "-c", "echo $MARK > /tmp/sc; cat > /tmp/sc-state"],
                            "env": ["PATH=/bin", "MARK=in-the-container"]}],
    }
    oci.write_config(config)
    oci.run("create", "--bundle", str(oci.bundle), "h1", stdout=open(oci.tmp / "h1.out", "w"))
    rootfs = oci.bundle / "rootfs"
    assert (oci.tmp / "cr-host").read_text().strip() == socket.gethostname()
    assert json.loads((oci.tmp / "cr-state").read_text())["status"] == "created"
    assert (rootfs / "tmp" / "cc-host").read_text() == "ocibox\n"
    state = json.loads((rootfs / "tmp" / "cc-state").read_text())
    assert state["id"] == "h1" and state["status"] == "created" and state["pid"] == oci.state("h1")["pid"]
    assert not (rootfs / "tmp" / "sc").exists()
    oci.run("start", "h1")
    assert (rootfs / "tmp" / "sc").read_text() == "in-the-container\n"
    assert json.loads((rootfs / "tmp" / "sc-state").read_text())["id"] == "h1"
    assert oci.state("h1")["status"] == "running"
    oci.run("delete", "--force", "h1")


def test_a_failing_or_slow_container_hook_fails_the_lifecycle_and_leaves_nothing(oci):
    config = base_config(["sleep", "60"])
    config["hooks"] = {"startContainer": [{"path": "/bin/sh", "args": ["sh", "-c", "exit 3"]}]}
    oci.write_config(config)
    oci.run("create", "--bundle", str(oci.bundle), "h2", stdout=open(oci.tmp / "h2.out", "w"))
    r = oci.run("start", "h2", check=False)
    assert r.returncode == 1 and "startContainer hook" in r.stderr and "exit status 3" in r.stderr, r.stderr
    assert oci.ids() == [] and not cgroups_named("h2")
    script = oci.tmp / "slow.sh"
    script.write_text("#!/bin/sh\nexec sleep 30\n")
    script.chmod(0o755)
    config["hooks"] = {"createContainer": [{"path": str(script), "timeout": 1}]}
    oci.write_config(config)
    r = oci.run("create", "--bundle", str(oci.bundle), "h3", check=False, stdout=open(oci.tmp / "h3.out", "w"))
    assert r.returncode == 1 and "timed out" in r.stderr, r.stderr
    assert oci.ids() == [] and not cgroups_named("h3")
    # The hook's process was killed with the container: no sleep of it is left.
    assert not [p for p in glob.glob("/proc/[0-9]*/cmdline")
                if open(p, "rb").read().startswith(b"sleep\x0030")], "the hook outlived its timeout"


@pytest.fixture
def private_mounts(oci):
    """Every mydocker-runc command of the test runs in a mount namespace of its own, held by a
    sleeping process: a container without a mount namespace makes its mounts in the caller's,
    and whatever a failure leaves there goes with the namespace. Yields the holder's pid."""
    holder = subprocess.Popen(["unshare", "-m", "--propagation", "private", "sleep", "infinity"])
    try:
        wait_for(lambda: os.readlink(f"/proc/{holder.pid}/ns/mnt") != os.readlink("/proc/self/ns/mnt"),
                 what="the private mount namespace")
        oci.prefix = ["nsenter", "-t", str(holder.pid), "-m", "--"]
        yield holder.pid
        for cid in oci.ids():
            oci.run("delete", "--force", cid, check=False)
    finally:
        holder.kill()
        holder.wait()
        oci.prefix = []


def without_namespaces(config):
    """No namespace at all and no hostname: the container shares the runtime's (the spec's
    "If a namespace type is not specified ..., the container MUST inherit the runtime namespace
    of that type"). The mounts of the validation suite's default config, and the cgroup mount."""
    config["linux"]["namespaces"] = []
    del config["hostname"]
    config["mounts"][2:2] = [
        {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
         "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
        {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
         "options": ["nosuid", "noexec", "nodev"]},
        {"destination": "/sys", "type": "sysfs", "source": "sysfs",
         "options": ["nosuid", "noexec", "nodev", "ro"]},
    ]
    return config


def mountinfo(pid):
    return Path(f"/proc/{pid}/mountinfo").read_text().splitlines()


def test_without_namespaces_the_container_shares_the_runtimes_and_delete_removes_its_mounts(
        oci, private_mounts):
    """linux_ns_itype: every /proc/PID/ns link of the container is the caller's. Its mounts are
    made in the caller's mount namespace below its root file system (masked and read-only paths
    and a read-only root too), exec enters the same root, state/ps/kill work for an init that is
    not PID 1, and delete leaves the caller's mount table as it was."""
    config = without_namespaces(base_config(["sleep", "60"]))
    config["root"]["readonly"] = True
    oci.write_config(config)
    rootfs = str(oci.bundle / "rootfs")
    before = mountinfo(private_mounts)
    oci.run("create", "--bundle", str(oci.bundle), "n1", stdout=open(oci.tmp / "n1.out", "w"))
    pid = oci.state("n1")["pid"]
    for ns in ("cgroup", "ipc", "mnt", "net", "pid", "user", "uts"):
        assert os.readlink(f"/proc/{pid}/ns/{ns}") == os.readlink(f"/proc/{private_mounts}/ns/{ns}"), ns
    assert os.readlink(f"/proc/{pid}/root") == rootfs
    added = [line.split() for line in mountinfo(private_mounts) if line not in before]
    targets = [fields[4] for fields in added]
    assert targets[0] == rootfs and "shared:" not in " ".join(added[0][6:added[0].index("-")])
    for path in ("/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/proc/sys"):
        assert rootfs + path in targets, path
    assert all(t == rootfs or t.startswith(rootfs + "/") for t in targets), targets
    assert added[0][5].split(",")[0] == "ro"  # root.readonly: the bind, not the file system
    assert "ro" in added[targets.index(rootfs + "/proc/sys")][5].split(",")
    oci.run("start", "n1")
    wait_for(lambda: Path(f"/proc/{pid}/exe").resolve().name == "busybox", what="execve")
    r = oci.run("exec", "n1", "sh", "-c", "ls /; for n in mnt pid; do busybox readlink /proc/self/ns/$n; done; echo $$")
    lines = r.stdout.split()
    assert lines[:6] == ["bin", "dev", "proc", "sys", "tmp", os.readlink(f"/proc/{pid}/ns/mnt")]
    assert lines[6] == os.readlink("/proc/self/ns/pid") and int(lines[7]) > 1
    assert oci.state("n1")["status"] == "running" and pid > 1
    assert pid in json.loads(oci.run("ps", "--format", "json", "n1").stdout)
    oci.run("kill", "n1", "KILL")
    wait_for(lambda: oci.state("n1")["status"] == "stopped", what="stopped")
    # Stopped, its mounts stay until delete.
    assert any(rootfs in line for line in mountinfo(private_mounts))
    oci.run("delete", "n1")
    assert mountinfo(private_mounts) == before
    assert oci.ids() == [] and not cgroups_named("n1")


def test_without_a_mount_namespace_mounts_never_follow_a_symlink_out_of_the_root(oci, private_mounts):
    """A mount destination through a symlink in the image that points to a host path lands at
    that path inside the root file system, never on the host's."""
    outside = oci.tmp / "outside"
    outside.mkdir()
    rootfs = oci.bundle / "rootfs"
    os.symlink(str(outside), rootfs / "escape")
    (rootfs / str(outside).lstrip("/")).mkdir(parents=True)
    config = without_namespaces(base_config(["sleep", "60"]))
    config["mounts"].append({"destination": "/escape/x", "type": "tmpfs", "source": "tmpfs"})
    oci.write_config(config)
    before = mountinfo(private_mounts)
    oci.run("create", "--bundle", str(oci.bundle), "n2", stdout=open(oci.tmp / "n2.out", "w"))
    targets = [line.split()[4] for line in mountinfo(private_mounts) if line not in before]
    assert str(rootfs) + str(outside) + "/x" in targets
    assert not any(t.startswith(str(outside)) for t in targets) and list(outside.iterdir()) == []
    oci.run("delete", "--force", "n2")
    assert mountinfo(private_mounts) == before


@pytest.mark.parametrize("what", ["failing mount", "failing create hook"])
def test_without_a_mount_namespace_a_failing_create_leaves_nothing(oci, private_mounts, what):
    config = without_namespaces(base_config(["sleep", "60"]))
    if what == "failing mount":  # after /proc, /dev and the others are mounted
        config["mounts"].append({"destination": "/bad", "type": "no-such-fs", "source": "x"})
    else:  # once init waits for start, every mount made
        config["hooks"] = {"createRuntime": [{"path": "/bin/sh", "args": ["sh", "-c", "exit 3"]}]}
    oci.write_config(config)
    before = mountinfo(private_mounts)
    r = oci.run("create", "--bundle", str(oci.bundle), "n3", check=False)
    assert r.returncode == 1 and r.stderr.count("\n") == 1, r.stderr
    assert mountinfo(private_mounts) == before
    assert oci.ids() == [] and not cgroups_named("n3")


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda c: c.__setitem__("hostname", "h"), "hostname: needs a UTS namespace"),
        (lambda c: c["linux"].__setitem__("sysctl", {"net.ipv4.ip_forward": "1"}),
         "net.ipv4.ip_forward: needs a network namespace"),
        (lambda c: c["linux"].__setitem__("sysctl", {"kernel.shmmax": "1"}),
         "kernel.shmmax: needs an IPC namespace"),
        (lambda c: c["linux"].__setitem__("sysctl", {"vm.swappiness": "1"}),
         "not in a separate kernel namespace"),
        (lambda c: c["linux"].__setitem__("rootfsPropagation", "shared"),
         "rootfsPropagation: needs a mount namespace"),
        (lambda c: with_user_namespace(c), "a new user namespace needs a mount namespace"),
    ],
)
def test_without_namespaces_what_would_change_the_runtimes_is_refused(oci, private_mounts, mutate,
                                                                      message):
    config = without_namespaces(base_config(["true"]))
    mutate(config)
    oci.write_config(config)
    before = mountinfo(private_mounts)
    r = oci.run("create", "--bundle", str(oci.bundle), "n4", check=False)
    assert r.returncode == 1 and message in r.stderr and r.stderr.count("\n") == 1, r.stderr
    assert mountinfo(private_mounts) == before and oci.ids() == []


def test_exec_joins_the_namespaces_init_joined_by_path(oci):
    """A network namespace given by path (a pod's) is the exec'd process's too."""
    holder = subprocess.Popen(["unshare", "-n", "sleep", "infinity"])
    try:
        wait_for(lambda: os.readlink(f"/proc/{holder.pid}/ns/net") != os.readlink("/proc/self/ns/net"),
                 what="the network namespace")
        config = base_config(["sleep", "60"])
        config["linux"]["namespaces"] = [{"type": t} for t in ("pid", "ipc", "uts", "mount")] + [
            {"type": "network", "path": f"/proc/{holder.pid}/ns/net"}]
        oci.write_config(config)
        oci.run("create", "--bundle", str(oci.bundle), "j1", stdout=open(oci.tmp / "j1.out", "w"))
        oci.run("start", "j1")
        pid = oci.state("j1")["pid"]
        want = os.readlink(f"/proc/{holder.pid}/ns/net")
        assert os.readlink(f"/proc/{pid}/ns/net") == want
        assert oci.run("exec", "j1", "busybox", "readlink", "/proc/self/ns/net").stdout == want + "\n"
        oci.run("delete", "--force", "j1")
    finally:
        holder.kill()
        holder.wait()
