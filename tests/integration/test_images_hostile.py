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
