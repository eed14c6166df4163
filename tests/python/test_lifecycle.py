"""wait, stop, kill, pause/resume, stats, exec and logs on live containers."""

import os
import signal
import time

import pytest

import pymydocker
from conftest import wait_for


def test_wait_with_timeout_raises_timeout_and_later_returns_the_code(rt):
    with rt.run("busybox", ["sh", "-c", "sleep 3; exit 7"], detach=True) as c:
        started = time.monotonic()
        with pytest.raises(pymydocker.Timeout) as info:
            c.wait(timeout=0.2)
        assert time.monotonic() - started < 2.5
        assert isinstance(info.value, TimeoutError)
        assert c.status == "running"
        assert c.wait(timeout=20) == 7
        assert c.exit_code == 7
        assert c.status == "stopped"


def test_wait_of_a_detached_remove_container_returns_its_code(rt):
    # The record goes with the container; the handle that started it hears the code from the
    # monitor. A handle got later has only the record, and says None once it is gone.
    c = rt.run("busybox", ["sh", "-c", "sleep 0.5; exit 5"], detach=True, remove=True)
    other = rt.containers.get(c.id)
    assert c.wait(timeout=20) == 5
    assert c.exit_code == 5 and c.status == "removed"
    assert other.wait(timeout=20) is None
    c = rt.run("busybox", ["sh", "-c", "exit 6"], detach=True, remove=True)
    time.sleep(0.5)  # ended and removed before wait() is called
    assert c.wait(timeout=20) == 6
    c = rt.containers.create("busybox", ["sh", "-c", "exit 4"], remove=True)
    c.start()
    assert c.wait() == 4


# PID 1 of a namespace gets only the signals it has a handler for: the shell traps them.
TRAPPING = ("trap 'exit 10' TERM; trap 'exit 11' INT; trap 'exit 12' USR1; echo ready; "
            "while :; do sleep 0.1; done")


def run_trapping(rt):
    c = rt.run("busybox", ["sh", "-c", TRAPPING], detach=True)
    wait_for(lambda: "ready" in c.logs(), what="traps to be set")
    return c


def test_stop_sends_sigterm_first(rt):
    with run_trapping(rt) as c:
        c.stop(timeout=10)
        assert c.status == "stopped"
        assert c.exit_code == 10
        c.stop()  # not running: nothing to do


def test_stop_escalates_to_sigkill(rt):
    with rt.run("busybox", ["sleep", "30"], detach=True) as c:  # as PID 1, sleep ignores TERM
        started = time.monotonic()
        c.stop(timeout=0.5)
        assert time.monotonic() - started < 15
        assert c.exit_code == 128 + signal.SIGKILL


@pytest.mark.parametrize("sig, code", [
    (signal.SIGKILL, 137), ("TERM", 10), ("SIGINT", 11), (int(signal.SIGUSR1), 12)])
def test_kill_takes_numbers_names_and_enum_members(rt, sig, code):
    with run_trapping(rt) as c:
        c.kill(sig)
        assert c.wait(timeout=20) == code


def test_kill_and_exec_on_a_stopped_container_are_conflicts(rt):
    with rt.run("busybox", ["true"]) as c:
        with pytest.raises(pymydocker.Conflict):
            c.kill()
        with pytest.raises(pymydocker.Conflict):
            c.exec(["true"])
        with pytest.raises(pymydocker.Conflict):
            c.stats()
        with pytest.raises(pymydocker.InvalidArgument):
            c.kill("NOSUCHSIGNAL")


def test_remove_of_a_running_container_needs_force(rt):
    c = rt.run("busybox", ["sleep", "30"], detach=True)
    with pytest.raises(pymydocker.Conflict) as info:
        c.remove()
    assert info.value.code == "FAILED_PRECONDITION"
    c.remove(force=True)
    assert c.status == "removed"
    with pytest.raises(pymydocker.NotFound):
        c.remove()


def test_pause_and_resume(rt):
    with rt.run("busybox", ["sleep", "30"], detach=True) as c:
        with pytest.raises(pymydocker.Conflict):
            c.resume()
        c.pause()
        assert c.status == "paused"
        with pytest.raises(pymydocker.Conflict):
            c.pause()
        with pytest.raises(pymydocker.Conflict):
            c.exec(["true"])
        assert c.stats().pids_current >= 1
        c.resume()
        assert c.status == "running"
        assert c.exec(["true"])[0] == 0


def test_stats(rt):
    with rt.run("busybox", ["sh", "-c", "i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; "
                            "sleep 30"], memory="48m", detach=True) as c:
        stats = wait_for(lambda: (s := c.stats()).cpu_usage_ns > 0 and s, what="cpu usage")
        assert stats.memory_usage > 0
        assert stats.memory_limit == 48 * 1024 * 1024
        assert stats.pids_current >= 1
        assert stats.oom_kills == 0
        assert "memory_limit=50331648" in repr(stats)


def test_exec_returns_code_and_output(rt):
    with rt.run("busybox", ["sleep", "30"], hostname="exechost", detach=True) as c:
        code, output = c.exec(["sh", "-c", "hostname; echo $EXTRA; echo oops >&2; exit 4"],
                              env={"EXTRA": "from-exec"})
        assert code == 4
        assert output == b"exechost\nfrom-exec\noops\n"
        assert c.exec("pwd", workdir="/etc") == (0, b"/etc\n")
        assert c.exec(["id", "-u"], user="1234") == (0, b"1234\n")


def test_exec_output_larger_than_a_pipe(rt):
    with rt.run("busybox", ["sleep", "30"], detach=True) as c:
        code, output = c.exec(["sh", "-c", "yes 0123456789 | head -c 1000000"])
        assert code == 0
        assert len(output) == 1000000


def test_exec_of_a_missing_command_is_a_command_error(rt):
    with rt.run("busybox", ["sleep", "30"], detach=True) as c:
        with pytest.raises(pymydocker.CommandError) as info:
            c.exec(["no-such-command"])
        assert info.value.exit_code == 127
        with pytest.raises(pymydocker.InvalidArgument):
            c.exec([])


def test_logs_tail_and_streams(rt):
    with rt.run("busybox", ["sh", "-c", "for i in 1 2 3 4; do echo line $i; done; echo e >&2"]) as c:
        assert c.logs() == "line 1\nline 2\nline 3\nline 4\ne\n"
        assert c.logs(tail=2) == "line 4\ne\n"
        assert c.logs(tail=2, stderr=False) == "line 4\n"
        assert list(c.logs(follow=True)) == ["line 1\n", "line 2\n", "line 3\n", "line 4\n", "e\n"]


def test_follow_streams_lines_as_they_are_written(rt):
    with rt.run("busybox", ["sh", "-c", "for i in 1 2 3; do echo tick $i; sleep 0.3; done"],
                detach=True) as c:
        seen = []
        started = time.monotonic()
        for line in c.logs(follow=True):
            seen.append((line, time.monotonic() - started))
        assert [line for line, _ in seen] == ["tick 1\n", "tick 2\n", "tick 3\n"]
        # The first line arrived while the container still ran, not at its end.
        assert seen[0][1] < seen[-1][1] - 0.3
        assert c.wait(timeout=20) == 0


def test_follow_can_be_closed_early_on_a_silent_container(rt):
    with rt.run("busybox", ["sh", "-c", "echo first; sleep 30"], detach=True) as c:
        stream = c.logs(follow=True)
        assert next(stream) == "first\n"
        started = time.monotonic()
        stream.close()
        assert time.monotonic() - started < 2
        with pytest.raises(StopIteration):
            next(stream)
        with c.logs(follow=True) as again:
            assert next(again) == "first\n"
        assert c.status == "running"


def test_restart_policy_and_restart_count(rt):
    with rt.run("busybox", ["sh", "-c", "exit 3"], detach=True, restart="on-failure:2") as c:
        assert c.wait(timeout=60) == 3  # the first end, as Docker's wait reports it
        # The monitor restarts it twice more, then records it stopped.
        wait_for(lambda: c.status == "stopped", timeout=60, what="the retries to end")
        assert c.restart_count == 2
        assert c.inspect()["HostConfig"]["RestartPolicy"] == {
            "Name": "on-failure", "MaximumRetryCount": 2}
    with pytest.raises(pymydocker.InvalidArgument, match="unknown policy 'sometimes'"):
        rt.containers.create("busybox", "true", restart="sometimes")
    with pytest.raises(pymydocker.InvalidArgument, match="--restart and --rm"):
        rt.containers.create("busybox", "true", restart="always", remove=True)


def test_update_restart_policy_survives_a_kill_9(rt):
    with rt.run("busybox", ["sleep", "600"], detach=True) as c:
        wait_for(lambda: c.status == "running", what="the container to run")
        c.update(restart_policy={"Name": "always"})
        assert c.inspect()["HostConfig"]["RestartPolicy"]["Name"] == "always"
        first = c.pid
        os.kill(first, signal.SIGKILL)  # the container's process, from the host
        wait_for(lambda: c.restart_count == 1 and c.status == "running" and c.pid != first,
                 timeout=30, what="the restart after kill -9")
        assert c.inspect()["RestartCount"] == 1
        c.update(restart_policy="on-failure:2")
        assert c.inspect()["HostConfig"]["RestartPolicy"] == {
            "Name": "on-failure", "MaximumRetryCount": 2}
        with pytest.raises(pymydocker.InvalidArgument):
            c.update(restart_policy="sometimes")
        with pytest.raises(pymydocker.InvalidArgument):
            c.update()


def test_stop_timeout_is_recorded(rt):
    # PID 1 ignores SIGTERM without a handler: stop ends it with SIGKILL after the timeout.
    with rt.run("busybox", ["sleep", "600"], detach=True, stop_timeout=1) as c:
        assert c.inspect()["Config"]["StopTimeout"] == 1
        c.stop(timeout=1)
        assert c.exit_code == 128 + signal.SIGKILL
    with rt.run("busybox", ["true"], detach=True) as c:
        assert "StopTimeout" not in c.inspect()["Config"]


def test_healthcheck_turns_healthy_then_unhealthy(rt):
    check = {"test": "test -e /healthy", "interval": 100_000_000, "retries": 1}
    with rt.run("busybox", ["sh", "-c", "touch /healthy; exec sleep 600"], detach=True,
                healthcheck=check) as c:
        assert c.inspect()["Config"]["Healthcheck"]["Test"] == ["CMD-SHELL", "test -e /healthy"]
        wait_for(lambda: c.health == "healthy", timeout=20, what="healthy")
        assert c.exec(["rm", "/healthy"])[0] == 0
        wait_for(lambda: c.health == "unhealthy", timeout=20, what="unhealthy")
        health = c.inspect()["State"]["Health"]
        assert health["FailingStreak"] >= 1 and health["Log"][-1]["ExitCode"] == 1
    with rt.run("busybox", ["sleep", "600"], detach=True) as c:
        assert c.health == "unknown"
    with pytest.raises(pymydocker.InvalidArgument):
        rt.containers.create("busybox", "true", healthcheck={"test": ["SOMETIMES"]})
    with pytest.raises(TypeError):
        rt.containers.create("busybox", "true", healthcheck="true")
