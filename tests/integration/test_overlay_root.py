"""A state root on overlayfs (mydocker inside a container, as CI jobs run it): the kernel refuses
an overlay whose upper directory is on overlayfs, so the runtime says so in one line and uses the
fuse-overlayfs storage driver. Containers run, exec, commit and rm there, and nothing is left:
no fuse-overlayfs daemon, no mount."""

import json
import os
import shutil
import subprocess
import tempfile

import pytest

from conftest import BUSYBOX_TAR, Runtime, mounts_mentioning, processes_mentioning

NOTICE = "is on overlayfs, where the kernel's overlay cannot be stacked: using the fuse-overlayfs"


def fuse_daemons(root):
    return [p for p in processes_mentioning(root) if "fuse-overlayfs" in p[1]]


@pytest.fixture
def overlay_runtime(mydocker_bin):
    if shutil.which("fuse-overlayfs") is None:
        pytest.fail("fuse-overlayfs is not installed (tools/install-deps.sh installs it)")
    base = tempfile.mkdtemp(prefix="mydocker-it-ovl-")
    for d in ("lower", "upper", "work", "merged"):
        os.mkdir(os.path.join(base, d))
    merged = os.path.join(base, "merged")
    subprocess.run(["mount", "-t", "overlay", "overlay", "-o",
                    f"lowerdir={base}/lower,upperdir={base}/upper,workdir={base}/work", merged],
                   check=True)
    subprocess.run(["mount", "--make-private", merged], check=True)
    rt = Runtime(os.path.join(merged, "state"), mydocker_bin)
    problems = []
    try:
        r = rt.md("image", "import", BUSYBOX_TAR, "busybox", check=True)
        assert NOTICE in r.stderr
        yield rt
    finally:
        problems = rt.teardown()
        problems += [f"fuse-overlayfs: {p}" for p in fuse_daemons(rt.root)]
        subprocess.run(["umount", merged], check=False)
        shutil.rmtree(base, ignore_errors=True)
    assert not problems, "test left resources behind:\n" + "\n".join(problems)


def test_the_kernel_overlay_cannot_be_stacked_there(overlay_runtime):
    r = overlay_runtime.md("--storage-driver", "overlay", "run", "--rm", "busybox", "true")
    assert r.returncode == 125
    assert "mount overlay on" in r.stderr and "Invalid argument" in r.stderr


def test_run_says_which_driver_in_one_line_and_works(overlay_runtime):
    r = overlay_runtime.md("run", "--rm", "busybox", "sh", "-c", "echo hi > /f && cat /f")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "hi\n"
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and NOTICE in lines[0], r.stderr
    assert fuse_daemons(overlay_runtime.root) == []
    assert mounts_mentioning(overlay_runtime.root) == []


def test_run_exec_commit_rm_leave_nothing(overlay_runtime):
    rt = overlay_runtime
    cid = rt.md("run", "-d", "--name", "ovl", "busybox", "sh", "-c",
                "echo made > /made; rm /bin/ls; mkdir -p /etc/x; exec sleep 60",
                check=True).stdout.strip()
    rt.track(cid)
    rt.wait_running("ovl")
    assert len(fuse_daemons(rt.root)) == 1  # the running container's root
    r = rt.md("exec", "ovl", "sh", "-c", "cat /made; id -u; ls /bin/ls 2>&1 || true", check=True)
    assert r.stdout.startswith("made\n0\n")
    assert "No such file" in r.stdout
    # A non-root user in the container reads its root too (allow_other).
    assert rt.md("exec", "-u", "65534", "ovl", "cat", "/made", check=True).stdout == "made\n"
    inspect = json.loads(rt.md("inspect", "ovl", check=True).stdout)
    assert inspect[0]["GraphDriver"]["Name"] == "fuse-overlayfs"
    rt.md("commit", "ovl", "committed:1", check=True)
    r = rt.md("run", "--rm", "committed:1", "sh", "-c",
              "cat /made; test -e /bin/ls && echo ls || echo no ls; test -d /etc/x && echo x",
              check=True)
    assert r.stdout == "made\nno ls\nx\n"
    rt.md("rm", "-f", "ovl", check=True)
    rt.md("image", "rm", "committed:1", check=True)
    assert fuse_daemons(rt.root) == []
    assert mounts_mentioning(rt.root) == []


def test_export_diff_and_cp_of_a_stopped_container(overlay_runtime, tmp_path):
    rt = overlay_runtime
    r = rt.md("run", "--name", "stopped", "busybox", "sh", "-c",
              "cat /in 2>/dev/null; echo made > /made; rm -f /bin/ls", check=True)
    assert r.stdout == ""
    out = tmp_path / "export.tar"
    rt.md("export", "-o", out, "stopped", check=True)
    names = subprocess.run(["tar", "tf", out], capture_output=True, text=True,
                           check=True).stdout.split()
    assert "made" in names and "bin/sh" in names
    assert "bin/ls" not in names  # deleted in the container
    assert not [n for n in names if ".wh." in n]
    diff = rt.md("diff", "stopped", check=True).stdout.splitlines()
    assert "D /bin/ls" in diff and "A /made" in diff
    rt.md("cp", "stopped:/made", tmp_path / "made", check=True)
    assert (tmp_path / "made").read_text() == "made\n"
    (tmp_path / "in").write_text("in\n")
    rt.md("cp", tmp_path / "in", "stopped:/in", check=True)
    # Started again (the fuse-overlayfs root mounted again): what cp put there is in it.
    assert rt.md("start", "-a", "stopped", check=True).stdout == "in\n"
    rt.md("rm", "stopped", check=True)
    assert fuse_daemons(rt.root) == []
    assert mounts_mentioning(rt.root) == []


def test_an_unknown_driver_is_refused_before_anything_is_made(overlay_runtime):
    r = overlay_runtime.md("--storage-driver", "vfs", "run", "--rm", "busybox", "true")
    assert r.returncode == 125
    assert r.stderr.strip() == 'mydocker: unknown storage driver "vfs" (overlay or fuse-overlayfs)'
    assert overlay_runtime.container_dirs() == []
