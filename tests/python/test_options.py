"""The container options of #18 through Python's run()/create() keywords (1.7): each shown by
inspect(), and each bad value an InvalidArgument with nothing created."""

import os

import pytest

import pymydocker


def test_labels_dict_and_list(rt):
    c = rt.containers.create("busybox", "true", labels={"tier": "web", "empty": ""})
    try:
        assert c.inspect()["Config"]["Labels"] == {"tier": "web", "empty": ""}
    finally:
        c.remove()
    c = rt.containers.create("busybox", "true", labels=["a=1", "bare", "a=2"])
    try:
        assert c.inspect()["Config"]["Labels"] == {"a": "2", "bare": ""}
    finally:
        c.remove()
    with pytest.raises(pymydocker.InvalidArgument, match="invalid label '=x': empty name"):
        rt.containers.create("busybox", "true", labels=["=x"])
    with pytest.raises(TypeError):
        rt.containers.create("busybox", "true", labels="a=1")
    assert rt.containers.list(all=True) == []


def test_process_options(rt):
    script = ("sh -c 'ulimit -n; ulimit -Hn; cat /proc/sys/kernel/shmmax; "
              "df -k /dev/shm | tail -1; id -G; cat /proc/self/oom_score_adj'")
    with rt.run("busybox", script,
                ulimits=[{"Name": "nofile", "Soft": 256, "Hard": 512}, "core=0"],
                sysctls={"kernel.shmmax": 7654321}, shm_size="4m", group_add=["tty", 4321],
                oom_score_adj=200, cpu_period=50000, cpu_quota=25000) as c:
        assert c.exit_code == 0, c.output
        soft, hard, shmmax, df, groups, adj = c.output.decode().splitlines()
        assert (soft, hard, shmmax, adj) == ("256", "512", "7654321", "200")
        assert df.split()[1] == "4096"
        assert {"5", "4321"} <= set(groups.split())
        spec = c.inspect()["Spec"]
        assert spec["linux"]["resources"]["cpu"]["period"] == 50000
        assert spec["linux"]["resources"]["cpu"]["quota"] == 25000
    with pytest.raises(pymydocker.InvalidArgument, match="not in a separate kernel namespace"):
        rt.run("busybox", "true", sysctls={"kernel.panic": "1"})
    with pytest.raises(pymydocker.InvalidArgument, match="Nano CPUs and CPU Quota"):
        rt.run("busybox", "true", cpus=1, cpu_quota=50000)
    with pytest.raises(pymydocker.InvalidArgument, match="oom score adj"):
        rt.run("busybox", "true", oom_score_adj=5000)
    assert rt.containers.list(all=True) == []


def test_namespace_modes_and_host_config(rt):
    with rt.run("busybox", f"test -d /proc/{os.getpid()}", pid_mode="host", uts_mode="host",
                ipc_mode="host", ulimits=["nofile=100:200"], sysctls={"net.ipv4.ip_forward": "1"},
                oom_score_adj=10) as c:
        assert c.exit_code == 0, c.output
        host = c.inspect()["HostConfig"]
        assert (host["PidMode"], host["IpcMode"], host["UTSMode"]) == ("host", "host", "host")
        assert host["Ulimits"] == [{"Name": "nofile", "Hard": 200, "Soft": 100}]
        assert host["Sysctls"] == {"net.ipv4.ip_forward": "1"}
        assert host["OomScoreAdj"] == 10
        assert host["ShmSize"] == 0  # the host's /dev/shm
    with pytest.raises(pymydocker.InvalidArgument, match="hostname and the UTS mode"):
        rt.run("busybox", "true", uts_mode="host", hostname="box")
    with pytest.raises(pymydocker.InvalidArgument, match="No such container: nosuch"):
        rt.run("busybox", "true", pid_mode="container:nosuch")
    assert rt.containers.list(all=True) == []


def test_volumes_from(rt):
    src = rt.containers.create("busybox", "true", name="py_vsrc", volumes=["/shared"])
    try:
        c = rt.run("busybox", ["sh", "-c", "touch /shared/x 2>/dev/null || echo ro"],
                              volumes_from=["py_vsrc:ro"])
        try:
            assert c.output.decode() == "ro\n"
            info = c.inspect()
            assert info["HostConfig"]["VolumesFrom"] == ["py_vsrc:ro"]
            shared = [m for m in info["Mounts"] if m["Destination"] == "/shared"]
            assert shared and shared[0]["RW"] is False and shared[0]["Type"] == "volume"
        finally:
            c.remove()
        with pytest.raises(pymydocker.InvalidArgument, match="invalid mode: rx"):
            rt.containers.create("busybox", "true", volumes_from=["py_vsrc:rx"])
        with pytest.raises(TypeError):
            rt.containers.create("busybox", "true", volumes_from="py_vsrc")
        assert len(rt.containers.list(all=True)) == 1
    finally:
        src.remove(volumes=True)
    assert rt.volumes.list() == []


def test_update_cfs_period_and_quota(rt):
    c = rt.run("busybox", "sleep 300", detach=True)
    try:
        c.update(cpu_period=50000, cpu_quota=25000)
        host = c.inspect()["HostConfig"]
        assert (host["CpuPeriod"], host["CpuQuota"]) == (50000, 25000)
        with pytest.raises(pymydocker.InvalidArgument, match="range of blkio weight"):
            c.update(blkio_weight=5)
        with pytest.raises(pymydocker.InvalidArgument, match="Nano CPUs and CPU Period"):
            c.update(cpus=1, cpu_period=50000)
        assert c.inspect()["HostConfig"]["CpuPeriod"] == 50000  # nothing changed by those
    finally:
        c.remove(force=True)
