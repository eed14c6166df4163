"""Death by signal (128+N) and signals sent to `mydocker run` reaching the container."""

import os
import signal
import subprocess

import pytest

from conftest import wait_for


def read_file(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def test_sigkill_gives_137(runtime):
    proc = runtime.popen("run", "--name", "victim", "busybox", "sleep", "60")
    entry = runtime.wait_running("victim")
    pid = entry["Pid"]
    # The pid in the record is the container's init as the host sees it.
    assert "sleep" in read_file(f"/proc/{pid}/cmdline")
    os.kill(pid, signal.SIGKILL)
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 137, err
    entry = runtime.inspect("victim")
    assert entry["State"] != "running"
    assert entry["ExitCode"] == 137
    assert "Exited (137)" in entry["Status"]


def test_killing_the_client_does_not_orphan_the_container(runtime):
    """The client is not the container's parent: SIGKILL to `run` leaves it to its monitor."""
    proc = runtime.popen("run", "--name", "survivor", "busybox", "sleep", "60",
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    pid = runtime.wait_running("survivor")["Pid"]
    proc.kill()
    proc.wait(timeout=15)
    entry = runtime.inspect("survivor")
    assert entry["State"] == "running"
    assert entry["Pid"] == pid and os.path.exists(f"/proc/{pid}")
    r = runtime.md("rm", "-f", "survivor")
    assert r.returncode == 0, r.stderr
    wait_for(lambda: not os.path.exists(f"/proc/{pid}") or
             "sleep" not in (read_file(f"/proc/{pid}/cmdline") or ""),
             timeout=10, what="the container process to be gone")
    assert runtime.ps() == []


def test_killed_client_stdio_is_released(runtime):
    """After `run` is SIGKILLed, nothing else holds its stdout/stderr: a reader sees EOF."""
    proc = runtime.popen("run", "--name", "holder", "busybox", "sleep", "60")
    runtime.wait_running("holder")
    proc.kill()
    try:
        proc.communicate(timeout=3)
    except subprocess.TimeoutExpired:
        holders = []
        for pid in os.listdir("/proc"):
            if pid.isdigit() and runtime.root in (read_file(f"/proc/{pid}/cmdline") or "").replace("\0", " "):
                holders.append(pid)
        pytest.fail(f"the client's stdout/stderr are still open in another process "
                    f"(processes of this root: {holders}) while the container runs")


@pytest.mark.parametrize("sig,code", [pytest.param(s, c, id=s.name) for s, c in [
    (signal.SIGTERM, 42),
    (signal.SIGINT, 43),
    (signal.SIGHUP, 44),
    (signal.SIGUSR1, 45),
    (signal.SIGUSR2, 46),
    (signal.SIGQUIT, 47),
]])
def test_signal_forwarded_to_container(runtime, sig, code):
    name = sig.name.lower()
    script = (f"trap 'exit {code}' {sig.name[3:]}; echo ready; "
              "while true; do sleep 0.05; done")
    proc = runtime.popen("run", "--name", name, "busybox", "sh", "-c", script)
    runtime.wait_running(name)
    # Wait until the trap is installed (the shell printed "ready").
    first = proc.stdout.readline()
    assert first == "ready\n", first
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == code, f"exit {proc.returncode}, stderr: {err}"
    assert runtime.inspect(name)["ExitCode"] == code
