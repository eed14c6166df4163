"""What the Python face gained with C API 1.6: exec's options (terminal, stdin, demux, stream,
timeout), logs since/until and a log driver, image tag/save/load/history, volumes and features()
(`port` as data, Container.ports, is tested in test_networks.py)."""

import datetime
import os
import time

import pytest

import pymydocker


def test_exec_demux_stdin_and_tty(rt):
    with rt.run("busybox", ["sleep", "30"], detach=True) as c:
        code, (out, err) = c.exec(["sh", "-c", "echo out; echo err >&2; exit 3"], demux=True)
        assert (code, out, err) == (3, b"out\n", b"err\n")
        # stdin is read to its end, then end of file.
        assert c.exec(["sh", "-c", "wc -l; cat"], stdin=b"a\nb\n") == (0, b"2\n")
        assert c.exec(["cat"], stdin="text in\n") == (0, b"text in\n")
        assert c.exec(["cat"]) == (0, b"")  # no stdin: end of file at once
        # A terminal: the command sees one, its output comes through it (\r\n).
        code, out = c.exec(["sh", "-c", "test -t 1 && echo tty"], tty=True)
        assert (code, out) == (0, b"tty\r\n")
        code, (out, err) = c.exec(["sh", "-c", "echo both >&2"], tty=True, demux=True)
        assert (out, err) == (b"both\r\n", None)
        assert c.exec(["sh", "-c", "test -t 1 || echo pipe"]) == (0, b"pipe\n")
        with pytest.raises(TypeError):
            c.exec(["cat"], stdin=3)


def test_exec_timeout_ends_the_command(rt):
    with rt.run("busybox", ["sleep", "60"], detach=True) as c:
        started = time.monotonic()
        with pytest.raises(pymydocker.Timeout):
            c.exec(["sleep", "30"], timeout=0.5)
        assert 0.5 <= time.monotonic() - started < 5
        # SIGTERM reached the command: no sleep 30 is left in the container (its init is
        # sleep 60).
        assert [p.command for p in c.top()] == ["sleep 60"]
        # One that ends in time is not affected.
        assert c.exec(["sh", "-c", "exit 2"], timeout=30) == (2, b"")
        with pytest.raises(pymydocker.InvalidArgument):
            c.exec(["true"], timeout=-1)


def test_exec_stream(rt):
    with rt.run("busybox", ["sleep", "30"], detach=True) as c:
        stream = c.exec(["sh", "-c", "echo one; sleep 0.5; echo two; exit 5"], stream=True)
        assert isinstance(stream, pymydocker.ExecStream)
        assert stream.exit_code is None
        chunks = []
        first_at = None
        started = time.monotonic()
        for chunk in stream:
            if first_at is None:
                first_at = time.monotonic() - started
            chunks.append(chunk)
        assert b"".join(chunks) == b"one\ntwo\n"
        assert first_at < 0.45  # "one" came before the command ended
        assert stream.exit_code == 5

        pairs = list(c.exec(["sh", "-c", "echo o; sleep 0.2; echo e >&2"], stream=True, demux=True))
        assert (b"o\n", None) in pairs and (None, b"e\n") in pairs

        # Closing a stream early stops the command.
        with c.exec(["sh", "-c", "echo start; exec sleep 31"], stream=True) as s:
            assert next(s) == b"start\n"
            # The command runs (sh, or sleep once it exec'd).
            assert [p for p in c.top() if p.command in ("sleep 31", "sh -c echo start; exec sleep 31")]
        assert [p.command for p in c.top()] == ["sleep 30"]  # only the init is left
        failing = c.exec(["no-such-command"], stream=True)
        with pytest.raises(pymydocker.CommandError) as info:
            list(failing)
        assert info.value.exit_code == 127
        assert list(failing) == []  # raised once, then the iteration ends
        # A timeout ends a stream too.
        slow = c.exec(["sh", "-c", "echo begin; exec sleep 30"], stream=True, timeout=0.5)
        assert next(slow) == b"begin\n"
        with pytest.raises(pymydocker.Timeout):
            list(slow)


def test_logs_since_until_and_log_config(rt):
    with rt.run("busybox", ["sh", "-c", "echo early; sleep 1.2; echo late"],
                log_config={"type": "json-file", "config": {"max-size": "1m", "max-file": 2}}) as c:
        config = c.inspect()["HostConfig"]["LogConfig"]
        assert config == {"Type": "json-file", "Config": {"max-size": "1m", "max-file": "2"}}
        assert c.logs() == "early\nlate\n"
        created = datetime.datetime.fromisoformat(c.inspect()["State"]["StartedAt"][:26] + "+00:00")
        middle = created + datetime.timedelta(seconds=0.6)
        assert c.logs(since=middle) == "late\n"
        assert c.logs(until=middle) == "early\n"
        assert c.logs(since=middle.timestamp()) == "late\n"
        assert c.logs(until=f"{middle.timestamp():.6f}") == "early\n"
        assert c.logs(since="1h") == "early\nlate\n"
        assert list(c.logs(follow=True, since=middle)) == ["late\n"]
        with pytest.raises(pymydocker.InvalidArgument, match="since"):
            c.logs(since="not a time")
        with pytest.raises(TypeError):
            c.logs(since=[1])
    with rt.run("busybox", ["true"], log_config={"Type": "none"}) as c:
        with pytest.raises(pymydocker.Conflict, match="none"):
            c.logs()
    with pytest.raises(pymydocker.InvalidArgument, match="syslog"):
        rt.run("busybox", ["true"], log_config={"type": "syslog"})
    with pytest.raises(pymydocker.InvalidArgument, match="colour"):
        rt.containers.create("busybox", ["true"], log_config={"config": {"colour": "blue"}})
    with pytest.raises(TypeError):
        rt.run("busybox", ["true"], log_config="json-file")


def test_image_tag_history_save_and_load(rt, tmp_path):
    busybox = rt.images.get("busybox")
    rt.images.tag("busybox", "py:v1")
    assert rt.images.get("py:v1").id == busybox.id
    history = rt.images.history("py:v1")
    assert history[0]["Id"] == busybox.id and "py:v1" in history[0]["Tags"]
    assert set(history[0]) == {"Id", "Created", "CreatedBy", "Tags", "Size", "Comment"}
    assert sum(step["Size"] for step in history) > 0
    with pytest.raises(pymydocker.NotFound):
        rt.images.tag("no-such-image", "x:y")
    with pytest.raises(pymydocker.NotFound):
        rt.images.history("no-such-image")

    archive = tmp_path / "saved.tar"
    with pytest.raises(pymydocker.NotFound, match="no-such-image"):
        rt.images.save(["py:v1", "no-such-image"], archive)
    assert not archive.exists()
    rt.images.save("py:v1", archive)
    assert archive.stat().st_size > 10240
    rt.images.remove("py:v1")
    with pytest.raises(pymydocker.NotFound):
        rt.images.get("py:v1")
    loaded = rt.images.load(archive)
    assert [i.id for i in loaded] == [busybox.id] and "py:v1" in loaded[0].tags
    assert rt.images.get("py:v1").id == busybox.id
    with pytest.raises(pymydocker.NotFound):
        rt.images.load(tmp_path / "missing.tar")


def test_volumes(rt):
    vol = rt.volumes.create("pyvol")
    assert vol["Name"] == "pyvol" and vol["Driver"] == "local"
    assert vol["Mountpoint"].endswith("/volumes/pyvol/_data")
    assert rt.volumes.create("pyvol")["CreatedAt"] == vol["CreatedAt"]  # the existing one
    generated = rt.volumes.create()
    assert len(generated["Name"]) == 64
    with pytest.raises(pymydocker.InvalidArgument):
        rt.volumes.create("bad/name")
    with pytest.raises(pymydocker.NotFound):
        rt.volumes.get("no-such-volume")
    with rt.run("busybox", ["sh", "-c", "echo kept > /data/f"], volumes=["pyvol:/data", "/anon"]) as c:
        assert c.exit_code == 0
        names = {v["Name"] for v in rt.volumes.list()}
        assert {"pyvol", generated["Name"]} < names and len(names) == 3
        with pytest.raises(pymydocker.Conflict, match="in use"):
            rt.volumes.remove("pyvol")
        assert rt.volumes.prune(all=True) == [generated["Name"]]  # the used ones stay
        c.remove()  # without volumes=True: its anonymous volume stays
    with open(os.path.join(rt.volumes.get("pyvol")["Mountpoint"], "f")) as f:
        assert f.read() == "kept\n"
    anonymous = [v["Name"] for v in rt.volumes.list() if v["Anonymous"]]
    assert len(anonymous) == 1
    assert rt.volumes.prune() == anonymous
    assert [v["Name"] for v in rt.volumes.list()] == ["pyvol"]
    rt.volumes.remove("pyvol")
    with pytest.raises(pymydocker.NotFound):
        rt.volumes.remove("pyvol")
    assert rt.volumes.list() == []


def test_features():
    features = pymydocker.features()
    assert features["annotations"]["io.mydocker.version"] == pymydocker.__version__
    assert "pid" in features["linux"]["namespaces"]
    assert "SCMP_ACT_ERRNO" in features["linux"]["seccomp"]["actions"]
