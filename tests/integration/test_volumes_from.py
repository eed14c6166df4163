"""The image's VOLUMEs (anonymous volumes holding the image's content), --volumes-from, and
inspect's Mounts and the options it shows as given (#18)."""

import ctypes
import io
import json
import os
import re
import struct
import tarfile
import tempfile
import subprocess

import pytest

from conftest import assert_refused_before_anything_is_created
from image_fixtures import busybox_layer, config_for, docker_archive

HEX64 = re.compile(r"^[0-9a-f]{64}$")


def owned_layer():
    """/data (1234:1234, mode 0750) holding seed and sub/deep; /etc/motd outside any volume."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        def add(name, content=None, mode=0o644, uid=0):
            info = tarfile.TarInfo(name)
            info.mtime, info.uid, info.gid, info.mode = 1600000000, uid, uid, mode
            if content is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(content)
                tar.addfile(info, io.BytesIO(content))
        add("data", mode=0o750, uid=1234)
        add("data/seed", b"seeded\n", uid=1234)
        add("data/sub", mode=0o700)
        add("data/sub/deep", b"deep\n")
    return buf.getvalue()


@pytest.fixture
def volume_image(runtime, tmp_path):
    layers = [busybox_layer(), owned_layer()]
    config = config_for(layers, {"Cmd": ["sh"], "Volumes": {"/data": {}, "/fresh": {}},
                                 "Entrypoint": ["/bin/busybox"], "User": "0:0"})
    path = tmp_path / "img.tar"
    docker_archive([("vol/img:v1", layers, config)]).write_tar(path)
    assert runtime.md("load", "-i", str(path)).returncode == 0
    return "vol/img:v1"


def inspect(runtime, name):
    return json.loads(runtime.md("inspect", name, check=True).stdout)[0]


def volumes(runtime):
    return runtime.md("volume", "ls", "-q", check=True).stdout.split()


def test_image_volumes_are_anonymous_volumes_with_the_images_content(runtime, volume_image):
    r = runtime.md("run", "--name", "c", "--entrypoint", "", volume_image, "sh", "-c",
                   "cat /data/seed /data/sub/deep; stat -c '%u:%g %a' /data; ls -A /fresh")
    assert (r.returncode, r.stdout) == (0, "seeded\ndeep\n1234:1234 750\n"), r.stderr
    names = volumes(runtime)
    assert len(names) == 2 and all(HEX64.match(n) for n in names), names
    mounts = {m["Destination"]: m for m in inspect(runtime, "c")["Mounts"]}
    assert sorted(mounts) == ["/data", "/fresh"]
    data = mounts["/data"]
    assert (data["Type"], data["Driver"], data["RW"]) == ("volume", "local", True)
    assert data["Name"] in names and data["Source"].endswith(f"/volumes/{data['Name']}/_data")
    # A restart keeps the content the container wrote (the volume is filled once).
    r = runtime.md("run", "--rm", "-v", f"{data['Name']}:/v", "busybox", "sh", "-c",
                   "echo changed > /v/seed")
    assert r.returncode == 0, r.stderr
    r = runtime.md("start", "-a", "c")
    assert r.stdout.startswith("changed\n"), (r.stdout, r.stderr)
    assert runtime.md("rm", "-v", "c").returncode == 0
    assert volumes(runtime) == []


def test_given_mounts_replace_image_volumes_and_rm_removes_the_rest(runtime, volume_image):
    r = runtime.md("run", "--rm", "-v", "named:/data", "--entrypoint", "", volume_image,
                   "cat", "/data/seed")
    assert (r.returncode, r.stdout) == (0, "seeded\n"), r.stderr  # a new named volume is filled
    assert volumes(runtime) == ["named"]  # --rm took /fresh's anonymous volume with it
    r = runtime.md("run", "--rm", "--mount", "type=volume,src=bare,dst=/data,volume-nocopy",
                   "--entrypoint", "", volume_image, "ls", "-A", "/data")
    assert (r.returncode, r.stdout) == (0, ""), r.stderr
    # A named volume that already holds something is not filled again.
    r = runtime.md("run", "--rm", "-v", "bare:/x", "busybox", "sh", "-c", "echo mine > /x/f")
    assert r.returncode == 0, r.stderr
    r = runtime.md("run", "--rm", "-v", "bare:/data", "--entrypoint", "", volume_image,
                   "ls", "-A", "/data")
    assert (r.returncode, r.stdout) == (0, "f\n"), r.stderr
    for name in ("named", "bare"):
        assert runtime.md("volume", "rm", name).returncode == 0


def _creations_watch(directory):
    """An inotify descriptor reporting what is created (or renamed) into `directory`."""
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
    assert fd >= 0, os.strerror(ctypes.get_errno())
    in_create, in_moved_to = 0x100, 0x80
    assert libc.inotify_add_watch(fd, directory.encode(), in_create | in_moved_to) >= 0
    return fd


def _created_names(fd):
    names = []
    try:
        data = os.read(fd, 65536)
    except BlockingIOError:
        return names
    while data:
        _, _, _, length = struct.unpack_from("iIII", data)
        names.append(data[16:16 + length].rstrip(b"\0").decode())
        data = data[16 + length:]
    return names


def test_creates_racing_on_one_empty_volume_fill_it_once(runtime, volume_image):
    for attempt in range(3):
        name = f"race{attempt}"
        runtime.md("volume", "create", name, check=True)
        data = json.loads(runtime.md("volume", "inspect", name, check=True).stdout)[0]
        watch = _creations_watch(data["Mountpoint"])
        try:
            procs = [runtime.popen("create", "-v", f"{name}:/data", volume_image)
                     for _ in range(6)]
            results = [(p.wait(timeout=60), p.stderr.read()) for p in procs]
            assert all(rc == 0 for rc, _ in results), results
            # One fill: seed and sub arrive once (a second copy would make them again).
            created = _created_names(watch)
            assert sorted(created) == ["seed", "sub"], created
        finally:
            os.close(watch)
        r = runtime.md("run", "--rm", "-v", f"{name}:/v", "busybox", "sh", "-c",
                       "cat /v/seed /v/sub/deep; stat -c '%u %a' /v")
        assert (r.returncode, r.stdout) == (0, "seeded\ndeep\n1234 750\n"), r.stderr
        assert runtime.md("rm", *runtime.md("ps", "-aq", check=True).stdout.split()).returncode == 0
        assert runtime.md("volume", "rm", name).returncode == 0


def test_volumes_from_shares_volumes_and_binds(runtime):
    host = tempfile.mkdtemp(prefix="mydocker-vf-")
    try:
        r = runtime.md("create", "--name", "src", "-v", "/shared", "-v", "named:/n",
                       "-v", f"{host}:/h:ro", "busybox", "true")
        assert r.returncode == 0, r.stderr
        r = runtime.md("run", "--name", "user", "--volumes-from", "src", "busybox", "sh", "-c",
                       "echo hi > /shared/f; echo n > /n/f; touch /h/x 2>/dev/null || echo ro")
        assert (r.returncode, r.stdout) == (0, "ro\n"), r.stderr
        r = runtime.md("run", "--rm", "--volumes-from", "src:ro", "busybox", "sh", "-c",
                       "cat /shared/f; touch /shared/g 2>/dev/null || echo ro")
        assert (r.returncode, r.stdout) == (0, "hi\nro\n"), r.stderr
        # A -v for the same destination wins over the other container's.
        r = runtime.md("run", "--rm", "--volumes-from", "src", "-v", "/shared", "busybox",
                       "ls", "-A", "/shared")
        assert (r.returncode, r.stdout) == (0, ""), r.stderr
        info = inspect(runtime, "user")
        assert info["HostConfig"]["VolumesFrom"] == ["src"]
        shared = [m for m in info["Mounts"] if m["Destination"] == "/shared"][0]
        src_shared = [m for m in inspect(runtime, "src")["Mounts"]
                      if m["Destination"] == "/shared"][0]
        assert (shared["Type"], shared["Name"]) == ("volume", src_shared["Name"])
        bind = [m for m in info["Mounts"] if m["Destination"] == "/h"][0]
        assert (bind["Type"], bind["Source"], bind["RW"]) == ("bind", host, False)
        # rm -v of the user keeps the volume src still has; rm -v src then removes it.
        assert runtime.md("rm", "-v", "user").returncode == 0
        assert src_shared["Name"] in volumes(runtime)
        assert runtime.md("rm", "-v", "src").returncode == 0
        assert volumes(runtime) == ["named"]
        assert runtime.md("volume", "rm", "named").returncode == 0
    finally:
        subprocess.run(["rm", "-rf", host], check=True)


def test_volumes_from_a_container_recorded_before_its_mount_points(runtime):
    """A container made before "Mounts" was recorded in its createOptions: its volumes and
    binds are recovered from its OCI mounts."""
    host = tempfile.mkdtemp(prefix="mydocker-vf-")
    try:
        r = runtime.md("create", "--name", "old", "-v", "/shared", "-v", "named:/n",
                       "-v", f"{host}:/h:ro", "busybox", "sh", "-c", "echo old > /shared/f")
        assert r.returncode == 0, r.stderr
        assert runtime.md("start", "-a", "old").returncode == 0
        cid = r.stdout.strip()
        path = runtime.container_dir(cid) / "config.json"
        config = json.loads(path.read_text())
        record = json.loads(config["annotations"]["com.mydocker.createOptions"])
        assert len(record.pop("Mounts")) == 3
        config["annotations"]["com.mydocker.createOptions"] = json.dumps(record)
        path.write_text(json.dumps(config))
        assert inspect(runtime, "old")["Mounts"] == []  # made to look old indeed
        r = runtime.md("run", "--rm", "--volumes-from", "old", "busybox", "sh", "-c",
                       "cat /shared/f; echo n > /n/f; touch /h/x 2>/dev/null || echo ro")
        assert (r.returncode, r.stdout) == (0, "old\nro\n"), r.stderr
        r = runtime.md("run", "--rm", "-v", "named:/v", "busybox", "cat", "/v/f")
        assert (r.returncode, r.stdout) == (0, "n\n"), r.stderr
        assert runtime.md("rm", "-v", "old").returncode == 0
        assert runtime.md("volume", "rm", "named").returncode == 0
        assert volumes(runtime) == []
    finally:
        subprocess.run(["rm", "-rf", host], check=True)


@pytest.mark.parametrize("spec,message", [("missing", "No such container"),
                                          ("src:rx", "invalid mode: rx"),
                                          ("src:ro:rw", "invalid volumes-from")])
def test_bad_volumes_from_is_refused(runtime, spec, message):
    assert_refused_before_anything_is_created(runtime, ["--volumes-from", spec], message)


def test_inspect_shows_the_options_as_given(runtime, volume_image):
    r = runtime.md("run", "-d", "--name", "opts", "--cap-add", "NET_ADMIN", "--cap-drop", "CHOWN",
                   "--tmpfs", "/run:size=1m", "--mount", "type=tmpfs,dst=/t", "-u", "1:2",
                   volume_image, "sleep", "600")
    assert r.returncode == 0, r.stderr
    info = inspect(runtime, "opts")
    assert info["State"]["ExitCode"] == 0 and info["State"]["Running"]
    assert info["Config"]["Entrypoint"] == ["/bin/busybox"]
    assert info["Config"]["Cmd"] == ["sleep", "600"]
    assert info["Config"]["User"] == "1:2"
    host = info["HostConfig"]
    assert (host["Privileged"], host["CapAdd"], host["CapDrop"]) == (False, ["NET_ADMIN"],
                                                                      ["CHOWN"])
    assert host["Tmpfs"] == {"/run": "size=1m"}
    kinds = sorted((m["Type"], m["Destination"]) for m in info["Mounts"])
    assert kinds == [("tmpfs", "/t"), ("volume", "/data"), ("volume", "/fresh")]
    assert runtime.md("rm", "-f", "-v", "opts").returncode == 0
    r = runtime.md("create", "--name", "plain", "--privileged", "busybox", "true")
    assert r.returncode == 0, r.stderr
    info = inspect(runtime, "plain")
    assert info["Config"]["Entrypoint"] is None and info["Config"]["User"] == ""
    assert (info["HostConfig"]["Privileged"], info["HostConfig"]["CapAdd"]) == (True, None)
    assert info["Mounts"] == []
    assert runtime.md("rm", "plain").returncode == 0


def test_volume_labels(runtime):
    r = runtime.md("volume", "create", "--label", "tier=db", "--label", "keep", "lab")
    assert (r.returncode, r.stdout) == (0, "lab\n"), r.stderr
    assert runtime.md("volume", "create", "plain").returncode == 0
    info = json.loads(runtime.md("volume", "inspect", "lab", check=True).stdout)[0]
    assert info["Labels"] == {"tier": "db", "keep": ""}
    ls = runtime.md("volume", "ls", "-q", "--filter", "label=tier=db", check=True).stdout.split()
    assert ls == ["lab"]
    assert runtime.md("volume", "ls", "-q", "--filter", "label=keep",
                      check=True).stdout.split() == ["lab"]
    assert runtime.md("volume", "ls", "-q", "--filter", "label=tier=web",
                      check=True).stdout == ""
    r = runtime.md("volume", "ls", "--format", "{{.Name}} {{.Labels}}", "--filter", "label=tier")
    assert r.stdout == "lab keep=,tier=db\n", r.stderr
    r = runtime.md("volume", "create", "--label", "=x", "bad")
    assert r.returncode == 125 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert sorted(volumes(runtime)) == ["lab", "plain"]
    for name in ("lab", "plain"):
        assert runtime.md("volume", "rm", name).returncode == 0
