"""What a hostile image or command line must not be able to reach."""

import os

import pytest


@pytest.mark.parametrize("fd", range(3, 12))
def test_workdir_through_proc_fd_cannot_reach_the_host(runtime, fd):
    """CVE-2024-21626: a working directory of /proc/self/fd/N must not be a host directory."""
    r = runtime.md("run", "--rm", "-w", f"/proc/self/fd/{fd}", "busybox", "sh", "-c",
                   "pwd; ls ../../../..")
    # Either refused as a working directory that cannot be entered (126, as exec's), or a
    # directory inside the container: never the host's root.
    if r.returncode == 0:
        assert "(unreachable)" not in r.stdout
        assert set(r.stdout.split()[1:]) != set(os.listdir("/")), "listed the host's root"
    else:
        assert r.returncode == 126, r.stderr


def test_exec_workdir_through_proc_fd_cannot_reach_the_host(runtime):
    r = runtime.md("run", "-d", "--name", "box", "busybox", "sleep", "30")
    assert r.returncode == 0, r.stderr
    runtime.wait_running("box")
    leaky = os.open("/", os.O_RDONLY)  # inherited by mydocker (no close-on-exec)
    os.set_inheritable(leaky, True)
    try:
        for fd in range(3, 10):
            r = runtime.md("exec", "-w", f"/proc/self/fd/{fd}", "box", "sh", "-c",
                           "ls ../../../..")
            if r.returncode == 0:
                assert set(r.stdout.split()) != set(os.listdir("/")), (fd, r.stdout)
    finally:
        os.close(leaky)


def test_exec_user_lookup_ignores_special_files(runtime):
    r = runtime.md("run", "-d", "--name", "box", "busybox", "sh", "-c",
                   "rm /etc/passwd; mkfifo /etc/passwd; exec sleep 30")
    assert r.returncode == 0, r.stderr
    runtime.wait_running("box")
    r = runtime.md("exec", "-u", "someone", "box", "true", timeout=10)
    assert r.returncode == 125
    assert "not a regular file" in r.stderr or "someone" in r.stderr


def test_proc_is_nosuid_noexec_nodev(runtime):
    r = runtime.md("run", "--rm", "busybox", "grep", "^proc /proc ", "/proc/mounts")
    assert r.returncode == 0, r.stderr
    opts = r.stdout.split()[3].split(",")
    for opt in ("nosuid", "nodev", "noexec"):
        assert opt in opts


# ---------------------------------------------------------------------------------------------
# seccomp and no-new-privileges

SECCOMP_PROBE = ("grep '^Seccomp:' /proc/self/status; "
                 "unshare -U true 2>/dev/null; echo unshare=$?; "
                 "mkdir /tmp/probe; echo mkdir=$?")


def test_default_seccomp_profile_applies_to_run_and_exec(runtime):
    r = runtime.md("run", "--rm", "busybox", "sh", "-c", SECCOMP_PROBE, check=True)
    # Filter mode, user namespaces refused (they need no capability), ordinary calls work.
    assert r.stdout.split() == ["Seccomp:", "2", "unshare=1", "mkdir=0"], r.stdout
    runtime.md("run", "-d", "--name", "filtered", "busybox", "sleep", "30", check=True)
    runtime.wait_running("filtered")
    r = runtime.md("exec", "filtered", "sh", "-c", SECCOMP_PROBE, check=True)
    assert r.stdout.split() == ["Seccomp:", "2", "unshare=1", "mkdir=0"], r.stdout


def test_seccomp_unconfined(runtime):
    r = runtime.md("run", "--rm", "--security-opt", "seccomp=unconfined", "busybox", "sh", "-c",
                   SECCOMP_PROBE, check=True)
    assert r.stdout.split() == ["Seccomp:", "0", "unshare=0", "mkdir=0"], r.stdout


def test_seccomp_profile_from_file(runtime, tmp_path):
    """A Docker-format profile: its rules hold in run and in exec."""
    profile = tmp_path / "profile.json"
    profile.write_text('{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": ['
                       '{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}')
    r = runtime.md("run", "--rm", "--security-opt", f"seccomp={profile}", "busybox", "sh", "-c",
                   "mkdir /tmp/x; echo rc=$?")
    assert r.returncode == 0 and "rc=1" in r.stdout and "Permission denied" in r.stderr, r
    runtime.md("run", "-d", "--name", "nomkdir", "--security-opt", f"seccomp={profile}",
               "busybox", "sleep", "30", check=True)
    runtime.wait_running("nomkdir")
    r = runtime.md("exec", "nomkdir", "mkdir", "/tmp/y")
    assert r.returncode == 1 and "Permission denied" in r.stderr, r


@pytest.mark.parametrize("content,message", [
    ('{"defaultAction": "SCMP_ACT_SOMETIMES"}', "defaultAction"),
    ('{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["x"], "action": "SCMP_ACT_ERRNO",'
     ' "args": [{"index": 7, "op": "SCMP_CMP_EQ"}]}]}', "index"),
    ("not json", "seccomp profile"),
])
def test_bad_seccomp_profile_is_refused_before_anything_is_created(runtime, tmp_path, content,
                                                                   message):
    profile = tmp_path / "bad.json"
    profile.write_text(content)
    r = runtime.md("run", "--rm", "--security-opt", f"seccomp={profile}", "busybox", "true")
    assert r.returncode == 125 and message in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert runtime.md("ps", "-a", "-q", check=True).stdout == ""


def test_bad_security_opt_and_missing_profile(runtime, tmp_path):
    r = runtime.md("run", "--rm", "--security-opt", "apparmor=x", "busybox", "true")
    assert r.returncode == 125 and "--security-opt" in r.stderr
    r = runtime.md("run", "--rm", "--security-opt", f"seccomp={tmp_path}/none.json", "busybox",
                   "true")
    assert r.returncode == 125 and "none.json" in r.stderr


def test_no_new_privileges(runtime):
    r = runtime.md("run", "--rm", "busybox", "grep", "NoNewPrivs", "/proc/self/status", check=True)
    assert r.stdout.split() == ["NoNewPrivs:", "0"]
    runtime.md("run", "-d", "--name", "nnp", "--security-opt", "no-new-privileges", "busybox",
               "sleep", "30", check=True)
    runtime.wait_running("nnp")
    r = runtime.md("exec", "nnp", "grep", "NoNewPrivs", "/proc/self/status", check=True)
    assert r.stdout.split() == ["NoNewPrivs:", "1"]


def test_with_no_new_privileges_the_filter_loads_after_the_user_switch(runtime, tmp_path):
    """A profile may refuse calls init itself needs (setresuid): with no-new-privileges the
    filter is loaded last, as runc does, so it binds the command and not init's set-up."""
    profile = tmp_path / "nosetuid.json"
    profile.write_text('{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": '
                       '["setuid", "setresuid", "setreuid"], "action": "SCMP_ACT_ERRNO"}]}')
    opts = ["--security-opt", f"seccomp={profile}", "-u", "1000"]
    r = runtime.md("run", "--rm", *opts, "busybox", "id", "-u")
    assert r.returncode == 125 and "setuid" in r.stderr, r
    r = runtime.md("run", "--rm", "--security-opt", "no-new-privileges", *opts, "busybox", "sh",
                   "-c", "id -u; grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["1000", "NoNewPrivs:", "1", "Seccomp:", "2"], r.stdout
    runtime.md("run", "-d", "--name", "late", "--security-opt", "no-new-privileges", *opts,
               "busybox", "sleep", "30", check=True)
    runtime.wait_running("late")
    r = runtime.md("exec", "late", "id", "-u")
    assert r.returncode == 0 and r.stdout.strip() == "1000", r
