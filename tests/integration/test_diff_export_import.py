"""diff, export, top-level import with --change, and commit recording the container's
configuration (Env, Cmd, WorkingDir, User, StopSignal) plus -a, -c, -m, -p (issue #17)."""

import io
import json
import subprocess
import tarfile

import pytest


def raw(runtime, *args, input=None):
    return subprocess.run(runtime.cmd(*args), input=input, capture_output=True, timeout=60)


def image_config(runtime, ref):
    return json.loads(runtime.md("image", "inspect", ref, check=True).stdout)[0]


CHANGES = ("echo new > /new; rm /etc/group; echo more >> /etc/passwd; mkdir -p /tmp/d/e; "
           "echo f > /tmp/d/e/f")


def test_diff_lists_changes_as_docker(runtime):
    runtime.md("run", "--name", "changed", "busybox", "sh", "-c", CHANGES, check=True)
    lines = runtime.md("diff", "changed", check=True).stdout.splitlines()
    for line in ("A /new", "D /etc/group", "C /etc", "C /etc/passwd", "A /tmp/d", "A /tmp/d/e",
                 "A /tmp/d/e/f"):
        assert line in lines, (line, lines)
    assert lines == sorted(lines, key=lambda l: l[2:])
    r = runtime.md("diff", "nosuch")
    assert r.returncode == 1 and "no such container" in r.stderr


def test_diff_of_a_running_container(runtime):
    runtime.md("run", "-d", "--name", "live", "busybox", "sh", "-c", "echo x > /x; sleep 600",
               check=True)
    runtime.wait_running("live")
    runtime.md("exec", "live", "sh", "-c", "while [ ! -e /x ]; do sleep 0.05; done", check=True)
    assert "A /x" in runtime.md("diff", "live", check=True).stdout.splitlines()
    runtime.md("rm", "-f", "live", check=True)


def exported_names(data):
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        return {m.name: m for m in tar.getmembers()}


def test_export_stopped_and_running(runtime, tmp_path):
    runtime.md("run", "--name", "exp", "busybox", "sh", "-c", CHANGES, check=True)
    r = raw(runtime, "export", "exp")
    assert r.returncode == 0, r.stderr
    names = exported_names(r.stdout)
    assert "new" in names and "etc/passwd" in names and "bin/busybox" in names
    assert "etc/group" not in names
    assert not any(n.startswith("/") or n.startswith("..") for n in names)
    runtime.md("export", "-o", tmp_path / "exp.tar", "exp", check=True)
    assert exported_names((tmp_path / "exp.tar").read_bytes()).keys() == names.keys()
    # Running, with a volume: the volume and /proc are not part of the export.
    runtime.md("run", "-d", "--name", "runexp", "-v", "expvol:/data", "busybox", "sh", "-c",
               "echo v > /data/v; echo r > /r; sleep 600", check=True)
    runtime.wait_running("runexp")
    runtime.md("exec", "runexp", "sh", "-c", "while [ ! -e /r ]; do sleep 0.05; done", check=True)
    names = exported_names(raw(runtime, "export", "runexp").stdout)
    assert "r" in names and "data/v" not in names
    assert not any(n.startswith("proc/") for n in names)
    runtime.md("rm", "-f", "runexp", check=True)
    runtime.md("volume", "rm", "expvol", check=True)
    r = runtime.md("export", "-o", tmp_path / "x.tar", "nosuch")
    assert r.returncode == 1 and not (tmp_path / "x.tar").exists()


def test_import_with_changes_and_message(runtime, tmp_path):
    runtime.md("run", "--name", "src", "busybox", "sh", "-c", CHANGES, check=True)
    runtime.md("export", "-o", tmp_path / "fs.tar", "src", check=True)
    runtime.md("import", "-c", 'CMD ["cat", "/new"]', "-c", "ENV A=b C=\"d e\"", "--change",
               "WORKDIR /tmp", "-m", "my import", tmp_path / "fs.tar", "imp:v1", check=True)
    assert runtime.md("run", "--rm", "imp:v1", check=True).stdout == "new\n"
    r = runtime.md("run", "--rm", "imp:v1", "sh", "-c", 'echo "$A|$C"; pwd', check=True)
    assert r.stdout == "b|d e\n/tmp\n"
    assert "my import" in runtime.md("history", "imp:v1", check=True).stdout
    data = (tmp_path / "fs.tar").read_bytes()
    r = raw(runtime, "import", "-", input=data)
    assert r.returncode == 0 and r.stdout.decode().startswith("sha256:")
    r = runtime.md("import", "-c", "RUN true", tmp_path / "fs.tar", "bad")
    assert r.returncode == 125 and "RUN is not a valid change command" in r.stderr


def test_commit_records_the_container_configuration(runtime):
    runtime.md("run", "--name", "cfg", "-e", "FOO=bar", "-w", "/tmp", "-u", "1:2",
               "--stop-signal", "SIGUSR1", "busybox", "sh", "-c", 'echo "$FOO $(pwd) $(id -u)"',
               check=True)
    runtime.md("commit", "-a", "Jane <j@example.com>", "-m", "msg", "cfg", "snap:cfg", check=True)
    assert runtime.md("run", "--rm", "snap:cfg", check=True).stdout == "bar /tmp 1\n"
    config = image_config(runtime, "snap:cfg")
    assert config["Author"] == "Jane <j@example.com>"
    assert config["Config"]["StopSignal"] == "SIGUSR1"
    assert config["Config"]["User"] == "1:2"
    assert "FOO=bar" in config["Config"]["Env"]
    assert not any(e.startswith("HOSTNAME=") for e in config["Config"]["Env"])


def test_commit_changes(runtime):
    runtime.md("run", "--name", "ch", "busybox", "true", check=True)
    runtime.md("commit", "-c", "CMD echo changed $A", "-c", "ENV A=1", "-c", "EXPOSE 80 53/udp",
               "-c", 'LABEL k=v "x y"=z', "-c", 'ENTRYPOINT []', "-c", "USER 0", "-c",
               'VOLUME ["/vol"]', "-c", "STOPSIGNAL SIGINT", "ch", "snap:ch", check=True)
    assert runtime.md("run", "--rm", "snap:ch", check=True).stdout == "changed 1\n"
    config = image_config(runtime, "snap:ch")["Config"]
    assert config["Cmd"] == ["/bin/sh", "-c", "echo changed $A"]
    assert set(config["ExposedPorts"]) == {"80/tcp", "53/udp"}
    assert config["Labels"] == {"k": "v", "x y": "z"}
    assert "/vol" in config["Volumes"] and config["StopSignal"] == "SIGINT"
    before = runtime.md("images", "-q").stdout
    for change, words in (("RUN ls", "RUN is not a valid change command"),
                          ("ONBUILD RUN ls", "ONBUILD is not a valid change command"),
                          ("FOO bar", "unknown instruction: FOO"),
                          ("EXPOSE 99999", "invalid port"),
                          ("CMD", "requires at least one argument")):
        r = runtime.md("commit", "-c", change, "ch", "never")
        assert r.returncode == 125 and words in r.stderr, (change, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1
    assert runtime.md("images", "-q").stdout == before


@pytest.mark.parametrize("pause", ["--pause=false", "--pause=0", "-p=false"])
def test_commit_without_pause(runtime, pause):
    runtime.md("run", "-d", "--name", "np", "busybox", "sleep", "600", check=True)
    runtime.wait_running("np")
    runtime.md("commit", pause, "np", "snap:np", check=True)
    assert runtime.inspect("np")["State"] == "running"
    assert runtime.md("run", "--rm", "--entrypoint", "", "snap:np", "echo", "ok",
                      check=True).stdout == "ok\n"
    runtime.md("rm", "-f", "np", check=True)
