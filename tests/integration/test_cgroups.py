"""Resource limits with real containers: OOM kill, pids, memory and CPU limits, update, pause,
stats and top. This host is cgroup v1: a container's cgroup is /sys/fs/cgroup/<controller>/mydocker/<id>.
"""

import json
import os
import time

import pytest

from conftest import (CGROUP_ROOT, assert_refused_before_anything_is_created, cgroup_dirs_for,
                      parse_json_lines, wait_for)

MiB = 1024 * 1024
# Swap accounting (memory.memsw.*): where present, -m alone also limits memory+swap to 2 x -m.
HAS_MEMSW = os.path.exists(f"{CGROUP_ROOT}/memory/memory.memsw.limit_in_bytes")

# Allocates 64 MiB of anonymous memory in the shell itself: a command substitution is read
# into the shell's heap (`head | tail` does not hold its input, /dev/shm would be page cache).
ALLOCATE_64M = 'x=$(head -c 67108864 /dev/zero | tr "\\0" a); echo survived ${#x}'


def cg(controller, cid, name):
    return f"{CGROUP_ROOT}/{controller}/mydocker/{cid}/{name}"


def read_cg(controller, cid, name):
    with open(cg(controller, cid, name)) as f:
        return f.read().strip()


def run_detached(runtime, *args):
    r = runtime.md("run", "-d", *args, check=True)
    cid = r.stdout.strip()
    runtime.track(cid)
    return cid


def inspect(runtime, ref):
    r = runtime.md("inspect", ref, check=True)
    return json.loads(r.stdout)[0]


def cpu_seconds(cid):
    return int(read_cg("cpuacct", cid, "cpuacct.usage")) / 1e9


def throttled_periods(cid):
    for line in read_cg("cpu", cid, "cpu.stat").splitlines():
        key, value = line.split()
        if key == "nr_throttled":
            return int(value)
    raise AssertionError("no nr_throttled in cpu.stat")


def host_idle_seconds():
    """Idle plus iowait time of all CPUs, from /proc/stat, in seconds."""
    with open("/proc/stat") as f:
        fields = f.readline().split()
    return (int(fields[4]) + int(fields[5])) / os.sysconf("SC_CLK_TCK")


def upper_file(runtime, cid, name):
    return runtime.container_dir(cid) / "upper" / name


def read_counter(path):
    try:
        return int(path.read_text().strip() or 0)
    except (FileNotFoundError, ValueError):
        return None


def no_cgroup_left(cid):
    return cgroup_dirs_for(cid) == []


# --- memory -------------------------------------------------------------------------------------


def test_allocation_within_limit_succeeds(runtime):
    """The control for the OOM test: the same allocation fits under a larger limit."""
    r = runtime.md("run", "-m", "256m", "busybox", "sh", "-c", ALLOCATE_64M)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"survived {64 * MiB}"


def test_allocation_beyond_memory_limit_is_oom_killed(runtime):
    r = runtime.md("run", "--name", "hog", "-m", "32m", "--memory-swap", "32m", "busybox",
                   "sh", "-c", ALLOCATE_64M, timeout=60)
    assert r.returncode == 137, (r.stdout, r.stderr)
    assert "survived" not in r.stdout
    state = inspect(runtime, "hog")["State"]
    assert state["OOMKilled"] is True
    assert state["ExitCode"] == 137
    cid = inspect(runtime, "hog")["Id"]
    runtime.md("rm", "hog", check=True)
    assert no_cgroup_left(cid)


def test_each_container_has_its_own_memory_limit(runtime):
    # /sys/fs/cgroup inside the container is not namespaced on v1: read the host side.
    small = run_detached(runtime, "-m", "32m", "busybox", "sleep", "30")
    big = run_detached(runtime, "-m", "48m", "busybox", "sleep", "30")
    assert int(read_cg("memory", small, "memory.limit_in_bytes")) == 32 * MiB
    assert int(read_cg("memory", big, "memory.limit_in_bytes")) == 48 * MiB
    assert inspect(runtime, small)["HostConfig"]["Memory"] == 32 * MiB
    assert inspect(runtime, big)["HostConfig"]["Memory"] == 48 * MiB


# --- pids ---------------------------------------------------------------------------------------


def test_fork_loop_is_contained_by_pids_limit(runtime):
    # The loop forks until the kernel refuses (EAGAIN); the main shell then keeps printing a
    # counter using builtins only (read -t on a fifo as its sleep), so it needs no fork to answer.
    script = ("mkfifo /f; exec 3<>/f; (while :; do sleep 1000 & done) 2>/dev/null & "
              "i=0; while :; do i=$((i+1)); echo alive $i; read -t 0.1 x <&3; done")
    cid = run_detached(runtime, "--name", "forker", "--pids-limit", "20", "busybox", "sh", "-c", script)
    assert read_cg("pids", cid, "pids.max") == "20"

    def refused():
        return int(read_cg("pids", cid, "pids.events").split()[1]) > 0
    wait_for(refused, timeout=10, what="the pids limit to refuse a fork")
    peak = 0
    for _ in range(10):
        current = int(read_cg("pids", cid, "pids.current"))
        peak = max(peak, current)
        time.sleep(0.05)
    assert 15 <= peak <= 20

    def last_count():
        lines = runtime.md("logs", "forker", check=True).stdout.split()
        return int(lines[-1]) if lines else 0
    before = last_count()
    wait_for(lambda: last_count() > before, timeout=5, what="the container to keep printing")

    top = runtime.md("top", "forker", check=True).stdout.splitlines()
    assert top[0].split() == ["UID", "PID", "PPID", "STAT", "TIME", "CMD"]
    assert 15 <= len(top) - 1 <= 20
    assert sum("sleep 1000" in line for line in top) >= 14

    runtime.md("stop", "-t", "1", "forker", check=True)
    assert inspect(runtime, "forker")["State"]["Status"] == "exited"
    runtime.md("rm", "forker", check=True)
    assert no_cgroup_left(cid)


# --- cpu ----------------------------------------------------------------------------------------


def test_cpus_limit_keeps_busy_loop_near_quota(runtime):
    busy = ["busybox", "sh", "-c", "while :; do :; done"]
    limited = run_detached(runtime, "--cpus", "0.5", *busy)
    control = run_detached(runtime, *busy)
    assert read_cg("cpu", limited, "cpu.cfs_quota_us") == "50000"
    assert read_cg("cpu", limited, "cpu.cfs_period_us") == "100000"
    time.sleep(0.5)  # past the start

    t0, idle0 = time.monotonic(), host_idle_seconds()
    l0, c0 = cpu_seconds(limited), cpu_seconds(control)
    time.sleep(3)
    l1, c1 = cpu_seconds(limited), cpu_seconds(control)
    wall, idle = time.monotonic() - t0, host_idle_seconds() - idle0
    limited_cores, control_cores = (l1 - l0) / wall, (c1 - c0) / wall

    # The quota band: 0.5 core on average (a little above within one period is possible).
    assert limited_cores < 0.75, f"limited container used {limited_cores:.2f} cores"
    # It must also really run: throttled, not starved. On a host saturated by other work its
    # fair share can drop below the quota; it then must still get that share (~2 cores spread
    # over the run queue), which the control's own share measures.
    floor = 0.2 if idle / wall > 0.25 else min(0.2, 0.5 * control_cores)
    assert limited_cores > floor, (
        f"limited container barely ran: {limited_cores:.2f} cores (control {control_cores:.2f})")
    # Throttled whenever it could have run beyond the quota: an unlimited busy loop beside it
    # (the control) shows what the host had to give.
    if idle / wall > 0.25 or control_cores > 0.6:
        assert throttled_periods(limited) > 0
    assert throttled_periods(control) == 0
    # The control is bound only by the machine: a busy loop takes any idle CPU, so if the host
    # had some to spare it must have run beyond the quota band. On a host saturated by other work
    # it may get less than a core; its unthrottled cgroup is the proof then.
    if idle / wall > 0.25:
        assert control_cores > 0.75, f"control used {control_cores:.2f} cores, host idle {idle / wall:.2f}"


# --- update -------------------------------------------------------------------------------------


def test_memory_limit_allows_as_much_swap_again_by_default(runtime):
    """Docker's default: -m without --memory-swap gives memory+swap = 2 x memory."""
    if not HAS_MEMSW:
        pytest.skip("kernel without swap accounting")
    default = run_detached(runtime, "-m", "32m", "busybox", "sleep", "30")
    assert int(read_cg("memory", default, "memory.memsw.limit_in_bytes")) == 64 * MiB
    assert inspect(runtime, default)["HostConfig"]["MemorySwap"] == 64 * MiB
    unlimited = run_detached(runtime, "-m", "32m", "--memory-swap", "-1", "busybox", "sleep", "30")
    assert int(read_cg("memory", unlimited, "memory.memsw.limit_in_bytes")) > 2**60
    explicit = run_detached(runtime, "-m", "32m", "--memory-swap", "48m", "busybox", "sleep", "30")
    assert int(read_cg("memory", explicit, "memory.memsw.limit_in_bytes")) == 48 * MiB
    # Raising the memory limit past memory+swap alone is refused, as Docker does.
    r = runtime.md("update", "-m", "100m", default)
    assert r.returncode != 0
    assert "memory+swap limit (--memory-swap)" in r.stderr
    assert int(read_cg("memory", default, "memory.limit_in_bytes")) == 32 * MiB
    runtime.md("update", "-m", "100m", "--memory-swap", "200m", default, check=True)
    assert int(read_cg("memory", default, "memory.memsw.limit_in_bytes")) == 200 * MiB
    # --memory-swap alone is measured against the memory limit the container has.
    runtime.md("update", "--memory-swap", "300m", default, check=True)
    assert int(read_cg("memory", default, "memory.memsw.limit_in_bytes")) == 300 * MiB
    r = runtime.md("update", "--memory-swap", "50m", default)
    assert r.returncode != 0 and "at least the memory limit" in r.stderr


def test_update_raises_memory_limit_of_running_container(runtime):
    cid = run_detached(runtime, "--name", "up", "-m", "32m", "busybox", "sleep", "30")
    assert int(read_cg("memory", cid, "memory.limit_in_bytes")) == 32 * MiB
    r = runtime.md("update", "--memory", "64m", "up", check=True)
    assert r.stdout.strip() == "up"
    assert int(read_cg("memory", cid, "memory.limit_in_bytes")) == 64 * MiB
    assert inspect(runtime, "up")["HostConfig"]["Memory"] == 64 * MiB
    # The tutorial's alias works for update too.
    runtime.md("update", "-mem", "48m", "up", check=True)
    assert int(read_cg("memory", cid, "memory.limit_in_bytes")) == 48 * MiB


def test_update_pids_and_cpu_limits(runtime):
    cid = run_detached(runtime, "--name", "up", "--pids-limit", "20", "busybox", "sleep", "30")
    runtime.md("update", "--pids-limit", "50", "up", check=True)
    assert read_cg("pids", cid, "pids.max") == "50"
    runtime.md("update", "--pids-limit", "-1", "up", check=True)
    assert read_cg("pids", cid, "pids.max") == "max"
    runtime.md("update", "--cpus", "0.5", "--cpu-shares", "512", "--cpuset-cpus", "0", "up", check=True)
    assert read_cg("cpu", cid, "cpu.cfs_quota_us") == "50000"
    assert read_cg("cpu", cid, "cpu.shares") == "512"
    assert read_cg("cpuset", cid, "cpuset.cpus") == "0"
    host = inspect(runtime, "up")["HostConfig"]
    assert host["NanoCpus"] == 500000000 and host["CpuShares"] == 512 and host["CpusetCpus"] == "0"


def test_update_of_exited_container_applies_at_next_start(runtime):
    cid = run_detached(runtime, "--name", "later", "-m", "32m", "busybox", "sleep", "30")
    runtime.md("stop", "-t", "0", "later", check=True)
    assert no_cgroup_left(cid)
    swap = ["--memory-swap", "160m"] if HAS_MEMSW else []
    if HAS_MEMSW:
        # -m 32m allowed 64m of memory+swap (Docker's default): 80m needs a new memory+swap too.
        refused = runtime.md("update", "--memory", "80m", "later")
        assert refused.returncode != 0 and "--memory-swap" in refused.stderr
    runtime.md("update", "--memory", "80m", *swap, "--pids-limit", "33", "later", check=True)
    assert no_cgroup_left(cid)  # nothing is created for a stopped container
    runtime.md("start", "later", check=True)
    runtime.wait_running("later")
    assert int(read_cg("memory", cid, "memory.limit_in_bytes")) == 80 * MiB
    if HAS_MEMSW:
        assert int(read_cg("memory", cid, "memory.memsw.limit_in_bytes")) == 160 * MiB
    assert read_cg("pids", cid, "pids.max") == "33"


def test_update_without_flags_is_an_error(runtime):
    run_detached(runtime, "--name", "up", "busybox", "sleep", "30")
    r = runtime.md("update", "up")
    assert r.returncode == 1
    assert "you must provide one or more flags when using this command" in r.stderr


def test_update_rejects_invalid_values_and_keeps_the_old_ones(runtime):
    cid = run_detached(runtime, "--name", "up", "-m", "32m", "--pids-limit", "20", "busybox", "sleep", "30")
    for args in (["-m", "-1"], ["-m", "10q"], ["-m", "1k"], ["--cpus", "99"],
                 ["--cpuset-cpus", "7-99"], ["--pids-limit", "-5"]):
        r = runtime.md("update", *args, "up")
        assert r.returncode == 1, (args, r.stderr)
        assert r.stderr.startswith("mydocker: invalid"), (args, r.stderr)
    assert int(read_cg("memory", cid, "memory.limit_in_bytes")) == 32 * MiB
    assert read_cg("pids", cid, "pids.max") == "20"
    assert inspect(runtime, "up")["HostConfig"]["Memory"] == 32 * MiB


def test_update_of_unknown_container_fails(runtime):
    r = runtime.md("update", "-m", "64m", "nosuch")
    assert r.returncode == 1
    assert r.stderr.startswith("mydocker: ")


# --- memory reservation, swappiness and the OOM killer (cgroup v1's files) -------------------------


def test_memory_reservation_swappiness_and_oom_kill_disable(runtime):
    cid = run_detached(runtime, "--name", "soft", "-m", "64m", "--memory-reservation", "32m",
                       "--memory-swappiness", "10", "--oom-kill-disable", "busybox", "sleep", "60")
    assert int(read_cg("memory", cid, "memory.soft_limit_in_bytes")) == 32 * MiB
    assert read_cg("memory", cid, "memory.swappiness") == "10"
    assert "oom_kill_disable 1" in read_cg("memory", cid, "memory.oom_control").splitlines()
    host = inspect(runtime, "soft")["HostConfig"]
    assert (host["MemoryReservation"], host["MemorySwappiness"], host["OomKillDisable"]) == \
        (32 * MiB, 10, True)
    # update changes the reservation of the running container, and keeps the rest.
    runtime.md("update", "--memory-reservation", "16m", "soft", check=True)
    assert int(read_cg("memory", cid, "memory.soft_limit_in_bytes")) == 16 * MiB
    host = inspect(runtime, "soft")["HostConfig"]
    assert (host["MemoryReservation"], host["Memory"], host["OomKillDisable"]) == \
        (16 * MiB, 64 * MiB, True)


def test_without_the_flags_the_memory_policy_is_the_kernels(runtime):
    cid = run_detached(runtime, "--name", "plain", "-m", "64m", "busybox", "sleep", "60")
    assert "oom_kill_disable 0" in read_cg("memory", cid, "memory.oom_control").splitlines()
    assert int(read_cg("memory", cid, "memory.soft_limit_in_bytes")) > 2**60
    host = inspect(runtime, "plain")["HostConfig"]
    assert (host["MemoryReservation"], host["MemorySwappiness"], host["OomKillDisable"]) == \
        (0, None, False)


@pytest.mark.parametrize("args,message", [
    (["--memory-swappiness", "101"], "Valid memory swappiness range is 0-100"),
    (["-m", "32m", "--memory-reservation", "64m"],
     "Minimum memory limit can not be less than memory reservation limit"),
    (["--memory-reservation", "12x"], 'invalid memory size "12x"'),
])
def test_bad_memory_policy_is_refused_before_anything_is_created(runtime, args, message):
    assert_refused_before_anything_is_created(runtime, args, message)


# --- pause --------------------------------------------------------------------------------------


COUNTER = "i=0; while :; do i=$((i+1)); echo $i > /count; sleep 0.1; done"


def test_pause_stops_counter_and_unpause_resumes_it(runtime):
    cid = run_detached(runtime, "--name", "counter", "busybox", "sh", "-c", COUNTER)
    counter = upper_file(runtime, cid, "count")
    wait_for(lambda: (read_counter(counter) or 0) >= 3, what="the counter to run")

    r = runtime.md("pause", "counter", check=True)
    assert r.stdout.strip() == "counter"
    assert read_cg("freezer", cid, "freezer.state") == "FROZEN"
    first = read_counter(counter)
    time.sleep(0.6)
    assert read_counter(counter) == first
    entry = runtime.inspect("counter")
    assert entry["State"] == "paused"
    assert "(Paused)" in runtime.md("ps", check=True).stdout
    assert inspect(runtime, "counter")["State"]["Paused"] is True
    assert runtime.md("pause", "counter").returncode == 1  # already paused

    runtime.md("unpause", "counter", check=True)
    assert read_cg("freezer", cid, "freezer.state") == "THAWED"
    wait_for(lambda: (read_counter(counter) or 0) > first + 2, timeout=5, what="the counter to resume")
    assert "(Paused)" not in runtime.md("ps", check=True).stdout
    assert runtime.md("unpause", "counter").returncode == 1  # not paused


def test_pause_of_stopped_container_fails(runtime):
    runtime.md("run", "--name", "done", "busybox", "true", check=True)
    assert runtime.md("pause", "done").returncode == 1
    assert runtime.md("pause", "nosuch").returncode == 1


def test_stop_of_paused_container(runtime):
    cid = run_detached(runtime, "--name", "frozen", "busybox", "sh", "-c", COUNTER)
    runtime.md("pause", "frozen", check=True)
    t0 = time.monotonic()
    runtime.md("stop", "-t", "1", "frozen", check=True, timeout=30)
    assert time.monotonic() - t0 < 10
    state = inspect(runtime, "frozen")["State"]
    assert state["Status"] == "exited" and state["Paused"] is False
    wait_for(lambda: no_cgroup_left(cid), timeout=5, what="the cgroup to be removed")
    # And it can run again.
    runtime.md("start", "frozen", check=True)
    runtime.wait_running("frozen")


def test_rm_force_of_paused_container_leaves_no_cgroup(runtime):
    cid = run_detached(runtime, "--name", "frozen", "busybox", "sh", "-c", COUNTER)
    runtime.md("pause", "frozen", check=True)
    runtime.md("rm", "-f", "frozen", check=True, timeout=30)
    assert runtime.ps() == []
    assert no_cgroup_left(cid)


# --- stats and top ------------------------------------------------------------------------------


def test_stats_no_stream_table(runtime):
    cid = run_detached(runtime, "--name", "watched", "-m", "64m", "busybox", "sleep", "30")
    other = run_detached(runtime, "--name", "unlimited", "busybox", "sleep", "30")
    r = runtime.md("stats", "--no-stream", check=True)
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["CONTAINER", "ID", "NAME", "CPU", "%", "MEM", "USAGE", "/", "LIMIT",
                                "MEM", "%", "NET", "I/O", "BLOCK", "I/O", "PIDS"]
    assert "\033[2J" not in r.stdout
    rows = {line.split()[1]: line for line in lines[1:]}
    assert set(rows) == {"watched", "unlimited"}
    row = rows["watched"]
    assert row.startswith(cid[:12])
    fields = row.split()
    assert fields[4] == "/" and fields[5] == "64MiB", row
    assert fields[2].endswith("%") and fields[6].endswith("%")
    # NET I/O: received / sent on its bridge interface, in Docker's decimal units.
    assert fields[8] == "/" and fields[7].endswith("B") and fields[9].endswith("B"), row
    # BLOCK I/O: read / written by the cgroup's processes, in the same units.
    assert fields[11] == "/" and fields[10].endswith("B") and fields[12].endswith("B"), row
    assert int(fields[13]) >= 1
    # Unlimited: the host's memory is the limit, as Docker shows it.
    assert rows["unlimited"].startswith(other[:12])
    assert rows["unlimited"].split()[5].endswith("GiB")


def test_stats_json(runtime):
    cid = run_detached(runtime, "--name", "watched", "-m", "64m", "--pids-limit", "30", "busybox",
                       "sh", "-c", "sleep 30; true")
    r = runtime.md("stats", "--no-stream", "--format", "json", "watched", check=True)
    entries = parse_json_lines(r.stdout)
    assert len(entries) == 1
    e = entries[0]
    assert e["ID"] == cid[:12] and e["Name"] == "watched" and e["Container"] == "watched"
    assert e["MemoryLimit"] == 64 * MiB and e["MemoryLimited"] is True
    assert e["MemUsage"].endswith(" / 64MiB")
    assert e["PidsCurrent"] >= 2 and int(e["PIDs"]) == e["PidsCurrent"]
    assert e["PidsLimit"] == 30
    assert e["CPUPerc"].endswith("%") and e["MemPerc"].endswith("%")
    assert 0 < e["MemoryUsage"] < 64 * MiB
    assert e["CPUUsageNs"] > 0


def test_stats_stream_ends_when_the_container_stops(runtime):
    run_detached(runtime, "--name", "brief", "busybox", "sleep", "2")
    r = runtime.md("stats", "brief", timeout=20)
    assert r.returncode == 0, r.stderr
    frames = r.stdout.split("\033[2J\033[H")
    assert len(frames) >= 2 and frames[0] == ""
    assert "brief" in frames[1]


def test_stats_of_unknown_container_fails(runtime):
    r = runtime.md("stats", "--no-stream", "nosuch")
    assert r.returncode == 1
    assert r.stdout == ""


def test_top_lists_container_processes(runtime):
    cid = run_detached(runtime, "--name", "tops", "busybox", "sh", "-c", "sleep 30; true")
    entry = runtime.wait_running("tops")

    def rows():
        lines = runtime.md("top", "tops", check=True).stdout.splitlines()
        return lines if len(lines) == 3 else None
    lines = wait_for(rows, what="sh and sleep in top")
    assert lines[0].split() == ["UID", "PID", "PPID", "STAT", "TIME", "CMD"]
    sh, sleep = (line.split(None, 5) for line in lines[1:])
    assert sh[0] == "root" and int(sh[1]) == entry["Pid"]
    assert sh[5] == "sh -c sleep 30; true"
    assert sleep[5] == "sleep 30" and sleep[2] == sh[1]
    assert sleep[4] == "00:00:00"
    runtime.md("stop", "-t", "0", "tops", check=True)
    r = runtime.md("top", "tops")
    assert r.returncode == 1 and "not running" in r.stderr
    runtime.md("rm", "tops", check=True)
    assert no_cgroup_left(cid)


# --- validation ---------------------------------------------------------------------------------


@pytest.mark.parametrize("args,message", [
    (["-m", "-1"], 'invalid memory size "-1"'),
    (["-m", "10q"], 'unknown unit "q"'),
    (["-m", "1k"], "minimum memory limit allowed is 6MB"),
    (["--cpus", "99"], "range of CPUs is from 0.01 to"),
    (["--cpuset-cpus", "7-99"], 'invalid cpuset cpus "7-99"'),
    (["--pids-limit", "-5"], "invalid --pids-limit -5"),
    (["--memory-swap", "16m", "-m", "32m"], "must be at least the memory limit"),
    (["--memory-swap", "64m"], "--memory-swap needs --memory"),
], ids=lambda a: " ".join(a) if isinstance(a, list) else "")
def test_invalid_limits_are_rejected_before_anything_is_created(runtime, args, message):
    r = runtime.md("run", "--name", "never", *args, "busybox", "true")
    assert r.returncode == 125, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mydocker: ") and message in lines[0], r.stderr
    assert runtime.ps() == []
    assert runtime.container_dirs() == []


def test_tutorial_aliases(runtime):
    cid = run_detached(runtime, "-mem", "40m", "-cpu", "256", "-cpuset", "0", "busybox", "sleep", "30")
    assert int(read_cg("memory", cid, "memory.limit_in_bytes")) == 40 * MiB
    assert read_cg("cpu", cid, "cpu.shares") == "256"
    assert read_cg("cpuset", cid, "cpuset.cpus") == "0"


def test_no_cgroup_left_after_rm(runtime):
    cid = run_detached(runtime, "--name", "full", "-m", "32m", "--cpus", "0.5", "--pids-limit", "10",
                       "busybox", "sleep", "30")
    dirs = cgroup_dirs_for(cid)
    controllers = {d.split("/")[4] for d in dirs}
    assert {"memory", "cpu", "cpuacct", "pids", "freezer", "cpuset"} <= controllers, dirs
    runtime.md("rm", "-f", "full", check=True)
    assert no_cgroup_left(cid)
