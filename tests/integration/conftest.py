"""Fixtures for mydocker's integration tests.

Every test gets its own temporary state root with the busybox image imported. On teardown the
fixture force-removes every container of that root and then proves nothing was left behind: no
mount mentioning the root, no cgroup directory of a container the test created, no process whose
command line mentions the root (monitors run as `mydocker __monitor --root <root> --id <id>`, or
`--await-id <id>` once `run` has given them the id), no veth pair or nftables table of a container
the test created.

Containers get the default bridge network, as Docker's do: the whole suite runs in a network
namespace of its own (`suite_netns`, made before the first test), so bridges, veth pairs,
addresses, routes and nftables tables exist only there and no packet reaches the host's
interfaces. At the end the host's namespace is checked to have the same interfaces as before.
"""

import ctypes
import glob
import socket
import json
import struct
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MYDOCKER_BIN = os.environ.get("MYDOCKER_BIN", str(REPO / "build" / "bin" / "mydocker"))
BUSYBOX_TAR = os.environ.get("MYDOCKER_BUSYBOX_TAR", str(REPO / "build" / "busybox.tar"))
CGROUP_ROOT = "/sys/fs/cgroup"
# The listing cache versions before 1.6 kept in <root>/containers (libcontainer/src/list_cache.h;
# it is <root>/cache/containers.list now, and an old one is deleted by the next listing).
LIST_CACHE = ".list-cache"
# `run` pulls an image it does not have (docs/registries.md). The tests run offline: a pull of a
# missing image from an unreachable registry gives up within 5 s instead of the default 30 s.
os.environ.setdefault("MYDOCKER_REGISTRY_CONNECT_TIMEOUT", "5")


CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)


def _netns_call(rc, what):
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def interfaces():
    """Interface names of the calling thread's network namespace."""
    return sorted(name for _, name in socket.if_nameindex())


@pytest.fixture(scope="session", autouse=True)
def suite_netns():
    """Moves the test process (its main thread, and so every process it starts) into a fresh
    network namespace with only lo, up, for the whole session; checks the host's afterwards."""
    if os.geteuid() != 0:
        yield
        return
    host = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    host_links = interfaces()
    _netns_call(_libc.unshare(CLONE_NEWNET), "unshare(CLONE_NEWNET)")
    try:
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True, capture_output=True)
        yield
    finally:
        _netns_call(_libc.setns(host, CLONE_NEWNET), "setns back to the host's namespace")
        os.close(host)
    assert interfaces() == host_links, "the host's interfaces changed during the suite"


def container_links(container_id):
    """Host ends of a container's veth pairs in this namespace (veth<11 hex>, veth<8 hex>n<N>)."""
    if len(container_id) < 11:
        return []
    return [n for n in interfaces()
            if n == "veth" + container_id[:11] or n.startswith("veth" + container_id[:8] + "n")]


def container_tables(binary, container_id):
    """The container's nftables table (published ports), if this namespace has one."""
    nft = os.path.join(os.path.dirname(binary), "mydocker-nft")
    if len(container_id) < 12 or not os.access(nft, os.X_OK):
        return []
    out = subprocess.run([nft], input="list tables\n", capture_output=True, text=True)
    name = "mydocker-c-" + container_id[:12]
    return [line.split()[-1] for line in out.stdout.splitlines() if line.split()[-1:] == [name]]


def pytest_collection_modifyitems(config, items):
    if os.geteuid() != 0:
        skip = pytest.mark.skip(reason="integration tests need root (namespaces, mounts, cgroups)")
        for item in items:
            item.add_marker(skip)


def wait_for(predicate, timeout=10.0, interval=0.02, what="condition"):
    """Polls predicate until it returns a truthy value; returns it or fails after timeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def http_get(url):
    """The body of GET url as text, or None if nothing answers within 2 s."""
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.read().decode()
    except OSError:
        return None


def parse_json_lines(text):
    """`ps --format json` prints one object per line (Docker style); accept an array too."""
    text = text.strip()
    if not text:
        return []
    if text.startswith("["):
        return json.loads(text)
    return [json.loads(line) for line in text.splitlines() if line.strip()]


LOG_RECORD_MAGIC = 0xD7


def read_log(path):
    """The records of a container's log as dicts {"stream", "log" (bytes), "time" (ns)}: the
    default "local" log (a 16-byte header: magic, stream, u16 flags (1: continues a line), u32
    size, i64 time in ns; the payload; the size again), or Docker's json-file lines (time left
    as its text)."""
    data = Path(path).read_bytes()
    if not data or data[0] != LOG_RECORD_MAGIC:
        return [dict(rec, log=rec["log"].encode()) for rec in
                (json.loads(line) for line in data.splitlines() if line.strip())]
    records, at = [], 0
    while at + 20 <= len(data):
        magic, stream, flags, size, t = struct.unpack_from("<BBHIq", data, at)
        assert magic == LOG_RECORD_MAGIC and stream in (1, 2) and flags in (0, 1), at
        end = at + 16 + size
        assert struct.unpack_from("<I", data, end)[0] == size, at
        records.append({"stream": "stdout" if stream == 1 else "stderr",
                        "log": data[at + 16:end], "time": t})
        at = end + 4
    assert at == len(data), "torn record at the end of the log"
    return records


def assert_refused_before_anything_is_created(runtime, args, message):
    """`run --rm ARGS busybox true` exits 125 with one line naming `message` and leaves no
    container and no volume."""
    r = runtime.md("run", "--rm", *args, "busybox", "true")
    assert r.returncode == 125
    assert message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert runtime.container_dirs() == []
    assert runtime.ps() == []
    assert runtime.md("volume", "ls", "-q", check=True).stdout == ""


def cgroup_dirs_for(container_id):
    """Existing cgroup directories (any v1 controller or v2) for a full id or an id prefix."""
    found = []
    for pattern in (f"{CGROUP_ROOT}/*/mydocker/{container_id}*", f"{CGROUP_ROOT}/mydocker/{container_id}*"):
        found.extend(p for p in glob.glob(pattern) if os.path.isdir(p))
    return found


def children_of(ppid):
    """The pids of the live processes whose parent is `ppid`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) == ppid:
                    found.append(int(entry))
        except (OSError, ValueError, IndexError):
            continue
    return found


def processes_mentioning(text):
    """(pid, cmdline) of every live process other than ourselves whose cmdline contains text."""
    found = []
    me = os.getpid()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == me:
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmdline:
            found.append((int(entry), cmdline.strip()))
    return found


def mounts_mentioning(text):
    with open("/proc/self/mountinfo") as f:
        return [line.strip() for line in f if text in line]


class Runtime:
    """One temporary state root with busybox imported, and helpers to drive the CLI against it."""

    def __init__(self, root, binary):
        self.root = root
        self.bin = binary
        self.ids = set()  # full ids or id prefixes of every container this test created
        self.popens = []

    def cmd(self, *args):
        return [self.bin, "--root", self.root, *[str(a) for a in args]]

    def md(self, *args, input=None, timeout=30, check=False, env=None):
        """Runs `mydocker --root ROOT ARGS...`; returns the CompletedProcess (text mode)."""
        proc = subprocess.run(self.cmd(*args), input=input, capture_output=True, text=True,
                              timeout=timeout, env=env)
        self.record_ids()
        if check and proc.returncode != 0:
            raise AssertionError(f"mydocker {' '.join(map(str, args))} exited {proc.returncode}\n"
                                 f"stdout: {proc.stdout}\nstderr: {proc.stderr}")
        return proc

    def popen(self, *args, **kwargs):
        """Starts `mydocker --root ROOT ARGS...` in the background; killed on teardown if alive."""
        kwargs.setdefault("stdout", subprocess.PIPE)
        kwargs.setdefault("stderr", subprocess.PIPE)
        kwargs.setdefault("text", True)
        proc = subprocess.Popen(self.cmd(*args), **kwargs)
        self.popens.append(proc)
        return proc

    def track(self, container_id):
        """Records an id (or id prefix, e.g. a default hostname) for the teardown leak checks."""
        if container_id:
            self.ids.add(container_id.strip())

    def container_dirs(self):
        """Every entry of <root>/containers but the listing cache (a file `ps` keeps there)."""
        d = Path(self.root) / "containers"
        if not d.is_dir():
            return []
        return sorted(p.name for p in d.iterdir() if p.name != LIST_CACHE)

    def record_ids(self):
        for cid in self.container_dirs():
            self.ids.add(cid)

    def ps(self, all=True):
        args = ["ps", "--format", "json"] + (["-a"] if all else [])
        proc = self.md(*args, check=True)
        entries = parse_json_lines(proc.stdout)
        for e in entries:
            self.track(e.get("ID") or e.get("Id"))
        return entries

    def inspect(self, name_or_id):
        for e in self.ps():
            if e.get("Names") == name_or_id or e["ID"].startswith(name_or_id):
                return e
        return None

    def container_dir(self, container_id):
        return Path(self.root) / "containers" / container_id

    def layer_dirs(self):
        d = Path(self.root) / "layers" / "sha256"
        return sorted(p.name for p in d.iterdir()) if d.is_dir() else []

    def wait_running(self, name, timeout=10):
        """Waits until `ps` reports the container running with a pid; returns its ps entry."""
        def running():
            e = self.inspect(name)
            return e if e and e.get("State") == "running" and e.get("Pid") else None
        return wait_for(running, timeout=timeout, what=f"container {name} to be running")

    def teardown(self):
        problems = []
        for proc in self.popens:
            if proc.poll() is None:
                proc.kill()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                problems.append(f"client {proc.pid} did not die on SIGKILL")
            for stream in (proc.stdin, proc.stdout, proc.stderr):
                if stream:
                    stream.close()
        try:
            self.ps()
        except Exception as exc:  # keep cleaning even if ps is broken
            problems.append(f"ps -a failed during teardown: {exc}")
        self.record_ids()
        try:
            listed = subprocess.run(self.cmd("ps", "-aq", "--no-trunc"), capture_output=True,
                                    text=True, timeout=30).stdout.split()
        except Exception as exc:
            listed = []
            problems.append(f"ps -aq failed during teardown: {exc}")
        # A staging directory (.creating-<id>) of a creator killed midway is not a container:
        # rm of any container deletes it.
        targets = sorted(set(listed) | {d for d in self.container_dirs() if not d.startswith(".")})
        if targets:
            try:
                rm = subprocess.run(self.cmd("rm", "-f", *targets), capture_output=True, text=True,
                                    timeout=60)
                if rm.returncode != 0:
                    problems.append(f"rm -f {targets} exited {rm.returncode}: {rm.stderr.strip()}")
            except Exception as exc:
                problems.append(f"rm -f failed during teardown: {exc}")

        def leaks():
            found = []
            found += [f"mount: {m}" for m in mounts_mentioning(self.root)]
            for cid in sorted(self.ids):
                found += [f"cgroup: {d}" for d in cgroup_dirs_for(cid)]
            found += [f"process {pid}: {cmd}" for pid, cmd in processes_mentioning(self.root)]
            found += [f"container dir: {c}" for c in self.container_dirs()]
            for cid in sorted(self.ids):
                found += [f"veth: {n}" for n in container_links(cid)]
            if not found:  # spawns mydocker-nft: only once the cheaper checks pass
                for cid in sorted(self.ids):
                    found += [f"nftables table: {t}" for t in container_tables(self.bin, cid)]
            return found

        # Monitors release resources asynchronously after `rm -f`: give them a moment.
        deadline = time.monotonic() + 10
        remaining = leaks()
        while remaining and time.monotonic() < deadline:
            time.sleep(0.05)
            remaining = leaks()
        problems += remaining
        if remaining:
            # Do not leave a mess for the next test even though this one fails.
            for pid, _ in processes_mentioning(self.root):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            for line in mounts_mentioning(self.root):
                subprocess.run(["umount", "-l", line.split()[4]], capture_output=True)
            for cid in self.ids:
                for d in cgroup_dirs_for(cid):
                    try:
                        os.rmdir(d)
                    except OSError:
                        pass
        shutil.rmtree(self.root, ignore_errors=True)
        return problems


@pytest.fixture(scope="session")
def mydocker_bin():
    """A private copy of the binary, so a rebuild during the run cannot swap it under a test.

    The small helper (monitor and exec stub) beside the binary is copied beside the copy, which
    uses it as the installed CLI does; without one the CLI is its own helper.
    MYDOCKER_IT_NO_COPY=1 tests the binary in place.
    """
    # A missing binary is a failure, not a skip: CTest must not report a green suite that ran nothing.
    assert os.access(MYDOCKER_BIN, os.X_OK), f"no mydocker binary at {MYDOCKER_BIN} (set MYDOCKER_BIN)"
    assert os.path.isfile(BUSYBOX_TAR), f"no busybox tarball at {BUSYBOX_TAR} (set MYDOCKER_BUSYBOX_TAR)"
    if os.environ.get("MYDOCKER_IT_NO_COPY") == "1":
        yield MYDOCKER_BIN
        return
    tmp = tempfile.mkdtemp(prefix="mydocker-it-bin-")
    copy = os.path.join(tmp, "mydocker")
    deadline = time.monotonic() + 120
    try:
        while True:  # the binary may be half-written by a concurrent link step: retry
            try:
                shutil.copy2(MYDOCKER_BIN, copy)
                # The helper, the nftables program networks use (see docs/networking.md) and the
                # registry program pull uses (docs/registries.md).
                for name in ("mydocker-helper", "mydocker-nft", "mydocker-registry"):
                    helper = os.path.join(os.path.dirname(MYDOCKER_BIN), name)
                    if os.access(helper, os.X_OK):
                        shutil.copy2(helper, os.path.join(tmp, name))
                if subprocess.run([copy, "--version"], capture_output=True, timeout=10).returncode == 0:
                    break
            except (OSError, subprocess.SubprocessError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"could not get a working copy of {MYDOCKER_BIN}")
            time.sleep(0.5)
        yield copy
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def runtime(mydocker_bin):
    root = tempfile.mkdtemp(prefix="mydocker-it-")
    rt = Runtime(root, mydocker_bin)
    try:
        rt.md("image", "import", BUSYBOX_TAR, "busybox", check=True)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    problems = []
    try:
        yield rt
    finally:
        problems = rt.teardown()
    assert not problems, "test left resources behind:\n" + "\n".join(problems)
