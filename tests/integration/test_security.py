"""What a hostile image or command line must not be able to reach."""

import os

import pytest


@pytest.mark.parametrize("fd", range(3, 12))
def test_workdir_through_proc_fd_cannot_reach_the_host(runtime, fd):
    """CVE-2024-21626: a working directory of /proc/self/fd/N must not be a host directory."""
    r = runtime.md("run", "--rm", "-w", f"/proc/self/fd/{fd}", "busybox", "sh", "-c",
                   "pwd; ls ../../../..")
    # Either refused, or a directory inside the container: never the host's root.
    if r.returncode == 0:
        assert "(unreachable)" not in r.stdout
        assert set(r.stdout.split()[1:]) != set(os.listdir("/")), "listed the host's root"
    else:
        assert r.returncode == 125, r.stderr


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
