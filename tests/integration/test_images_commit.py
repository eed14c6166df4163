"""commit: a container's changes (files added, deleted, directories replaced) as a new layer on
top of its image, runnable at once, from a stopped or a running container."""

import json

from image_fixtures import fixture_image, oci_archive
from test_images import image_rows


def load_fixture(runtime, tmp_path):
    path = oci_archive([fixture_image()]).write_tar(tmp_path / "img.tar")
    runtime.md("load", "-i", path, check=True)


def test_commit_stopped_container(runtime, tmp_path):
    load_fixture(runtime, tmp_path)
    script = ("echo new > /data/new && rm /data/b && rm -rf /opaque && mkdir /opaque && "
              "echo q > /opaque/q && rm /etc/group")
    runtime.md("run", "--name", "changer", "-u", "0", "fixture/multi:v1", "sh", "-c", script,
               check=True)
    r = runtime.md("commit", "-m", "my change", "changer", "snap:v1", check=True)
    new_id = r.stdout.strip()
    assert new_id.startswith("sha256:")
    assert ("snap", "v1") in {(row[0], row[1]) for row in image_rows(runtime)}
    r = runtime.md("run", "--rm", "snap:v1", "sh", "-c",
                   "ls /data; ls /opaque; test -e /etc/group || echo group-gone", check=True)
    assert r.stdout == "new\nq\ngroup-gone\n"
    # As Docker's: the image records the container's configuration (its command, its -u, the
    # Env and WorkingDir it ran with, the image's own ports); the new layer is on top of the
    # three of the image.
    r = runtime.md("run", "--rm", "snap:v1", "sh", "-c", "echo $GREETING; pwd; id -u", check=True)
    assert r.stdout == "hello\n/work\n0\n"
    info = json.loads(runtime.md("image", "inspect", "snap:v1", check=True).stdout)[0]
    assert info["Config"]["Cmd"] == ["sh", "-c", script]
    assert info["Config"]["User"] == "0:0" and info["Config"]["WorkingDir"] == "/work"
    assert "GREETING=hello" in info["Config"]["Env"]
    assert "8080/tcp" in info["Config"]["ExposedPorts"]
    assert info["Id"] == new_id
    assert len(info["RootFS"]["Layers"]) == 4
    lines = runtime.md("history", "snap:v1", check=True).stdout.splitlines()
    assert "mydocker commit" in lines[1] and "my change" in lines[1]
    runtime.md("rm", "changer", check=True)


def test_commit_running_container_pauses_and_resumes_it(runtime):
    runtime.md("run", "-d", "--name", "live", "busybox", "sh", "-c",
               "echo live > /live; rm /etc/group; sleep 60", check=True)
    runtime.wait_running("live")
    runtime.md("exec", "live", "sh", "-c", "while [ ! -e /live ]; do sleep 0.05; done",
               check=True, timeout=20)
    r = runtime.md("commit", "live", "fromlive")
    assert r.returncode == 0, r.stderr
    assert runtime.inspect("live")["State"] == "running"
    r = runtime.md("run", "--rm", "fromlive", "sh", "-c",
                   "cat /live; test -e /etc/group || echo group-gone", check=True)
    assert r.stdout == "live\ngroup-gone\n"
    runtime.md("rm", "-f", "live", check=True)


def test_commit_untagged_and_errors(runtime):
    runtime.md("run", "--name", "plain", "busybox", "true", check=True)
    r = runtime.md("commit", "plain", check=True)
    image_id = r.stdout.strip()
    assert ("<none>", "<none>") in {(row[0], row[1]) for row in image_rows(runtime)}
    runtime.md("rmi", image_id, check=True)
    r = runtime.md("commit", "no-such-container", "x")
    assert r.returncode == 1 and "no-such-container" in r.stderr
    r = runtime.md("commit", "plain", "Bad Name")
    assert r.returncode == 1 and "Bad Name" in r.stderr
    runtime.md("rm", "plain", check=True)


def test_rmi_of_committed_image_keeps_the_base_layers(runtime):
    runtime.md("run", "--name", "c", "busybox", "sh", "-c", "echo 1 > /one", check=True)
    runtime.md("commit", "c", "child", check=True)
    runtime.md("rm", "c", check=True)
    assert len(runtime.layer_dirs()) == 2
    runtime.md("rmi", "child", check=True)
    assert len(runtime.layer_dirs()) == 1
    runtime.md("run", "--rm", "busybox", "true", check=True)
