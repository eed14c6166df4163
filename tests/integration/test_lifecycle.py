"""--rm, ps, rm, names and ID prefixes."""

import json
import os
import re
import subprocess

import pytest

from conftest import cgroup_dirs_for, parse_json_lines, processes_mentioning, wait_for

ID_RE = re.compile(r"^[0-9a-f]{64}$")


def test_rm_flag_leaves_nothing(runtime):
    r = runtime.md("run", "--rm", "busybox", "sh", "-c", "hostname; echo data > /file", check=True)
    short = r.stdout.strip()
    runtime.track(short)
    assert runtime.container_dirs() == []
    assert runtime.ps() == []
    assert cgroup_dirs_for(short) == []
    r = runtime.md("ps", "-a", "-q", check=True)
    assert r.stdout.strip() == ""


def test_rm_flag_on_failure_leaves_nothing(runtime):
    r = runtime.md("run", "--rm", "busybox", "sh", "-c", "hostname; exit 7")
    assert r.returncode == 7
    runtime.track(r.stdout.strip())
    assert runtime.container_dirs() == []
    r = runtime.md("run", "--rm", "busybox", "no-such-command")
    assert r.returncode == 127
    assert runtime.container_dirs() == []


def test_ps_shows_running_container(runtime):
    r = runtime.md("run", "-d", "--name", "sleeper", "busybox", "sleep", "30", check=True)
    cid = r.stdout.strip()
    assert ID_RE.match(cid), r.stdout
    entry = runtime.wait_running("sleeper")
    assert entry["ID"] == cid
    assert entry["Status"].startswith("Up"), entry
    assert entry["Image"] == "busybox"
    assert entry["Command"] == "sleep 30"
    r = runtime.md("ps", check=True)
    lines = r.stdout.splitlines()
    assert lines[0].split()[:2] == ["CONTAINER", "ID"]
    assert len(lines) == 2
    row = lines[1]
    assert row.startswith(cid[:12] + " ")
    assert "busybox" in row and "Up " in row and row.rstrip().endswith("sleeper")
    r = runtime.md("ps", "--no-trunc", check=True)
    assert cid in r.stdout
    r = runtime.md("ps", "-q", check=True)
    assert r.stdout.split() == [cid[:12]]


def test_ps_all_shows_exited(runtime):
    runtime.md("run", "--name", "ex3", "busybox", "sh", "-c", "exit 3")
    runtime.md("run", "-d", "--name", "up", "busybox", "sleep", "30", check=True)
    runtime.wait_running("up")
    r = runtime.md("ps", check=True)
    assert "ex3" not in r.stdout and "up" in r.stdout
    r = runtime.md("ps", "-a", check=True)
    row = next(l for l in r.stdout.splitlines() if l.rstrip().endswith("ex3"))
    assert "Exited (3)" in row, row
    entries = {e["Names"]: e for e in parse_json_lines(runtime.md("ps", "-a", "--format", "json",
                                                                  check=True).stdout)}
    assert set(entries) == {"ex3", "up"}
    assert entries["ex3"]["ExitCode"] == 3
    assert entries["ex3"]["State"] != "running"
    assert entries["ex3"]["Status"].startswith("Exited (3)")
    assert entries["up"]["State"] == "running"
    for e in entries.values():
        assert ID_RE.match(e["ID"])
        assert isinstance(e["Pid"], int)
    assert entries["up"]["Pid"] > 0
    q = runtime.md("ps", "-a", "-q", check=True).stdout.split()
    assert sorted(q) == sorted(e["ID"][:12] for e in entries.values())
    q = runtime.md("ps", "-q", check=True).stdout.split()
    assert q == [entries["up"]["ID"][:12]]


def test_rm_exited_removes_everything(runtime):
    runtime.md("run", "--name", "gone", "busybox", "sh", "-c", "echo x > /f", check=True)
    cid = runtime.inspect("gone")["ID"]
    assert runtime.container_dir(cid).is_dir()
    r = runtime.md("rm", "gone", check=True)
    assert r.stdout.strip() == "gone"
    assert not runtime.container_dir(cid).exists()
    assert cgroup_dirs_for(cid) == []
    assert runtime.ps() == []
    r = runtime.md("rm", "gone")
    assert r.returncode == 1
    assert "gone" in r.stderr
    # The name is free again.
    runtime.md("run", "--name", "gone", "busybox", "true", check=True)


def test_rm_running_refused_without_force(runtime):
    cid = runtime.md("run", "-d", "--name", "busy", "busybox", "sleep", "30", check=True).stdout.strip()
    pid = runtime.wait_running("busy")["Pid"]
    assert cgroup_dirs_for(cid), "a running container has cgroups"
    r = runtime.md("rm", "busy")
    assert r.returncode == 1
    assert "running" in r.stderr and ("busy" in r.stderr or cid[:12] in r.stderr), r.stderr
    assert runtime.inspect("busy")["State"] == "running"
    assert os.path.exists(f"/proc/{pid}")
    r = runtime.md("rm", "-f", "busy")
    assert r.returncode == 0, r.stderr
    assert runtime.ps() == []
    assert not runtime.container_dir(cid).exists()
    wait_for(lambda: not cgroup_dirs_for(cid), timeout=10, what="cgroups removed")
    wait_for(lambda: not processes_mentioning(cid), timeout=10, what="monitor gone")


def test_rm_several_continues_after_error(runtime):
    runtime.md("run", "--name", "a1", "busybox", "true", check=True)
    runtime.md("run", "--name", "a2", "busybox", "true", check=True)
    r = runtime.md("rm", "a1", "nonexistent", "a2")
    assert r.returncode == 1
    assert "nonexistent" in r.stderr
    assert runtime.ps() == []


def test_name_must_be_unique(runtime):
    cid = runtime.md("run", "-d", "--name", "x", "busybox", "sleep", "30", check=True).stdout.strip()
    runtime.wait_running("x")
    r = runtime.md("run", "--name", "x", "busybox", "true")
    assert r.returncode == 125
    assert '"x"' in r.stderr or "x" in r.stderr.split()
    assert "in use" in r.stderr or "already" in r.stderr, r.stderr
    entries = runtime.ps()
    assert len(entries) == 1
    assert entries[0]["ID"] == cid and entries[0]["State"] == "running"
    assert runtime.container_dirs() == [cid]
    # An exited container still holds its name.
    runtime.md("rm", "-f", "x", check=True)
    runtime.md("run", "--name", "y", "busybox", "true", check=True)
    r = runtime.md("run", "--name", "y", "busybox", "true")
    assert r.returncode == 125


@pytest.mark.parametrize("name", ["bad/name", "-x", "a b", "..", "_lead", "é", "x" * 300])
def test_invalid_name_rejected(runtime, name):
    r = runtime.md("run", "--name", name, "busybox", "true")
    assert r.returncode == 125
    assert "name" in r.stderr
    assert runtime.container_dirs() == []


def test_id_prefix_lookup(runtime):
    for _ in range(20):
        runtime.md("run", "busybox", "true", check=True)
    ids = [e["ID"] for e in runtime.ps()]
    assert len(ids) == 20
    # Full id and a unique prefix both work.
    target = ids[0]
    prefix = next(target[:n] for n in range(1, 65)
                  if sum(1 for i in ids if i.startswith(target[:n])) == 1)
    r = runtime.md("rm", ids[1], check=True)
    r = runtime.md("rm", prefix, check=True)
    remaining = {e["ID"] for e in runtime.ps()}
    assert target not in remaining and ids[1] not in remaining
    assert len(remaining) == 18
    # With 18 ids over 16 first digits, some first digit is shared by two or more.
    by_first = {}
    for i in remaining:
        by_first.setdefault(i[0], []).append(i)
    digit, shared = next((d, l) for d, l in by_first.items() if len(l) > 1)
    r = runtime.md("rm", digit)
    assert r.returncode == 1
    assert "ambiguous" in r.stderr, r.stderr
    assert digit in r.stderr
    assert {e["ID"] for e in runtime.ps()} == remaining
    missing = next(d for d in "0123456789abcdef" if d not in by_first) if len(by_first) < 16 else None
    if missing:
        r = runtime.md("rm", missing)
        assert r.returncode == 1
        assert "no such container" in r.stderr.lower()


def test_leak_probes_see_a_running_container(runtime):
    """The teardown's leak checks must be able to see what they look for."""
    cid = runtime.md("run", "-d", "busybox", "sleep", "30", check=True).stdout.strip()
    runtime.wait_running(cid[:12])
    assert cgroup_dirs_for(cid), "no cgroup directory found for a running container"
    monitors = [cmd for _, cmd in processes_mentioning(runtime.root) if "__monitor" in cmd]
    assert len(monitors) == 1 and cid in monitors[0], monitors


def test_rm_container_outlives_killed_client(runtime):
    """--rm still applies when the client is gone: the monitor removes the container."""
    proc = runtime.popen("run", "--rm", "--name", "orphan", "busybox", "sleep", "1",
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cid = runtime.wait_running("orphan")["ID"]
    proc.kill()
    proc.wait(timeout=10)
    wait_for(lambda: not runtime.container_dir(cid).exists(), timeout=15,
             what="the --rm container to remove itself")
    assert runtime.ps() == []
    wait_for(lambda: not cgroup_dirs_for(cid), timeout=10, what="cgroups removed")


def test_root_from_environment(runtime):
    env = dict(os.environ, MYDOCKER_ROOT=runtime.root)
    r = subprocess.run([runtime.bin, "run", "--name", "viaenv", "busybox", "true"],
                       capture_output=True, text=True, timeout=30, env=env)
    assert r.returncode == 0, r.stderr
    assert runtime.inspect("viaenv") is not None
    r = subprocess.run([runtime.bin, "images"], capture_output=True, text=True, timeout=30, env=env)
    assert "busybox" in r.stdout
