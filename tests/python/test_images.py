"""Runtime construction, the helper binary, and runtime.images."""

import datetime
import os
import subprocess
import sys

import pytest

import pymydocker


def test_runtime_root_and_helper(root, busybox_tar):
    rt = pymydocker.Runtime(root)
    assert rt.root == root
    assert rt.helper == os.environ["MYDOCKER_HELPER"]
    assert pymydocker.Runtime(root, helper="/opt/elsewhere/mydocker").helper == "/opt/elsewhere/mydocker"


def test_without_helper_or_environment_the_installed_binary_is_used(root):
    env = {k: v for k, v in os.environ.items() if k != "MYDOCKER_HELPER"}
    proc = subprocess.run(
        [sys.executable, "-c", f"import pymydocker; print(pymydocker.Runtime({root!r}).helper)"],
        env=env, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    expected = os.environ.get("MYDOCKER_INSTALLED_HELPER")
    assert proc.stdout.strip() == (expected or proc.stdout.strip())
    assert proc.stdout.strip().endswith("/bin/mydocker-helper")


def test_a_missing_helper_fails_to_start_but_leaves_the_root_clean(root, busybox_tar):
    rt = pymydocker.Runtime(root, helper="/nonexistent/mydocker")
    rt.images.import_tar(busybox_tar, "busybox")
    with pytest.raises(pymydocker.MyDockerError):
        rt.run("busybox", ["true"], remove=True)
    for c in rt.containers.list(all=True):
        c.remove(force=True)
    assert rt.containers.list(all=True) == []


def test_import_list_get_remove(rt, busybox_tar):
    (busybox,) = rt.images.list()
    assert busybox.tags == ["busybox:latest"]
    assert busybox.id.startswith("sha256:") and len(busybox.id) == 71
    assert busybox.size > 0
    assert len(busybox.layers) == 1
    assert isinstance(busybox.created, datetime.datetime) and busybox.created.tzinfo is not None
    assert "busybox:latest" in repr(busybox)

    view = rt.images.inspect("busybox")  # the same view as `mydocker image inspect`
    assert view["Id"] == busybox.id and view["RepoTags"] == ["busybox:latest"]
    assert view["RootFS"] == {"Type": "layers", "Layers": busybox.layers}
    assert view["Size"] == busybox.size and view["Os"] == "linux"
    with pytest.raises(pymydocker.NotFound):
        rt.images.inspect("nosuch")

    again = rt.images.import_tar(busybox_tar, "other:v1")
    assert again.layers == busybox.layers  # the same content: one shared layer
    assert rt.images.get("other:v1").id == again.id
    assert rt.images.get(busybox.id[7:19]).tags == ["busybox:latest"]
    assert len(rt.images.list()) == 2
    rt.images.remove("other:v1")
    with pytest.raises(pymydocker.NotFound):
        rt.images.get("other:v1")
    assert rt.images.get("busybox").tags == ["busybox:latest"]


def test_image_errors(rt, tmp_path):
    with pytest.raises(pymydocker.NotFound):
        rt.images.get("nothing")
    with pytest.raises(pymydocker.NotFound):
        rt.images.remove("nothing")
    with pytest.raises(pymydocker.InvalidArgument):
        rt.images.import_tar(tmp_path / "x.tar", "Bad:Ref:Here")
    with pytest.raises(pymydocker.MyDockerError):
        rt.images.import_tar(tmp_path / "missing.tar", "missing")


def test_removing_an_image_in_use_is_a_conflict(rt):
    with rt.run("busybox", ["sleep", "30"], detach=True):
        with pytest.raises(pymydocker.Conflict):
            rt.images.remove("busybox")
        assert rt.images.get("busybox")
