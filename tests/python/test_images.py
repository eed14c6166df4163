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
    with pytest.raises(pymydocker.NotFound, match="the mydocker helper cannot be used"):
        pymydocker.Runtime(root, helper="/opt/elsewhere/mydocker")


def test_without_helper_or_environment_the_installed_binary_is_used(root):
    env = {k: v for k, v in os.environ.items() if k != "MYDOCKER_HELPER"}
    proc = subprocess.run(
        [sys.executable, "-c", f"import pymydocker; print(pymydocker.Runtime({root!r}).helper)"],
        env=env, capture_output=True, text=True, timeout=30)
    installed = os.environ.get("MYDOCKER_INSTALLED_HELPER")
    if installed and os.access(installed, os.X_OK):
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip() == installed
    else:  # not installed on this machine: opening says so, naming where it looked
        assert proc.returncode != 0
        assert "the mydocker helper cannot be used" in proc.stderr
        assert "/bin/mydocker-helper" in proc.stderr


def test_a_missing_helper_is_refused_when_the_runtime_opens(tmp_path):
    root = str(tmp_path / "state")
    with pytest.raises(pymydocker.NotFound) as info:
        pymydocker.Runtime(root, helper="/nonexistent/mydocker")
    assert "/nonexistent/mydocker" in str(info.value)
    assert not os.path.exists(root)  # refused before the state root is made


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
