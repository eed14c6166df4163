"""load and save: Docker save archives and OCI image layouts made here (multi-layer, whiteouts,
gzip or plain layers), digests verified, hostile archives refused with nothing stored."""

import hashlib
import json
import tarfile

import pytest

from image_fixtures import (EXPECTED_OUTPUT, LAYER1, LAYER2, busybox_layer, config_for,
                            docker_archive, fixture_image, layer, oci_archive, sha256)
from test_images import image_rows, root_snapshot


def load(runtime, path, ok=True):
    r = runtime.md("load", "-i", str(path))
    if ok:
        assert r.returncode == 0, r.stderr
    return r


def image_id(runtime, ref):
    r = runtime.md("image", "inspect", ref, check=True)
    return json.loads(r.stdout)[0]["Id"]


def images_by_tag(runtime):
    return [row[:3] for row in image_rows(runtime)]  # repository, tag, id: not the age


def assert_load_refused(runtime, path, *words):
    before_rows = images_by_tag(runtime)
    before = root_snapshot(runtime)
    r = load(runtime, path, ok=False)
    assert r.returncode == 1, f"load accepted: {r.stdout} {r.stderr}"
    assert r.stderr.startswith("mydocker: "), r.stderr
    for word in words:
        assert word in r.stderr, r.stderr
    assert images_by_tag(runtime) == before_rows
    assert root_snapshot(runtime) == before, "a refused load left files behind"


@pytest.mark.parametrize("form", ["oci-gzip-tar", "oci-plain-dir", "docker"])
def test_load_multilayer_image_runs_with_its_defaults(runtime, tmp_path, form):
    image = fixture_image()
    if form == "docker":
        path = docker_archive([image]).write_tar(tmp_path / "img.tar")
    elif form == "oci-gzip-tar":
        path = oci_archive([image], compress_layers=True).write_tar(tmp_path / "img.tar")
    else:
        path = oci_archive([image]).write_dir(tmp_path / "layout")
    r = load(runtime, path)
    assert r.stdout == "Loaded image: fixture/multi:v1\n"
    assert image_id(runtime, "fixture/multi:v1") == sha256(image[2])
    # Cmd, Env, WorkingDir and User of the image; /data/a deleted by a whiteout in layer 2;
    # /opaque of layer 2 hides x and y of layer 1.
    r = runtime.md("run", "--rm", "fixture/multi:v1", check=True)
    assert r.stdout == EXPECTED_OUTPUT
    # The busybox layer is the one `image import` stored: shared, not stored twice.
    assert len(runtime.layer_dirs()) == 3


def test_run_flags_win_over_image_defaults(runtime, tmp_path):
    load(runtime, oci_archive([fixture_image()]).write_tar(tmp_path / "img.tar"))
    r = runtime.md("run", "--rm", "-e", "GREETING=override", "-w", "/tmp", "-u", "0:999",
                   "fixture/multi:v1", check=True)
    assert r.stdout == EXPECTED_OUTPUT.replace("hello", "override").replace(
        "/work", "/tmp").replace("1234\n4321", "0\n999")
    r = runtime.md("run", "--rm", "-u", "app:extra", "fixture/multi:v1", "id", check=True)
    assert "uid=1234" in r.stdout and "gid=999" in r.stdout
    # HOME follows the user, as in Docker.
    r = runtime.md("run", "--rm", "fixture/multi:v1", "sh", "-c", "echo $HOME", check=True)
    assert r.stdout == "/home/app\n"
    r = runtime.md("run", "--rm", "-u", "0", "-e", "HOME=/x", "fixture/multi:v1", "sh", "-c",
                   "echo $HOME", check=True)
    assert r.stdout == "/x\n"
    r = runtime.md("run", "--rm", "-u", "nobody-here", "fixture/multi:v1", "true")
    assert r.returncode == 125 and "unable to find user nobody-here" in r.stderr


def test_entrypoint_and_cmd(runtime, tmp_path):
    base = busybox_layer()
    image = ("fixture/ep:v1", [base], config_for([base], {
        "Entrypoint": ["echo", "from-entrypoint"], "Cmd": ["default-arg"]}))
    load(runtime, docker_archive([image]).write_tar(tmp_path / "img.tar"))
    r = runtime.md("run", "--rm", "fixture/ep:v1", check=True)
    assert r.stdout == "from-entrypoint default-arg\n"
    r = runtime.md("run", "--rm", "fixture/ep:v1", "given", "args", check=True)
    assert r.stdout == "from-entrypoint given args\n"


def test_exec_sees_the_image_env(runtime, tmp_path):
    load(runtime, oci_archive([fixture_image()]).write_tar(tmp_path / "img.tar"))
    runtime.md("run", "-d", "--name", "envy", "-e", "EXTRA=1", "fixture/multi:v1",
               "sleep", "30", check=True)
    runtime.wait_running("envy")
    r = runtime.md("exec", "envy", "env", check=True)
    assert "GREETING=hello" in r.stdout.splitlines()
    assert "EXTRA=1" in r.stdout.splitlines()
    r = runtime.md("exec", "envy", "id", "-u", check=True)
    assert r.stdout == "1234\n"
    runtime.md("rm", "-f", "envy", check=True)


def test_inspect_and_history(runtime, tmp_path):
    load(runtime, oci_archive([fixture_image()]).write_tar(tmp_path / "img.tar"))
    info = json.loads(runtime.md("image", "inspect", "fixture/multi:v1", check=True).stdout)[0]
    assert info["RepoTags"] == ["fixture/multi:v1"]
    assert info["Config"]["ExposedPorts"] == {"8080/tcp": {}}
    assert info["Config"]["User"] == "app"
    assert info["Config"]["WorkingDir"] == "/work"
    assert info["RootFS"]["Layers"] == [sha256(busybox_layer()), sha256(LAYER1), sha256(LAYER2)]
    lines = runtime.md("history", "fixture/multi:v1", check=True).stdout.splitlines()
    assert lines[0].split()[:2] == ["IMAGE", "CREATED"]
    assert len(lines) == 4
    assert "layer 2" in lines[1] and "<missing>" in lines[2]
    r = runtime.md("image", "inspect", "fixture/multi:v1", "no-such-image")
    assert r.returncode == 1 and "no such image" in r.stderr
    assert len(json.loads(r.stdout)) == 1


@pytest.mark.parametrize("form", ["oci", "docker"])
def test_shared_layers_stored_once_and_rmi_keeps_used_layers(runtime, tmp_path, form):
    base = busybox_layer()
    small = ("fixture/small:v1", [base, LAYER1], config_for([base, LAYER1], {"Cmd": ["true"]}))
    make = oci_archive if form == "oci" else docker_archive  # docker: shared layers are symlinks
    path = make([fixture_image(), small]).write_tar(tmp_path / "two.tar")
    r = load(runtime, path)
    assert sorted(r.stdout.splitlines()) == ["Loaded image: fixture/multi:v1",
                                             "Loaded image: fixture/small:v1"]
    layers = set(runtime.layer_dirs())
    assert layers == {sha256(l)[7:] for l in (base, LAYER1, LAYER2)}
    runtime.md("rmi", "fixture/multi:v1", check=True)
    assert set(runtime.layer_dirs()) == {sha256(l)[7:] for l in (base, LAYER1)}
    r = runtime.md("run", "--rm", "fixture/small:v1", "cat", "/data/a", check=True)
    assert r.stdout == "a\n"
    runtime.md("rmi", "fixture/small:v1", check=True)
    assert set(runtime.layer_dirs()) == {sha256(base)[7:]}, "busybox's layer must stay"
    runtime.md("run", "--rm", "busybox", "true", check=True)


def test_a_layer_used_twice_in_one_image(runtime, tmp_path):
    """Docker images often repeat an empty layer; overlayfs refuses a lower directory twice."""
    empty = layer()
    base = busybox_layer()
    layers = [base, empty, LAYER1, empty, LAYER2, empty]
    image = ("fixture/repeat:v1", layers, config_for(layers, {"Cmd": ["ls", "/data"]}))
    load(runtime, docker_archive([image]).write_tar(tmp_path / "img.tar"))
    r = runtime.md("run", "--rm", "fixture/repeat:v1", check=True)
    assert r.stdout == "b\n"
    out = tmp_path / "saved.tar"
    runtime.md("save", "-o", out, "fixture/repeat:v1", check=True)
    runtime.md("rmi", "fixture/repeat:v1", check=True)
    load(runtime, out)
    assert image_id(runtime, "fixture/repeat:v1") == sha256(image[2])


def test_more_layers_than_one_mount_takes_is_refused_at_load(runtime, tmp_path):
    """An image that could never run here is refused when loaded, not at its first run."""
    layers = [busybox_layer()] + [layer((f"f{i}", str(i))) for i in range(60)]
    image = ("fixture/deep:v1", layers, config_for(layers, {"Cmd": ["true"]}))
    assert_load_refused(runtime, oci_archive([image]).write_tar(tmp_path / "img.tar"),
                        "an image of 61 layers is too many for one overlay mount")
    assert runtime.container_dirs() == []


def test_untagged_oci_image_loads_by_id(runtime, tmp_path):
    tag, layers, config = fixture_image()
    archive = oci_archive([("latest", layers, config)])  # a ref.name that is only a tag
    r = load(runtime, archive.write_tar(tmp_path / "img.tar"))
    assert r.stdout == f"Loaded image ID: {sha256(config)}\n"
    r = runtime.md("run", "--rm", sha256(config)[7:19], check=True)
    assert r.stdout == EXPECTED_OUTPUT


def tamper(data):
    i = len(data) // 2
    return data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1:]


@pytest.mark.parametrize("what", ["layer", "config", "manifest"])
def test_tampered_oci_blob_refused(runtime, tmp_path, what):
    tag, layers, config = fixture_image()
    archive = oci_archive([(tag, layers, config)], compress_layers=True)
    index = json.loads(archive.files["index.json"])
    manifest_path = "blobs/sha256/" + index["manifests"][0]["digest"][7:]
    manifest = json.loads(archive.files[manifest_path])
    target = {"layer": manifest["layers"][2]["digest"], "config": manifest["config"]["digest"],
              "manifest": index["manifests"][0]["digest"]}[what]
    blob = "blobs/sha256/" + target[7:]
    archive.files[blob] = tamper(archive.files[blob])
    assert_load_refused(runtime, archive.write_tar(tmp_path / "bad.tar"), "does not match")


def test_tampered_docker_layer_refused(runtime, tmp_path):
    archive = docker_archive([fixture_image()])
    name = next(n for n in archive.files if n.endswith("layer.tar") and archive.files[n] == LAYER2)
    archive.files[name] = LAYER2.replace(b"z\n", b"Z\n")
    assert_load_refused(runtime, archive.write_tar(tmp_path / "bad.tar"), "digest")


def test_layer_count_must_match_the_config(runtime, tmp_path):
    tag, layers, config = fixture_image()
    archive = docker_archive([(tag, layers[:2], config)])
    assert_load_refused(runtime, archive.write_tar(tmp_path / "bad.tar"), "diff ids")


@pytest.mark.parametrize("entries", [
    [("../evil", "x")],
    [("a", "->/tmp"), ("a/evil", "x")],
    [("link", "->../../../../tmp"), ("link/evil", "x")],
])
def test_hostile_layer_refused(runtime, tmp_path, entries):
    base = busybox_layer()
    evil = layer(*entries)
    image = ("evil/img:v1", [base, evil], config_for([base, evil], {"Cmd": ["true"]}))
    assert_load_refused(runtime, oci_archive([image]).write_tar(tmp_path / "evil.tar"),
                        "refusing tar entry")


def test_hostile_archive_paths_refused(runtime, tmp_path):
    """A path out of the archive, or a symlink in it to a host file, never reads the host file."""
    archive = docker_archive([fixture_image()])
    manifest = json.loads(archive.files["manifest.json"])
    for bad in ("../../../../../../etc/hostname", "hostfile"):
        manifest[0]["Layers"][0] = bad
        archive.files["manifest.json"] = json.dumps(manifest).encode()
        path = archive.write_tar(tmp_path / "bad.tar")
        with tarfile.open(path, "a") as tar:
            info = tarfile.TarInfo("hostfile")
            info.type, info.linkname = tarfile.SYMTYPE, "/etc/hostname"
            tar.addfile(info)
        assert_load_refused(runtime, path)


def test_not_an_archive(runtime, tmp_path):
    junk = tmp_path / "junk.tar"
    with tarfile.open(junk, "w") as tar:
        info = tarfile.TarInfo("hello")
        tar.addfile(info)
    assert_load_refused(runtime, junk, "not an image archive")


def test_save_then_load_round_trips(runtime, tmp_path):
    load(runtime, oci_archive([fixture_image()], compress_layers=True).write_tar(tmp_path / "in.tar"))
    ids = {ref: image_id(runtime, ref) for ref in ("fixture/multi:v1", "busybox")}
    out = tmp_path / "saved.tar"
    runtime.md("save", "-o", out, "fixture/multi:v1", "busybox", check=True)
    with tarfile.open(out) as tar:
        names = set(tar.getnames())
        assert {"manifest.json", "index.json", "oci-layout", "repositories"} <= names
        manifest = json.loads(tar.extractfile("manifest.json").read())
        for entry in manifest:
            for path in [entry["Config"]] + entry["Layers"]:
                data = tar.extractfile(path).read()
                assert hashlib.sha256(data).hexdigest() == path.split("/")[-1]
    assert sorted(t for e in manifest for t in e["RepoTags"]) == ["busybox:latest",
                                                                  "fixture/multi:v1"]
    runtime.md("rmi", "fixture/multi:v1", "busybox", check=True)
    assert runtime.layer_dirs() == []
    r = load(runtime, out)
    assert sorted(r.stdout.splitlines()) == ["Loaded image: busybox:latest",
                                             "Loaded image: fixture/multi:v1"]
    assert {ref: image_id(runtime, ref) for ref in ids} == ids
    r = runtime.md("run", "--rm", "fixture/multi:v1", check=True)
    assert r.stdout == EXPECTED_OUTPUT
    # The OCI half of the archive alone loads the same images.
    oci = tmp_path / "oci"
    with tarfile.open(out) as tar:
        tar.extractall(oci)
    (oci / "manifest.json").unlink()
    runtime.md("rmi", "fixture/multi:v1", check=True)
    load(runtime, oci)
    assert image_id(runtime, "fixture/multi:v1") == ids["fixture/multi:v1"]
