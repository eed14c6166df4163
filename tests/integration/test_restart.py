"""Restart policies (--restart), carried out by each container's monitor (there is no daemon):
Docker's back-off, RestartCount, a user's stop or kill ending the policy, rm -f at any moment,
`update --restart`, and `start --restartable` for a boot unit."""

import json
import os
import signal

from conftest import processes_mentioning, wait_for


def inspect(runtime, name):
    r = runtime.md("inspect", name)
    return json.loads(r.stdout)[0] if r.returncode == 0 else None


def monitor_alive(runtime, cid):
    return any("__monitor" in cmd for _, cmd in processes_mentioning(cid))


def state_is(runtime, name, status):
    doc = inspect(runtime, name)
    return doc if doc and doc["State"]["Status"] == status else None


def test_always_survives_kill_9_and_continues_its_log(runtime):
    runtime.md("run", "-d", "--name", "a", "--restart", "always", "busybox", "sh", "-c",
               "echo run; exec sleep 1000", check=True)
    first = runtime.wait_running("a")
    doc = inspect(runtime, "a")
    assert doc["HostConfig"]["RestartPolicy"] == {"Name": "always", "MaximumRetryCount": 0}
    assert doc["RestartCount"] == 0
    cgroup = doc["HostConfig"]["CgroupPath"]
    os.kill(first["Pid"], signal.SIGKILL)  # as a crash would, not through mydocker

    def restarted():
        d = inspect(runtime, "a")
        return d if d["RestartCount"] == 1 and d["State"]["Running"] and d["State"]["Pid"] not in (
            0, first["Pid"]) and d["State"]["Status"] == "running" else None
    doc = wait_for(restarted, what="the container to be restarted")
    assert doc["HostConfig"]["CgroupPath"] == cgroup
    wait_for(lambda: runtime.md("logs", "a").stdout == "run\nrun\n", what="the second run's log")
    # A user's stop ends the policy, even with always: the monitor is gone when stop returns.
    assert runtime.md("stop", "-t", "1", "a").returncode == 0
    doc = inspect(runtime, "a")
    assert doc["State"]["Status"] == "exited"
    assert not monitor_alive(runtime, doc["Id"])
    assert inspect(runtime, "a")["RestartCount"] == 1


def test_on_failure_stops_after_n_failures(runtime):
    runtime.md("run", "-d", "--name", "f", "--restart", "on-failure:3", "busybox", "sh", "-c",
               "echo try; exit 3", check=True)
    doc = wait_for(lambda: state_is(runtime, "f", "exited") if not monitor_alive(
        runtime, runtime.inspect("f")["ID"]) else None, what="the retries to end")
    assert doc["RestartCount"] == 3
    assert doc["State"]["ExitCode"] == 3
    assert runtime.md("logs", "f").stdout == "try\n" * 4
    # A success is not restarted by on-failure.
    runtime.md("run", "-d", "--name", "ok", "--restart", "on-failure", "busybox", "true",
               check=True)
    doc = wait_for(lambda: state_is(runtime, "ok", "exited") if not monitor_alive(
        runtime, runtime.inspect("ok")["ID"]) else None, what="the run to end")
    assert doc["RestartCount"] == 0


def test_restarting_shown_and_rm_f_during_backoff_leaves_nothing(runtime):
    runtime.md("run", "-d", "--name", "r", "--restart", "always", "busybox", "sh", "-c",
               "exit 2", check=True)
    # The back-off doubles from 100 ms: after a few runs the wait is long enough to be seen.
    def waiting():
        doc = inspect(runtime, "r")
        if not doc["State"]["Restarting"] or doc["RestartCount"] < 4:
            return None
        return next((e for e in runtime.ps() if e["Names"] == "r" and e["State"] == "restarting"),
                    None)
    entry = wait_for(waiting, timeout=30, what="a restarting state")
    assert entry["Status"].startswith("Restarting (2) ")
    assert entry["Status"].endswith(" ago")
    cid = inspect(runtime, "r")["Id"]
    assert runtime.md("rm", "-f", "r").returncode == 0
    assert runtime.inspect("r") is None
    wait_for(lambda: not monitor_alive(runtime, cid), what="the monitor to end")
    # teardown proves no cgroup, mount, process or file is left


def test_user_kill_and_stop_during_backoff_end_the_policy(runtime):
    runtime.md("run", "-d", "--name", "k", "--restart", "always", "busybox", "sleep", "1000",
               check=True)
    runtime.wait_running("k")
    assert runtime.md("kill", "k").returncode == 0
    doc = wait_for(lambda: state_is(runtime, "k", "exited") if not monitor_alive(
        runtime, runtime.inspect("k")["ID"]) else None, what="the killed container to stay down")
    assert doc["RestartCount"] == 0
    # A stop while waiting to restart: stopped at once, no further run.
    runtime.md("run", "-d", "--name", "s", "--restart", "unless-stopped", "busybox", "false",
               check=True)
    wait_for(lambda: state_is(runtime, "s", "restarting") and
             inspect(runtime, "s")["RestartCount"] >= 3, timeout=30, what="a restart wait")
    assert runtime.md("stop", "s").returncode == 0
    doc = inspect(runtime, "s")
    assert doc["State"]["Status"] == "exited"
    assert not monitor_alive(runtime, doc["Id"])
    # A start by a user starts the policy again from zero.
    runtime.md("update", "--restart", "no", "s", check=True)
    runtime.md("start", "s", check=True)
    doc = wait_for(lambda: state_is(runtime, "s", "exited") if not monitor_alive(
        runtime, runtime.inspect("s")["ID"]) else None, what="the run to end")
    assert doc["RestartCount"] == 0


def test_update_restart_and_refusals(runtime):
    runtime.md("run", "-d", "--name", "u", "busybox", "sleep", "1000", check=True)
    first = runtime.wait_running("u")
    runtime.md("update", "--restart", "on-failure:1", "u", check=True)
    assert inspect(runtime, "u")["HostConfig"]["RestartPolicy"] == {
        "Name": "on-failure", "MaximumRetryCount": 1}
    os.kill(first["Pid"], signal.SIGKILL)
    second = wait_for(lambda: (lambda d: d if d["RestartCount"] == 1 and d["State"]["Pid"] not in (
        0, first["Pid"]) else None)(inspect(runtime, "u")), what="the restart")
    os.kill(second["State"]["Pid"], signal.SIGKILL)  # the retry is used up: stays down
    doc = wait_for(lambda: state_is(runtime, "u", "exited") if not monitor_alive(
        runtime, runtime.inspect("u")["ID"]) else None, what="the end")
    assert doc["RestartCount"] == 1 and doc["State"]["ExitCode"] == 137

    r = runtime.md("run", "--rm", "--restart", "always", "--name", "never", "busybox", "true")
    assert r.returncode == 125
    assert "conflicting options: cannot specify both --restart and --rm" in r.stderr
    assert runtime.inspect("never") is None
    for bad, message in (("sometimes", "invalid restart policy: unknown policy 'sometimes'"),
                         ("always:3", "maximum retry count can only be used with 'on-failure'"),
                         ("on-failure:x", "maximum retry count must be an integer")):
        r = runtime.md("create", "--restart", bad, "busybox", "true")
        assert r.returncode == 125, r.stderr
        assert message in r.stderr
    assert runtime.ps() and all(e["Names"] == "u" for e in runtime.ps())
    runtime.md("create", "--rm", "--name", "auto", "busybox", "true", check=True)
    r = runtime.md("update", "--restart", "always", "auto")
    assert r.returncode != 0
    assert "AutoRemove is enabled" in r.stderr
    r = runtime.md("update", "--restart", "bogus", "u")
    assert r.returncode != 0 and "unknown policy 'bogus'" in r.stderr


def test_start_restartable_after_a_simulated_reboot(runtime):
    for name, policy in (("always", "always"), ("unless", "unless-stopped"), ("never", "no"),
                         ("stopped", "unless-stopped")):
        runtime.md("run", "-d", "--name", name, "--restart", policy, "busybox", "sleep", "1000",
                   check=True)
        runtime.wait_running(name)
    runtime.md("create", "--name", "created", "--restart", "always", "busybox", "sleep", "1000",
               check=True)
    assert runtime.md("stop", "-t", "0", "stopped").returncode == 0
    # A host going down: every monitor and process dies at once, nothing records the end.
    for name in ("always", "unless", "never"):
        doc = inspect(runtime, name)
        os.kill(doc["State"]["MonitorPid"], signal.SIGKILL)
        os.kill(doc["State"]["Pid"], signal.SIGKILL)
    for name in ("always", "unless", "never"):
        wait_for(lambda: state_is(runtime, name, "exited"), what=f"{name} to be seen stopped")
    r = runtime.md("start", "--restartable", check=True)
    assert sorted(r.stdout.split()) == ["always", "unless"]
    for name in ("always", "unless"):
        runtime.wait_running(name)
    for name, status in (("never", "exited"), ("stopped", "exited"), ("created", "created")):
        assert inspect(runtime, name)["State"]["Status"] == status
    r = runtime.md("start", "--restartable", "always")
    assert r.returncode != 0 and "--restartable takes no container" in r.stderr
