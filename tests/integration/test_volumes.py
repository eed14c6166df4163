"""Volumes: -v bind mounts, named and anonymous volumes, read-only, and path safety."""

import io
import os
import subprocess
import tarfile
import tempfile

import pytest

from conftest import BUSYBOX_TAR


@pytest.fixture
def hostdir():
    d = tempfile.mkdtemp(prefix="mydocker-vol-")
    yield d
    # Whatever a test mounted below it (deepest first), then the directory.
    for mount in sorted(host_mount_points_under(d), reverse=True):
        subprocess.run(["umount", "-l", mount], capture_output=True)
    assert host_mount_points_under(d) == []
    subprocess.run(["rm", "-rf", d], check=True)


def host_mount_points_under(path):
    with open("/proc/self/mountinfo") as f:
        points = [line.split()[4] for line in f]
    return [p for p in points if p == path or p.startswith(path + "/")]


def host_mounts_under(path):
    with open("/proc/self/mountinfo") as f:
        return [line for line in f if f" {path}" in line]


def test_bind_mount_read_write(runtime, hostdir):
    with open(os.path.join(hostdir, "in"), "w") as f:
        f.write("from host\n")
    r = runtime.md("run", "--rm", "-v", f"{hostdir}:/data", "busybox", "sh", "-c",
                   "cat /data/in; echo from container > /data/out")
    assert (r.returncode, r.stdout) == (0, "from host\n"), r.stderr
    with open(os.path.join(hostdir, "out")) as f:
        assert f.read() == "from container\n"
    assert host_mounts_under(hostdir) == []


def test_read_only_also_below_submounts(runtime, hostdir):
    sub = os.path.join(hostdir, "sub")
    os.mkdir(sub)
    subprocess.run(["mount", "-t", "tmpfs", "tmpfs", sub], check=True)
    r = runtime.md("run", "--rm", "-v", f"{hostdir}:/data:ro", "busybox", "sh", "-c",
                   "touch /data/a 2>/dev/null && echo wrote-top; "
                   "touch /data/sub/b 2>/dev/null && echo wrote-sub; true")
    assert r.returncode == 0, r.stderr
    assert "wrote" not in r.stdout
    assert os.listdir(sub) == [] and sorted(os.listdir(hostdir)) == ["sub"]


def test_missing_host_path_is_created(runtime, hostdir):
    target = os.path.join(hostdir, "new", "dir")
    r = runtime.md("run", "--rm", "-v", f"{target}:/data", "busybox", "touch", "/data/x")
    assert r.returncode == 0, r.stderr
    assert os.path.exists(os.path.join(target, "x"))


def test_named_volume_outlives_containers(runtime):
    r = runtime.md("run", "--name", "writer", "-v", "keep:/v", "busybox", "sh", "-c",
                   "echo kept > /v/file")
    assert r.returncode == 0, r.stderr
    assert runtime.md("volume", "rm", "keep").returncode == 1  # in use by "writer"
    assert runtime.md("rm", "-v", "writer").returncode == 0  # named volumes survive rm -v
    r = runtime.md("run", "--rm", "-v", "keep:/other", "busybox", "cat", "/other/file")
    assert (r.returncode, r.stdout) == (0, "kept\n"), r.stderr
    assert "keep" in runtime.md("volume", "ls", "-q").stdout.split()
    inspect = runtime.md("volume", "inspect", "keep")
    assert '"Mountpoint"' in inspect.stdout
    assert runtime.md("volume", "rm", "keep").returncode == 0
    assert "keep" not in runtime.md("volume", "ls", "-q").stdout.split()
    assert runtime.md("volume", "inspect", "keep").returncode == 1


def test_anonymous_volume_removed_with_rm_v(runtime):
    r = runtime.md("run", "--name", "anon", "-v", "/scratch", "busybox", "touch", "/scratch/f")
    assert r.returncode == 0, r.stderr
    volumes = runtime.md("volume", "ls", "-q").stdout.split()
    assert len(volumes) == 1
    assert runtime.md("rm", "-v", "anon").returncode == 0
    assert runtime.md("volume", "ls", "-q").stdout.split() == []


def image_with_symlink(path):
    """busybox plus /data -> /etc, as a hostile image would plant it."""
    with tarfile.open(BUSYBOX_TAR) as src, tarfile.open(path, "w") as dst:
        for member in src.getmembers():
            dst.addfile(member, src.extractfile(member) if member.isfile() else None)
        link = tarfile.TarInfo("data")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc"
        dst.addfile(link)


def test_volume_prune_removes_unused_anonymous_volumes(runtime):
    assert runtime.md("volume", "create", "named").returncode == 0
    r = runtime.md("run", "--name", "user", "-v", "/in-use", "busybox", "true")
    assert r.returncode == 0, r.stderr
    r = runtime.md("run", "--name", "gone", "-v", "/unused", "busybox", "true")
    assert r.returncode == 0, r.stderr
    assert runtime.md("rm", "gone").returncode == 0  # without -v: its volume stays, unused
    before = set(runtime.md("volume", "ls", "-q").stdout.split())
    assert len(before) == 3
    r = runtime.md("volume", "prune", "-f")
    assert r.returncode == 0, r.stderr
    pruned = r.stdout.split("\n")[1:-1]
    assert r.stdout.startswith("Deleted Volumes:\n") and len(pruned) == 1
    after = set(runtime.md("volume", "ls", "-q").stdout.split())
    assert after == before - set(pruned) and "named" in after
    # -a: named ones too, but never one a container uses.
    r = runtime.md("volume", "prune", "-a")
    assert (r.returncode, r.stdout) == (0, "Deleted Volumes:\nnamed\n"), r.stderr
    assert len(runtime.md("volume", "ls", "-q").stdout.split()) == 1
    assert runtime.md("rm", "-v", "user").returncode == 0
    assert runtime.md("volume", "prune").stdout == ""  # nothing left to remove
    assert runtime.md("volume", "ls", "-q").stdout == ""


def test_symlink_in_image_cannot_send_a_volume_to_the_host(runtime, hostdir, tmp_path):
    tar = tmp_path / "evil.tar"
    image_with_symlink(str(tar))
    assert runtime.md("image", "import", str(tar), "evil").returncode == 0
    with open(os.path.join(hostdir, "marker"), "w") as f:
        f.write("volume\n")
    before = host_mounts_under("/etc")
    r = runtime.md("run", "--rm", "-v", f"{hostdir}:/data", "evil", "sh", "-c",
                   "cat /etc/marker; ls /data/marker")
    assert r.returncode == 0, r.stderr
    # It landed on the container's own /etc (through the container's symlink), not the host's.
    assert r.stdout.splitlines()[0] == "volume"
    assert host_mounts_under("/etc") == before
    assert not os.path.exists("/etc/marker")


@pytest.mark.parametrize("spec", ["/tmp:/data/../etc", "/tmp:relative", "/tmp:/", "bad name:/x",
                                  "/tmp:/x:rx", "/a/../b:/x"])
def test_bad_volume_specs_are_refused(runtime, spec):
    r = runtime.md("run", "--rm", "-v", spec, "busybox", "true")
    assert r.returncode == 125, r.stderr
    assert "volume" in r.stderr
    assert runtime.ps() == []


def test_rm_flag_removes_anonymous_but_not_named_volumes(runtime):
    r = runtime.md("run", "--rm", "-v", "/scratch", "-v", "stays:/stays", "busybox", "true")
    assert r.returncode == 0, r.stderr
    assert runtime.md("volume", "ls", "-q").stdout.split() == ["stays"]
    assert runtime.md("volume", "rm", "stays").returncode == 0
