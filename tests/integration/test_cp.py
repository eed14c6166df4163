"""cp: both directions, directories, tar streams, ownership and modes, running and stopped
containers, and symlinks planted in the container that must never lead to the host."""

import io
import os
import subprocess
import tarfile
import uuid

import pytest


def raw(runtime, *args, input=None):
    """Runs mydocker with bytes in and out (tar streams)."""
    return subprocess.run(runtime.cmd(*args), input=input, capture_output=True, timeout=60)


def sh(runtime, name, script):
    return runtime.md("exec", name, "sh", "-c", script, check=True).stdout


@pytest.fixture
def live(runtime):
    runtime.md("run", "-d", "--name", "live", "busybox", "sleep", "600", check=True)
    runtime.wait_running("live")
    yield "live"
    runtime.md("rm", "-f", "live", check=True)


def make_tree(base):
    os.makedirs(base / "d" / "sub")
    (base / "d" / "a.txt").write_text("alpha\n")
    (base / "d" / "sub" / "b.txt").write_text("beta\n")
    os.chmod(base / "d" / "sub" / "b.txt", 0o640)
    os.symlink("a.txt", base / "d" / "link")


def test_cp_file_both_directions(runtime, live, tmp_path):
    src = tmp_path / "hello.txt"
    src.write_text("hello from host\n")
    os.chmod(src, 0o751)
    runtime.md("cp", src, f"{live}:/tmp/", check=True)
    assert sh(runtime, live, "cat /tmp/hello.txt; stat -c '%a %u:%g' /tmp/hello.txt") == \
        "hello from host\n751 0:0\n"
    # A missing destination is the new name; an existing file is replaced.
    sh(runtime, live, "echo old > /tmp/existing")
    runtime.md("cp", src, f"{live}:/tmp/renamed", check=True)
    runtime.md("cp", src, f"{live}:/tmp/existing", check=True)
    assert sh(runtime, live, "cat /tmp/renamed /tmp/existing") == "hello from host\n" * 2
    runtime.md("cp", f"{live}:/etc/passwd", tmp_path, check=True)
    assert (tmp_path / "passwd").read_text().startswith("root:")
    runtime.md("cp", f"{live}:/etc/passwd", tmp_path / "pw2", check=True)
    assert (tmp_path / "pw2").read_text() == (tmp_path / "passwd").read_text()
    st = os.stat(tmp_path / "pw2")
    assert (st.st_uid, st.st_gid) == (os.geteuid(), os.getegid())


def test_cp_directories_docker_rules(runtime, live, tmp_path):
    make_tree(tmp_path)
    runtime.md("cp", tmp_path / "d", f"{live}:/tmp", check=True)       # into: /tmp/d
    runtime.md("cp", tmp_path / "d", f"{live}:/tmp/new", check=True)   # created: /tmp/new
    sh(runtime, live, "mkdir /tmp/existing")
    runtime.md("cp", f"{tmp_path / 'd'}/.", f"{live}:/tmp/existing", check=True)  # contents
    out = sh(runtime, live, "cd /tmp && find d new existing | sort; readlink d/link; "
                            "stat -c %a d/sub/b.txt; cat new/sub/b.txt")
    expected = []
    for top in ("d", "existing", "new"):
        expected += [top, f"{top}/a.txt", f"{top}/link", f"{top}/sub", f"{top}/sub/b.txt"]
    assert out.splitlines() == expected + ["a.txt", "640", "beta"]
    back = tmp_path / "back"
    back.mkdir()
    runtime.md("cp", f"{live}:/tmp/d", back, check=True)
    runtime.md("cp", f"{live}:/tmp/d/.", back / "flat", check=True)
    assert (back / "d" / "sub" / "b.txt").read_text() == "beta\n"
    assert os.readlink(back / "d" / "link") == "a.txt"
    assert (back / "flat" / "a.txt").read_text() == "alpha\n"
    assert oct(os.stat(back / "flat" / "sub" / "b.txt").st_mode & 0o777) == "0o640"
    # A directory onto a file, a file into a missing directory: refused, nothing written.
    r = runtime.md("cp", f"{live}:/tmp/d", back / "d" / "a.txt")
    assert r.returncode == 1 and "cannot overwrite non-directory" in r.stderr
    r = runtime.md("cp", f"{live}:/etc/passwd", f"{back}/nodir/")
    assert r.returncode == 1 and "does not exist" in r.stderr
    assert not (back / "nodir").exists()


def test_cp_follow_link(runtime, live, tmp_path):
    sh(runtime, live, "echo target > /tmp/t && ln -s /tmp/t /tmp/l")
    runtime.md("cp", f"{live}:/tmp/l", tmp_path / "nofollow", check=True)
    assert os.readlink(tmp_path / "nofollow") == "/tmp/t"
    runtime.md("cp", "-L", f"{live}:/tmp/l", tmp_path / "follow", check=True)
    assert (tmp_path / "follow").read_text() == "target\n"


def test_cp_tar_streams(runtime, live):
    r = raw(runtime, "cp", f"{live}:/etc/passwd", "-")
    assert r.returncode == 0, r.stderr
    with tarfile.open(fileobj=io.BytesIO(r.stdout)) as tar:
        assert tar.getnames() == ["passwd"]
        assert tar.extractfile("passwd").read().startswith(b"root:")
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        data = b"streamed\n"
        info = tarfile.TarInfo("in/s.txt")
        info.size, info.mode, info.uid, info.gid = len(data), 0o600, 1234, 5678
        tar.addfile(info, io.BytesIO(data))
    r = raw(runtime, "cp", "-a", "-", f"{live}:/tmp", input=buf.getvalue())
    assert r.returncode == 0, r.stderr
    assert sh(runtime, live, "cat /tmp/in/s.txt; stat -c '%a %u:%g' /tmp/in/s.txt") == \
        "streamed\n600 1234:5678\n"
    r = raw(runtime, "cp", "-", f"{live}:/etc/passwd", input=buf.getvalue())
    assert r.returncode == 1 and b"not a directory" in r.stderr


def test_cp_archive_keeps_owners(runtime, live, tmp_path):
    src = tmp_path / "owned"
    src.write_text("x\n")
    os.chown(src, 4321, 8765)
    os.chmod(src, 0o4755)
    runtime.md("cp", "-a", src, f"{live}:/tmp/a", check=True)
    runtime.md("cp", src, f"{live}:/tmp/plain", check=True)
    assert sh(runtime, live, "stat -c '%u:%g %a' /tmp/a /tmp/plain") == "4321:8765 4755\n0:0 4755\n"
    runtime.md("cp", "-a", f"{live}:/tmp/a", tmp_path / "kept", check=True)
    st = os.stat(tmp_path / "kept")
    assert (st.st_uid, st.st_gid) == (4321, 8765)


@pytest.fixture
def victim(tmp_path):
    """A host directory a planted symlink aims at: it must stay untouched and unread."""
    d = tmp_path / f"victim-{uuid.uuid4().hex[:8]}"
    d.mkdir()
    (d / "secret").write_text("host secret\n")
    return d


def test_cp_planted_symlinks_never_reach_the_host(runtime, live, tmp_path, victim):
    dots = "../" * 12
    sh(runtime, live, f"ln -s /etc /toetc; ln -s {victim} /tovictim; "
                      f"ln -s {dots}{str(victim).lstrip('/')} /dots; "
                      "ln -s /proc/self/root /selfroot; ln -s /proc/1/root /oneroot; "
                      "ln -s /proc /toproc; echo container-passwd > /tmp/marker")
    # Reads: /etc through the link is the container's; the victim is not there.
    runtime.md("cp", f"{live}:/toetc/passwd", tmp_path / "p", check=True)
    assert (tmp_path / "p").read_text() == sh(runtime, live, "cat /etc/passwd")
    for path in ("/tovictim/secret", "/dots/secret", "/selfroot/etc/passwd",
                 "/oneroot/etc/passwd", "/toproc/self/root/etc/passwd"):
        r = runtime.md("cp", f"{live}:{path}", tmp_path / "out")
        assert r.returncode == 1, (path, r.stdout, r.stderr)
        assert not (tmp_path / "out").exists()
    r = runtime.md("cp", "-L", f"{live}:/dots", tmp_path / "out")
    assert r.returncode == 1 and "Could not find the file" in r.stderr
    # Writes: through the links, into the container or nowhere.
    src = tmp_path / "payload"
    src.write_text("payload\n")
    for dest in ("/tovictim/", "/dots/", "/dots/secret", "/selfroot/tmp/", "/toproc/self/root/"):
        runtime.md("cp", src, f"{live}:{dest}")
    host_passwd = open("/etc/passwd").read()
    runtime.md("cp", src, f"{live}:/toetc/passwd", check=True)
    assert sh(runtime, live, "cat /etc/passwd") == "payload\n"
    assert open("/etc/passwd").read() == host_passwd
    assert sorted(os.listdir(victim)) == ["secret"]
    assert (victim / "secret").read_text() == "host secret\n"


def test_cp_hostile_stream_refused(runtime, live, victim):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        link = tarfile.TarInfo("esc")
        link.type, link.linkname = tarfile.SYMTYPE, str(victim)
        tar.addfile(link)
        data = b"overwritten\n"
        info = tarfile.TarInfo("esc/secret")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    r = raw(runtime, "cp", "-", f"{live}:/tmp", input=buf.getvalue())
    assert r.returncode == 1 and b"symlink" in r.stderr
    for name in ("../../../../" + str(victim).lstrip("/") + "/x", str(victim) + "/y"):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w") as tar:
            tar.addfile(tarfile.TarInfo(name), io.BytesIO(b""))
        r = raw(runtime, "cp", "-", f"{live}:/tmp", input=buf.getvalue())
        if name.startswith(".."):
            assert r.returncode == 1 and b"escapes" in r.stderr
    assert sorted(os.listdir(victim)) == ["secret"]
    assert (victim / "secret").read_text() == "host secret\n"


def test_cp_stopped_container_and_volumes(runtime, tmp_path):
    runtime.md("run", "--name", "stopped", "-v", "cpvol:/data", "busybox", "sh", "-c",
               "cat /in 2>/dev/null; cat /data/v 2>/dev/null; echo made > /made; "
               "ln -sfn /etc /toetc", check=True)
    runtime.md("cp", "stopped:/made", tmp_path / "made", check=True)
    assert (tmp_path / "made").read_text() == "made\n"
    runtime.md("cp", "stopped:/toetc/passwd", tmp_path / "pw", check=True)
    assert (tmp_path / "pw").read_text().startswith("root:")
    src = tmp_path / "in"
    src.write_text("copied while stopped\n")
    runtime.md("cp", src, "stopped:/in", check=True)
    runtime.md("cp", src, "stopped:/data/v", check=True)
    r = runtime.md("start", "-a", "stopped", check=True)
    assert r.stdout == "copied while stopped\n" * 2
    runtime.md("rm", "stopped", check=True)
    runtime.md("volume", "rm", "cpvol", check=True)


def test_cp_running_container_volume(runtime, tmp_path):
    runtime.md("run", "-d", "--name", "withvol", "-v", "cpvol2:/data", "busybox", "sleep", "600",
               check=True)
    runtime.wait_running("withvol")
    src = tmp_path / "f"
    src.write_text("into the volume\n")
    runtime.md("cp", src, "withvol:/data/", check=True)
    assert sh(runtime, "withvol", "cat /data/f") == "into the volume\n"
    runtime.md("rm", "-f", "withvol", check=True)
    r = runtime.md("run", "--rm", "-v", "cpvol2:/data", "busybox", "cat", "/data/f", check=True)
    assert r.stdout == "into the volume\n"
    runtime.md("volume", "rm", "cpvol2", check=True)


def test_cp_errors(runtime, live, tmp_path):
    r = runtime.md("cp", "nosuch:/etc/passwd", tmp_path)
    assert r.returncode == 1 and "no such container" in r.stderr.lower()
    r = runtime.md("cp", f"{live}:/no/such/path", tmp_path)
    assert r.returncode == 1
    assert f"Could not find the file /no/such/path in container {live}" in r.stderr
    r = runtime.md("cp", tmp_path / "missing", f"{live}:/tmp")
    assert r.returncode == 1 and "no such file or directory" in r.stderr.lower()
    r = runtime.md("cp", tmp_path, f"{live}:/no/such/dir/x")
    assert r.returncode == 1 and "Could not find the file" in r.stderr
    r = runtime.md("cp", f"{live}:/etc/passwd", f"{live}:/tmp")
    assert r.returncode == 1 and "copying between containers is not supported" in r.stderr
    r = runtime.md("cp", tmp_path, tmp_path / "x")
    assert r.returncode == 1 and "must specify at least one container source" in r.stderr
    r = runtime.md("cp", "--bogus", f"{live}:/etc/passwd", tmp_path)
    assert r.returncode == 125 and "unknown flag: --bogus" in r.stderr
