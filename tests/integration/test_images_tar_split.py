"""Layers stored once (docs/images.md, "Storage"): a layer keeps its unpacked files and a record of
its tar stream's other bytes, and `save` rebuilds the exact stream from the two, so load -> save
-> load keeps every digest and saves the same bytes, for Docker and OCI archives and commits."""

import hashlib
import io
import json
import os
import tarfile
from pathlib import Path

import pytest

from image_fixtures import busybox_layer, config_for, docker_archive, oci_archive, sha256


def awkward_layer():
    """A layer with what a header record must carry exactly: GNU long names and links, pax
    records, hard links, symlinks, empty files, whiteouts, one name twice, a fifo and bytes after
    the end-of-archive blocks."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        def add(name, data=None, **kw):
            info = tarfile.TarInfo(name)
            info.mtime, info.mode = 1600000000, 0o644
            for k, v in kw.items():
                setattr(info, k, v)
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
        add("app", type=tarfile.DIRTYPE, mode=0o755)
        add("app/" + "n" * 120 + "/file", b"long name\n")  # implicit parent, GNU 'L'
        add("app/big", os.urandom(300000))
        add("app/empty", b"")
        add("app/hard", type=tarfile.LNKTYPE, linkname="app/big")
        add("app/sym", type=tarfile.SYMTYPE, linkname="/" + "t" * 150)  # GNU 'K'
        add("app/twice", b"first\n")
        add("app/twice", b"second version\n")
        add("app/fifo", type=tarfile.FIFOTYPE)
        add("etc", type=tarfile.DIRTYPE, mode=0o755)
        add("etc/.wh.motd", b"")
        add("etc/.wh..wh..opq", b"")
    pax = io.BytesIO()
    with tarfile.open(fileobj=pax, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo("pax/" + "p" * 200)
        info.size, info.mtime, info.uname = 4, 1600000000.5, "ünïcode"
        tar.addfile(info, io.BytesIO(b"pax\n"))
    # Two streams in one (the first one's end blocks cut), then trailing bytes.
    gnu = buf.getvalue()
    end = len(gnu.rstrip(b"\0"))
    end += -end % 512
    return gnu[:end] + pax.getvalue() + b"\0" * 1024 + b"trailing"


def image(layers, tag):
    run = {"Cmd": ["sh", "-c", "cat /app/twice"], "Env": ["PATH=/bin"]}
    return (tag, layers, config_for(layers, run))


def saved_layers(path):
    """{digest: bytes} of the layer blobs of a saved archive."""
    with tarfile.open(path) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        return {p.split("/")[-1]: tar.extractfile(p).read()
                for entry in manifest for p in entry["Layers"]}


def image_id(runtime, ref):
    return json.loads(runtime.md("image", "inspect", ref, check=True).stdout)[0]["Id"]


def layer_dir(runtime, data):
    return Path(runtime.root) / "layers" / "sha256" / hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("form", ["docker", "oci"])
def test_load_save_load_keeps_digests_and_bytes(runtime, tmp_path, form):
    top = awkward_layer()
    img = image([busybox_layer(), top], "split/awkward:v1")
    make = docker_archive if form == "docker" else oci_archive
    runtime.md("load", "-i", make([img]).write_tar(tmp_path / "in.tar"), check=True)
    stored = layer_dir(runtime, top)
    assert (stored / "tar-split").is_file() and not (stored / "layer.tar").exists()
    # The layer's content is not stored twice: the record is a small part of the stream.
    assert (stored / "tar-split").stat().st_size < 8192 < len(top)
    assert runtime.md("run", "--rm", "split/awkward:v1", check=True).stdout == "second version\n"
    first = tmp_path / "first.tar"
    runtime.md("save", "-o", first, "split/awkward:v1", check=True)
    blobs = saved_layers(first)
    assert blobs[hashlib.sha256(top).hexdigest()] == top
    assert blobs[hashlib.sha256(busybox_layer()).hexdigest()] == busybox_layer()
    want = image_id(runtime, "split/awkward:v1")
    assert want == sha256(img[2])
    runtime.md("rmi", "split/awkward:v1", "busybox", check=True)
    assert runtime.layer_dirs() == []
    runtime.md("load", "-i", first, check=True)
    assert image_id(runtime, "split/awkward:v1") == want
    second = tmp_path / "second.tar"
    runtime.md("save", "-o", second, "split/awkward:v1", check=True)
    assert first.read_bytes() == second.read_bytes()


def test_save_refuses_a_layer_whose_files_changed(runtime, tmp_path):
    top = awkward_layer()
    runtime.md("load", "-i", oci_archive([image([busybox_layer(), top], "split/t:v1")])
               .write_tar(tmp_path / "in.tar"), check=True)
    big = layer_dir(runtime, top) / "diff" / "app" / "big"
    data = bytearray(big.read_bytes())
    data[1000] ^= 0xff  # same size: only the digest tells
    big.write_bytes(bytes(data))
    out = tmp_path / "out.tar"
    r = runtime.md("save", "-o", out, "split/t:v1")
    assert r.returncode != 0
    lines = r.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("mydocker: "), r.stderr
    assert "cannot be rebuilt" in lines[0] and "changed since the layer was stored" in lines[0]
    assert not out.exists() or hashlib.sha256(top).hexdigest().encode() not in out.read_bytes()


def test_layer_stored_with_its_tar_by_an_older_version_still_saves(runtime, tmp_path):
    top = awkward_layer()
    runtime.md("load", "-i", docker_archive([image([busybox_layer(), top], "split/old:v1")])
               .write_tar(tmp_path / "in.tar"), check=True)
    stored = layer_dir(runtime, top)
    (stored / "layer.tar").write_bytes(top)
    (stored / "tar-split").unlink()
    # Garbage in diff/ does not matter: the kept stream is what is saved.
    (stored / "diff" / "app" / "big").write_bytes(b"changed")
    out = tmp_path / "out.tar"
    runtime.md("save", "-o", out, "split/old:v1", check=True)
    assert saved_layers(out)[hashlib.sha256(top).hexdigest()] == top


def test_commit_save_load_round_trip(runtime, tmp_path):
    runtime.md("run", "--name", "c1", "busybox", "sh", "-c",
               "mkdir -p /data && head -c 200000 /dev/urandom > /data/blob && "
               "echo hi > /data/small && ln /data/small /data/link && rm /bin/vi", check=True)
    committed = runtime.md("commit", "c1", "split/commit:v1", check=True).stdout.strip()
    runtime.md("rm", "c1", check=True)
    new = [d for d in runtime.layer_dirs()
           if d != hashlib.sha256(busybox_layer()).hexdigest()]
    assert len(new) == 1
    stored = Path(runtime.root) / "layers" / "sha256" / new[0]
    assert (stored / "tar-split").is_file() and not (stored / "layer.tar").exists()
    out = tmp_path / "c.tar"
    runtime.md("save", "-o", out, "split/commit:v1", check=True)
    blobs = saved_layers(out)
    assert hashlib.sha256(blobs[new[0]]).hexdigest() == new[0]
    runtime.md("rmi", "split/commit:v1", "busybox", check=True)
    runtime.md("load", "-i", out, check=True)
    assert image_id(runtime, "split/commit:v1") == committed
    r = runtime.md("run", "--rm", "split/commit:v1", "sh", "-c",
                   "wc -c < /data/blob; cat /data/link; ls /bin/vi", check=False)
    assert r.stdout.split()[:2] == ["200000", "hi"] and "No such file" in r.stderr
