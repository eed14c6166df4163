"""--read-only, --tmpfs and --mount (Docker's syntax and errors)."""

import json
import os
import shutil
import subprocess
import tempfile

import pytest

from conftest import assert_refused_before_anything_is_created


@pytest.fixture
def hostdir():
    d = tempfile.mkdtemp(prefix="mydocker-mnt-")
    yield d
    with open("/proc/self/mountinfo") as f:
        assert not [line for line in f if f" {d}" in line]
    shutil.rmtree(d)


def mount_line(output, target):
    """The fields "TYPE OPTIONS" of `target` in a container's /proc/mounts output."""
    for line in output.splitlines():
        fields = line.split()
        if fields[1] == target:
            return fields[2], fields[3].split(",")
    raise AssertionError(f"{target} not mounted: {output}")


def test_read_only_root_keeps_the_kernel_and_volume_mounts_writable(runtime, hostdir):
    r = runtime.md("run", "--rm", "--read-only", "-v", f"{hostdir}:/data", "--tmpfs", "/run",
                   "busybox", "sh", "-c",
                   "touch /x 2>&1; for d in /data /run /dev/shm /dev; do"
                   " touch $d/f && echo $d ok; done")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "touch: /x: Read-only file system", "/data ok", "/run ok", "/dev/shm ok",
        "/dev ok"]
    assert os.path.exists(os.path.join(hostdir, "f"))
    r = runtime.md("create", "--read-only", "busybox", "true", check=True)
    cid = r.stdout.strip()
    inspect = json.loads(runtime.md("inspect", cid, check=True).stdout)
    assert inspect[0]["HostConfig"]["ReadonlyRootfs"] is True
    runtime.md("rm", cid, check=True)
    # Without it the root is writable.
    r = runtime.md("run", "--rm", "busybox", "sh", "-c", "touch /x && echo ok")
    assert r.stdout == "ok\n", r.stderr


def test_tmpfs_has_dockers_defaults_and_takes_options(runtime):
    r = runtime.md("run", "--rm", "--tmpfs", "/run", "--tmpfs", "/scratch:exec,size=1m,mode=700",
                   "busybox", "sh", "-c", "cat /proc/mounts; stat -c %a /scratch")
    assert r.returncode == 0, r.stderr
    kind, opts = mount_line(r.stdout, "/run")
    assert kind == "tmpfs"
    assert {"nosuid", "nodev", "noexec"} <= set(opts)
    kind, opts = mount_line(r.stdout, "/scratch")
    assert kind == "tmpfs" and "size=1024k" in opts and "noexec" not in opts
    assert r.stdout.splitlines()[-1] == "700"


def test_mount_bind_volume_and_tmpfs(runtime, hostdir):
    with open(os.path.join(hostdir, "in"), "w") as f:
        f.write("from host\n")
    r = runtime.md("run", "--rm",
                   "--mount", f"type=bind,source={hostdir},target=/data,readonly",
                   "--mount", "type=volume,src=mnt-test-vol,dst=/vol",
                   "--mount", "type=tmpfs,destination=/t,tmpfs-size=2m,tmpfs-mode=1770",
                   "busybox", "sh", "-c",
                   "cat /data/in; touch /data/x 2>&1; echo v > /vol/f && cat /vol/f;"
                   " stat -c %a /t; grep ' /t ' /proc/mounts | cut -d' ' -f4")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[:4] == ["from host", "touch: /data/x: Read-only file system", "v", "1770"]
    assert "size=2048k" in lines[4] and "nosuid" in lines[4]
    vols = runtime.md("volume", "ls", "-q", check=True).stdout.split()
    assert "mnt-test-vol" in vols
    runtime.md("volume", "rm", "mnt-test-vol", check=True)


def test_mounts_are_made_parents_first_whatever_their_order(runtime, hostdir):
    """As Docker orders them: a volume inside a tmpfs given after it is mounted on top of it,
    not hidden by it."""
    with open(os.path.join(hostdir, "in"), "w") as f:
        f.write("from host\n")
    r = runtime.md("run", "--rm", "-v", f"{hostdir}:/data/sub", "--tmpfs", "/data",
                   "--mount", "type=tmpfs,destination=/data/sub/deeper",
                   "busybox", "sh", "-c",
                   "cat /data/sub/in; grep -E ' /data(/sub(/deeper)?)? ' /proc/self/mountinfo"
                   " | cut -d' ' -f5")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["from host", "/data", "/data/sub", "/data/sub/deeper"]


def test_mount_bind_propagation_and_nonrecursive(runtime, hostdir):
    sub = os.path.join(hostdir, "sub")
    os.mkdir(sub)
    subprocess.run(["mount", "-t", "tmpfs", "tmpfs", sub], check=True)
    try:
        with open(os.path.join(sub, "inner"), "w") as f:
            f.write("x")
        r = runtime.md("run", "--rm", "--mount",
                       f"type=bind,src={hostdir},dst=/d,bind-nonrecursive,bind-propagation=rprivate",
                       "busybox", "sh", "-c", "ls /d/sub | wc -l")
        assert r.returncode == 0, r.stderr
        assert r.stdout == "0\n"  # the submount was not taken along
        r = runtime.md("run", "--rm", "--mount", f"type=bind,src={hostdir},dst=/d",
                       "busybox", "ls", "/d/sub")
        assert r.stdout == "inner\n", r.stderr
    finally:
        subprocess.run(["umount", sub], check=True)


@pytest.mark.parametrize("args, message", [
    (["--mount", "type=bind,target=/x"],
     'invalid mount config for type "bind": field Source must not be empty'),
    (["--mount", "type=bind,source=/nonexistent-mydocker,target=/x"],
     'invalid mount config for type "bind": bind source path does not exist: '
     '/nonexistent-mydocker'),
    (["--mount", "type=tmpfs,source=/tmp,target=/x"],
     'invalid mount config for type "tmpfs": field Source must not be specified'),
    (["--mount", "type=nfs,target=/x"], 'invalid mount config for type "nfs": mount type unknown'),
    (["--mount", "type=volume,src=v,target=/x,volume-opt=type=nfs"],
     "volume-opt is not supported"),
    (["--mount", "type=bind,src=/tmp"], "target is required"),
    (["--mount", "type=bind,src=/tmp,dst=/x,color=red"], "unexpected key 'color' in 'color=red'"),
    (["--mount", "type=tmpfs,dst=/x,tmpfs-size=huge"], "invalid value for tmpfs-size: huge"),
    (["--mount", "type=tmpfs,dst=/x,tmpfs-mode=9"], "invalid value for tmpfs-mode: 9"),
    (["--mount", "type=bind,src=/tmp,dst=/x,tmpfs-mode=1777"],
     "cannot mix 'tmpfs-*' options with mount type 'bind'"),
    (["--tmpfs", "/x:size=lots"], 'invalid tmpfs option "size=lots"'),
    (["--tmpfs", "/x:mode=1999"], 'invalid tmpfs option "mode=1999"'),
    (["--tmpfs", "/x:setuid"], 'invalid tmpfs option "setuid"'),
    (["--tmpfs", "relative"], "mount path must be absolute"),
    (["--tmpfs", "/x", "--mount", "type=tmpfs,dst=/x"], "Duplicate mount point: /x"),
    (["-v", "/tmp:/x", "--mount", "type=volume,dst=/x/"], "Duplicate mount point: /x"),
    (["--tmpfs", "/proc/x"], "is inside /proc"),
])
def test_bad_mounts_are_refused_before_anything_is_created(runtime, args, message):
    assert_refused_before_anything_is_created(runtime, args, message)


def test_new_flags_are_in_run_and_create_help(runtime):
    for command in ("run", "create"):
        r = runtime.md(command, "--help", check=True)
        for flag in ("--mount", "--tmpfs", "--read-only"):
            assert flag in r.stdout, (command, flag)
