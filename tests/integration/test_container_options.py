"""Container options of #18 through the CLI: labels (--label, --label-file, the image's LABELs),
shown by inspect and kept by commit; each bad value refused before anything is created."""

import json
import os
import subprocess

from conftest import assert_refused_before_anything_is_created


def inspect(runtime, name):
    r = runtime.md("inspect", name, check=True)
    return json.loads(r.stdout)[0]


def test_labels_from_flags_and_file_merge_over_the_images(runtime, tmp_path):
    # An image with labels: a commit whose --change adds them.
    runtime.md("create", "--name", "base", "busybox", "true", check=True)
    runtime.md("commit", "--change", "LABEL tier=base maintainer=me", "base", "labelled",
               check=True)
    label_file = tmp_path / "labels"
    label_file.write_text("# comment\n\nfrom.file=1\ntier=file\nbare\n")
    runtime.md("create", "--name", "c", "--label-file", label_file, "-l", "tier=flag",
               "--label", "x=a=b", "labelled", "true", check=True)
    labels = inspect(runtime, "c")["Config"]["Labels"]
    assert labels == {"maintainer": "me", "tier": "flag", "from.file": "1", "bare": "",
                      "x": "a=b"}
    # Docker's commit records the container's labels (the image's and its own) in the image.
    runtime.md("commit", "c", "relabelled", check=True)
    image = json.loads(runtime.md("image", "inspect", "relabelled", check=True).stdout)[0]
    assert image["Config"]["Labels"] == labels
    runtime.md("rm", "base", "c", check=True)


def test_container_without_labels_shows_an_empty_object(runtime):
    runtime.md("create", "--name", "plain", "busybox", "true", check=True)
    assert inspect(runtime, "plain")["Config"]["Labels"] == {}
    runtime.md("rm", "plain", check=True)


def test_bad_labels_are_refused_before_anything_is_created(runtime, tmp_path):
    assert_refused_before_anything_is_created(runtime, ["-l", "=v"],
                                              "invalid label '=v': empty name")
    bad = tmp_path / "bad-labels"
    bad.write_text("ok=1\n=nokey\n")
    assert_refused_before_anything_is_created(runtime, ["--label-file", bad],
                                              f"{bad}:2: invalid label '=nokey': empty name")
    assert_refused_before_anything_is_created(runtime, ["--label-file", tmp_path / "missing"],
                                              "missing")


def test_ulimit_sets_the_limits_of_the_process_and_of_exec(runtime):
    runtime.md("run", "-d", "--name", "lim", "--ulimit", "nofile=512:1024", "--ulimit",
               "core=0", "busybox", "sleep", "1000", check=True)
    limits = runtime.md("exec", "lim", "cat", "/proc/1/limits", check=True).stdout
    assert any(line.startswith("Max open files") and line.split()[3:5] == ["512", "1024"]
               for line in limits.splitlines()), limits
    assert any(line.startswith("Max core file size") and line.split()[4:6] == ["0", "0"]
               for line in limits.splitlines()), limits
    # exec's commands get them too, as in Docker.
    r = runtime.md("exec", "lim", "sh", "-c", "ulimit -n; ulimit -Hn", check=True)
    assert r.stdout == "512\n1024\n"
    runtime.md("rm", "-f", "lim", check=True)


def test_ulimit_above_the_runtimes_hard_limit_is_refused(runtime):
    import resource
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    with open("/proc/self/status") as f:
        caps = int(next(l for l in f if l.startswith("CapEff:")).split()[1], 16)
    if caps & (1 << 24) or hard == resource.RLIM_INFINITY:
        return  # a runtime with CAP_SYS_RESOURCE may raise it
    assert_refused_before_anything_is_created(
        runtime, ["--ulimit", f"nofile=1024:{hard + 1}"],
        f"the hard limit {hard + 1} is above mydocker's own ({hard})")
    assert_refused_before_anything_is_created(runtime, ["--ulimit", "nofiles=1"],
                                              "invalid ulimit type: nofiles")
    assert_refused_before_anything_is_created(
        runtime, ["--ulimit", "nofile=20:10"],
        "ulimit soft limit must be less than or equal to hard limit: 20 > 10")


def test_sysctl_is_set_in_the_containers_namespaces_only(runtime):
    r = runtime.md("run", "--rm", "--sysctl", "net.ipv4.ip_forward=1", "--sysctl",
                   "kernel.shmmax=123456789", "busybox", "cat",
                   "/proc/sys/net/ipv4/ip_forward", "/proc/sys/kernel/shmmax", check=True)
    assert r.stdout == "1\n123456789\n"
    with open("/proc/sys/kernel/shmmax") as f:
        assert f.read().strip() != "123456789"
    assert_refused_before_anything_is_created(runtime, ["--sysctl", "kernel.panic=1"],
                                              "is not in a separate kernel namespace")
    assert_refused_before_anything_is_created(
        runtime, ["--network", "host", "--sysctl", "net.ipv4.ip_forward=1"],
        "not allowed in the host's network namespace")
    assert_refused_before_anything_is_created(runtime, ["--sysctl", "net.ipv4.nope=1"],
                                              "no such parameter")


def test_shm_size_group_add_and_oom_score_adj(runtime):
    r = runtime.md("run", "--rm", "--shm-size", "8m", "--group-add", "tty", "--group-add",
                   "1234", "--oom-score-adj", "500", "busybox", "sh", "-c",
                   "df -k /dev/shm | tail -1; id -G; cat /proc/self/oom_score_adj", check=True)
    df, groups, adj = r.stdout.splitlines()
    assert df.split()[1] == "8192", df
    assert "5" in groups.split() and "1234" in groups.split(), groups
    assert adj == "500"
    assert_refused_before_anything_is_created(runtime, ["--group-add", "nosuchgroup"],
                                              "unable to find group nosuchgroup")
    assert_refused_before_anything_is_created(runtime, ["--oom-score-adj", "1001"],
                                              "range for oom score adj is [-1000, 1000]")
    assert_refused_before_anything_is_created(runtime, ["--shm-size", "lots"], "lots")


def test_cpu_period_and_quota_reach_the_cgroup(runtime):
    cid = runtime.md("run", "-d", "--cpu-period", "50000", "--cpu-quota", "25000", "busybox",
                     "sleep", "1000", check=True).stdout.strip()
    runtime.track(cid)
    path = inspect(runtime, cid)["HostConfig"]["CgroupPath"]
    v1 = f"/sys/fs/cgroup/cpu/{path}"
    if os.path.isdir(v1):
        with open(f"{v1}/cpu.cfs_period_us") as f, open(f"{v1}/cpu.cfs_quota_us") as g:
            assert (f.read().strip(), g.read().strip()) == ("50000", "25000")
    else:
        with open(f"/sys/fs/cgroup/unified/{path}/cpu.max") as f:
            assert f.read().split() == ["25000", "50000"]
    runtime.md("rm", "-f", cid, check=True)
    assert_refused_before_anything_is_created(
        runtime, ["--cpus", "1", "--cpu-period", "50000"],
        "Conflicting options: Nano CPUs and CPU Period cannot both be set")
    assert_refused_before_anything_is_created(
        runtime, ["--cpus", "1", "--cpu-quota", "50000"],
        "Conflicting options: Nano CPUs and CPU Quota cannot both be set")
    assert_refused_before_anything_is_created(runtime, ["--cpu-rt-runtime", "950000"],
                                              "real-time CPU scheduling")
    assert_refused_before_anything_is_created(runtime, ["--cpu-period", "10"],
                                              "invalid cpu period 10")


def test_blkio_weight_where_the_host_has_no_weight_is_refused(runtime):
    assert_refused_before_anything_is_created(runtime, ["--blkio-weight", "5"],
                                              "from 10 to 1000")
    if any(os.path.exists(f"/sys/fs/cgroup/blkio/{f}")
           for f in ("blkio.weight", "blkio.bfq.weight")):
        r = runtime.md("run", "--rm", "--blkio-weight", "300", "busybox", "true")
        assert r.returncode == 0, r.stderr
    elif os.path.isdir("/sys/fs/cgroup/blkio"):
        assert_refused_before_anything_is_created(runtime, ["--blkio-weight", "300"],
                                                  "--blkio-weight is not supported on this host")


def test_pid_host_sees_the_hosts_processes(runtime):
    r = runtime.md("run", "--rm", "--pid", "host", "busybox", "sh", "-c",
                   f"test -d /proc/{os.getpid()} && echo seen; cat /proc/1/comm", check=True)
    with open("/proc/1/comm") as f:
        assert r.stdout == "seen\n" + f.read()


def test_pid_and_ipc_of_another_container(runtime):
    runtime.md("run", "-d", "--name", "donor", "--ipc", "shareable", "busybox", "sleep", "1000",
               check=True)
    donor_pid = inspect(runtime, "donor")["State"]["Pid"]
    # A SysV segment made in the donor's IPC namespace (by the host's ipcmk, entered there).
    subprocess.run(["nsenter", "-t", str(donor_pid), "-i", "ipcmk", "-M", "4096"], check=True,
                   capture_output=True)
    r = runtime.md("run", "--rm", "--pid", "container:donor", "--ipc", "container:donor",
                   "busybox", "sh", "-c",
                   "cat /proc/1/cmdline | tr '\\0' ' '; echo; wc -l < /proc/sysvipc/shm",
                   check=True)
    cmdline, segments = r.stdout.splitlines()
    assert cmdline.strip() == "sleep 1000"  # the donor's init is PID 1 here
    assert int(segments) == 2  # the header and the donor's segment
    c = inspect(runtime, runtime.md("create", "--pid", "container:donor", "--ipc",
                                    "container:donor", "busybox", "true",
                                    check=True).stdout.strip())
    assert c["HostConfig"]["PidMode"].startswith("container:")
    assert c["HostConfig"]["IpcMode"] == c["HostConfig"]["PidMode"]
    runtime.md("rm", c["Id"], check=True)
    runtime.md("run", "-d", "--name", "private", "busybox", "sleep", "1000", check=True)
    assert_refused_before_anything_is_created_but(
        runtime, ["--ipc", "container:private"], "non-shareable IPC", keep=2)
    runtime.md("stop", "-t", "0", "private", check=True)
    assert_refused_before_anything_is_created_but(
        runtime, ["--pid", "container:private"], "cannot join PID of a non running container",
        keep=2)
    runtime.md("rm", "-f", "donor", "private", check=True)


def assert_refused_before_anything_is_created_but(runtime, args, message, keep):
    """As assert_refused_before_anything_is_created, with `keep` containers already there."""
    r = runtime.md("run", "--rm", *args, "busybox", "true")
    assert r.returncode == 125, r.stderr
    assert message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert len(runtime.container_dirs()) == keep


def test_uts_host_and_bad_modes(runtime):
    r = runtime.md("run", "--rm", "--uts", "host", "busybox", "sh", "-c", "hostname; echo $HOSTNAME",
                   check=True)
    import socket
    assert r.stdout == f"{socket.gethostname()}\n{socket.gethostname()}\n"
    assert_refused_before_anything_is_created(runtime, ["--uts", "host", "-h", "box"],
                                              "conflicting options: hostname and the UTS mode")
    assert_refused_before_anything_is_created(runtime, ["--pid", "bogus"], "invalid PID mode")
    assert_refused_before_anything_is_created(runtime, ["--ipc", "bogus"], "invalid IPC mode")
    assert_refused_before_anything_is_created(runtime, ["--pid", "container:nosuch"],
                                              "No such container: nosuch")
    r = runtime.md("run", "--rm", "--ipc", "host", "busybox", "readlink", "/proc/self/ns/ipc",
                   check=True)
    assert r.stdout.strip() == os.readlink("/proc/self/ns/ipc")
