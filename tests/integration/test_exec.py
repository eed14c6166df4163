"""`mydocker exec`: entering a running container through the nsenter stub."""

import concurrent.futures
import ctypes
import fcntl
import hashlib
import os
import shutil
import subprocess
import time

import pytest

from conftest import children_of, wait_for
from test_pty import Terminal


def start(runtime, name, *extra, command=("sleep", "60")):
    r = runtime.md("run", "-d", "--name", name, *extra, "busybox", *command)
    assert r.returncode == 0, r.stderr
    runtime.wait_running(name)
    return r.stdout.strip()


def test_exec_sees_the_containers_world(runtime):
    start(runtime, "box", "-h", "boxhost", "-e", "FROM_RUN=1",
          command=("sh", "-c", "echo written > /data; exec sleep 60"))
    r = runtime.md("exec", "-e", "FROM_EXEC=2", "box", "sh", "-c",
                   "hostname; cat /data; echo $FROM_RUN $FROM_EXEC; cat /proc/1/cmdline | tr '\\0' ' '")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "boxhost"
    assert lines[1] == "written"
    assert lines[2] == "1 2"
    assert lines[3].strip() == "sleep 60"  # PID 1 is the container's command


def test_exec_is_in_the_pid_namespace_and_cgroup(runtime):
    cid = start(runtime, "box")
    r = runtime.md("exec", "box", "sh", "-c", "echo $$; ps -o pid,args; cat /proc/self/cgroup")
    assert r.returncode == 0, r.stderr
    pid = int(r.stdout.splitlines()[0])
    assert 1 < pid < 100, r.stdout
    assert f"memory:/mydocker/{cid}" in r.stdout


def test_exit_codes_pass_through(runtime):
    start(runtime, "box")
    assert runtime.md("exec", "box", "true").returncode == 0
    assert runtime.md("exec", "box", "sh", "-c", "exit 3").returncode == 3
    r = runtime.md("exec", "box", "no-such-command")
    assert r.returncode == 127
    assert "no-such-command" in r.stderr and "not found" in r.stderr
    r = runtime.md("exec", "box", "/etc/passwd")
    assert r.returncode == 126, r.stderr


def test_unusable_workdir_fails_run_and_exec_alike(runtime):
    """Both run the same exec tail: a working directory that cannot be entered is 126 (the
    command cannot be invoked as asked, as `docker exec -w` reports it) with one message."""
    start(runtime, "box")
    for workdir in ("/etc/passwd", "/etc/passwd/sub"):
        ran = runtime.md("run", "--rm", "-w", workdir, "busybox", "true")
        execd = runtime.md("exec", "-w", workdir, "box", "true")
        assert (ran.returncode, execd.returncode) == (126, 126), (ran.stderr, execd.stderr)
        assert ran.stderr == execd.stderr == f"mydocker: chdir to {workdir}: Not a directory\n"
    # run creates a missing working directory, exec does not (both as Docker's).
    r = runtime.md("exec", "-w", "/no/such/dir", "box", "true")
    assert r.returncode == 126
    assert r.stderr == "mydocker: chdir to /no/such/dir: No such file or directory\n"
    assert runtime.md("run", "--rm", "-w", "/no/such/dir", "busybox", "true").returncode == 0


def test_background_process_holding_the_output_does_not_hold_exec(runtime):
    # The command's background child keeps the output pipe open after the command ended;
    # exec returns once the command has, instead of polling the ended helper forever.
    start(runtime, "box")
    begin = time.monotonic()
    r = runtime.md("exec", "box", "sh", "-c", "sleep 60 & echo bg", timeout=20)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "bg\n"
    assert time.monotonic() - begin < 10


def test_workdir_and_user(runtime):
    start(runtime, "box")
    r = runtime.md("exec", "-w", "/tmp", "-u", "nobody", "box", "sh", "-c", "pwd; id -u; id -g")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["/tmp", "65534", "65534"]
    r = runtime.md("exec", "-u", "1234:5678", "box", "sh", "-c", "id -u; id -g")
    assert r.stdout.split() == ["1234", "5678"], r.stderr
    r = runtime.md("exec", "-u", "no-such-user", "box", "true")
    assert r.returncode == 125 and "no-such-user" in r.stderr


def test_no_host_descriptor_reaches_the_command(runtime):
    start(runtime, "box")
    # "; true" keeps sh from exec-ing ls, so the listing is the shell's own descriptors.
    r = runtime.md("exec", "box", "sh", "-c", "ls /proc/$$/fd; true")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["0", "1", "2"]
    # Without -t the command's stdio are pipes, never the caller's files.
    r = runtime.md("exec", "box", "sh", "-c", "readlink /proc/$$/fd/1; true")
    assert r.stdout.startswith("pipe:"), r.stdout


def test_stdin_relay_with_i(runtime):
    start(runtime, "box")
    r = runtime.md("exec", "-i", "box", "cat", input="through stdin\n")
    assert (r.returncode, r.stdout) == (0, "through stdin\n"), r.stderr
    r = runtime.md("exec", "box", "cat", input="ignored\n")
    assert (r.returncode, r.stdout) == (0, ""), r.stderr


def test_tty(runtime):
    start(runtime, "box")
    term = Terminal(rows=33, cols=101)
    try:
        term.start(runtime, "exec", "-it", "box", "sh")
        term.send("tty; stty size\n")
        term.expect("/dev/pts/")
        term.expect("33 101")
        term.send("exit 6\n")
        assert term.wait_exit() == 6
    finally:
        term.close()


def test_detach(runtime):
    start(runtime, "box")
    t0 = time.monotonic()
    r = runtime.md("exec", "-d", "box", "sh", "-c", "sleep 1; echo done > /detached")
    assert r.returncode == 0, r.stderr
    assert time.monotonic() - t0 < 1.0
    wait_for(lambda: runtime.md("exec", "box", "cat", "/detached").stdout == "done\n",
             timeout=10, what="the detached command to finish")


def test_exec_into_stopped_or_paused_container_is_refused(runtime):
    start(runtime, "box")
    assert runtime.md("pause", "box").returncode == 0
    r = runtime.md("exec", "box", "true")
    assert r.returncode != 0 and "paused" in r.stderr
    assert runtime.md("unpause", "box").returncode == 0
    assert runtime.md("kill", "box").returncode == 0
    wait_for(lambda: runtime.inspect("box")["State"] == "exited", what="the container to exit")
    r = runtime.md("exec", "box", "true")
    assert r.returncode == 125
    assert "not running" in r.stderr
    r = runtime.md("exec", "nonexistent", "true")
    assert r.returncode == 125 and "nonexistent" in r.stderr


def test_twenty_parallel_execs(runtime):
    start(runtime, "box")
    def one(i):
        return runtime.md("exec", "box", "sh", "-c", f"echo {i}; exit {i % 5}")
    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(one, range(20)))
    for i, r in enumerate(results):
        assert (r.returncode, r.stdout) == (i % 5, f"{i}\n"), r.stderr


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_host_binary_cannot_be_overwritten_from_inside(runtime):
    """CVE-2019-5736: a container that replaces a command with `#!/proc/self/exe` gets the
    runtime's own binary executed inside it; it must not be able to write to that binary."""
    helper = os.path.join(os.path.dirname(runtime.bin), "mydocker-helper")
    binaries = [b for b in (runtime.bin, helper) if os.path.exists(b)]
    before = [sha256(b) for b in binaries]
    start(runtime, "box")
    # The trap: a "command" whose interpreter is whatever executes it, and an attacker that
    # tries to write through /proc/<pid>/exe of every process that is not busybox.
    attack = (
        "printf '#!/proc/self/exe\\n' > /trap; chmod +x /trap; "
        "while :; do for p in /proc/[0-9]*; do "
        "  case $(readlink $p/exe 2>/dev/null) in *busybox*|'') ;; "
        "  *) (echo pwned > $p/exe) 2>/dev/null && echo WROTE $p >> /attack.log;; esac; "
        "done; done")
    runtime.popen("exec", "-d", "box", "sh", "-c", attack).wait(timeout=10)
    wait_for(lambda: runtime.md("exec", "box", "test", "-x", "/trap").returncode == 0,
             what="the trap to be set")
    for _ in range(5):
        runtime.md("exec", "box", "/trap")  # runs the runtime's binary inside the container
    r = runtime.md("exec", "box", "sh", "-c", "cat /attack.log 2>/dev/null; true")
    assert "WROTE" not in r.stdout
    assert [sha256(b) for b in binaries] == before


OVERLAYFS_MAGIC = 0x794C7630


def fs_type(fd):
    """statfs(2)'s f_type of an open file (Python has only statvfs, which lacks it)."""
    buf = ctypes.create_string_buffer(256)
    libc = ctypes.CDLL(None, use_errno=True)
    assert libc.fstatfs(fd, buf) == 0, os.strerror(ctypes.get_errno())
    return ctypes.c_long.from_buffer(buf).value


def exec_helper_exe(runtime, expect):
    """Runs an exec and waits until its helper process on the host executes from what `expect`
    accepts (given the open /proc/<pid>/exe); returns (the exec's Popen, that descriptor)."""
    start(runtime, "box")
    proc = runtime.popen("exec", "box", "sleep", "2")
    def helper():
        children = children_of(proc.pid)
        return children[0] if children else None
    pid = wait_for(helper, timeout=10, what="the exec helper process")
    # Right after posix_spawn the helper still runs the file; its stub re-executes at once from
    # a protected view, and from then on (before it touches the container) it must be that.
    def protected():
        try:
            fd = os.open(f"/proc/{pid}/exe", os.O_RDONLY)
        except OSError:
            return None
        if expect(fd):
            return fd
        os.close(fd)
        return None
    return proc, wait_for(protected, timeout=10, what="the helper to run from a protected view")


def assert_not_writable_after_exit(proc, handle):
    # The attack keeps a handle on the executable and writes once the process is gone.
    assert proc.wait(timeout=15) == 0
    for flags in (os.O_WRONLY, os.O_RDWR, os.O_WRONLY | os.O_TRUNC):
        with pytest.raises(OSError):
            fd = os.open(f"/proc/self/fd/{handle}", flags)
            try:
                os.write(fd, b"pwned")
            finally:
                os.close(fd)


def test_exec_helper_runs_from_a_read_only_overlay(runtime):
    """While an exec runs, the helper on the host executes the helper binary through a private
    read-only overlay with no upper layer (nothing copied): no write reaches the binary through
    /proc/<pid>/exe, and the view is mounted nowhere."""
    def on_overlay(fd):
        return fs_type(fd) == OVERLAYFS_MAGIC and os.fstatvfs(fd).f_flag & os.ST_RDONLY
    proc, handle = exec_helper_exe(runtime, on_overlay)
    try:
        # The very binary, not a copy of something else.
        with open(os.path.join(os.path.dirname(runtime.bin), "mydocker-helper"), "rb") as f:
            want = hashlib.sha256(f.read()).hexdigest()
        with os.fdopen(os.dup(handle), "rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == want
        assert_not_writable_after_exit(proc, handle)
        with open("/proc/self/mountinfo") as f:
            assert " overlay " not in "".join(line for line in f if "mydocker-helper" in line)
    finally:
        os.close(handle)


def test_exec_helper_falls_back_to_a_sealed_copy(runtime):
    """Where that overlay cannot be made (here: its empty lower directory is a file), the client
    starts the helper from a sealed memfd copy instead."""
    cache = os.path.join(runtime.root, "cache")
    os.makedirs(cache, exist_ok=True)
    with open(os.path.join(cache, "empty"), "w"):
        pass
    def sealed(fd):
        return os.readlink(f"/proc/self/fd/{fd}").startswith("/memfd:mydocker-helper")
    proc, handle = exec_helper_exe(runtime, sealed)
    try:
        seals = fcntl.fcntl(handle, fcntl.F_GET_SEALS)
        for seal in (fcntl.F_SEAL_WRITE, fcntl.F_SEAL_SHRINK, fcntl.F_SEAL_GROW, fcntl.F_SEAL_SEAL):
            assert seals & seal
        assert_not_writable_after_exit(proc, handle)
    finally:
        os.close(handle)


def init_and_monitor_exe(runtime, name):
    """Starts a container whose command is /proc/self/exe, the binary its init runs until its
    execve, in the helper's tiny-init mode so that it stays: PID 1 is then that binary, running
    `sleep` as its child. Returns the monitor's pid and descriptors open on the monitor's and
    PID 1's executables."""
    start(runtime, name, command=("/proc/self/exe", "__init", "sleep", "60"))
    pid = int(runtime.md("inspect", "-f", "{{.State.Pid}}", name, check=True).stdout)
    with open(f"/proc/{pid}/stat") as f:
        monitor = int(f.read().rsplit(")", 1)[1].split()[1])
    return monitor, [os.open(f"/proc/{p}/exe", os.O_RDONLY) for p in (monitor, pid)]


def test_container_init_never_runs_the_host_helper(runtime):
    """CVE-2019-5736 through init: the container's init is its monitor's clone and runs the
    monitor's binary until its execve, so a command that is /proc/self/exe makes that binary the
    container's PID 1, where any process of the container can open /proc/1/exe and keep it to
    write once the file is no longer busy. The monitor is started from a private read-only
    overlay of the helper instead: nothing written through it reaches the host's file."""
    helper = os.path.join(os.path.dirname(runtime.bin), "mydocker-helper")
    before = sha256(helper)
    monitor, handles = init_and_monitor_exe(runtime, "self")
    try:
        for fd in handles:
            assert fs_type(fd) == OVERLAYFS_MAGIC and os.fstatvfs(fd).f_flag & os.ST_RDONLY
            with os.fdopen(os.dup(fd), "rb") as f:
                assert hashlib.sha256(f.read()).hexdigest() == before
        r = runtime.md("exec", "self", "sh", "-c", "echo pwned >> /proc/1/exe")
        assert r.returncode != 0 and "Read-only file system" in r.stderr, r.stderr
        # ps and top still name the monitor after its binary, not "4" (/proc/self/fd/4).
        with open(f"/proc/{monitor}/comm") as f:
            assert f.read().strip() == "mydocker-helper"
        runtime.md("rm", "-f", "self", check=True)
        for fd in handles:
            for flags in (os.O_WRONLY, os.O_RDWR, os.O_WRONLY | os.O_TRUNC):
                with pytest.raises(OSError):
                    os.close(os.open(f"/proc/self/fd/{fd}", flags))
        with open("/proc/self/mountinfo") as f:
            assert " overlay " not in "".join(line for line in f if "mydocker-helper" in line)
    finally:
        for fd in handles:
            os.close(fd)
    assert sha256(helper) == before


def test_container_init_runs_a_sealed_copy_where_no_overlay_can_be_made(runtime):
    """Where that overlay cannot be made (here: its empty lower directory is a file), the monitor
    is started from a sealed memfd copy of the helper instead."""
    cache = os.path.join(runtime.root, "cache")
    os.makedirs(cache, exist_ok=True)
    with open(os.path.join(cache, "empty"), "w"):
        pass
    _, handles = init_and_monitor_exe(runtime, "self")
    try:
        for fd in handles:
            assert os.readlink(f"/proc/self/fd/{fd}").startswith("/memfd:mydocker-helper")
            seals = fcntl.fcntl(fd, fcntl.F_GET_SEALS)
            for seal in (fcntl.F_SEAL_WRITE, fcntl.F_SEAL_SHRINK, fcntl.F_SEAL_GROW,
                         fcntl.F_SEAL_SEAL):
                assert seals & seal
        r = runtime.md("exec", "self", "sh", "-c", "echo pwned >> /proc/1/exe")
        assert r.returncode != 0, r.stderr
    finally:
        for fd in handles:
            os.close(fd)


def test_a_cli_without_its_helper_beside_it_starts_the_monitor_from_itself_protected(
        runtime, tmp_path):
    """Without mydocker-helper beside it the CLI is its own helper (it names itself
    /proc/self/exe): the monitor still runs from a protected copy, is named after the CLI, and
    finds the programs beside the CLI (mydocker-nft, which the default bridge needs)."""
    for name in ("mydocker", "mydocker-nft"):
        if os.path.exists(os.path.join(os.path.dirname(runtime.bin), name)):
            shutil.copy2(os.path.join(os.path.dirname(runtime.bin), name), tmp_path / name)
    runtime.bin = str(tmp_path / "mydocker")
    before = sha256(runtime.bin)
    monitor, handles = init_and_monitor_exe(runtime, "self")
    try:
        for fd in handles:
            assert fs_type(fd) == OVERLAYFS_MAGIC and os.fstatvfs(fd).f_flag & os.ST_RDONLY
        with open(f"/proc/{monitor}/comm") as f:
            assert f.read().strip() == "mydocker"
        with open(f"/proc/{monitor}/cmdline") as f:
            assert f.read().split("\0")[0] == runtime.bin
        r = runtime.md("exec", "self", "sh", "-c", "echo pwned >> /proc/1/exe")
        assert r.returncode != 0 and "Read-only file system" in r.stderr, r.stderr
    finally:
        for fd in handles:
            os.close(fd)
    runtime.md("rm", "-f", "self", check=True)
    assert sha256(runtime.bin) == before


def test_large_input_does_not_deadlock(runtime):
    """The relay never blocks on a command that is busy writing its own output."""
    start(runtime, "box")
    data = os.urandom(4 << 20)
    r = subprocess.run(runtime.cmd("exec", "-i", "box", "od"), input=data, capture_output=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert len(r.stdout) > 4 * len(data)
