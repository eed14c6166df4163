"""Runtime.run(), the Container handle, with-cleanup and the exceptions run() raises."""

import os

import pytest

import pymydocker


def test_foreground_run_captures_output_and_exit_code(rt):
    with rt.run("busybox", ["sh", "-c", "echo out; echo err >&2; exit 3"]) as c:
        assert c.exit_code == 3
        assert c.status == "stopped"
        assert c.pid is None
        assert c.output == b"out\nerr\n"
        assert c.logs() == "out\nerr\n"
        assert c.logs(stderr=False) == "out\n"
        assert c.logs(stdout=False) == "err\n"
    assert c.status == "removed"


def test_a_str_command_is_split_like_a_shell(rt):
    with rt.run("busybox", "echo 'two words' three") as c:
        assert c.output == b"two words three\n"


def test_without_a_command_the_image_must_have_one(rt):
    # An imported root file system tarball has no default command.
    with pytest.raises(pymydocker.InvalidArgument, match="no command"):
        rt.run("busybox")


def test_remove_true_keeps_exit_code_and_output(rt):
    c = rt.run("busybox", ["sh", "-c", "echo bye; exit 5"], remove=True)
    assert c.status == "removed"
    assert c.exit_code == 5
    assert c.output == b"bye\n"
    with pytest.raises(pymydocker.NotFound):
        rt.containers.get(c.id)


def test_env_as_dict_and_list_and_hostname_workdir(rt):
    with rt.run("busybox", ["sh", "-c", "echo $A $B; hostname; pwd"], env={"A": "1"},
                hostname="pyhost", workdir="/tmp") as c:
        assert c.output == b"1\npyhost\n/tmp\n"
    with rt.run("busybox", ["sh", "-c", "echo $A $B"], env=["A=x", "B=y z"]) as c:
        assert c.output == b"x y z\n"


def test_detached_run_returns_while_running(rt):
    with rt.run("busybox", ["sleep", "30"], name="sleeper", detach=True) as c:
        assert c.status == "running"
        assert c.name == "sleeper"
        assert isinstance(c.pid, int) and c.pid > 1
        assert c.exit_code is None
        assert c.output is None
        assert c.image == "busybox"
        assert rt.containers.get("sleeper") == c
        assert c in rt.containers.list()
    # The with block removed it, forcibly.
    assert c.status == "removed"
    assert rt.containers.list(all=True) == []


def test_with_removes_the_container_when_the_block_raises(rt):
    with pytest.raises(RuntimeError):
        with rt.run("busybox", ["sleep", "30"], detach=True) as c:
            raise RuntimeError("boom")
    assert c.status == "removed"
    with pytest.raises(pymydocker.NotFound):
        rt.containers.get(c.id)


def test_with_tolerates_a_container_already_removed(rt):
    with rt.run("busybox", ["true"], detach=True, remove=True) as c:
        # Its record went with it; the monitor told this handle the code.
        assert c.wait(timeout=20) == 0
    assert c.status == "removed"


def test_duplicate_name_is_a_conflict(rt):
    with rt.run("busybox", ["sleep", "30"], name="dup", detach=True):
        with pytest.raises(pymydocker.Conflict) as info:
            rt.run("busybox", ["true"], name="dup")
        assert info.value.code == "ALREADY_EXISTS"
        assert "dup" in str(info.value)
        assert isinstance(info.value, pymydocker.MyDockerError)


def test_unknown_image_is_not_found(rt):
    with pytest.raises(pymydocker.NotFound) as info:
        rt.run("no-such-image", ["true"])
    assert info.value.code == "NOT_FOUND"
    assert isinstance(info.value, LookupError)
    assert rt.containers.list(all=True) == []


@pytest.mark.parametrize("detach", [False, True])
def test_a_run_that_cannot_start_leaves_no_container(rt, detach):
    with pytest.raises(pymydocker.CommandError) as info:
        rt.run("busybox", ["/no/such/command"], name="never", detach=detach)
    assert info.value.exit_code == 127
    assert rt.containers.list(all=True) == []
    with rt.containers.create("busybox", ["/no/such/command"], name="kept") as c:
        with pytest.raises(pymydocker.CommandError):
            c.start()  # create() then start(): the container is the caller's, it stays
        assert c.status == "created"


def test_unknown_container_is_not_found(rt):
    with pytest.raises(pymydocker.NotFound):
        rt.containers.get("0123456789ab")
    with pytest.raises(pymydocker.NotFound):
        rt.containers.get("nobody")


@pytest.mark.parametrize("kwargs", [
    {"memory": "12 parsecs"},
    {"memory": "-5m"},
    {"memory": 0},
    {"cpus": "lots"},
    {"cpus": 0},
    {"pids_limit": -7},
    {"env": ["=nokey"]},
    {"env": ["NOEQUALS"]},
    {"name": "bad name!"},
])
def test_bad_options_are_invalid_argument_and_a_value_error(rt, kwargs):
    with pytest.raises(pymydocker.InvalidArgument) as info:
        rt.run("busybox", ["true"], **kwargs)
    assert isinstance(info.value, ValueError)
    assert info.value.exit_code == 125
    assert rt.containers.list(all=True) == []


def test_wrong_types_are_type_errors(rt):
    with pytest.raises(TypeError):
        rt.run("busybox", ["true"], memory=[1])
    with pytest.raises(TypeError):
        rt.run("busybox", 42)


def test_command_not_found_is_a_command_error_with_127(rt):
    with pytest.raises(pymydocker.CommandError) as info:
        rt.run("busybox", ["no-such-command"], remove=True)
    assert info.value.exit_code == 127
    assert "no-such-command" in str(info.value)


def test_memory_and_cpus_limits_are_applied(rt):
    with rt.run("busybox", ["sleep", "30"], memory="64m", cpus=0.5, pids_limit=50,
                detach=True) as c:
        stats = c.stats()
        assert stats.memory_limit == 64 * 1024 * 1024
        assert stats.pids_limit == 50
    with rt.run("busybox", ["sleep", "30"], memory=32 * 1024 * 1024, cpus="1.5",
                detach=True) as c:
        assert c.stats().memory_limit == 32 * 1024 * 1024


def test_volumes_list_and_dict(rt, tmp_path):
    (tmp_path / "in.txt").write_text("from host\n")
    with rt.run("busybox", ["cat", "/data/in.txt"], volumes=[f"{tmp_path}:/data:ro"]) as c:
        assert c.output == b"from host\n"
    with rt.run("busybox", ["sh", "-c", "echo written > /data/out.txt"],
                volumes={str(tmp_path): {"bind": "/data", "mode": "rw"}}) as c:
        assert c.exit_code == 0
    assert (tmp_path / "out.txt").read_text() == "written\n"


def test_containers_list_all_and_running(rt):
    with rt.run("busybox", ["true"]) as done, \
         rt.run("busybox", ["sleep", "30"], detach=True) as running:
        assert rt.containers.list() == [running]
        assert set(rt.containers.list(all=True)) == {done, running}


def test_reprs_and_ids(rt):
    with rt.run("busybox", ["true"], name="reprs") as c:
        assert len(c.id) == 64 and c.short_id == c.id[:12]
        assert c.short_id in repr(c) and "reprs" in repr(c)
        assert rt.root in repr(rt._target)
        assert hash(c) == hash(rt.containers.get("reprs"))


def test_cap_add_cap_drop_and_privileged(rt):
    status = "grep -E '^(CapEff|Seccomp):' /proc/self/status"
    with rt.run("busybox", status, cap_drop=["ALL"]) as c:
        assert c.output == b"CapEff:\t0000000000000000\nSeccomp:\t2\n"
    with rt.run("busybox", "sh -c 'mkdir -p /mnt && mount -t tmpfs none /mnt && echo mounted'",
                cap_add=["sys_admin"]) as c:
        assert c.exit_code == 0, c.output
        assert c.output == b"mounted\n"
    with rt.run("busybox", status, privileged=True) as c:
        assert b"Seccomp:\t0\n" in c.output
    with pytest.raises(pymydocker.InvalidArgument, match='unknown capability: "CAP_NOPE"'):
        rt.run("busybox", "true", cap_add=["nope"])


def test_read_only_tmpfs_and_mounts(rt):
    script = "sh -c 'touch /x 2>/dev/null || echo ro; touch /run/f /t/f && echo tmp'"
    with rt.run("busybox", script, read_only=True, tmpfs={"/run": "size=1m"},
                mounts=["type=tmpfs,target=/t"]) as c:
        assert c.output == b"ro\ntmp\n"
    with pytest.raises(pymydocker.InvalidArgument, match="Duplicate mount point: /run"):
        rt.run("busybox", "true", tmpfs=["/run"], mounts=["type=tmpfs,target=/run"])
    with pytest.raises(pymydocker.InvalidArgument, match="invalid tmpfs option"):
        rt.run("busybox", "true", tmpfs=["/run:bogus"])
