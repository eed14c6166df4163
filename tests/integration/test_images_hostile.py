"""Hostile archives and images found by the security review of load, save, commit and user
lookup: each is refused cleanly (or handled) with nothing stored."""

import gzip
import io
import json
import os
import subprocess
import tarfile
import tempfile

import pytest

from conftest import Runtime
from image_fixtures import (busybox_layer, config_for, docker_archive, fixture_image, layer,
                            oci_archive)
from test_images import image_rows, root_snapshot
from test_images_archive import assert_load_refused, load


def test_deeply_nested_manifest_refused(runtime, tmp_path):
    archive = docker_archive([fixture_image()])
    archive.files["manifest.json"] = b"[" * 200000
    assert_load_refused(runtime, archive.write_tar(tmp_path / "deep.tar"), "manifest.json")
    # Well-formed but too deep: refused before anything writes it back out recursively.
    archive.files["manifest.json"] = b"[" * 100 + b"]" * 100
    assert_load_refused(runtime, archive.write_tar(tmp_path / "deep.tar"), "nested")


def test_deeply_nested_config_refused(runtime, tmp_path):
    base = busybox_layer()
    config = json.loads(config_for([base], {"Cmd": ["true"]}))
    config["config"]["Labels"] = {"x": "DEEP"}
    deep = json.dumps(config).replace('"DEEP"', "[" * 100 + "]" * 100).encode()
    image = ("deep/img:v1", [base], deep)
    assert_load_refused(runtime, oci_archive([image]).write_tar(tmp_path / "deep.tar"), "nested")


def test_uid_and_gid_above_int32_max_refused(runtime, tmp_path):
    """4294967295 is (uid_t)-1: setresuid(-1) leaves the process root."""
    base = busybox_layer()
    for user in ("4294967295", "0:4294967295"):
        image = ("bigid/img:v1", [base], config_for([base], {"Cmd": ["id"], "User": user}))
        load(runtime, oci_archive([image]).write_tar(tmp_path / "img.tar"))
        r = runtime.md("run", "--rm", "bigid/img:v1")
        assert r.returncode == 125 and "out of range" in r.stderr, (r.stdout, r.stderr)
    r = runtime.md("run", "--rm", "-u", "2147483648", "bigid/img:v1", "id")
    assert r.returncode == 125 and "out of range" in r.stderr, (r.stdout, r.stderr)
    runtime.md("run", "-d", "--name", "c", "-u", "0", "bigid/img:v1", "sleep", "30", check=True)
    r = runtime.md("exec", "-u", "4294967295", "c", "id")
    assert r.returncode != 0 and "out of range" in r.stderr, (r.stdout, r.stderr)
    runtime.md("rm", "-f", "c", check=True)


def test_failed_commit_resumes_the_container_and_a_paused_one_stays_paused(runtime):
    runtime.md("run", "-d", "--name", "live", "busybox", "sleep", "60", check=True)
    runtime.wait_running("live")
    r = runtime.md("commit", "live", "Not A Valid:Ref")
    assert r.returncode == 1, r.stdout
    assert runtime.inspect("live")["State"] == "running"
    runtime.md("pause", "live", check=True)
    r = runtime.md("commit", "live", "frompaused")
    assert r.returncode == 0 and "WARNING" not in r.stderr, r.stderr
    assert runtime.inspect("live")["State"] == "paused"
    runtime.md("rm", "-f", "live", check=True)
    runtime.md("rmi", "frompaused", check=True)


@pytest.fixture
def small_runtime(mydocker_bin):
    """A state root on an 8 MiB tmpfs, so that filling it is fast."""
    mount = tempfile.mkdtemp(prefix="mydocker-it-small-")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m,mode=0700", "tmpfs", mount], check=True)
    # The root below the mount point: the teardown takes any mount naming the root for a leak.
    os.mkdir(os.path.join(mount, "root"), 0o700)
    rt = Runtime(os.path.join(mount, "root"), mydocker_bin)
    try:
        yield rt
    finally:
        problems = rt.teardown()
        subprocess.run(["umount", mount], check=True)
        os.rmdir(mount)
    assert not problems, "test left resources behind:\n" + "\n".join(problems)


def test_decompression_bomb_refused(small_runtime, tmp_path):
    """64 MiB of zeros in 64 KiB of gzip cannot fill an 8 MiB state root."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("zeros")
        info.size = 64 << 20
        tar.addfile(info, io.BytesIO(bytes(info.size)))
    bomb = buf.getvalue()
    packed = gzip.compress(bomb, compresslevel=9, mtime=0)
    archive = oci_archive([("bomb/img:v1", [b""], config_for([bomb], {"Cmd": ["true"]}))])
    index = json.loads(archive.files["index.json"])
    manifest_name = "blobs/sha256/" + index["manifests"][0]["digest"][7:]
    manifest = json.loads(archive.files[manifest_name])
    manifest["layers"] = [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                           "digest": archive.blob(packed), "size": len(packed)}]
    data = json.dumps(manifest).encode()
    index["manifests"][0].update(digest=archive.blob(data), size=len(data))
    archive.files["index.json"] = json.dumps(index).encode()
    small_runtime.md("images", check=True)  # the store's own directories
    before = root_snapshot(small_runtime)
    r = small_runtime.md("load", "-i", archive.write_tar(tmp_path / "bomb.tar"))
    assert r.returncode == 1 and "room for" in r.stderr, (r.stdout, r.stderr)
    assert root_snapshot(small_runtime) == before


def test_a_layer_repeated_thousands_of_times(runtime, tmp_path):
    """Refused at once by the 128-layer limit, not unpacked 5000 times; repeated images load
    once."""
    many = [layer(("f", "x"))] * 5000
    for archive in (oci_archive([("many/img:v1", many, config_for(many, {}))]),
                    docker_archive([("many/img:v1", many, config_for(many, {}))])):
        assert_load_refused(runtime, archive.write_tar(tmp_path / "many.tar"), "128")
    image = fixture_image()
    archive = oci_archive([image] * 100)
    r = runtime.md("load", "-i", archive.write_tar(tmp_path / "same.tar"), timeout=20)
    assert r.returncode == 0, r.stderr
    archive = docker_archive([image] * 100)
    r = runtime.md("load", "-i", archive.write_tar(tmp_path / "same.tar"), timeout=20)
    assert r.returncode == 0, r.stderr
    runtime.md("rmi", image[0], check=True)


def test_more_layers_than_one_overlay_mount_takes(runtime, tmp_path):
    """Refused at load with the layer count, not by a bare EINVAL from mount at run."""
    layers = [busybox_layer()] + [layer((f"f{i}", "x")) for i in range(60)]
    image = ("tall/img:v1", layers, config_for(layers, {"Cmd": ["true"]}))
    assert_load_refused(runtime, oci_archive([image]).write_tar(tmp_path / "tall.tar"),
                        "61 layers", "overlay")


def test_names_normalized_and_digest_references_skipped(runtime, tmp_path):
    tag, layers, config = fixture_image()
    archive = docker_archive([(tag, layers, config)])
    manifest = json.loads(archive.files["manifest.json"])
    manifest[0]["RepoTags"] = ["docker.io/myorg/app:v1", "docker.io/library/tool:v2",
                               "index.docker.io/library/other:v3",
                               "busybox@sha256:" + "ab" * 32]
    archive.files["manifest.json"] = json.dumps(manifest).encode()
    load(runtime, archive.write_tar(tmp_path / "names.tar"))
    rows = {(row[0], row[1]) for row in image_rows(runtime)}
    assert {("myorg/app", "v1"), ("tool", "v2"), ("other", "v3")} <= rows, rows
    assert not any("docker.io" in row[0] or "@" in row[0] for row in rows), rows
    for ref in ("myorg/app:v1", "tool:v2", "other:v3"):
        runtime.md("rmi", ref, check=True)


def test_duplicate_keys_refused(runtime, tmp_path):
    """Go (Docker) reads the last of two equal keys, RapidJSON the first: refused, not guessed."""
    tag, layers, config = fixture_image()
    archive = docker_archive([(tag, layers, config)])
    manifest = archive.files["manifest.json"].decode()
    archive.files["manifest.json"] = manifest.replace('"Config"', '"Config": "x.json", "Config"')
    archive.files["manifest.json"] = archive.files["manifest.json"].encode()
    assert_load_refused(runtime, archive.write_tar(tmp_path / "dup.tar"), "given twice")
    doubled = config.replace(b'"os":', b'"os":"windows","os":', 1)
    archive = docker_archive([(tag, layers, doubled)])
    assert_load_refused(runtime, archive.write_tar(tmp_path / "dup.tar"), "given twice")
