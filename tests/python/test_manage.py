"""Containers.create() and start(), restart(), update(), top() and rename(). Limits are read
back from the container's cgroup (this host is cgroup v1: <controller>/mydocker/<id>/...)."""

import os

import pytest

import pymydocker
from conftest import CGROUP_ROOT, cgroup_dirs_for, wait_for

MiB = 1024 * 1024
# Swap accounting (memory.memsw.*): where present, memory alone also limits memory+swap to
# twice as much, and update() keeps a memory limit below it.
HAS_MEMSW = os.path.exists(f"{CGROUP_ROOT}/memory/memory.memsw.limit_in_bytes")


def read_cg(c, controller, name):
    with open(f"{CGROUP_ROOT}/{controller}/mydocker/{c.id}/{name}") as f:
        return f.read().strip()


def memory_limit(c):
    return int(read_cg(c, "memory", "memory.limit_in_bytes"))


# --- create and start ---------------------------------------------------------------------------


def test_create_makes_a_created_container_and_start_runs_it_detached(rt):
    with rt.containers.create(
            "busybox", ["sh", "-c", "echo $GREETING; id -u; hostname; pwd"], name="made",
            env={"GREETING": "hi"}, user="1234", hostname="madehost", workdir="/tmp",
            memory="64m", pids_limit=30) as c:
        assert c.status == "created"
        assert c.name == "made"
        assert c.pid is None and c.exit_code is None and c.output is None
        assert rt.containers.get("made") == c
        assert rt.containers.list() == []
        assert cgroup_dirs_for(c.id) == []
        c.start()
        assert c.output is None  # detached: the output goes to the log only
        assert c.wait(timeout=20) == 0
        assert c.logs() == "hi\n1234\nmadehost\n/tmp\n"
        c.start()  # a stopped container starts again
        assert c.wait(timeout=20) == 0
        assert c.logs().count("hi\n") == 2
        view = c.inspect()  # the same view as the CLI's inspect
        assert view["Id"] == c.id and view["Name"] == "/made"
        assert view["State"]["Status"] == "exited" and view["State"]["ExitCode"] == 0
        assert view["Config"]["Hostname"] == "madehost" and "GREETING=hi" in view["Config"]["Env"]
        assert view["HostConfig"]["Memory"] == 64 * 1024 * 1024
        assert view["Spec"]["process"]["cwd"] == "/tmp"
    with pytest.raises(pymydocker.NotFound):
        c.inspect()


def test_create_with_entrypoint_stop_signal_and_init(rt):
    with rt.containers.create(
            "busybox", ["-c", "trap 'echo got-usr1; exit 4' USR1; echo $$; "
                        "while true; do sleep 0.1; done"],
            entrypoint="sh", stop_signal="SIGUSR1", init=True) as c:
        c.start()
        wait_for(lambda: c.logs() != "", timeout=10, what="the shell to start")
        assert c.logs().strip() != "1"  # its init is PID 1
        c.stop(timeout=10)
        assert c.wait(timeout=20) == 4
        assert c.logs().endswith("got-usr1\n")


def test_create_applies_limits_at_start(rt):
    with rt.containers.create("busybox", ["sleep", "30"], memory="32m", memory_swap="96m",
                              cpus=0.5, cpu_shares=512, pids_limit=20) as c:
        c.start()
        assert c.status == "running"
        assert memory_limit(c) == 32 * MiB
        if HAS_MEMSW:
            assert int(read_cg(c, "memory", "memory.memsw.limit_in_bytes")) == 96 * MiB
        assert read_cg(c, "cpu", "cpu.cfs_quota_us") == "50000"
        assert read_cg(c, "cpu", "cpu.shares") == "512"
        assert read_cg(c, "pids", "pids.max") == "20"


def test_create_errors(rt):
    with pytest.raises(pymydocker.NotFound):
        rt.containers.create("nosuchimage", ["true"])
    for kwargs in ({"memory": "12 parsecs"}, {"cpu_shares": 0}, {"name": "bad name!"},
                   {"memory_swap": "64m"}):  # memory+swap needs a memory limit
        with pytest.raises(pymydocker.InvalidArgument):
            rt.containers.create("busybox", ["true"], **kwargs)
    with pytest.raises(TypeError):
        rt.containers.create("busybox", ["true"], detach=True)  # run()'s alone
    assert rt.containers.list(all=True) == []
    with rt.containers.create("busybox", ["true"], name="taken"):
        with pytest.raises(pymydocker.Conflict):
            rt.containers.create("busybox", ["true"], name="taken")


def test_start_of_a_running_or_paused_container_is_a_conflict(rt):
    with rt.containers.create("busybox", ["sleep", "30"]) as c:
        c.start()
        pid = c.pid
        with pytest.raises(pymydocker.Conflict) as info:
            c.start()
        assert info.value.code == "FAILED_PRECONDITION"
        c.pause()
        with pytest.raises(pymydocker.Conflict):
            c.start()
        c.resume()
        assert c.status == "running" and c.pid == pid


def test_start_of_a_missing_command_is_a_command_error(rt):
    with rt.containers.create("busybox", ["no-such-command"]) as c:
        with pytest.raises(pymydocker.CommandError) as info:
            c.start()
        assert info.value.exit_code == 127
        assert c.status == "created"


def test_create_with_remove_is_removed_when_it_ends(rt):
    c = rt.containers.create("busybox", ["true"], remove=True)
    assert c.status == "created"
    c.start()
    c.wait(timeout=20)
    assert c.status == "removed"


def test_restart(rt):
    with rt.containers.create("busybox", ["sleep", "30"]) as c:
        c.restart()  # created: just started
        first = c.pid
        assert c.status == "running"
        c.restart(timeout=0)
        assert c.status == "running"
        assert c.pid != first
        c.pause()
        c.restart(timeout=0)
        assert c.status == "running"


def test_restart_keeps_a_container_run_with_remove(rt):
    c = rt.run("busybox", ["sleep", "30"], detach=True, remove=True)
    first = c.pid
    c.restart(timeout=0)
    assert c.status == "running"
    assert c.pid != first
    c.stop(timeout=0)  # a stop that is not part of a restart removes it, as before
    with pytest.raises(pymydocker.NotFound):
        rt.containers.get(c.id)


# --- update -------------------------------------------------------------------------------------


def test_update_a_running_container(rt):
    with rt.run("busybox", ["sleep", "30"], memory="32m", pids_limit=20, detach=True) as c:
        assert memory_limit(c) == 32 * MiB
        c.update(memory="48m")
        assert memory_limit(c) == 48 * MiB
        assert c.stats().memory_limit == 48 * MiB
        c.update(memory=128 * MiB, memory_swap=-1)
        assert memory_limit(c) == 128 * MiB
        if HAS_MEMSW:
            assert int(read_cg(c, "memory", "memory.memsw.limit_in_bytes")) > 2**60
        c.update(pids_limit=50)
        assert read_cg(c, "pids", "pids.max") == "50"
        c.update(pids_limit=-1)
        assert read_cg(c, "pids", "pids.max") == "max"
        c.update(cpus=0.5, cpu_shares=512)
        assert read_cg(c, "cpu", "cpu.cfs_quota_us") == "50000"
        assert read_cg(c, "cpu", "cpu.shares") == "512"


@pytest.mark.parametrize("kwargs", [
    {"memory": "-1"},
    {"memory": "10q"},
    {"memory": 0},
    {"memory": "1k"},          # below the kernel's minimum
    {"cpus": 99},              # more CPUs than the machine has
    {"cpu_shares": -3},
    {"pids_limit": -5},
    {"memory_swap": "16m"},    # below the memory limit
    {},                        # nothing to change
])
def test_update_with_a_bad_value_is_invalid_and_keeps_the_old_limits(rt, kwargs):
    with rt.run("busybox", ["sleep", "30"], memory="32m", pids_limit=20, detach=True) as c:
        with pytest.raises(pymydocker.InvalidArgument) as info:
            c.update(**kwargs)
        assert isinstance(info.value, ValueError)
        assert memory_limit(c) == 32 * MiB
        assert read_cg(c, "pids", "pids.max") == "20"
        with pytest.raises(TypeError):
            c.update(memory=[1])


@pytest.mark.skipif(not HAS_MEMSW, reason="the kernel does not limit swap")
def test_update_above_memory_plus_swap_needs_memory_swap(rt):
    # memory 32m allows 64m of memory+swap (Docker's default): 80m needs a new memory+swap.
    with rt.run("busybox", ["sleep", "30"], memory="32m", detach=True) as c:
        assert int(read_cg(c, "memory", "memory.memsw.limit_in_bytes")) == 64 * MiB
        with pytest.raises(pymydocker.InvalidArgument, match="memory\\+swap"):
            c.update(memory="80m")
        assert memory_limit(c) == 32 * MiB
        c.update(memory="80m", memory_swap="160m")
        assert memory_limit(c) == 80 * MiB
        assert int(read_cg(c, "memory", "memory.memsw.limit_in_bytes")) == 160 * MiB
        # memory+swap alone, against the memory limit the container has (Docker allows it).
        c.update(memory_swap="200m")
        assert int(read_cg(c, "memory", "memory.memsw.limit_in_bytes")) == 200 * MiB
        assert memory_limit(c) == 80 * MiB
    with rt.run("busybox", ["sleep", "30"], detach=True) as unlimited:
        with pytest.raises(pymydocker.InvalidArgument, match="requires a memory limit"):
            unlimited.update(memory_swap="200m")


def test_update_of_a_stopped_container_applies_at_the_next_start(rt):
    with rt.run("busybox", ["sleep", "30"], memory="32m", detach=True) as c:
        c.stop(timeout=0)
        c.update(memory="48m", pids_limit=33)
        assert cgroup_dirs_for(c.id) == []  # nothing is created for a stopped container
        c.start()
        assert memory_limit(c) == 48 * MiB
        assert read_cg(c, "pids", "pids.max") == "33"


def test_update_of_a_removed_container_is_not_found(rt):
    c = rt.containers.create("busybox", ["true"])
    c.remove()
    with pytest.raises(pymydocker.NotFound):
        c.update(memory="64m")


# --- top ----------------------------------------------------------------------------------------


def test_top_lists_the_processes(rt):
    with rt.run("busybox", ["sh", "-c", "sleep 30; true"], detach=True) as c:
        def sh_and_sleep():
            procs = c.top()
            # Until it has executed sleep, the forked child is still "sh -c ...".
            return [p.command for p in procs][1:] == ["sleep 30"] and procs
        sh, sleep = wait_for(sh_and_sleep, what="sh and sleep in top")
        assert isinstance(sh, pymydocker.ProcessInfo)
        assert sh.pid == c.pid
        assert sh.command == "sh -c sleep 30; true"
        assert sleep.command == "sleep 30" and sleep.ppid == sh.pid
        assert (sh.uid, sh.user) == (0, "root")
        assert sleep.state in ("S", "R")
        assert 0 <= sleep.cpu_seconds < 5
        assert repr(sleep).startswith(f"ProcessInfo(pid={sleep.pid}, ppid={sh.pid}, uid=0, ")
        assert "command='sleep 30'" in repr(sleep)
        c.pause()
        assert [p.pid for p in c.top()] == [sh.pid, sleep.pid]
        c.resume()


def test_top_shows_the_container_user(rt):
    with rt.run("busybox", ["sleep", "30"], user="4321", detach=True) as c:
        (proc,) = c.top()
        assert proc.uid == 4321
        assert proc.user  # the host's name for 4321, or "4321"


def test_top_of_a_stopped_container_is_a_conflict(rt):
    with rt.run("busybox", ["true"]) as c:
        with pytest.raises(pymydocker.Conflict, match="not running"):
            c.top()
    with rt.containers.create("busybox", ["true"]) as c:
        with pytest.raises(pymydocker.Conflict):
            c.top()


# --- rename -------------------------------------------------------------------------------------


def test_rename(rt):
    with rt.containers.create("busybox", ["sleep", "30"], name="first") as c, \
         rt.containers.create("busybox", ["true"], name="second"):
        c.rename("renamed")
        assert c.name == "renamed"
        assert "renamed" in repr(c)
        assert rt.containers.get("renamed") == c
        with pytest.raises(pymydocker.NotFound):
            rt.containers.get("first")
        c.start()
        c.rename("running")  # a running container too
        assert rt.containers.get("running") == c
        with rt.containers.create("busybox", ["true"], name="first"):  # the old name is free
            pass


def test_rename_errors(rt):
    with rt.containers.create("busybox", ["true"], name="one") as c, \
         rt.containers.create("busybox", ["true"], name="two"):
        with pytest.raises(pymydocker.Conflict):
            c.rename("two")
        with pytest.raises(pymydocker.InvalidArgument):
            c.rename("bad name!")
        with pytest.raises(pymydocker.InvalidArgument):
            c.rename("one")  # already its name
        assert c.name == "one"
        assert rt.containers.get("two") != c


# --- run's new arguments ------------------------------------------------------------------------


def test_run_takes_user_memory_swap_and_cpu_shares(rt):
    with rt.run("busybox", ["id", "-u"], user="1234") as c:
        assert c.output == b"1234\n"
    with rt.run("busybox", ["sleep", "30"], memory="32m", memory_swap="48m", cpu_shares=256,
                detach=True) as c:
        if HAS_MEMSW:
            assert int(read_cg(c, "memory", "memory.memsw.limit_in_bytes")) == 48 * MiB
        assert read_cg(c, "cpu", "cpu.shares") == "256"
