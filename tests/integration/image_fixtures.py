"""Builds multi-layer image archives for the tests, in Docker's `docker save` form and as OCI image
layouts (directory or tar), from layers described in Python. Nothing is downloaded: the bottom
layer is the busybox root file system the suite already builds."""

import gzip
import hashlib
import io
import json
import platform
import tarfile
from pathlib import Path

from conftest import BUSYBOX_TAR

ARCH = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


def layer(*entries):
    """An uncompressed layer tar. Each entry: (name, content) for a file, (name, None) for a
    directory, (name, "->target") for a symlink."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, content in entries:
            info = tarfile.TarInfo(name)
            info.mtime = 1600000000
            if content is None:
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            elif isinstance(content, str) and content.startswith("->"):
                info.type, info.linkname = tarfile.SYMTYPE, content[2:]
                tar.addfile(info)
            else:
                data = content.encode() if isinstance(content, str) else content
                info.size, info.mode = len(data), 0o644
                tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def busybox_layer():
    return Path(BUSYBOX_TAR).read_bytes()


def config_for(layers, run_config, history_comment="fixture"):
    config = {
        "architecture": ARCH,
        "os": "linux",
        "created": "2024-01-02T03:04:05Z",
        "config": run_config,
        "rootfs": {"type": "layers", "diff_ids": [sha256(l) for l in layers]},
        "history": [{"created": "2024-01-02T03:04:05Z", "created_by": f"layer {i}",
                     "comment": history_comment} for i in range(len(layers))],
    }
    return json.dumps(config, separators=(",", ":")).encode()


class Archive:
    """Files of an archive by path; written as a tar or a directory."""

    def __init__(self):
        self.files = {}
        self.symlinks = {}  # path -> target

    def blob(self, data):
        digest = sha256(data)
        self.files["blobs/sha256/" + digest[7:]] = data
        return digest

    def write_tar(self, path, compress=False):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tar:
            for name, data in sorted(self.files.items()):
                info = tarfile.TarInfo(name)
                info.size, info.mode = len(data), 0o644
                tar.addfile(info, io.BytesIO(data))
            for name, target in sorted(self.symlinks.items()):
                info = tarfile.TarInfo(name)
                info.type, info.linkname = tarfile.SYMTYPE, target
                tar.addfile(info)
        data = buf.getvalue()
        Path(path).write_bytes(gzip.compress(data) if compress else data)
        return Path(path)

    def write_dir(self, path):
        for name, data in self.files.items():
            p = Path(path) / name
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
        return Path(path)


def oci_archive(images, compress_layers=False):
    """images: list of (tag or None, layers, config bytes). Returns an Archive in OCI form."""
    archive = Archive()
    manifests = []
    for tag, layers, config in images:
        descriptors = []
        for l in layers:
            data = gzip.compress(l, mtime=0) if compress_layers else l
            media = "application/vnd.oci.image.layer.v1.tar" + ("+gzip" if compress_layers else "")
            descriptors.append({"mediaType": media, "digest": archive.blob(data), "size": len(data)})
        manifest = json.dumps({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                       "digest": archive.blob(config), "size": len(config)},
            "layers": descriptors,
        }).encode()
        entry = {"mediaType": "application/vnd.oci.image.manifest.v1+json",
                 "digest": archive.blob(manifest), "size": len(manifest)}
        if tag:
            entry["annotations"] = {"org.opencontainers.image.ref.name": tag}
        manifests.append(entry)
    archive.files["oci-layout"] = b'{"imageLayoutVersion":"1.0.0"}'
    archive.files["index.json"] = json.dumps({"schemaVersion": 2, "manifests": manifests}).encode()
    return archive


def docker_archive(images):
    """The classic `docker save` form: <id>.json configs, <dir>/layer.tar, manifest.json. As
    Docker does, a layer that an image has already written is a symlink to that copy."""
    archive = Archive()
    entries = []
    written = {}
    for number, (tag, layers, config) in enumerate(images):
        config_name = sha256(config)[7:] + ".json"
        archive.files[config_name] = config
        paths = []
        for l in layers:
            path = hashlib.sha256(b"v1" + l + bytes([number])).hexdigest() + "/layer.tar"
            if written.get(l) == path:
                pass  # the same layer twice in one image: the same file
            elif l in written:
                archive.symlinks[path] = "../" + written[l]
            else:
                archive.files[path] = l
                written[l] = path
            paths.append(path)
        entries.append({"Config": config_name, "RepoTags": [tag] if tag else None, "Layers": paths})
    archive.files["manifest.json"] = json.dumps(entries).encode()
    return archive


PASSWD = "root:x:0:0:root:/root:/bin/sh\napp:x:1234:4321:app:/home/app:/bin/sh\n"
GROUP = "root:x:0:\napps:x:4321:\nextra:x:999:\n"

# Layer 1 adds files, users and a directory; layer 2 deletes /data/a and makes /opaque opaque.
LAYER1 = layer(("data", None), ("data/a", "a\n"), ("data/b", "b\n"), ("etc/passwd", PASSWD),
               ("etc/group", GROUP), ("opaque", None), ("opaque/x", "x\n"), ("opaque/y", "y\n"))
LAYER2 = layer(("data/.wh.a", b""), ("opaque", None), ("opaque/.wh..wh..opq", b""),
               ("opaque/z", "z\n"))

RUN_CONFIG = {
    "Env": ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "GREETING=hello"],
    "Cmd": ["sh", "-c", "echo $GREETING; pwd; id -u; id -g; ls /data; ls /opaque"],
    "WorkingDir": "/work",
    "User": "app",
    "ExposedPorts": {"8080/tcp": {}},
}
EXPECTED_OUTPUT = "hello\n/work\n1234\n4321\nb\nz\n"


def fixture_image(tag="fixture/multi:v1", run_config=None):
    layers = [busybox_layer(), LAYER1, LAYER2]
    return tag, layers, config_for(layers, run_config or RUN_CONFIG)
