"""Container.get_archive / put_archive / export / diff / commit (issue #17)."""

import io
import os
import tarfile
import time

import pytest

import pymydocker
from conftest import wait_for


def tar_of(name, data, mode=0o644, uid=0, gid=0):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.uid, info.gid = len(data), mode, uid, gid
        tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_archives_in_and_out(rt, tmp_path):
    with rt.run("busybox", ["sleep", "60"], detach=True) as c:
        c.put_archive("/tmp", tar_of("a.txt", b"bytes\n", uid=7, gid=8), keep_owner=True)
        c.put_archive("/tmp", io.BytesIO(tar_of("b.txt", b"file object\n")))
        path = tmp_path / "c.tar"
        path.write_bytes(tar_of("c.txt", b"descriptor\n", mode=0o600))
        with open(path, "rb") as f:
            c.put_archive("/tmp", f)
        data = c.get_archive("/tmp/a.txt")
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            member = tar.getmember("a.txt")
            assert (member.uid, member.gid) == (7, 8)
            assert tar.extractfile(member).read() == b"bytes\n"
        with open(tmp_path / "out.tar", "wb") as f:
            assert c.get_archive("/tmp/.", fd=f.fileno()) is None
        with tarfile.open(tmp_path / "out.tar") as tar:
            names = set(tar.getnames())
            assert {"a.txt", "b.txt", "c.txt"} <= names
            assert tar.getmember("c.txt").mode & 0o777 == 0o600
        with pytest.raises(pymydocker.NotFound):
            c.get_archive("/no/such")
        with pytest.raises(pymydocker.InvalidArgument):
            c.put_archive("/etc/passwd", tar_of("x", b""))
        with pytest.raises(pymydocker.InvalidArgument):
            c.put_archive("/tmp", tar_of("../../escape", b""))
        c.kill()
        c.wait(timeout=20)


def test_export_diff_commit(rt):
    with rt.run("busybox", ["sh", "-c", "echo hi > /hi; rm /etc/group; echo $X"],
                env={"X": "kept"}) as c:
        kinds = {d["Path"]: d["Kind"] for d in c.diff()}
        assert kinds["/hi"] == 1 and kinds["/etc/group"] == 2 and kinds["/etc"] == 0
        with tarfile.open(fileobj=io.BytesIO(c.export())) as tar:
            names = set(tar.getnames())
        assert "hi" in names and "etc/group" not in names
        image = c.commit("snap:py", message="from python", author="me",
                         changes=["LABEL a=b"], pause=False)
        assert "snap:py" in image.tags
        assert rt.run("snap:py", ["sh", "-c", "echo $X"], remove=True).output == b"kept\n"
        assert rt.images.inspect("snap:py")["Config"]["Labels"] == {"a": "b"}
        with pytest.raises(pymydocker.InvalidArgument):
            c.commit("never", changes=["RUN true"])


def test_attach_two_clients_input_and_exit_code(rt):
    import threading
    with rt.run("busybox", ["sh"], detach=True, stdin_open=True) as c:
        wait_for(lambda: c.status == "running", what="the container to run")
        watched = {}
        watcher = threading.Thread(target=lambda: watched.update(result=c.attach()))
        watcher.start()
        time.sleep(0.3)  # the watcher connects first; the GIL is free while it waits
        code, output = c.attach(b"sleep 0.5; echo from-''python; echo err >&2; exit 4\n",
                                stderr=False)
        assert (code, output) == (4, b"from-python\n")
        watcher.join(timeout=20)
        code, output = watched["result"]  # both streams; their order between them may vary
        assert code == 4 and sorted(output.splitlines()) == [b"err", b"from-python"]
        with pytest.raises(pymydocker.Conflict):
            c.attach()


def test_attach_detaches_by_keys_and_by_callback(rt):
    with rt.run("busybox", ["sh"], detach=True, stdin_open=True, tty=True) as c:
        wait_for(lambda: c.status == "running", what="the container to run")
        assert c.attach("\x18y", detach_keys="ctrl-x,y") == (None, b"")
        assert c.status == "running"
        chunks = []
        code, _ = c.attach("echo called''back\n",
                           callback=lambda stream, data: chunks.append(data) or
                           b"calledback" in b"".join(chunks))
        assert code is None and b"calledback" in b"".join(chunks)
        assert c.status == "running"

        def fail(stream, data):
            raise RuntimeError("from the callback")
        with pytest.raises(RuntimeError, match="from the callback"):
            c.attach("echo again\n", callback=fail)
        with pytest.raises(pymydocker.InvalidArgument, match="Invalid detach keys"):
            c.attach(detach_keys="ctrl-1")
