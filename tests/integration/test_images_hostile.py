"""Hostile archives and images found by the security review of load, save, commit and user
lookup: each is refused cleanly (or handled) with nothing stored."""

import json

from image_fixtures import busybox_layer, config_for, docker_archive, fixture_image, oci_archive
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
