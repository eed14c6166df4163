"""What a hostile container or image must not be able to do to the runtime (issue #20): crash or
wedge a command with a tree it made, leave a container frozen, kill its neighbours, slip bad
input past validation, mount over /proc, write to the operator's terminal, lose its end on a full
disk."""

import contextlib
import errno
import json
import os
import resource
import signal
import subprocess
from pathlib import Path

from conftest import BUSYBOX_TAR, Runtime, wait_for
from image_fixtures import busybox_layer, config_for, fixture_image, oci_archive
from test_images_archive import assert_load_refused

# 512 KiB of stack for the CLI: a walk that recursed once per level would overflow it.
SMALL_STACK = 512 * 1024


# --- Trees a container makes: walked without recursion ----------------------------------------------


def small_stack():
    resource.setrlimit(resource.RLIMIT_STACK, (SMALL_STACK, SMALL_STACK))


def md_small_stack(runtime, *args, timeout=120):
    proc = subprocess.run(runtime.cmd(*args), capture_output=True, text=True, timeout=timeout,
                          preexec_fn=small_stack)
    runtime.record_ids()
    return proc


def temporary_layers(runtime):
    layers = Path(runtime.root) / "layers"
    return sorted(p.name for p in layers.iterdir() if p.name.startswith("tmp-"))


def wait_for_file(runtime, name, path, timeout=60):
    wait_for(lambda: runtime.md("exec", name, "test", "-e", path).returncode == 0,
             timeout=timeout, interval=0.2, what=f"{path} in {name}")


@contextlib.contextmanager
def runtime_on_tmpfs(mydocker_bin, tmp_path, size):
    """A Runtime whose state root is on a tmpfs of `size` (unmounted afterwards): for trees of
    100,000 directories, which ext4's journal makes slow, and for a state root that fills up."""
    mnt = tmp_path / "mnt"  # the root below it: the teardown's leak check sees no mount of it
    mnt.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mnt)], check=True)
    root = mnt / "root"
    root.mkdir()
    rt = Runtime(str(root), mydocker_bin)
    problems = []
    try:
        rt.md("image", "import", BUSYBOX_TAR, "busybox", check=True)
        yield rt
    finally:
        problems = rt.teardown()
        subprocess.run(["umount", "-l", str(mnt)], check=False)
    assert not problems, "test left resources behind:\n" + "\n".join(problems)


def test_commit_of_a_tree_100000_levels_deep_fails_cleanly(mydocker_bin, tmp_path):
    with runtime_on_tmpfs(mydocker_bin, tmp_path, "256m") as runtime:
        # 200 times: a chain of 500 directories made, the tree so far moved to its bottom (no
        # path is ever long: the shell's `cd` could not follow).
        chain = "/".join(["a"] * 500)
        script = (f"cd /tmp && mkdir t && i=0 && while [ $i -lt 200 ]; do mkdir -p n/{chain} && "
                  f"mv t n/{chain}/t && mv n t || exit 1; i=$((i+1)); done; touch /done; sleep 600")
        runtime.md("run", "-d", "--name", "deep", "busybox", "sh", "-c", script, check=True)
        wait_for_file(runtime, "deep", "/done", timeout=120)
        r = md_small_stack(runtime, "commit", "deep", "deep:v1")
        assert r.returncode == 1, (r.returncode, r.stderr)
        assert "is longer than 4095 bytes" in r.stderr
        assert len(r.stderr.strip().splitlines()) == 1
        # As it was: running, not paused, usable; no temporary layer, no image.
        assert runtime.inspect("deep")["State"] == "running"
        runtime.md("exec", "deep", "true", check=True)
        assert temporary_layers(runtime) == []
        assert "deep" not in runtime.md("images", check=True).stdout
        # Removal walks all 100,200 levels with the same small stack.
        r = md_small_stack(runtime, "rm", "-f", "deep")
        assert r.returncode == 0, r.stderr
        assert runtime.container_dirs() == []


def test_commit_of_100000_entries_in_one_directory(mydocker_bin, tmp_path):
    with runtime_on_tmpfs(mydocker_bin, tmp_path, "512m") as runtime:
        script = "mkdir /w && cd /w && seq 100000 | xargs touch && touch /done; sleep 600"
        runtime.md("run", "-d", "--name", "wide", "busybox", "sh", "-c", script, check=True)
        wait_for_file(runtime, "wide", "/done", timeout=120)
        r = md_small_stack(runtime, "commit", "wide", "wide:v1")
        assert r.returncode == 0, r.stderr
        runtime.md("rm", "-f", "wide", check=True)
        r = runtime.md("run", "--rm", "wide:v1", "sh", "-c", "ls /w | wc -l", check=True)
        assert r.stdout.strip() == "100000"


# --- A commit killed midway -------------------------------------------------------------------------


def freezer_state(cid):
    for path in (f"/sys/fs/cgroup/freezer/mydocker/{cid}/freezer.state",
                 f"/sys/fs/cgroup/mydocker/{cid}/cgroup.freeze"):
        if os.path.exists(path):
            return Path(path).read_text().strip()
    return None


def test_a_commit_killed_midway_leaves_the_container_as_it_was(runtime):
    cid = runtime.md("run", "-d", "--name", "big", "busybox", "sh", "-c",
                     "dd if=/dev/zero of=/big bs=1M count=64 2>/dev/null && touch /done; "
                     "sleep 600", check=True).stdout.strip()
    wait_for_file(runtime, "big", "/done")
    commit = runtime.popen("commit", "big", "big:v1")
    # Stopped once its temporary layer exists (the container is frozen by then), then killed:
    # wherever it was, it cannot have finished.
    wait_for(lambda: temporary_layers(runtime) or commit.poll() is not None,
             interval=0.005, what="the commit's temporary layer")
    os.kill(commit.pid, signal.SIGSTOP)
    assert commit.poll() is None and temporary_layers(runtime), "the commit finished too soon"
    assert runtime.inspect("big")["State"] == "paused"
    os.kill(commit.pid, signal.SIGKILL)
    commit.wait()
    # The next command (here `ps`) finds the commit gone: thawed, running, no temporary layer.
    assert runtime.inspect("big")["State"] == "running"
    assert freezer_state(cid) in ("THAWED", "0")
    assert temporary_layers(runtime) == []
    runtime.md("exec", "big", "true", check=True)
    assert "big" not in runtime.md("images", check=True).stdout
    # And a commit afterwards works.
    runtime.md("commit", "big", "big:v1", check=True, timeout=120)
    assert runtime.inspect("big")["State"] == "running"
    runtime.md("rm", "-f", "big", check=True)


# --- Another container's cgroup as a parent ---------------------------------------------------------


def test_cgroup_parent_inside_another_container_is_refused(runtime):
    cid = runtime.md("run", "-d", "--name", "first", "busybox", "sleep", "600",
                     check=True).stdout.strip()
    runtime.wait_running("first")
    before = runtime.md("ps", "-aq", "--no-trunc", check=True).stdout
    # In any spelling of a path inside its cgroup: `rm -f first` would kill the new one too.
    for parent in (f"mydocker/{cid}", f"mydocker//{cid}/./sub/"):
        r = runtime.md("run", "-d", "--cgroup-parent", parent, "busybox", "sleep", "600")
        assert r.returncode == 125, r.stderr
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and "inside the cgroup of container first" in lines[0], lines
    assert runtime.md("ps", "-aq", "--no-trunc", check=True).stdout == before
    runtime.md("rm", "-f", "first", check=True)


# --- Validation before creation ---------------------------------------------------------------------


def assert_refused_before_creation(runtime, args, message):
    before = runtime.md("ps", "-aq", "--no-trunc", check=True).stdout
    volumes = runtime.md("volume", "ls", "-q", check=True).stdout
    r = runtime.md("run", *args)
    assert r.returncode == 125, (args, r.returncode, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], (args, lines)
    assert runtime.md("ps", "-aq", "--no-trunc", check=True).stdout == before
    assert runtime.md("volume", "ls", "-q", check=True).stdout == volumes


def test_image_env_with_a_nul_byte_is_refused_at_load(runtime, tmp_path):
    base = busybox_layer()
    image = ("nul/env:v1", [base], config_for([base], {"Env": ["A=x\u0000y"], "Cmd": ["true"]}))
    assert_load_refused(runtime, oci_archive([image]).write_tar(tmp_path / "nul.tar"),
                        "Env", "NUL byte")


def test_bad_run_options_are_refused_before_anything_is_created(runtime, tmp_path):
    cases = [
        (["--pids-limit", "99999999999999999999"], "--pids-limit"),
        (["--pids-limit", "4194305"], "at most 4194304"),
        (["--cpus", "1e9"], "range of CPUs is from 0.01 to"),
        (["-v", f"{tmp_path}/a:/x", "-v", "/x/"], "Duplicate mount point: /x"),
        (["-v", "anon1:/data", "-v", "anon2:/data/."], "Duplicate mount point: /data"),
    ]
    for args, message in cases:
        assert_refused_before_creation(runtime, [*args, "busybox", "true"], message)
    assert not (tmp_path / "a").exists()
    # What is valid still runs: an exponent is a number, as in Docker.
    runtime.md("run", "--rm", "--cpus", "5e-1", "busybox", "true", check=True)


# --- Volume targets ---------------------------------------------------------------------------------


def test_volume_targets_in_proc_sys_or_on_dev_are_refused(runtime, tmp_path):
    src = tmp_path / "vol"
    src.mkdir()
    for target, message in (("/proc", "/proc is inside /proc"),
                            ("/proc//sys/kernel/", "/proc/sys/kernel is inside /proc"),
                            ("/sys", "/sys is inside /sys"),
                            ("/sys/fs/cgroup", "is inside /sys"),
                            ("/dev", "cannot mount over /dev")):
        assert_refused_before_creation(runtime, ["-v", f"{src}:{target}", "busybox", "true"],
                                       message)
    # Below /dev is fine: the volume is mounted on the runtime's /dev.
    (src / "f").write_text("hi\n")
    r = runtime.md("run", "--rm", "-v", f"{src}:/dev/vol", "busybox", "cat", "/dev/vol/f",
                   check=True)
    assert r.stdout == "hi\n"


def test_volume_target_through_an_image_symlink_into_proc_is_refused(runtime, tmp_path):
    src = tmp_path / "vol"
    src.mkdir()
    runtime.md("run", "--name", "mk", "busybox", "sh", "-c",
               "ln -s /proc /lnk && ln -s /dev /devlnk && ln -s /sys/kernel /sk", check=True)
    runtime.md("commit", "mk", "links:v1", check=True)
    runtime.md("rm", "mk", check=True)
    for target, message in (("/lnk", "volume target /lnk is inside /proc or /sys"),
                            ("/lnk/sys", "volume target /lnk/sys is inside /proc or /sys"),
                            ("/sk", "volume target /sk is inside /proc or /sys"),
                            ("/devlnk", "volume target /devlnk is /dev")):
        r = runtime.md("run", "--rm", "-v", f"{src}:{target}", "links:v1", "true")
        assert r.returncode == 125, (target, r.stderr)
        assert message in r.stderr, (target, r.stderr)
        assert "mask" not in r.stderr
    assert runtime.md("ps", "-aq", check=True).stdout == ""


# --- Text from a container on the operator's terminal -----------------------------------------------


def test_top_and_ps_replace_control_characters(runtime):
    hostile = "\x1b]0;owned\x07\x1b[2J\x9b"
    runtime.md("run", "-d", "--name", "esc", "busybox", "sh", "-c", "sleep 600 & wait", hostile,
               check=True)
    runtime.wait_running("esc")
    top = runtime.md("top", "esc", check=True).stdout
    assert "?]0;owned??[2J?" in top, top
    ps = runtime.md("ps", "-a", "--no-trunc", check=True).stdout
    for out in (top, ps):
        assert not any(ord(c) < 0x20 and c != "\n" or 0x7f <= ord(c) < 0xa0 for c in out), out
    runtime.md("rm", "-f", "esc", check=True)


# --- A full state root ------------------------------------------------------------------------------


def test_a_full_state_root_still_records_the_end(mydocker_bin, tmp_path):
    with runtime_on_tmpfs(mydocker_bin, tmp_path, "24m") as rt:
        script = "trap 'echo last; exit 7' USR1; echo first; while true; do sleep 0.05; done"
        rt.md("run", "-d", "--name", "full", "busybox", "sh", "-c", script, check=True)
        rt.wait_running("full")
        wait_for(lambda: "first" in rt.md("logs", "full").stdout, what="the first line")
        # The container's own writes (here ours) fill the state root to the last block.
        filler = Path(rt.root) / "filler"
        with open(filler, "wb", buffering=0) as f:
            try:
                while f.write(b"\0" * 65536):
                    pass
            except OSError as e:
                assert e.errno == errno.ENOSPC
        rt.md("kill", "-s", "USR1", "full", check=True)
        assert rt.md("wait", "full", check=True).stdout.strip() == "7"
        entry = rt.inspect("full")
        assert entry["State"] == "exited" and "(7)" in entry["Status"], entry
        assert rt.md("logs", "full", check=True).stdout == "first\nlast\n"
        filler.unlink()


# --- Smaller findings -------------------------------------------------------------------------------


def test_output_that_is_not_utf8_is_logged_as_valid_json(runtime):
    runtime.md("run", "-d", "--name", "bytes", "--log-driver", "json-file", "busybox", "printf",
               "\\377ok \\303\\251\\n", check=True)
    assert runtime.md("wait", "bytes", check=True).stdout.strip() == "0"
    [cid] = runtime.container_dirs()
    data = (runtime.container_dir(cid) / "container.log").read_bytes()
    data.decode("utf-8")  # raises if anything is not UTF-8
    entries = [json.loads(line) for line in data.splitlines()]
    assert entries[0]["log"] == "\ufffdok \u00e9\n", entries
    runtime.md("rm", "bytes", check=True)


def test_an_image_with_5000_env_entries_can_be_execd(runtime, tmp_path):
    base = busybox_layer()
    env = ["PATH=/bin:/usr/bin"] + [f"V{i}=x" for i in range(5000)]
    image = ("many/env:v1", [base], config_for([base], {"Env": env, "Cmd": ["sleep", "600"]}))
    runtime.md("load", "-i", oci_archive([image]).write_tar(tmp_path / "env.tar"), check=True)
    runtime.md("run", "-d", "--name", "env", "many/env:v1", check=True)
    runtime.wait_running("env")
    r = runtime.md("exec", "env", "sh", "-c", "env | grep -c '^V'", check=True)
    assert r.stdout.strip() == "5000"
    runtime.md("rm", "-f", "env", check=True)


def test_an_image_removed_while_in_use_goes_with_its_last_container(runtime, tmp_path):
    layers_before = runtime.layer_dirs()
    path = oci_archive([fixture_image()]).write_tar(tmp_path / "img.tar")
    runtime.md("load", "-i", path, check=True)
    runtime.md("run", "-d", "--name", "user1", "fixture/multi:v1", "sleep", "600", check=True)
    runtime.md("run", "--name", "user2", "fixture/multi:v1", "true", check=True)
    runtime.md("rmi", "-f", "fixture/multi:v1", check=True)
    assert "<none>" in runtime.md("images", check=True).stdout
    runtime.md("rm", "user2", check=True)
    assert "<none>" in runtime.md("images", check=True).stdout  # user1 still uses it
    runtime.md("exec", "user1", "true", check=True)
    runtime.md("rm", "-f", "user1", check=True)
    assert "<none>" not in runtime.md("images", check=True).stdout
    assert runtime.layer_dirs() == layers_before
    # An untagged image no container was using when it lost its tag stays (Docker's <none>).
    runtime.md("run", "--name", "c", "busybox", "true", check=True)
    runtime.md("commit", "c", check=True)
    runtime.md("rm", "c", check=True)
    assert "<none>" in runtime.md("images", check=True).stdout
