"""Health checks (issue #17): --health-* and --no-healthcheck, the image's HEALTHCHECK, run by
each container's monitor through the exec helper; State.Health in inspect, the status in ps and
ps --filter health=. Intervals are short; no test asserts a timing."""

import json
import os
import signal
from datetime import datetime

from conftest import processes_mentioning, wait_for
from image_fixtures import busybox_layer, config_for, oci_archive

FAST = ["--health-interval", "200ms", "--health-timeout", "5s"]


def inspect(runtime, name):
    return json.loads(runtime.md("inspect", name, check=True).stdout)[0]


def health(runtime, name):
    return inspect(runtime, name)["State"].get("Health")


def health_is(runtime, name, status, streak_at_least=0):
    h = health(runtime, name)
    return h if h and h["Status"] == status and h["FailingStreak"] >= streak_at_least else None


def filtered(runtime, health_value):
    out = runtime.md("ps", "--filter", f"health={health_value}", "--format", "json",
                     check=True).stdout
    return [json.loads(line)["Names"] for line in out.splitlines() if line.strip()]


def ps_status(runtime, name):
    return next(e["Status"] for e in runtime.ps() if e["Names"] == name)


def test_a_healthy_container_shows_its_checks_output(runtime):
    runtime.md("run", "-d", "--name", "h", *FAST, "--health-cmd", "echo checked; echo err >&2",
               "busybox", "sleep", "600", check=True)
    h = wait_for(lambda: health_is(runtime, "h", "healthy"), what="a healthy status")
    assert h["FailingStreak"] == 0
    entry = h["Log"][-1]
    assert entry["ExitCode"] == 0
    assert "checked\n" in entry["Output"] and "err\n" in entry["Output"]
    assert entry["Start"] <= entry["End"]
    config = inspect(runtime, "h")["Config"]["Healthcheck"]
    assert config["Test"] == ["CMD-SHELL", "echo checked; echo err >&2"]
    assert config["Interval"] == 200_000_000
    assert ps_status(runtime, "h").endswith(" (healthy)")
    names = filtered(runtime, "healthy")
    assert names == ["h"]
    # Docker keeps the last five results.
    wait_for(lambda: len(health(runtime, "h")["Log"]) == 5, what="five results")
    runtime.md("stop", "-t", "1", "h", check=True)
    # The checks stop with the container: no probe is left, and the status is Docker's.
    cid = inspect(runtime, "h")["Id"]
    wait_for(lambda: not any("__nsenter" in cmd or "__monitor" in cmd
                             for _, cmd in processes_mentioning(cid)),
             what="the monitor and any check to be gone")
    assert health(runtime, "h")["Status"] == "unhealthy"
    assert ps_status(runtime, "h").startswith("Exited (")


def test_an_unhealthy_container_and_its_growing_streak(runtime):
    runtime.md("run", "-d", "--name", "u", *FAST, "--health-retries", "2", "--health-cmd",
               "echo nope; exit 3", "busybox", "sleep", "600", check=True)
    assert health(runtime, "u")["Status"] == "starting"
    assert ps_status(runtime, "u").endswith(" (health: starting)")
    h = wait_for(lambda: health_is(runtime, "u", "unhealthy", 3), what="three failures")
    assert h["Log"][-1]["ExitCode"] == 3 and h["Log"][-1]["Output"] == "nope\n"
    assert ps_status(runtime, "u").endswith(" (unhealthy)")
    names = filtered(runtime, "unhealthy")
    assert names == ["u"]
    runtime.md("rm", "-f", "u", check=True)


def test_status_flips_both_ways(runtime):
    runtime.md("run", "-d", "--name", "f", *FAST, "--health-retries", "1", "--health-cmd",
               "test -e /ok", "busybox", "sleep", "600", check=True)
    wait_for(lambda: health_is(runtime, "f", "unhealthy", 1), what="unhealthy")
    runtime.md("exec", "f", "touch", "/ok", check=True)
    h = wait_for(lambda: health_is(runtime, "f", "healthy"), what="healthy again")
    assert h["FailingStreak"] == 0
    runtime.md("exec", "f", "rm", "/ok", check=True)
    wait_for(lambda: health_is(runtime, "f", "unhealthy", 1), what="unhealthy again")


def test_a_hanging_check_is_killed_at_its_timeout(runtime):
    runtime.md("run", "-d", "--name", "t", "--health-interval", "200ms", "--health-timeout",
               "300ms", "--health-cmd", "echo started; sleep 1000", "busybox", "sleep", "600",
               check=True)
    h = wait_for(lambda: health_is(runtime, "t", "unhealthy", 3), timeout=30,
                 what="three timeouts")
    for entry in h["Log"]:
        assert entry["ExitCode"] == -1
        assert entry["Output"] == "Health check exceeded timeout (300ms)"
    # The killed checks left no process behind in the container (the check's own child, the
    # sleep, included): only the container's own sleep and maybe the check in flight.
    top = runtime.md("exec", "t", "ps", "-o", "pid,args", check=True).stdout
    sleeps = [line for line in top.splitlines() if "sleep 1000" in line]
    assert len(sleeps) <= 2, top


def test_start_period_failures_do_not_count(runtime):
    runtime.md("run", "-d", "--name", "s", "--health-interval", "200ms", "--health-retries", "1",
               "--health-start-period", "1h", "--health-start-interval", "200ms",
               "--health-cmd", "test -e /ready", "busybox", "sleep", "600", check=True)
    wait_for(lambda: len(health(runtime, "s")["Log"]) >= 3, what="failing checks")
    h = health(runtime, "s")
    assert h["Status"] == "starting" and h["FailingStreak"] == 0
    assert all(e["ExitCode"] == 1 for e in h["Log"])
    runtime.md("exec", "s", "touch", "/ready", check=True)
    wait_for(lambda: health_is(runtime, "s", "healthy"), what="healthy")
    # A success ends the start period: the next failure counts.
    runtime.md("exec", "s", "rm", "/ready", check=True)
    wait_for(lambda: health_is(runtime, "s", "unhealthy", 1), what="unhealthy")


def load_image_with_healthcheck(runtime, tmp_path, test):
    layers = [busybox_layer()]
    run_config = {"Cmd": ["sleep", "600"], "Env": ["PATH=/bin"],
                  "Healthcheck": {"Test": test, "Interval": 200_000_000, "Retries": 1}}
    path = oci_archive([("hc:1", layers, config_for(layers, run_config))]).write_tar(
        tmp_path / "hc.tar")
    runtime.md("load", "-i", path, check=True)


def test_the_images_healthcheck_and_no_healthcheck(runtime, tmp_path):
    load_image_with_healthcheck(runtime, tmp_path, ["CMD", "sh", "-c", "echo from-image"])
    runtime.md("run", "-d", "--name", "img", "hc:1", check=True)
    h = wait_for(lambda: health_is(runtime, "img", "healthy"), what="the image's check")
    assert h["Log"][-1]["Output"] == "from-image\n"
    assert inspect(runtime, "img")["Config"]["Healthcheck"]["Test"] == [
        "CMD", "sh", "-c", "echo from-image"]
    # --health-cmd replaces the image's test and keeps its other fields.
    runtime.md("run", "-d", "--name", "mine", "--health-cmd", "exit 1", "hc:1", check=True)
    h = wait_for(lambda: health_is(runtime, "mine", "unhealthy", 1), what="the replaced check")
    assert inspect(runtime, "mine")["Config"]["Healthcheck"]["Interval"] == 200_000_000
    # --no-healthcheck disables it: no health at all.
    runtime.md("run", "-d", "--name", "off", "--no-healthcheck", "hc:1", check=True)
    runtime.wait_running("off")
    assert health(runtime, "off") is None
    assert inspect(runtime, "off")["Config"]["Healthcheck"]["Test"] == ["NONE"]
    status = ps_status(runtime, "off")
    assert status.startswith("Up ") and "health" not in status
    names = filtered(runtime, "none")
    assert names == ["off"]


def test_a_missing_command_fails_the_check_with_the_exec_error(runtime):
    runtime.md("run", "-d", "--name", "m", *FAST, "--health-retries", "1", "busybox", "sleep",
               "600", check=True)  # no check at all
    assert health(runtime, "m") is None
    runtime.md("create", "--name", "c", "--health-interval", "200ms", "--health-retries", "1",
               "--health-cmd", "/no/such/check", "busybox", "sleep", "600", check=True)
    assert health(runtime, "c") is None  # created, never started
    runtime.md("start", "c", check=True)
    h = wait_for(lambda: health_is(runtime, "c", "unhealthy", 1), what="a failed check")
    assert h["Log"][-1]["ExitCode"] == 127


def test_restart_policy_does_not_restart_an_unhealthy_container(runtime):
    runtime.md("run", "-d", "--name", "r", "--restart", "always", *FAST, "--health-retries", "1",
               "--health-cmd", "false", "busybox", "sleep", "600", check=True)
    wait_for(lambda: health_is(runtime, "r", "unhealthy", 3), what="unhealthy")
    doc = inspect(runtime, "r")
    assert doc["RestartCount"] == 0 and doc["State"]["Status"] == "running"
    # A restart by the policy starts the checks again, from "starting".
    os.kill(doc["State"]["Pid"], signal.SIGKILL)

    def checked_after_restart():
        d = inspect(runtime, "r")
        h = d["State"].get("Health")
        if d["RestartCount"] != 1 or d["State"]["Status"] != "running" or not h or not h["Log"]:
            return None
        started = datetime.fromisoformat(d["State"]["StartedAt"])
        return h if datetime.fromisoformat(h["Log"][0]["Start"]) >= started else None
    h = wait_for(checked_after_restart, what="the checks of the restarted run")
    assert h["Log"][0]["ExitCode"] == 1


def test_bad_values_are_refused_before_anything_exists(runtime):
    cases = [
        (["--health-interval", "soon"],
         'invalid argument "soon" for "--health-interval" flag: time: invalid duration "soon"'),
        (["--health-timeout", "-1s"], "--health-timeout cannot be negative"),
        (["--health-retries", "-2"], "--health-retries cannot be negative"),
        (["--health-interval", "10us", "--health-cmd", "true"],
         "Interval in Healthcheck cannot be less than 1ms"),
        (["--no-healthcheck", "--health-cmd", "true"],
         "--no-healthcheck conflicts with --health-* options"),
    ]
    for flags, message in cases:
        for command in ("run", "create"):
            r = runtime.md(command, "-d" if command == "run" else "--rm", *flags, "busybox",
                           "true")
            assert r.returncode == 125, (flags, r.stderr)
            assert message in r.stderr, (flags, r.stderr)
            assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert runtime.container_dirs() == []
    r = runtime.md("ps", "--filter", "health=sick")
    assert r.returncode != 0 and "Unrecognised filter value for health: sick" in r.stderr


def test_commit_keeps_the_check_and_change_healthcheck_sets_one(runtime):
    runtime.md("run", "-d", "--name", "src", "--health-cmd", "true", "--health-interval",
               "200ms", "busybox", "sleep", "600", check=True)
    runtime.md("commit", "src", "kept:1", check=True)
    config = json.loads(runtime.md("image", "inspect", "kept:1", check=True).stdout)[0]["Config"]
    assert config["Healthcheck"] == {"Test": ["CMD-SHELL", "true"], "Interval": 200_000_000}
    runtime.md("commit", "-c", "HEALTHCHECK --interval=200ms --retries=1 CMD exit 4", "src",
               "changed:1", check=True)
    runtime.md("run", "-d", "--name", "from-change", "changed:1", "sleep", "600", check=True)
    h = wait_for(lambda: health_is(runtime, "from-change", "unhealthy", 1),
                 what="the committed check")
    assert h["Log"][-1]["ExitCode"] == 4
    r = runtime.md("commit", "-c", "HEALTHCHECK --often=1s CMD true", "src", "bad:1")
    assert r.returncode == 125 and "unknown flag of HEALTHCHECK: --often" in r.stderr
