"""The lifecycle of detached containers: run -d, logs, stop, kill, start, restart, wait, inspect,
rename, ps, and the truth under failure (killed monitor, killed init, recycled pids, broken
records, concurrent commands). Issue 3."""

import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import (cgroup_dirs_for, mounts_mentioning, parse_json_lines, processes_mentioning,
                      wait_for)

ID_RE = re.compile(r"^[0-9a-f]{64}$")
RFC3339_RE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) (.*)$")
TRAP_IGNORE_TERM = 'trap "" TERM; while true; do sleep 0.1; done'
CRASH_CODES = {128 + signal.SIGSEGV, 128 + signal.SIGABRT, 128 + signal.SIGBUS}


# ---------------------------------------------------------------------------------------------
# helpers


def inspect_all(runtime, *names):
    """`inspect NAMES...` parsed; fails unless it exits 0."""
    r = runtime.md("inspect", *names)
    assert r.returncode == 0, f"inspect {names} exited {r.returncode}: {r.stderr}"
    data = json.loads(r.stdout)
    assert isinstance(data, list)
    return data


def state_of(runtime, name):
    return inspect_all(runtime, name)[0]["State"]


def ps_entry(runtime, name):
    for e in runtime.ps():
        if e.get("Names") == name:
            return e
    return None


def pid_alive(pid):
    """True if pid is a live process (a zombie counts as dead)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def proc_start_time(pid):
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[19])


def cgroup_procs(container_id):
    """Pids in the container's memory cgroup (v1 layout of this host)."""
    for d in cgroup_dirs_for(container_id):
        if "/memory/" in d:
            with open(os.path.join(d, "cgroup.procs")) as f:
                return [int(x) for x in f.read().split()]
    return []


def monitors_of(runtime, container_id):
    return [(pid, cmd) for pid, cmd in processes_mentioning(container_id)
            if "__monitor" in cmd and pid_alive(pid)]


def run_detached(runtime, *args):
    r = runtime.md("run", "-d", *args)
    assert r.returncode == 0, f"run -d {args} exited {r.returncode}: {r.stderr}"
    cid = r.stdout.strip()
    assert ID_RE.match(cid), r.stdout
    runtime.track(cid)
    return cid


def assert_no_crash(proc_or_rc, what):
    rc = proc_or_rc if isinstance(proc_or_rc, int) else proc_or_rc.returncode
    assert rc not in CRASH_CODES and rc >= 0, f"{what} crashed with {rc}"


# ---------------------------------------------------------------------------------------------
# run -d


def test_run_detached_prints_full_id_and_returns_while_running(runtime):
    t0 = time.monotonic()
    r = runtime.md("run", "-d", "--name", "bg", "busybox", "sleep", "30")
    elapsed = time.monotonic() - t0
    assert r.returncode == 0, r.stderr
    cid = r.stdout.strip()
    assert ID_RE.match(cid), r.stdout
    assert r.stdout == cid + "\n"
    assert elapsed < 10
    # Returned once the process has started, not before: no polling needed here.
    st = state_of(runtime, "bg")
    assert st["Status"] == "running" and st["Running"] is True
    assert st["ExitCode"] == 0  # Docker's while running (issue #18)
    assert pid_alive(st["Pid"])
    assert b"sleep" in Path(f"/proc/{st['Pid']}/cmdline").read_bytes()
    assert pid_alive(st["MonitorPid"])
    assert cgroup_dirs_for(cid)
    # The monitor is the container's parent and is detached from our session.
    ppid = int(Path(f"/proc/{st['Pid']}/stat").read_text().rsplit(")", 1)[1].split()[1])
    assert ppid == st["MonitorPid"]
    assert os.getsid(st["MonitorPid"]) != os.getsid(0)
    assert inspect_all(runtime, cid)[0]["Id"] == cid


@pytest.mark.parametrize("command,code,reason", [
    ("no-such-command-xyz", 127, "not found"),
    ("/etc/passwd", 126, ""),
])
def test_run_detached_start_failure_stays_created(runtime, command, code, reason):
    r = runtime.md("run", "-d", "--name", "broken", "busybox", command)
    assert r.returncode == code, (r.stdout, r.stderr)
    assert command in r.stderr and reason in r.stderr, r.stderr
    assert r.stdout.strip() == "" or ID_RE.match(r.stdout.strip())
    entry = ps_entry(runtime, "broken")
    assert entry is not None, "a container that could not start stays listed"
    assert entry["State"] == "created"
    assert entry["Status"] == "Created"
    assert "broken" not in runtime.md("ps", check=True).stdout
    st = state_of(runtime, "broken")
    assert st["Status"] == "created" and st["Running"] is False
    assert command in st["Error"] and reason in st["Error"], st
    assert st["Pid"] == 0
    cid = entry["ID"]
    wait_for(lambda: not cgroup_dirs_for(cid) and not mounts_mentioning(cid)
             and not monitors_of(runtime, cid), timeout=10, what="resources released")
    # rm without -f removes a created container.
    runtime.md("rm", "broken", check=True)
    assert runtime.container_dirs() == []


def test_run_detached_rm_with_bad_command_leaves_nothing(runtime):
    r = runtime.md("run", "-d", "--rm", "busybox", "no-such-command-xyz")
    assert r.returncode == 127
    assert "no-such-command-xyz" in r.stderr
    assert runtime.container_dirs() == []
    assert runtime.ps() == []


def test_run_detached_rm_leaves_nothing_after_exit(runtime):
    cid = run_detached(runtime, "--rm", "busybox", "sh", "-c", "sleep 0.3; exit 3")
    wait_for(lambda: not runtime.container_dir(cid).exists(), timeout=10,
             what="the --rm container to remove itself")
    assert runtime.ps() == []
    wait_for(lambda: not cgroup_dirs_for(cid) and not monitors_of(runtime, cid), timeout=10,
             what="cgroups and monitor gone")
    assert mounts_mentioning(cid) == []


def test_run_detached_tty_runs(runtime):
    # Issue #17: -dt (and -dit) leave the terminal with the monitor for a later attach.
    r = runtime.md("run", "-d", "-t", "--name", "dt", "busybox", "sh", "-c", "tty; exit 2")
    assert r.returncode == 0, r.stderr
    assert runtime.md("wait", "dt").stdout.strip() == "2"
    assert runtime.md("logs", "dt").stdout.startswith("/dev/pts/0")


# ---------------------------------------------------------------------------------------------
# logs

LOOP = "for i in 1 2 3 4 5; do echo out$i; echo err$i >&2; sleep 0.25; done"


def test_logs_follow_streams_while_running_and_ends_with_container(runtime):
    run_detached(runtime, "--name", "talker", "busybox", "sh", "-c", LOOP)
    follow = runtime.popen("logs", "-f", "talker")
    first = follow.stdout.readline()
    assert first == "out1\n"
    # The first line arrived while the container still runs (it runs ~1.25 s).
    assert ps_entry(runtime, "talker")["State"] == "running"
    out, err = follow.communicate(timeout=15)
    assert follow.returncode == 0, err
    # -f ended because the container ended.
    assert state_of(runtime, "talker")["Status"] == "exited"
    assert (first + out).splitlines() == [f"out{i}" for i in range(1, 6)]
    assert err.splitlines() == [f"err{i}" for i in range(1, 6)]


def test_logs_follow_of_exited_container_returns(runtime):
    runtime.md("run", "--name", "done", "busybox", "sh", "-c", "echo a; echo b >&2", check=True)
    r = runtime.md("logs", "-f", "done", timeout=10)
    assert r.returncode == 0
    assert r.stdout == "a\n" and r.stderr == "b\n"


def test_logs_separated_tail_and_timestamps(runtime):
    run_detached(runtime, "--name", "talker", "busybox", "sh", "-c",
                 "for i in 1 2 3 4 5; do echo out$i; echo err$i >&2; sleep 0.02; done")
    assert runtime.md("wait", "talker", check=True).stdout.strip() == "0"
    r = runtime.md("logs", "talker", check=True)
    assert r.stdout.splitlines() == [f"out{i}" for i in range(1, 6)]
    assert r.stderr.splitlines() == [f"err{i}" for i in range(1, 6)]
    # --tail counts lines of the log (both streams), each still on its own stream.
    for flag in ("--tail", "-n"):
        r = runtime.md("logs", flag, "2", "talker", check=True)
        assert r.stdout == "out5\n", (flag, r.stdout)
        assert r.stderr == "err5\n", (flag, r.stderr)
    r = runtime.md("logs", "--tail", "4", "talker", check=True)
    assert r.stdout == "out4\nout5\n" and r.stderr == "err4\nerr5\n"
    # -t: RFC3339 timestamps, in order, close to now.
    r = runtime.md("logs", "-t", "talker", check=True)
    stamps = []
    for stream, want in ((r.stdout, "out"), (r.stderr, "err")):
        lines = stream.splitlines()
        assert len(lines) == 5
        for i, line in enumerate(lines, 1):
            m = RFC3339_RE.match(line)
            assert m, line
            assert m.group(2) == f"{want}{i}"
            stamps.append(m.group(1))
    out_stamps = stamps[:5]
    assert out_stamps == sorted(out_stamps)
    assert stamps[0][:4] == time.strftime("%Y", time.gmtime())


def test_logs_stdout_only_tail_and_unknown_container(runtime):
    runtime.md("run", "--name", "five", "busybox", "sh", "-c",
               "for i in 1 2 3 4 5; do echo line$i; done", check=True)
    r = runtime.md("logs", "--tail", "2", "five", check=True)
    assert r.stdout == "line4\nline5\n" and r.stderr == ""
    r = runtime.md("logs", "five", check=True)
    assert r.stdout.splitlines() == [f"line{i}" for i in range(1, 6)]
    r = runtime.md("logs", "nobody")
    assert r.returncode == 1 and "nobody" in r.stderr


def test_logs_tail_of_a_large_log(runtime):
    """--tail reads the log from its end: correct across read chunks and for a final line
    without a newline."""
    runtime.md("run", "--name", "big", "busybox", "sh", "-c",
               "seq 1 60000; printf last", check=True)
    r = runtime.md("logs", "--tail", "3", "big", check=True)
    assert r.stdout == "59999\n60000\nlast", r.stdout
    r = runtime.md("logs", "--tail", "25000", "big", check=True)
    lines = r.stdout.split("\n")
    assert lines[0] == "35002" and lines[-1] == "last" and len(lines) == 25000
    r = runtime.md("logs", "--tail", "100000", "big", check=True)
    assert r.stdout.split("\n")[0] == "1" and r.stdout.count("\n") == 60000


def test_logs_tail_skips_a_torn_last_record(runtime):
    """A record cut short by a crash is not one of the N lines --tail shows."""
    runtime.md("run", "--name", "torn", "busybox", "sh", "-c", "echo l1; echo l2; echo l3",
               check=True)
    log_path = json.loads(runtime.md("inspect", "torn", check=True).stdout)[0]["LogPath"]
    with open(log_path, "a") as f:
        f.write('{"log":"tor')
    assert runtime.md("logs", "--tail", "1", "torn", check=True).stdout == "l3\n"
    assert runtime.md("logs", "--tail", "2", "torn", check=True).stdout == "l2\nl3\n"
    assert runtime.md("logs", "torn", check=True).stdout == "l1\nl2\nl3\n"


def test_logs_follow_loses_nothing_at_the_end(runtime):
    """Output written just before the container exits is all delivered to `logs -f`."""
    run_detached(runtime, "--name", "burst", "busybox", "sh", "-c",
                 "seq 1 3000; sleep 0.3; seq 3001 20000; seq 1 2000 >&2")
    follow = runtime.popen("logs", "-f", "burst")
    out, err = follow.communicate(timeout=30)
    assert follow.returncode == 0
    assert out.split() == [str(i) for i in range(1, 20001)]
    assert err.split() == [str(i) for i in range(1, 2001)]


@pytest.mark.parametrize("driver", ["local", "json-file"])
def test_logs_reproduce_output_bytes(runtime, driver):
    """Long lines, a missing final newline, carriage returns and control bytes survive. Bytes
    that are not UTF-8 come back exactly from the default log (its records hold raw bytes, as
    Docker's local driver does) and as U+FFFD from the json-file log (its JSON is text)."""
    binary = b'\xff\xfe\x00x\tq"\\\n'
    cases = {
        "long": ("head -c 100000 /dev/zero | tr '\\0' a; echo", b"a" * 100000 + b"\n"),
        "nonl": ("printf abc", b"abc"),
        "cr": ("printf 'a\\rb\\n'", b"a\rb\n"),
        "bin": ("printf '\\377\\376\\000x\\tq\"\\\\\\n'",
                binary if driver == "local" else b'\xef\xbf\xbd\xef\xbf\xbd\x00x\tq"\\\n'),
    }
    for name, (script, expected) in cases.items():
        run_detached(runtime, "--name", name, "--log-driver", driver, "busybox", "sh", "-c", script)
        assert runtime.md("wait", name, check=True).stdout.strip() == "0"
        r = subprocess.run(runtime.cmd("logs", name), capture_output=True, timeout=30)
        assert r.returncode == 0
        assert r.stdout == expected, (name, r.stdout[:80])


def test_logs_follow_tail_zero_shows_only_new_lines(runtime):
    run_detached(runtime, "--name", "tf", "busybox", "sh", "-c",
                 "echo old1; echo old2; sleep 0.6; echo new1; sleep 0.2")
    wait_for(lambda: "old2" in runtime.md("logs", "tf").stdout, timeout=5, what="old lines")
    r = runtime.md("logs", "-f", "--tail", "0", "tf", timeout=15)
    assert r.returncode == 0 and r.stdout == "new1\n", r.stdout


def test_logs_follow_ends_when_container_removed(runtime):
    run_detached(runtime, "--name", "gone", "busybox", "sleep", "30")
    follow = runtime.popen("logs", "-f", "gone")
    time.sleep(0.3)
    assert follow.poll() is None, "logs -f must follow a running container"
    runtime.md("rm", "-f", "gone", check=True)
    follow.communicate(timeout=10)


# ---------------------------------------------------------------------------------------------
# stop


def test_stop_kills_after_timeout_when_term_ignored(runtime):
    cid = run_detached(runtime, "--name", "stubborn", "busybox", "sh", "-c", TRAP_IGNORE_TERM)
    st = state_of(runtime, "stubborn")
    pid, monitor = st["Pid"], st["MonitorPid"]
    assert pid_alive(pid) and pid_alive(monitor)
    time.sleep(0.2)  # let sh install its trap
    t0 = time.monotonic()
    r = runtime.md("stop", "-t", "1", "stubborn")
    elapsed = time.monotonic() - t0
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "stubborn"
    assert 1.0 <= elapsed < 5.0, elapsed
    # When stop returns, the container has ended and its resources are released.
    assert not pid_alive(pid)
    assert cgroup_dirs_for(cid) == [], "cgroups still present after stop returned"
    assert not os.path.exists(f"/sys/fs/cgroup/memory/mydocker/{cid}")
    # The monitor has exited (it may linger briefly as a zombie until the host's PID 1, its
    # parent after setsid and double fork, reaps it: that is not the product's to do).
    assert not pid_alive(monitor), "monitor still running after stop returned"
    assert mounts_mentioning(cid) == []
    st = state_of(runtime, "stubborn")
    assert st["Status"] == "exited" and st["Running"] is False
    assert st["ExitCode"] == 137
    assert st["FinishedAt"] > st["StartedAt"]
    assert ps_entry(runtime, "stubborn")["Status"].startswith("Exited (137)")
    assert runtime.md("wait", "stubborn", check=True).stdout.strip() == "137"


def test_stop_lets_term_handler_choose_exit_code(runtime):
    cid = run_detached(runtime, "--name", "polite", "busybox", "sh", "-c",
                       'trap "exit 42" TERM; while true; do sleep 0.1; done')
    monitor = state_of(runtime, "polite")["MonitorPid"]
    time.sleep(0.2)
    t0 = time.monotonic()
    r = runtime.md("stop", "polite")  # default timeout 10 s: must not wait for it
    elapsed = time.monotonic() - t0
    assert r.returncode == 0, r.stderr
    assert elapsed < 5, elapsed
    assert state_of(runtime, "polite")["ExitCode"] == 42
    assert cgroup_dirs_for(cid) == []
    assert not pid_alive(monitor)


def test_stop_of_rm_container_removes_it_before_returning(runtime):
    for i in range(3):
        cid = run_detached(runtime, "--rm", "--name", f"eph{i}", "busybox", "sleep", "30")
        runtime.md("stop", "-t", "0" if i else "1", f"eph{i}", check=True)
        assert not runtime.container_dir(cid).exists()
        assert cgroup_dirs_for(cid) == [] and mounts_mentioning(cid) == []
    assert runtime.ps() == []


def test_stop_several_and_stopped_and_unknown(runtime):
    run_detached(runtime, "--name", "s1", "busybox", "sleep", "30")
    run_detached(runtime, "--name", "s2", "busybox", "sleep", "30")
    runtime.md("run", "--name", "s3", "busybox", "true", check=True)
    r = runtime.md("stop", "-t", "1", "s1", "nobody", "s2", "s3")
    assert r.returncode == 1, "an unknown container makes stop fail"
    assert "nobody" in r.stderr
    assert set(r.stdout.split()) >= {"s1", "s2"}
    for name in ("s1", "s2"):
        # sleep as pid 1 has no TERM handler: the kernel ignores TERM, KILL after 1 s.
        assert state_of(runtime, name)["Status"] == "exited"


def test_oom_kill_recorded_for_detached_container(runtime):
    cid = run_detached(runtime, "--name", "hog", "-m", "16m", "busybox", "sh", "-c",
                       "x=aaaaaaaaaaaaaaaa; while true; do x=$x$x; done")
    assert runtime.md("wait", "hog", timeout=30, check=True).stdout.strip() == "137"
    st = state_of(runtime, "hog")
    assert st["OOMKilled"] is True and st["ExitCode"] == 137
    wait_for(lambda: not cgroup_dirs_for(cid), timeout=5, what="cgroups removed")
    # A plain kill is not an OOM kill.
    run_detached(runtime, "--name", "shot", "-m", "16m", "busybox", "sleep", "30")
    runtime.md("kill", "shot", check=True)
    runtime.md("wait", "shot", check=True)
    assert state_of(runtime, "shot")["OOMKilled"] is False


# ---------------------------------------------------------------------------------------------
# kill


def test_kill_signal_names_and_numbers(runtime):
    run_detached(runtime, "--name", "target", "busybox", "sh", "-c",
                 'trap "echo got usr1" USR1; while true; do sleep 0.1; done')
    time.sleep(0.2)
    for n, sig in enumerate(("10", "SIGUSR1", "usr1", "USR1"), 1):
        r = runtime.md("kill", "-s", sig, "target")
        assert r.returncode == 0, (sig, r.stderr)
        wait_for(lambda: runtime.md("logs", "target").stdout.count("got usr1") == n, timeout=5,
                 what=f"trap to run after kill -s {sig}")
    assert state_of(runtime, "target")["Running"] is True
    for bad in ("BOGUS", "SIGNOPE", "99", "-3"):
        r = runtime.md("kill", "-s", bad, "target")
        assert r.returncode != 0, bad
        assert "signal" in r.stderr.lower() and bad in r.stderr, r.stderr
    assert state_of(runtime, "target")["Running"] is True
    r = runtime.md("kill", "target")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "target"
    assert runtime.md("wait", "target", check=True).stdout.strip() == "137"
    assert state_of(runtime, "target")["ExitCode"] == 137
    r = runtime.md("kill", "target")
    assert r.returncode == 1
    assert "not running" in r.stderr, r.stderr
    r = runtime.md("kill", "nobody")
    assert r.returncode == 1 and "nobody" in r.stderr


def test_kill_with_term_number(runtime):
    run_detached(runtime, "--name", "t", "busybox", "sh", "-c",
                 'trap "exit 9" TERM; while true; do sleep 0.1; done')
    time.sleep(0.2)
    runtime.md("kill", "-s", "15", "t", check=True)
    assert runtime.md("wait", "t", check=True).stdout.strip() == "9"


# ---------------------------------------------------------------------------------------------
# start, restart, wait


def test_start_reuses_root_filesystem_and_command(runtime):
    script = "echo run >> /data; wc -l < /data; exit 3"
    r = runtime.md("run", "--name", "again", "busybox", "sh", "-c", script)
    assert r.returncode == 3
    assert r.stdout.strip() == "1"
    before = inspect_all(runtime, "again")[0]
    r = runtime.md("start", "again")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "again"
    assert runtime.md("wait", "again", check=True).stdout.strip() == "3"
    assert runtime.md("logs", "--tail", "1", "again", check=True).stdout.strip() == "2"
    # start -a attaches and exits with the container's code.
    r = runtime.md("start", "-a", "again")
    assert r.returncode == 3, r.stderr
    assert r.stdout.strip() == "3"
    after = inspect_all(runtime, "again")[0]
    assert after["Id"] == before["Id"]
    assert after["Path"] == before["Path"] == "sh"
    assert after["Args"] == before["Args"] == ["-c", script]
    assert after["State"]["ExitCode"] == 3
    assert after["State"]["StartedAt"] > before["State"]["StartedAt"]
    upper = Path(after["GraphDriver"]["Data"]["UpperDir"])
    assert (upper / "data").read_text() == "run\nrun\nrun\n"
    assert runtime.container_dirs() == [after["Id"]]


def test_start_attach_interactive(runtime):
    r = runtime.md("run", "-i", "--name", "cat", "busybox", "sh", "-c", "cat; echo done",
                   input="first\n")
    assert r.returncode == 0 and r.stdout == "first\ndone\n"
    r = runtime.md("start", "-a", "-i", "cat", input="second\n", timeout=15)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "second\ndone\n"
    # Without -i the container's stdin is not our stdin.
    r = runtime.md("start", "-a", "cat", input="third\n", timeout=15)
    assert r.returncode == 0 and r.stdout == "done\n"
    # start -a follows the container to its end, whoever ends it.
    runtime.md("run", "--name", "slow", "busybox", "sh", "-c",
               "test -f /ran && sleep 30; touch /ran", check=True)
    attached = runtime.popen("start", "-a", "slow")
    wait_for(lambda: (ps_entry(runtime, "slow") or {}).get("State") == "running", timeout=10,
             what="slow to run")
    runtime.md("kill", "slow", check=True)
    attached.communicate(timeout=10)
    assert attached.returncode == 137


def test_start_unknown_and_running(runtime):
    r = runtime.md("start", "nobody")
    assert r.returncode == 1 and "nobody" in r.stderr
    run_detached(runtime, "--name", "up", "busybox", "sleep", "30")
    pid = state_of(runtime, "up")["Pid"]
    r = runtime.md("start", "up")  # Docker: starting a running container is a no-op
    assert_no_crash(r, "start of a running container")
    st = state_of(runtime, "up")
    assert st["Running"] is True and st["Pid"] == pid


def test_restart(runtime):
    cid = run_detached(runtime, "--name", "rs", "busybox", "sh", "-c",
                       'echo started; trap "exit 5" TERM; while true; do sleep 0.1; done')
    old = state_of(runtime, "rs")
    time.sleep(0.2)
    r = runtime.md("restart", "-t", "2", "rs")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "rs"
    new = state_of(runtime, "rs")
    assert new["Running"] is True
    assert new["Pid"] != old["Pid"] and pid_alive(new["Pid"])
    assert not pid_alive(old["Pid"]) and not pid_alive(old["MonitorPid"])
    assert new["StartedAt"] > old["StartedAt"]
    assert len(monitors_of(runtime, cid)) == 1
    wait_for(lambda: runtime.md("logs", "rs").stdout == "started\nstarted\n", timeout=5,
             what="second start in the log")
    # restart of an exited container starts it.
    runtime.md("stop", "rs", check=True)
    assert state_of(runtime, "rs")["ExitCode"] == 5
    runtime.md("restart", "rs", check=True)
    assert state_of(runtime, "rs")["Running"] is True


def test_restart_keeps_a_container_run_with_rm(runtime):
    """Docker keeps a --rm container across restart; a plain stop still removes it."""
    cid = run_detached(runtime, "--rm", "--name", "rr", "busybox", "sleep", "30")
    old = state_of(runtime, "rr")
    r = runtime.md("restart", "-t", "0", "rr")
    assert r.returncode == 0, r.stderr
    new = state_of(runtime, "rr")
    assert new["Running"] is True and new["Pid"] != old["Pid"]
    runtime.md("stop", "-t", "0", "rr", check=True)
    wait_for(lambda: runtime.md("inspect", cid).returncode != 0, timeout=5,
             what="the --rm container removed after its stop")


def test_wait_prints_codes_and_blocks(runtime):
    runtime.md("run", "--name", "w0", "busybox", "true", check=True)
    runtime.md("run", "--name", "w3", "busybox", "sh", "-c", "exit 3")
    run_detached(runtime, "--name", "w7", "busybox", "sh", "-c", "sleep 1; exit 7")
    t0 = time.monotonic()
    r = runtime.md("wait", "w0", "w3", "w7", timeout=15)
    elapsed = time.monotonic() - t0
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["0", "3", "7"]
    assert elapsed >= 0.5, "wait returned before the running container exited"
    assert state_of(runtime, "w7")["Status"] == "exited"
    r = runtime.md("wait", "w0", "nobody")
    assert r.returncode == 1 and "nobody" in r.stderr
    assert r.stdout.split() == ["0"]


# ---------------------------------------------------------------------------------------------
# inspect, rename


def test_inspect_several_and_unknown(runtime):
    a = run_detached(runtime, "--name", "ia", "busybox", "sleep", "30")
    runtime.md("run", "--name", "ib", "busybox", "sh", "-c", "exit 4")
    data = inspect_all(runtime, "ia", "ib", a[:12])
    assert [d["Name"] for d in data] == ["/ia", "/ib", "/ia"]
    assert data[0]["Id"] == a and data[2]["Id"] == a
    assert ID_RE.match(data[1]["Id"]) and data[1]["Id"] != a
    assert data[0]["State"]["Status"] == "running" and data[0]["State"]["ExitCode"] == 0
    assert data[1]["State"]["Status"] == "exited" and data[1]["State"]["ExitCode"] == 4
    assert data[1]["State"]["Pid"] == 0 and data[1]["State"]["OOMKilled"] is False
    assert data[1]["Config"]["Cmd"] == ["sh", "-c", "exit 4"]
    r = runtime.md("inspect", "nobody")
    assert r.returncode == 1 and "nobody" in r.stderr
    r = runtime.md("inspect", "ia", "nobody")
    assert r.returncode == 1 and "nobody" in r.stderr
    printed = json.loads(r.stdout or "[]")
    assert [d["Name"] for d in printed] in ([], ["/ia"])


def test_rename(runtime):
    cid = run_detached(runtime, "--name", "old", "busybox", "sleep", "30")
    runtime.md("run", "--name", "taken", "busybox", "true", check=True)
    r = runtime.md("rename", "old", "new")
    assert r.returncode == 0, r.stderr
    assert inspect_all(runtime, "new")[0]["Id"] == cid
    assert inspect_all(runtime, "new")[0]["Name"] == "/new"
    r = runtime.md("inspect", "old")
    assert r.returncode == 1
    assert ps_entry(runtime, "new")["State"] == "running"
    assert ps_entry(runtime, "old") is None
    r = runtime.md("rename", "new", "taken")
    assert r.returncode != 0
    assert "taken" in r.stderr and ("in use" in r.stderr or "already" in r.stderr), r.stderr
    assert inspect_all(runtime, "new")[0]["Id"] == cid
    r = runtime.md("rename", "new", "bad/name")
    assert r.returncode != 0 and "name" in r.stderr
    r = runtime.md("rename", "nobody", "x")
    assert r.returncode == 1 and "nobody" in r.stderr
    # The old name is free again, the new one is held.
    runtime.md("run", "--name", "old", "busybox", "true", check=True)
    r = runtime.md("run", "--name", "new", "busybox", "true")
    assert r.returncode == 125
    # Operations by the new name reach the container.
    runtime.md("stop", "-t", "1", "new", check=True)
    assert state_of(runtime, cid)["Status"] == "exited"


def test_rename_survives_the_monitor_writing_the_exit(runtime):
    """The monitor records the exit after a rename: it must not bring the old name back."""
    cid = run_detached(runtime, "--name", "before", "busybox", "sh", "-c", "sleep 0.5; exit 6")
    runtime.md("rename", "before", "after", check=True)
    assert runtime.md("wait", "after", check=True).stdout.strip() == "6"
    assert inspect_all(runtime, cid)[0]["Name"] == "/after"
    assert runtime.md("inspect", "before").returncode == 1
    runtime.md("run", "--name", "before", "busybox", "true", check=True)
    assert runtime.md("run", "--name", "after", "busybox", "true").returncode == 125
    # --rm after a rename frees the new name.
    cid = run_detached(runtime, "--rm", "--name", "tmp1", "busybox", "sleep", "0.5")
    runtime.md("rename", "tmp1", "tmp2", check=True)
    wait_for(lambda: not runtime.container_dir(cid).exists(), timeout=10, what="--rm removal")
    runtime.md("run", "--name", "tmp2", "busybox", "true", check=True)
    runtime.md("run", "--name", "tmp1", "busybox", "true", check=True)


def test_concurrent_renames_to_one_name(runtime):
    for i in range(4):
        runtime.md("run", "--name", f"a{i}", "busybox", "true", check=True)
        runtime.md("run", "--name", f"b{i}", "busybox", "true", check=True)
        pa = runtime.popen("rename", f"a{i}", f"same{i}")
        pb = runtime.popen("rename", f"b{i}", f"same{i}")
        (_, ea), (_, eb) = pa.communicate(timeout=20), pb.communicate(timeout=20)
        assert sorted([pa.returncode, pb.returncode]) == [0, 1], (ea, eb)
        assert "in use" in ea + eb or "already" in ea + eb
        names = sorted(e["Names"] for e in runtime.ps() if e["Names"].endswith(str(i)))
        assert names in ([f"a{i}", f"same{i}"], [f"b{i}", f"same{i}"]), names


# ---------------------------------------------------------------------------------------------
# ps


def test_ps_status_strings_filters_last_and_json(runtime):
    r = runtime.md("run", "-d", "--name", "web-created", "busybox", "no-such-command-xyz")
    assert r.returncode == 127
    runtime.md("run", "--name", "web-exited", "busybox", "sh", "-c", "exit 3")
    run_detached(runtime, "--name", "db-up", "busybox", "sleep", "30")
    latest = run_detached(runtime, "--name", "web-up", "busybox", "sleep", "30")

    table = runtime.md("ps", "-a", check=True).stdout.splitlines()
    rows = {line.split()[-1]: line for line in table[1:]}
    assert set(rows) == {"web-created", "web-exited", "db-up", "web-up"}
    assert re.search(r"\s{2,}Created\s{2,}web-created$", rows["web-created"]), rows
    assert re.search(r"\s{2,}Exited \(3\) (.+ ago)\s{2,}web-exited$", rows["web-exited"]), rows
    assert re.search(r"\s{2,}Up .+\s{2,}web-up$", rows["web-up"]), rows

    by_name = {e["Names"]: e for e in runtime.ps()}
    assert by_name["web-created"]["Status"] == "Created"
    assert re.fullmatch(r"Exited \(3\) .+ ago", by_name["web-exited"]["Status"])
    assert by_name["web-up"]["Status"].startswith("Up ")
    assert by_name["web-up"]["State"] == "running"

    def names(*args):
        r = runtime.md("ps", "--format", "json", *args, check=True)
        return sorted(e["Names"] for e in parse_json_lines(r.stdout))

    assert names() == ["db-up", "web-up"]
    assert names("-a", "--filter", "status=exited") == ["web-exited"]
    assert names("-a", "--filter", "status=created") == ["web-created"]
    assert names("-a", "--filter", "status=running") == ["db-up", "web-up"]
    assert names("--filter", "status=exited") == ["web-exited"]  # status= implies -a (Docker)
    assert names("-a", "--filter", "name=web") == ["web-created", "web-exited", "web-up"]
    assert names("-a", "--filter", "name=web", "--filter", "status=running") == ["web-up"]
    assert names("-a", "--filter", "name=nothing-like-this") == []
    assert names("-n", "1") == ["web-up"]
    assert names("-a", "-n", "2") == ["db-up", "web-up"]
    assert names("-l") == ["web-up"]
    r = runtime.md("ps", "-q", "-n", "1", check=True)
    assert r.stdout.split() == [latest[:12]]
    r = runtime.md("ps", "--filter", "status=bogus")
    assert r.returncode != 0 and "status" in r.stderr
    r = runtime.md("ps", "--filter", "nonsense")
    assert r.returncode != 0


# ---------------------------------------------------------------------------------------------
# truth under failure


def test_monitor_killed_container_shown_exited_unknown_and_rm_cleans(runtime):
    cid = run_detached(runtime, "--name", "orphan", "busybox", "sleep", "30")
    st = state_of(runtime, "orphan")
    pid, monitor = st["Pid"], st["MonitorPid"]
    assert pid_alive(monitor) and pid_alive(pid)
    os.kill(monitor, signal.SIGKILL)
    # The container's process is tied to its monitor: it dies too.
    wait_for(lambda: not pid_alive(pid), timeout=5, what="container process to die with monitor")
    entry = ps_entry(runtime, "orphan")
    assert entry["State"] == "exited", entry
    assert entry["ExitCode"] is None, entry
    assert entry["Status"].startswith("Exited (unknown)"), entry
    assert "orphan" not in runtime.md("ps", check=True).stdout
    st = state_of(runtime, "orphan")
    assert st["Status"] == "exited" and st["Running"] is False
    assert st["ExitCode"] is None
    assert st["Pid"] == 0
    r = runtime.md("wait", "orphan", timeout=10)
    assert r.returncode != 0 or r.stdout.strip() not in ("0", "")
    r = runtime.md("rm", "orphan")
    assert r.returncode == 0, r.stderr
    assert runtime.container_dirs() == []
    assert cgroup_dirs_for(cid) == []
    assert mounts_mentioning(cid) == []


def test_monitor_killed_ends_followers(runtime):
    """`logs -f` and `wait` blocked on a container return when its monitor is SIGKILLed."""
    run_detached(runtime, "--name", "ticker", "busybox", "sh", "-c",
                 "while true; do echo tick; sleep 0.1; done")
    st = state_of(runtime, "ticker")
    follow = runtime.popen("logs", "-f", "ticker")
    waiter = runtime.popen("wait", "ticker")
    assert follow.stdout.readline() == "tick\n"
    time.sleep(0.2)
    assert waiter.poll() is None
    os.kill(st["MonitorPid"], signal.SIGKILL)
    follow.communicate(timeout=10)
    out, err = waiter.communicate(timeout=10)
    # The exit code is unknown: wait must not invent one.
    assert waiter.returncode != 0 or out.strip() not in ("", "0"), (out, err)
    assert "unknown" in (out + err).lower(), (out, err)


def test_monitor_killed_then_rm_force_and_start(runtime):
    """A container whose monitor died can be started again (the record is not stuck)."""
    run_detached(runtime, "--name", "phoenix", "busybox", "sleep", "30")
    st = state_of(runtime, "phoenix")
    os.kill(st["MonitorPid"], signal.SIGKILL)
    wait_for(lambda: not pid_alive(st["Pid"]), timeout=5, what="container process gone")
    r = runtime.md("start", "phoenix")
    assert r.returncode == 0, r.stderr
    st2 = state_of(runtime, "phoenix")
    assert st2["Running"] is True and st2["Pid"] != st["Pid"]
    runtime.md("rm", "-f", "phoenix", check=True)
    assert runtime.container_dirs() == []


def test_init_killed_from_host_records_137(runtime):
    cid = run_detached(runtime, "--name", "shot", "busybox", "sleep", "30")
    st = state_of(runtime, "shot")
    os.kill(st["Pid"], signal.SIGKILL)
    r = runtime.md("wait", "shot", timeout=10)
    assert r.stdout.strip() == "137"
    st = state_of(runtime, "shot")
    assert st["ExitCode"] == 137 and st["Status"] == "exited"
    assert ps_entry(runtime, "shot")["Status"].startswith("Exited (137)")
    wait_for(lambda: not cgroup_dirs_for(cid) and not monitors_of(runtime, cid), timeout=5,
             what="monitor to release resources")
    assert mounts_mentioning(cid) == []


def _forge_running_record(runtime, name, pid, monitor_pid):
    cid = inspect_all(runtime, name)[0]["Id"]
    path = runtime.container_dir(cid) / "state.json"
    rec = json.loads(path.read_text())
    rec.update(status="running", pid=pid, pidStartTime=1, monitorPid=monitor_pid)
    if monitor_pid:
        rec["monitorStartTime"] = 1
    path.write_text(json.dumps(rec))
    return cid


@pytest.mark.parametrize("monitor_too", [False, True], ids=["pid", "pid+monitor"])
def test_recycled_pid_is_never_signalled(runtime, monitor_too):
    runtime.md("run", "--name", "stale", "busybox", "true", check=True)
    runtime.md("run", "--name", "stale2", "busybox", "true", check=True)
    bystander = subprocess.Popen(["sleep", "60"])
    try:
        assert proc_start_time(bystander.pid) != 1
        cids = [_forge_running_record(runtime, n, bystander.pid,
                                      bystander.pid if monitor_too else 0)
                for n in ("stale", "stale2")]
        entry = ps_entry(runtime, "stale")
        assert entry["State"] != "running", entry
        assert "stale" not in runtime.md("ps", check=True).stdout
        st = state_of(runtime, "stale")
        assert st["Running"] is False and st["Pid"] != bystander.pid
        for args in (("kill", "stale"), ("kill", "-s", "TERM", "stale"),
                     ("stop", "-t", "1", "stale"), ("restart", "-t", "1", "stale2"),
                     ("rm", "-f", "stale"), ("rm", "-f", "stale2")):
            r = runtime.md(*args, timeout=20)
            assert_no_crash(r, args)
            time.sleep(0.05)
            assert bystander.poll() is None, f"`{' '.join(args)}` signalled an unrelated process"
        assert runtime.md("inspect", "stale").returncode == 1
        for cid in cids:
            assert not runtime.container_dir(cid).exists()
    finally:
        bystander.kill()
        bystander.wait()


def test_record_naming_dead_processes_reads_exited_unknown(runtime):
    """Simulated host restart: the record says running, its pid and monitor are long gone."""
    runtime.md("run", "--name", "reboot", "busybox", "true", check=True)
    dead = subprocess.Popen(["true"])
    dead.wait()
    cid = inspect_all(runtime, "reboot")[0]["Id"]
    path = runtime.container_dir(cid) / "state.json"
    rec = json.loads(path.read_text())
    rec.update(status="running", pid=dead.pid, pidStartTime=12345, monitorPid=dead.pid,
               monitorStartTime=12345)
    rec.pop("exitCode", None)
    path.write_text(json.dumps(rec))
    entry = ps_entry(runtime, "reboot")
    assert entry["State"] == "exited", entry
    assert entry["ExitCode"] is None and entry["Status"].startswith("Exited (unknown)"), entry
    assert state_of(runtime, "reboot")["ExitCode"] is None
    r = runtime.md("rm", "reboot")
    assert r.returncode == 0, r.stderr
    assert runtime.container_dirs() == []


@pytest.mark.parametrize("damage", ["empty", "truncated", "garbage"])
def test_malformed_state_file(runtime, damage):
    runtime.md("run", "--name", "good1", "busybox", "true", check=True)
    run_detached(runtime, "--name", "good2", "busybox", "sleep", "30")
    runtime.md("run", "--name", "bad", "busybox", "true", check=True)
    bad = inspect_all(runtime, "bad")[0]["Id"]
    path = runtime.container_dir(bad) / "state.json"
    text = path.read_text()
    path.write_text({"empty": "", "truncated": text[: len(text) // 2],
                     "garbage": "\0\xff not json"}[damage])
    r = runtime.md("ps", "-a", "--format", "json")
    assert r.returncode == 0, r.stderr
    names = {e.get("Names") for e in parse_json_lines(r.stdout)}
    assert {"good1", "good2"} <= names
    r = runtime.md("ps", "-a")
    assert r.returncode == 0 and "good1" in r.stdout and "good2" in r.stdout
    r = runtime.md("inspect", "good1", "good2")
    assert r.returncode == 0
    r = runtime.md("rm", "-f", bad)
    assert_no_crash(r, "rm -f of a broken container")
    if r.returncode == 0:
        assert not runtime.container_dir(bad).exists()
    else:
        assert r.stderr.strip(), "rm -f failed without saying why"
        # The product could not remove it: clean up by hand so teardown judges the rest.
        shutil.rmtree(runtime.container_dir(bad))
    assert ps_entry(runtime, "good2")["State"] == "running"
    assert ps_entry(runtime, "good1") is not None


# ---------------------------------------------------------------------------------------------
# concurrency


def test_twenty_parallel_detached_then_parallel_rm(runtime):
    n = 20
    procs = [runtime.popen("run", "-d", "--name", f"par{i}", "busybox", "sleep", "30")
             for i in range(n)]
    ids = []
    for i, p in enumerate(procs):
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, f"par{i}: {err}"
        assert ID_RE.match(out.strip()), out
        ids.append(out.strip())
        runtime.track(out.strip())
    assert len(set(ids)) == n
    entries = runtime.ps(all=False)
    assert sorted(e["Names"] for e in entries) == sorted(f"par{i}" for i in range(n))
    assert all(e["State"] == "running" for e in entries)
    assert len(runtime.container_dirs()) == n
    for cid in ids:
        assert len(monitors_of(runtime, cid)) == 1
    procs = [runtime.popen("rm", "-f", f"par{i}") for i in range(n)]
    for i, p in enumerate(procs):
        out, err = p.communicate(timeout=60)
        assert p.returncode == 0, f"rm -f par{i}: {err}"
    assert runtime.container_dirs() == []
    assert runtime.ps() == []
    wait_for(lambda: all(not cgroup_dirs_for(c) for c in ids), timeout=10, what="cgroups gone")
    wait_for(lambda: not processes_mentioning(runtime.root), timeout=10, what="monitors gone")
    assert mounts_mentioning(runtime.root) == []


def test_ps_and_inspect_never_fail_during_churn(runtime):
    """Containers appearing and disappearing under `ps -a` never make it fail or complain."""
    stop_churn = threading.Event()
    churn_errors = []

    def churn():
        while not stop_churn.is_set():
            r = runtime.md("run", "-d", "busybox", "sleep", "30")
            if r.returncode != 0:
                churn_errors.append(r.stderr)
                return
            runtime.md("run", "--rm", "busybox", "true")
            runtime.md("rm", "-f", r.stdout.strip())

    threads = [threading.Thread(target=churn) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        deadline = time.monotonic() + 3
        rounds = 0
        while time.monotonic() < deadline:
            rounds += 1
            for args in (("ps", "-a"), ("ps", "-a", "--format", "json"), ("ps", "-q")):
                r = runtime.md(*args)
                assert r.returncode == 0 and r.stderr == "", (args, r.returncode, r.stderr)
                if "json" in args:
                    parse_json_lines(r.stdout)
    finally:
        stop_churn.set()
        for t in threads:
            t.join(timeout=60)
    assert not churn_errors, churn_errors
    assert rounds > 3
    assert runtime.ps() == []


def test_concurrent_start_of_same_container(runtime):
    cid = run_detached(runtime, "--name", "twin", "busybox", "sleep", "30")
    for attempt in range(8):
        runtime.md("kill", "twin", check=True)
        assert runtime.md("wait", "twin", check=True).stdout.strip() == "137"
        wait_for(lambda: not monitors_of(runtime, cid), timeout=5, what="monitor gone")
        a = runtime.popen("start", "twin")
        b = runtime.popen("start", "twin")
        ra, rb = a.communicate(timeout=30), b.communicate(timeout=30)
        codes = sorted([a.returncode, b.returncode])
        assert_no_crash(a, "start")
        assert_no_crash(b, "start")
        assert codes[0] == 0, (codes, ra, rb)
        if codes[1] != 0:
            err = (ra[1] + rb[1]).lower()
            assert "running" in err, (ra, rb)
        st = state_of(runtime, "twin")
        assert st["Running"] is True, st
        # Exactly one container process and one monitor, and the record names them.
        procs = cgroup_procs(cid)
        assert procs == [st["Pid"]], (attempt, procs, st)
        # The refused start's monitor may still be on its way out for a few ms after its client
        # returned; it must go away by itself and leave the winner's resources alone.
        wait_for(lambda: [m[0] for m in monitors_of(runtime, cid)] == [st["MonitorPid"]],
                 timeout=5, what="exactly one monitor, the one in the record")
        assert state_of(runtime, "twin") == st
        assert pid_alive(st["Pid"]) and cgroup_procs(cid) == [st["Pid"]]
        assert len(runtime.ps(all=False)) == 1


@pytest.mark.parametrize("command", [["sleep", "30"], ["sh", "-c", TRAP_IGNORE_TERM]],
                         ids=["plain", "ignores-term"])
def test_stop_racing_rm_force(runtime, command):
    for attempt in range(3):
        cid = run_detached(runtime, "--name", f"race{attempt}", "busybox", *command)
        pid = state_of(runtime, cid)["Pid"]
        time.sleep(0.1)
        stop = runtime.popen("stop", "-t", "1", cid)
        if attempt:
            time.sleep(0.1 * attempt)
        rm = runtime.popen("rm", "-f", cid)
        rm_out, rm_err = rm.communicate(timeout=30)
        stop_out, stop_err = stop.communicate(timeout=30)
        assert_no_crash(stop, "stop")
        assert_no_crash(rm, "rm -f")
        assert rm.returncode == 0, rm_err
        if stop.returncode != 0:
            assert "no such container" in stop_err.lower() or "not running" in stop_err.lower(), \
                stop_err
        assert not runtime.container_dir(cid).exists()
        assert not pid_alive(pid)
        wait_for(lambda: not cgroup_dirs_for(cid) and not monitors_of(runtime, cid), timeout=10,
                 what="resources released")
        assert mounts_mentioning(cid) == []
    assert runtime.container_dirs() == []
    assert runtime.ps() == []
