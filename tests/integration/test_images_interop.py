"""Archives made by other tools: skopeo converts what `save` wrote into a Docker archive and a
gzip OCI archive, umoci adds a layer with real whiteouts; `load` takes them all. Skipped when
the tools are not installed (tools/install-deps.sh installs them)."""

import json
import shutil
import subprocess
import tarfile

import pytest


def need(tool):
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed")


def tool(*args):
    r = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, f"{args[0]} failed: {r.stderr}"
    return r.stdout


def image_id(runtime, ref):
    return json.loads(runtime.md("image", "inspect", ref, check=True).stdout)[0]["Id"]


@pytest.fixture
def saved(runtime, tmp_path):
    """snap:v1 (busybox plus a committed layer that adds /hello and deletes /etc/group), saved."""
    runtime.md("run", "--name", "c", "busybox", "sh", "-c", "echo hi > /hello; rm /etc/group",
               check=True)
    runtime.md("commit", "c", "snap:v1", check=True)
    runtime.md("rm", "c", check=True)
    path = tmp_path / "saved.tar"
    runtime.md("save", "-o", path, "snap:v1", check=True)
    return path


@pytest.mark.parametrize("dest", ["docker-archive", "oci-archive"])
def test_skopeo_converted_archives_load_to_the_same_image(runtime, tmp_path, saved, dest):
    need("skopeo")
    want = image_id(runtime, "snap:v1")
    out = tmp_path / "converted.tar"
    tool("skopeo", "copy", "-q", "--dest-compress", f"oci-archive:{saved}:snap:v1",
         f"{dest}:{out}:snap:v1")
    runtime.md("rmi", "snap:v1", check=True)
    r = runtime.md("load", "-i", out, check=True)
    assert r.stdout == "Loaded image: snap:v1\n"
    assert image_id(runtime, "snap:v1") == want
    r = runtime.md("run", "--rm", "snap:v1", "sh", "-c", "cat /hello; test -e /etc/group || echo gone",
                   check=True)
    assert r.stdout == "hi\ngone\n"


def test_umoci_layer_whiteouts_apply(runtime, tmp_path, saved):
    need("umoci")
    layout = tmp_path / "layout"
    with tarfile.open(saved) as tar:
        tar.extractall(layout)
    bundle = tmp_path / "bundle"
    tool("umoci", "unpack", "--image", f"{layout}:snap:v1", bundle)
    rootfs = bundle / "rootfs"
    (rootfs / "hello").unlink()
    shutil.rmtree(rootfs / "usr" / "sbin")
    shutil.rmtree(rootfs / "root")
    (rootfs / "root").mkdir()
    (rootfs / "root" / "new").write_text("new\n")
    tool("umoci", "repack", "--image", f"{layout}:v2", bundle)
    r = runtime.md("load", "-i", layout, check=True)
    assert "Loaded image: snap:v2" in r.stdout.splitlines()
    r = runtime.md("run", "--rm", "snap:v2", "sh", "-c",
                   "test -e /hello || echo hello-gone; ls /usr; ls /root", check=True)
    assert r.stdout == "hello-gone\nbin\nnew\n"
