"""Container.get_archive / put_archive / export / diff / commit (issue #17)."""

import io
import os
import tarfile

import pytest

import pymydocker


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
