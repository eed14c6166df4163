"""Housekeeping (issue #18): container/image/system prune, system df, info, version, the
`container` management forms, and Docker's rm -f of a missing name."""

import json
import os


def names(runtime):
    out = runtime.md("ps", "-a", "--format", "{{.Names}}", check=True).stdout
    return sorted(out.split())


def test_container_prune_removes_stopped_ones_only(runtime):
    runtime.md("run", "--name", "done", "--label", "keep=no", "busybox", "sh", "-c",
               "echo data > /file", check=True)
    runtime.md("create", "--name", "made", "--label", "keep=yes", "busybox", "true", check=True)
    up = runtime.md("run", "-d", "--name", "up", "busybox", "sleep", "300",
                    check=True).stdout.strip()
    # Filters: only those with keep=no.
    r = runtime.md("container", "prune", "-f", "--filter", "label=keep=no", check=True)
    assert r.stdout.startswith("Deleted Containers:\n") and "Total reclaimed space: " in r.stdout
    assert names(runtime) == ["made", "up"]
    r = runtime.md("container", "prune", "--force", "--filter", "until=0", check=True)
    assert r.stdout == "Total reclaimed space: 0B\n"  # nothing created before 1970
    r = runtime.md("container", "prune", "-f", check=True)
    lines = r.stdout.splitlines()
    assert lines[0] == "Deleted Containers:" and len(lines[1]) == 64
    assert names(runtime) == ["up"]
    assert runtime.md("ps", "-q", "--no-trunc", check=True).stdout.strip() == up
    r = runtime.md("container", "prune", "--filter", "bogus=1")
    assert r.returncode == 1 and r.stderr.strip() == "mydocker: invalid filter 'bogus'"


def test_image_prune_and_system_prune(runtime):
    runtime.md("create", "--name", "base", "busybox", "true", check=True)
    runtime.md("commit", "base", check=True)              # untagged: dangling
    runtime.md("commit", "base", "kept:v1", check=True)   # tagged, unused
    runtime.md("rm", "base", check=True)
    r = runtime.md("image", "prune", "-f", check=True)
    assert "Deleted Images:\ndeleted: sha256:" in r.stdout
    repos = runtime.md("images", "--format", "{{.Repository}}:{{.Tag}}", check=True).stdout
    assert sorted(repos.split()) == ["busybox:latest", "kept:v1"]
    # -a: every image no container uses; busybox is used by one.
    runtime.md("create", "--name", "user", "busybox", "true", check=True)
    r = runtime.md("image", "prune", "-a", "-f", check=True)
    assert "untagged: kept:v1" in r.stdout
    repos = runtime.md("images", "--format", "{{.Repository}}", check=True).stdout
    assert repos.split() == ["busybox"]
    runtime.md("network", "create", "unused-net", check=True)
    runtime.md("volume", "create", "named", check=True)
    runtime.md("run", "-v", "/anon", "--name", "withvol", "busybox", "true", check=True)
    r = runtime.md("system", "prune", "-f", "--volumes", check=True)
    assert "Deleted Containers:" in r.stdout and "Deleted Networks:\nunused-net" in r.stdout
    assert "Deleted Volumes:" in r.stdout
    assert names(runtime) == []
    # A named volume stays (only anonymous ones are pruned, as Docker 23 and later do).
    assert runtime.md("volume", "ls", "-q", check=True).stdout.split() == ["named"]
    runtime.md("volume", "rm", "named", check=True)


def test_system_df(runtime):
    runtime.md("run", "--name", "writer", "busybox", "sh", "-c",
               "dd if=/dev/zero of=/big bs=1000 count=100 2>/dev/null", check=True)
    runtime.md("run", "-d", "--name", "up", "busybox", "sleep", "300", check=True)
    out = runtime.md("system", "df", check=True).stdout.splitlines()
    assert out[0].split() == ["TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"]
    rows = {line[:15].strip(): line[15:].split() for line in out[1:]}
    assert rows["Images"][:2] == ["1", "1"]
    assert rows["Containers"][:2] == ["2", "1"]
    # The stopped writer's 100 kB are its size and reclaimable.
    assert rows["Containers"][2] == "100kB" and rows["Containers"][3] == "100kB"
    assert rows["Local Volumes"][:2] == ["0", "0"]
    js = [json.loads(line) for line in
          runtime.md("system", "df", "--format", "json", check=True).stdout.splitlines()]
    assert [j["Type"] for j in js] == ["Images", "Containers", "Local Volumes", "Build Cache"]
    verbose = runtime.md("system", "df", "-v", check=True).stdout
    assert "Containers space usage:" in verbose and "writer" in verbose


def test_info_and_version(runtime):
    runtime.md("run", "-d", "--name", "up", "busybox", "sleep", "300", check=True)
    runtime.md("create", "--name", "idle", "busybox", "true", check=True)
    out = runtime.md("info", check=True).stdout
    assert " Containers: 2\n  Running: 1\n  Paused: 0\n  Stopped: 1\n Images: 1\n" in out
    assert f" Root Dir: {runtime.root}\n" in out and f"Kernel Version: {os.uname().release}" in out
    info = json.loads(runtime.md("info", "--format", "{{json .}}", check=True).stdout)
    assert info["ContainersRunning"] == 1 and info["Images"] == 1
    assert info["CgroupVersion"] in ("1", "2") and info["DockerRootDir"] == runtime.root
    assert runtime.md("system", "info", "-f", "{{.NCPU}}", check=True).stdout.strip() == \
        str(os.cpu_count())
    version = runtime.md("version", "--format", "{{.Client.Version}}", check=True).stdout.strip()
    assert runtime.md("--version", check=True).stdout.strip().endswith(version)
    assert "Git commit:" in runtime.md("version", check=True).stdout
    r = runtime.md("info", "--format", "{{.Nope}}")
    assert r.returncode == 1 and "can't evaluate field Nope" in r.stderr


def test_container_management_forms(runtime):
    runtime.md("container", "run", "-d", "--name", "c1", "busybox", "sleep", "300", check=True)
    for form in (["container", "ls"], ["container", "ps"], ["container", "list"]):
        assert runtime.md(*form, "--format", "{{.Names}}", check=True).stdout == "c1\n"
    assert runtime.md("container", "inspect", "-f", "{{.State.Status}}", "c1",
                      check=True).stdout == "running\n"
    r = runtime.md("container", "inspect", "busybox")  # an image is no container
    assert r.returncode == 1
    runtime.md("container", "stop", "-t", "1", "c1", check=True)
    runtime.md("container", "start", "c1", check=True)
    assert runtime.md("container", "exec", "c1", "echo", "-n", "hi", check=True).stdout == "hi"
    runtime.md("container", "rm", "-f", "c1", check=True)
    runtime.md("container", "create", "--name", "c2", "busybox", "true", check=True)
    runtime.md("container", "remove", "c2", check=True)
    assert names(runtime) == []
    assert runtime.md("image", "ls", "--format", "{{.Repository}}", check=True).stdout == \
        "busybox\n"


def test_rm_force_of_a_missing_name_is_no_error(runtime):
    r = runtime.md("rm", "-f", "no-such-container")
    assert r.returncode == 0 and r.stdout == "" and r.stderr == ""
    runtime.md("create", "--name", "there", "busybox", "true", check=True)
    r = runtime.md("rm", "-f", "no-such-container", "there")
    assert r.returncode == 0 and r.stdout == "there\n"
    r = runtime.md("rm", "no-such-container")
    assert r.returncode == 1 and "no such container" in r.stderr


def test_top_with_ps_options_and_ps_size(runtime):
    runtime.md("run", "-d", "--name", "t", "busybox", "sh", "-c", "sleep 300 & wait", check=True)
    pid = json.loads(runtime.md("inspect", "t", check=True).stdout)[0]["State"]["Pid"]
    out = runtime.md("top", "t", "-o", "pid,comm", check=True).stdout.splitlines()
    assert out[0].split() == ["PID", "COMMAND"]
    rows = sorted(line.split()[1] for line in out[1:])
    assert rows == ["sh", "sleep"] and str(pid) in {line.split()[0] for line in out[1:]}
    out = runtime.md("top", "t", "aux", check=True).stdout.splitlines()
    assert out[0].split()[:2] == ["USER", "PID"] and len(out) == 3  # only the container's two
    r = runtime.md("top", "t", "-o", "user=PID")
    assert r.returncode == 1 and 'specifying "user=PID" is not allowed' in r.stderr
    r = runtime.md("top", "t", "-o", "comm")
    assert r.returncode == 1 and "couldn't find PID field in ps output" in r.stderr
    # ps -s: the writable layer's size and, with the image, the virtual size.
    runtime.md("exec", "t", "sh", "-c", "head -c 5000 /dev/zero > /five", check=True)
    out = runtime.md("ps", "-s", check=True).stdout.splitlines()
    assert out[0].split()[-1] == "SIZE"
    assert "5kB (virtual " in out[1] and out[1].endswith("MB)"), out[1]
    assert "5kB (virtual " in runtime.md("ps", "--format", "{{.Size}}", check=True).stdout
