"""A chaos soak (issue #20): 8 workers run random commands on a few shared container names while
another thread SIGKILLs clients and monitors at random moments. Afterwards the runtime must agree
with the kernel, every container must be removable, and nothing may be left behind.

MYDOCKER_CHAOS_SECONDS sets how long the workers run (150 s by default; longer for a soak by hand).
MYDOCKER_CHAOS_SEED replays a run: the operations each worker chooses come from it (the timing,
and so what the killer hits, does not replay exactly).
"""

import json
import os
import random
import signal
import subprocess
import threading
import time
from pathlib import Path

from conftest import cgroup_dirs_for, parse_json_lines, processes_mentioning

SECONDS = float(os.environ.get("MYDOCKER_CHAOS_SECONDS", "150"))
SEED = int(os.environ.get("MYDOCKER_CHAOS_SEED", str(int(time.time()))))
WORKERS = 8
NAMES = [f"chaos{i}" for i in range(6)]
# A client that neither finishes nor is killed within this long is hung: a finding.
CLIENT_TIMEOUT = 120
# A process killed by one of these signals crashed (the killer only sends SIGKILL).
CRASH_SIGNALS = {signal.SIGSEGV, signal.SIGABRT, signal.SIGBUS, signal.SIGFPE, signal.SIGILL}


class Clients:
    """Every client process running now, so that the killer can pick one."""

    def __init__(self, runtime):
        self.runtime = runtime
        self.lock = threading.Lock()
        self.live = {}
        self.killed = set()
        self.findings = []
        self.errors = {}  # first line of each error message -> how often

    def run(self, *args):
        proc = subprocess.Popen(self.runtime.cmd(*args), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        with self.lock:
            self.live[proc.pid] = proc
        try:
            out, err = proc.communicate(timeout=CLIENT_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            ps = subprocess.run(self.runtime.cmd("ps", "-a"), capture_output=True, text=True)
            self.finding(f"hung for {CLIENT_TIMEOUT} s: mydocker {' '.join(args)}\n{ps.stdout}")
        with self.lock:
            del self.live[proc.pid]
            killed = proc.pid in self.killed
        self.judge(args, proc.returncode, err, killed)
        return proc.returncode, out

    def judge(self, args, code, err, killed):
        what = f"mydocker {' '.join(args)}"
        if code < 0 and not killed:
            self.finding(f"{what}: killed by signal {-code}\n{err}")
        elif code > 128 and code - 128 in CRASH_SIGNALS:
            self.finding(f"{what}: exited {code}\n{err}")
        elif code > 0 and not killed and (args[0] != "exec" or code in (125, 126, 127)):
            # (exec exits with its command's status: 137 when the container was killed under it)
            lines = err.strip().splitlines()
            if len(lines) != 1:
                self.finding(f"{what}: exited {code} without one error line: {err!r}")
            key = lines[0] if lines else ""
            with self.lock:
                self.errors[key] = self.errors.get(key, 0) + 1

    def kill_one(self, rng):
        with self.lock:
            if not self.live:
                return
            pid = rng.choice(sorted(self.live))
            self.killed.add(pid)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def finding(self, text):
        with self.lock:
            self.findings.append(text)


def monitors(root):
    return [pid for pid, cmd in processes_mentioning(f"--root {root} ") if "__monitor" in cmd]


def operation(clients, rng, worker):
    name = rng.choice(NAMES)
    ops = [
        lambda: clients.run("run", "-d", "--name", name, "busybox", "sh", "-c",
                            "trap 'exit 3' TERM; while :; do sleep 0.2; done"),
        lambda: clients.run("run", "-d", "--rm", "--name", name, "busybox", "sleep", "5"),
        lambda: clients.run("run", "-d", "--name", name, "--restart", "on-failure:2", "busybox",
                            "sh", "-c", "sleep 1; exit 1"),
        lambda: clients.run("exec", name, "sh", "-c", "echo hello; ls / >/dev/null"),
        lambda: clients.run("stop", "-t", "1", name),
        lambda: clients.run("kill", name),
        lambda: clients.run("rm", "-f", name),
        lambda: clients.run("commit", name, f"chaos:w{worker}"),
        lambda: clients.run("pause", name),
        lambda: clients.run("unpause", name),
        lambda: clients.run("restart", "-t", "1", name),
        lambda: clients.run("rename", name, rng.choice(NAMES)),
        lambda: clients.run("update", "--memory", f"{rng.randint(32, 128)}m",
                            "--pids-limit", str(rng.randint(50, 500)), name),
        lambda: clients.run("start", name),
        lambda: clients.run("ps", "-a"),
        lambda: clients.run("logs", "--tail", "5", name),
    ]
    rng.choice(ops)()


def chaos(runtime, seconds, seed):
    clients = Clients(runtime)
    stop = threading.Event()

    def worker(index):
        rng = random.Random(seed * 100 + index)
        try:
            while not stop.is_set():
                operation(clients, rng, index)
        except Exception as exc:  # a test bug or an unreadable output: report, don't hang
            clients.finding(f"worker {index}: {exc!r}")

    def killer():
        rng = random.Random(seed)
        while not stop.wait(rng.uniform(0.02, 0.4)):
            if rng.random() < 0.7:
                clients.kill_one(rng)
            else:
                found = monitors(runtime.root)
                if found:
                    try:
                        os.kill(rng.choice(found), signal.SIGKILL)
                    except ProcessLookupError:
                        pass

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(WORKERS)]
    threads.append(threading.Thread(target=killer))
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    # A command in flight may be frozen inside a container that another worker paused (exec
    # then waits for the thaw, as Docker's does): thaw what is paused until every worker is done.
    while any(t.is_alive() for t in threads):
        for e in runtime.ps():
            if e.get("State") == "paused":
                runtime.md("unpause", e["ID"])
        for t in threads:
            t.join(timeout=1)
    return clients


def cgroup_procs(cid):
    pids = set()
    for d in cgroup_dirs_for(cid):
        try:
            pids |= {int(p) for p in Path(d, "cgroup.procs").read_text().split()}
        except OSError:
            pass
    return pids


def frozen(cid):
    for path in (f"/sys/fs/cgroup/freezer/mydocker/{cid}/freezer.state",
                 f"/sys/fs/cgroup/mydocker/{cid}/cgroup.freeze"):
        if os.path.exists(path):
            return Path(path).read_text().strip() in ("FROZEN", "1")
    return False


def disagreements(runtime):
    """Where `ps`/`inspect` and the kernel disagree (empty when they agree)."""
    problems = []
    listed = {e["ID"]: e for e in runtime.ps()}
    full_ids = runtime.md("ps", "-aq", "--no-trunc", check=True).stdout.split()
    live = {}
    for cid in full_ids:
        r = runtime.md("inspect", cid)
        if r.returncode != 0:
            problems.append(f"inspect {cid}: {r.stderr.strip()}")
            continue
        state = json.loads(r.stdout)[0]["State"]
        procs = cgroup_procs(cid)
        if state["Running"]:
            live[cid] = state
            if not Path(f"/proc/{state['Pid']}").exists():
                problems.append(f"{cid[:12]} is running with pid {state['Pid']}, which is gone")
            elif state["Pid"] not in procs:
                problems.append(f"{cid[:12]}'s pid {state['Pid']} is not in its cgroup {procs}")
            if state["Paused"] != frozen(cid):
                problems.append(f"{cid[:12]}: Paused {state['Paused']}, cgroup frozen "
                                f"{frozen(cid)}")
        elif procs:
            problems.append(f"{cid[:12]} is {state['Status']} but its cgroup holds {procs}")
    if len(listed) != len(full_ids):
        problems.append(f"ps lists {len(listed)} containers, ps -q {len(full_ids)}")
    # Every container directory is one ps knows, and every monitor is a live container's.
    # (staging directories, .creating-<id>, of creators killed midway go with the next rm)
    unknown = {d for d in runtime.container_dirs() if not d.startswith(".")} - set(full_ids)
    if unknown:
        problems.append(f"container directories ps does not list: {sorted(unknown)}")
    monitor_pids = {s.get("MonitorPid") for s in live.values()}
    for pid in monitors(runtime.root):
        if pid not in monitor_pids:
            problems.append(f"monitor {pid} belongs to no running container")
    return problems


def test_chaos_soak(runtime):
    layers_before = runtime.layer_dirs()
    clients = chaos(runtime, SECONDS, SEED)
    print(f"seed {SEED}; {len(clients.killed)} clients killed; errors seen:")
    for line, count in sorted(clients.errors.items(), key=lambda kv: -kv[1]):
        print(f"  {count:5d}  {line}")
    assert not clients.findings, f"seed {SEED}:\n" + "\n".join(clients.findings)

    # The runtime agrees with the kernel once the monitors that were mid-way have finished.
    deadline = time.monotonic() + 30
    while (problems := disagreements(runtime)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not problems, f"seed {SEED}:\n" + "\n".join(problems)
    layers = Path(runtime.root) / "layers"
    assert sorted(p.name for p in layers.iterdir() if p.name.startswith("tmp-")) == []

    # Every committed image is whole and runs; every container can be removed.
    images = runtime.md("images", "--format", "json", check=True).stdout
    committed = sorted({f"{i['Repository']}:{i['Tag']}" for i in parse_json_lines(images)
                        if i["Repository"] == "chaos"})
    for image in committed:
        runtime.md("image", "inspect", image, check=True)
        runtime.md("run", "--rm", "--network", "none", image, "true", check=True)
    ids = runtime.md("ps", "-aq", "--no-trunc", check=True).stdout.split()
    if ids:
        runtime.md("rm", "-f", *ids, check=True, timeout=300)
    assert runtime.ps() == []
    assert runtime.container_dirs() == []  # staging directories of killed creators went too
    # Removing every image but busybox (commits that replaced a tag left <none> images) leaves
    # only busybox's layers: no layer of a commit was orphaned.
    images = parse_json_lines(runtime.md("images", "--no-trunc", "--format", "json",
                                         check=True).stdout)
    doomed = sorted({i["ID"] for i in images if i["Repository"] != "busybox"})
    if doomed:
        # Hundreds of images after a long soak (every commit that replaced a tag left one).
        runtime.md("rmi", *doomed, check=True, timeout=600)
    assert runtime.layer_dirs() == layers_before
    # No temporary file of a writer killed midway anywhere in the state root.
    leftovers = [str(p) for p in Path(runtime.root).rglob("*") if ".tmp-" in p.name or
                 p.name.startswith("tmp-")]
    assert leftovers == []
