"""--entrypoint, --stop-signal, --stop-timeout, the image's STOPSIGNAL, and --init."""

import time

from conftest import wait_for
from image_fixtures import busybox_layer, config_for, docker_archive


def load_image(runtime, tmp_path, tag, run_config):
    base = busybox_layer()
    image = (tag, [base], config_for([base], run_config))
    path = docker_archive([image]).write_tar(tmp_path / "img.tar")
    runtime.md("load", "-i", str(path), check=True)


def test_entrypoint_replaces_the_images(runtime, tmp_path):
    load_image(runtime, tmp_path, "fixture/ep:v1",
               {"Entrypoint": ["echo", "from-entrypoint"], "Cmd": ["default-arg"]})
    # A shell instead of the image's entrypoint; the image's CMD goes too (Docker's rule).
    r = runtime.md("run", "--rm", "--entrypoint", "sh", "fixture/ep:v1", "-c", "echo in-sh",
                   check=True)
    assert r.stdout == "in-sh\n"
    r = runtime.md("run", "--rm", "--entrypoint=", "fixture/ep:v1", "echo", "cleared", check=True)
    assert r.stdout == "cleared\n"
    r = runtime.md("run", "--rm", "--entrypoint", "", "fixture/ep:v1")
    assert r.returncode == 127  # the image's CMD alone: "default-arg" is no command
    assert 'exec: "default-arg": executable file not found in $PATH' in r.stderr
    r = runtime.md("create", "--name", "made", "--entrypoint", "/bin/echo", "fixture/ep:v1", "hi",
                   check=True)
    assert runtime.md("start", "-a", "made").stdout == "hi\n"


def test_stop_signal_flag_and_timeout(runtime):
    # The shell reports the signal it gets; SIGUSR1 is not SIGTERM.
    runtime.md("run", "-d", "--name", "sig", "--stop-signal", "USR1", "busybox", "sh", "-c",
               "trap 'echo got-usr1; exit 3' USR1; while true; do sleep 0.1; done", check=True)
    runtime.wait_running("sig")
    assert runtime.md("stop", "sig").returncode == 0
    assert runtime.md("logs", "sig").stdout == "got-usr1\n"
    # --stop-timeout 1: a container that ignores the signal is killed after a second, not 10.
    runtime.md("run", "-d", "--name", "stubborn", "--stop-timeout", "1", "busybox", "sh", "-c",
               "trap '' TERM; while true; do sleep 0.1; done", check=True)
    runtime.wait_running("stubborn")
    start = time.monotonic()
    assert runtime.md("stop", "stubborn").returncode == 0
    assert time.monotonic() - start < 8
    bad = runtime.md("run", "--stop-signal", "NOPE", "--name", "never", "busybox", "true")
    assert bad.returncode == 125
    assert "Invalid signal: NOPE" in bad.stderr
    assert runtime.inspect("never") is None


def test_image_stopsignal(runtime, tmp_path):
    load_image(runtime, tmp_path, "fixture/stopsig:v1", {
        "Cmd": ["sh", "-c", "trap 'echo got-quit; exit 0' QUIT; while true; do sleep 0.1; done"],
        "StopSignal": "SIGQUIT"})
    runtime.md("run", "-d", "--name", "q", "fixture/stopsig:v1", check=True)
    runtime.wait_running("q")
    assert runtime.md("stop", "q").returncode == 0
    assert runtime.md("logs", "q").stdout == "got-quit\n"
    assert runtime.md("wait", "q").stdout.strip() == "0"


def test_init_is_pid_1_and_the_command_its_child(runtime):
    r = runtime.md("run", "--rm", "--init", "busybox", "sh", "-c", "echo $$; cat /proc/1/cmdline",
                   check=True)
    pid, cmdline = r.stdout.split("\n", 1)
    assert pid != "1"
    assert cmdline.split("\0")[:3] == ["mydocker-init", "__init", "--"]
    assert runtime.md("run", "--rm", "--init", "busybox", "sh", "-c", "exit 7").returncode == 7
    r = runtime.md("run", "--rm", "--init", "busybox", "nosuch")
    assert r.returncode == 127
    assert "nosuch" in r.stderr


def zombies(runtime, name):
    r = runtime.md("exec", name, "sh", "-c", "grep -l '^State:.*Z' /proc/[0-9]*/status || true")
    return [line for line in r.stdout.split() if line]


def test_init_reaps_orphans_and_forwards_signals(runtime):
    runtime.md("run", "-d", "--init", "--name", "reaper", "busybox", "sh", "-c",
               "trap 'echo got-term; exit 5' TERM; while true; do sleep 0.1; done", check=True)
    runtime.wait_running("reaper")
    # An exec'd shell whose child outlives it: the orphan is reparented to init, which reaps it.
    runtime.md("exec", "-d", "reaper", "sh", "-c", "sleep 0.2 & exit 0", check=True)
    time.sleep(1)
    wait_for(lambda: not zombies(runtime, "reaper"), timeout=10, what="no zombie left")
    # stop's SIGTERM reaches the command through init.
    assert runtime.md("stop", "reaper").returncode == 0
    assert "got-term" in runtime.md("logs", "reaper").stdout
    assert runtime.md("wait", "reaper").stdout.strip() == "5"
