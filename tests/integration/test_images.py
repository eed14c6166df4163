"""image import / images / rmi, and hostile tarballs that must be refused without side effects."""

import io
import os
import shutil
import subprocess
import stat
import tarfile
import uuid
from pathlib import Path

import pytest

from conftest import BUSYBOX_TAR


def add_entry(tar, name, data=b"x", **attrs):
    info = tarfile.TarInfo(name)
    info.mode = 0o644
    for key, value in attrs.items():
        setattr(info, key, value)
    if info.type == tarfile.REGTYPE:
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    else:
        tar.addfile(info)


def make_tar(path, entries):
    """A tarball with one harmless file first (so a partial unpack would leave something)."""
    with tarfile.open(path, "w") as tar:
        add_entry(tar, "harmless.txt", b"harmless\n")
        for entry in entries:
            add_entry(tar, **entry)
    return path


def image_rows(runtime):
    out = runtime.md("images", check=True).stdout.splitlines()
    assert out[0].split()[:2] == ["REPOSITORY", "TAG"]
    return [line.split() for line in out[1:]]


def root_snapshot(runtime):
    """Every path under the state root except lock files: a failed import must change none."""
    paths = []
    for dirpath, dirnames, filenames in os.walk(runtime.root):
        for name in dirnames + filenames:
            if name.endswith(".lock") or name == ".lock":
                continue
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            paths.append((os.path.relpath(p, runtime.root), st.st_size if stat.S_ISREG(st.st_mode) else 0))
    return sorted(paths)


@pytest.fixture
def outside(tmp_path_factory):
    """A unique directory in /tmp that hostile entries try to reach."""
    d = Path("/tmp") / f"mydocker-it-outside-{uuid.uuid4().hex[:12]}"
    d.mkdir()
    yield d
    shutil.rmtree(d, ignore_errors=True)


def assert_refused(runtime, tarball, name="evil"):
    before_rows = image_rows(runtime)
    before_layers = runtime.layer_dirs()
    before = root_snapshot(runtime)
    r = runtime.md("image", "import", str(tarball), name)
    assert r.returncode == 1, f"hostile import accepted: {r.stdout} {r.stderr}"
    assert r.stderr.startswith("mydocker: "), r.stderr
    assert image_rows(runtime) == before_rows
    assert runtime.layer_dirs() == before_layers
    assert root_snapshot(runtime) == before, "a failed import left files behind"
    return r.stderr


def test_images_lists_imported_busybox(runtime):
    rows = image_rows(runtime)
    assert len(rows) == 1
    assert rows[0][:2] == ["busybox", "latest"]
    assert len(rows[0][2]) == 12
    assert len(runtime.layer_dirs()) == 1


def test_import_with_tag_and_shared_layer(runtime):
    r = runtime.md("image", "import", BUSYBOX_TAR, "other:v2", check=True)
    assert r.stdout.strip().startswith("sha256:")
    rows = {(row[0], row[1]) for row in image_rows(runtime)}
    assert rows == {("busybox", "latest"), ("other", "v2")}
    # Same content: one unpacked layer shared by both images.
    assert len(runtime.layer_dirs()) == 1
    r = runtime.md("run", "--rm", "other:v2", "echo", "ok", check=True)
    assert r.stdout == "ok\n"
    runtime.md("rmi", "other:v2", check=True)
    assert [(row[0], row[1]) for row in image_rows(runtime)] == [("busybox", "latest")]
    assert len(runtime.layer_dirs()) == 1, "a layer still used by busybox was removed"
    runtime.md("run", "--rm", "busybox", "true", check=True)


def test_import_from_stdin(runtime):
    with open(BUSYBOX_TAR, "rb") as f:
        data = f.read()
    r = subprocess.run(runtime.cmd("image", "import", "-", "fromstdin"), input=data,
                       capture_output=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert "fromstdin" in [row[0] for row in image_rows(runtime)]


def test_import_errors(runtime, tmp_path):
    r = runtime.md("image", "import", str(tmp_path / "missing.tar"), "x")
    assert r.returncode == 1 and "missing.tar" in r.stderr
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"this is not a tarball at all\n" * 100)
    before = root_snapshot(runtime)
    r = runtime.md("image", "import", str(junk), "x")
    assert r.returncode == 1
    assert root_snapshot(runtime) == before
    r = runtime.md("image", "import", BUSYBOX_TAR, "Bad Name")
    assert r.returncode == 1 and "Bad Name" in r.stderr
    assert len(image_rows(runtime)) == 1


def test_rmi_refused_while_in_use(runtime):
    runtime.md("run", "--name", "user", "busybox", "true", check=True)
    r = runtime.md("rmi", "busybox")
    assert r.returncode == 1
    assert "in use" in r.stderr, r.stderr
    assert image_rows(runtime)[0][:2] == ["busybox", "latest"]
    runtime.md("rm", "user", check=True)
    r = runtime.md("rmi", "busybox", check=True)
    assert "busybox" in r.stdout
    assert image_rows(runtime) == []
    assert runtime.layer_dirs() == []
    r = runtime.md("run", "--rm", "busybox", "true")
    assert r.returncode == 125
    r = runtime.md("rmi", "busybox")
    assert r.returncode == 1 and "no such image" in r.stderr


def test_rmi_force_while_in_use(runtime):
    runtime.md("run", "-d", "--name", "user", "busybox", "sleep", "30", check=True)
    runtime.wait_running("user")
    image_id = image_rows(runtime)[0][2]
    r = runtime.md("rmi", "-f", "busybox")
    assert r.returncode == 0, r.stderr
    # The tag is gone, the running container keeps its root filesystem.
    assert "busybox" not in [row[0] for row in image_rows(runtime)]
    assert len(runtime.layer_dirs()) == 1
    r = runtime.md("run", "--rm", "busybox", "true")
    assert r.returncode == 125
    runtime.md("rm", "-f", "user", check=True)
    # Once unused, the image can be removed by id, and its layer goes with it.
    leftover = [row for row in image_rows(runtime) if row[2] == image_id]
    if leftover:
        runtime.md("rmi", image_id, check=True)
    assert image_rows(runtime) == []
    assert runtime.layer_dirs() == []


def test_hostile_parent_path(runtime, tmp_path, outside):
    escape = "../" * 12 + str(outside.relative_to("/")) + "/evil"
    err = assert_refused(runtime, make_tar(tmp_path / "t.tar", [
        {"name": "../evil-parent"},
        {"name": escape},
    ]))
    assert "evil-parent" in err
    assert not (outside / "evil").exists()
    for parent in Path(runtime.root).parents:
        assert not (parent / "evil-parent").exists()
    assert not (Path(runtime.root) / "evil-parent").exists()
    assert not (Path(runtime.root) / "layers" / "evil-parent").exists()


def test_hostile_nested_parent_path(runtime, tmp_path, outside):
    escape = "a/b/" + "../" * 14 + str(outside.relative_to("/")) + "/evil"
    assert_refused(runtime, make_tar(tmp_path / "t.tar", [
        {"name": "a/", "type": tarfile.DIRTYPE, "mode": 0o755},
        {"name": "a/b/", "type": tarfile.DIRTYPE, "mode": 0o755},
        {"name": escape},
    ]))
    assert not (outside / "evil").exists()


def test_hostile_absolute_path(runtime, tmp_path, outside):
    err = assert_refused(runtime, make_tar(tmp_path / "t.tar", [{"name": str(outside / "abs")}]))
    assert "abs" in err
    assert not (outside / "abs").exists()


def test_hostile_symlink_then_file_through_it(runtime, tmp_path, outside):
    err = assert_refused(runtime, make_tar(tmp_path / "t.tar", [
        {"name": "a", "type": tarfile.SYMTYPE, "linkname": str(outside)},
        {"name": "a/file", "data": b"pwned\n"},
    ]))
    assert "a/file" in err or "symlink" in err
    assert list(outside.iterdir()) == []


def test_hostile_symlink_to_missing_dir(runtime, tmp_path):
    target = Path("/tmp") / f"mydocker-it-missing-{uuid.uuid4().hex[:12]}"
    try:
        assert_refused(runtime, make_tar(tmp_path / "t.tar", [
            {"name": "a", "type": tarfile.SYMTYPE, "linkname": str(target)},
            {"name": "a/sub/", "type": tarfile.DIRTYPE, "mode": 0o755},
            {"name": "a/sub/file"},
        ]))
        assert not target.exists()
    finally:
        shutil.rmtree(target, ignore_errors=True)


def test_hostile_relative_symlink_escape(runtime, tmp_path, outside):
    assert_refused(runtime, make_tar(tmp_path / "t.tar", [
        {"name": "up", "type": tarfile.SYMTYPE, "linkname": "../" * 12 + str(outside.relative_to("/"))},
        {"name": "up/file", "data": b"pwned\n"},
    ]))
    assert list(outside.iterdir()) == []


def test_hostile_hardlink_to_host_file(runtime, tmp_path):
    passwd = os.stat("/etc/passwd")
    with open("/etc/passwd", "rb") as f:
        content = f.read()
    err = assert_refused(runtime, make_tar(tmp_path / "t.tar", [
        {"name": "h", "type": tarfile.LNKTYPE, "linkname": "../../etc/passwd"},
    ]))
    assert "h" in err
    assert os.stat("/etc/passwd").st_nlink == passwd.st_nlink
    with open("/etc/passwd", "rb") as f:
        assert f.read() == content


def test_hostile_hardlink_then_overwrite(runtime, tmp_path, outside):
    victim = outside / "victim"
    victim.write_text("original\n")
    for linkname in ("../" * 12 + str(victim.relative_to("/")), str(victim)):
        assert_refused(runtime, make_tar(tmp_path / "t.tar", [
            {"name": "h", "type": tarfile.LNKTYPE, "linkname": linkname},
            {"name": "h", "data": b"pwned\n"},
        ]))
        assert victim.read_text() == "original\n"
        assert victim.stat().st_nlink == 1


def test_device_nodes_not_created(runtime, tmp_path):
    """A char device 1:1 (/dev/mem) in an image must not become a real device node."""
    tarball = make_tar(tmp_path / "t.tar", [
        {"name": "mem", "type": tarfile.CHRTYPE, "devmajor": 1, "devminor": 1, "mode": 0o666},
        {"name": "sda", "type": tarfile.BLKTYPE, "devmajor": 8, "devminor": 0, "mode": 0o666},
    ])
    before_layers = runtime.layer_dirs()
    r = runtime.md("image", "import", str(tarball), "devs")
    new_layers = [l for l in runtime.layer_dirs() if l not in before_layers]
    if r.returncode != 0:
        assert new_layers == []
        return
    for layer in new_layers:
        for dirpath, dirnames, filenames in os.walk(Path(runtime.root) / "layers" / "sha256" / layer):
            for name in dirnames + filenames:
                mode = os.lstat(os.path.join(dirpath, name)).st_mode
                assert not stat.S_ISCHR(mode) and not stat.S_ISBLK(mode), f"device node {name} created"
