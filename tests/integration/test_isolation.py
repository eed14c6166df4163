"""Namespaces, root filesystem and what the container can see of the host."""

import hashlib
import os
import socket
from pathlib import Path


def tree_digest(path):
    """A digest of every path, mode and file content under path (symlinks not followed)."""
    h = hashlib.sha256()
    seen = set()  # busybox applets are hard links to one binary: hash its content once
    for dirpath, dirnames, filenames in os.walk(path):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            h.update(f"{os.path.relpath(p, path)} {st.st_mode:o} {st.st_size}\n".encode())
            if os.path.isfile(p) and not os.path.islink(p) and st.st_ino not in seen:
                seen.add(st.st_ino)
                with open(p, "rb") as f:
                    h.update(f.read())
    return h.hexdigest()


def test_default_hostname_is_short_id(runtime):
    r = runtime.md("run", "--name", "h1", "busybox", "hostname", check=True)
    entry = runtime.inspect("h1")
    assert entry is not None
    assert r.stdout.strip() == entry["ID"][:12]
    assert r.stdout.strip() != socket.gethostname()


def test_hostname_option(runtime):
    r = runtime.md("run", "--rm", "-h", "myhost", "busybox", "sh", "-c", "hostname; uname -n",
                   check=True)
    assert r.stdout.split() == ["myhost", "myhost"]
    assert socket.gethostname() != "myhost"
    r = runtime.md("run", "--rm", "--hostname", "other", "busybox", "hostname", check=True)
    assert r.stdout.strip() == "other"


def test_command_is_pid_1(runtime):
    r = runtime.md("run", "--rm", "busybox", "sh", "-c", "echo $$; hostname", check=True)
    pid, hostname = r.stdout.split()
    runtime.track(hostname)
    assert pid == "1"


def test_ps_inside_shows_only_the_container(runtime):
    r = runtime.md("run", "--rm", "busybox", "sh", "-c", "ps -o pid,comm; hostname", check=True)
    lines = r.stdout.strip().splitlines()
    runtime.track(lines[-1])
    procs = lines[1:-1]  # header, processes, hostname
    pids = sorted(int(l.split()[0]) for l in procs)
    # sh (1) and the forked ps; nothing of the host.
    assert 1 in pids
    assert len(pids) <= 3, r.stdout
    assert all(p < 10 for p in pids), r.stdout


def test_network_namespace_has_only_loopback_up(runtime):
    # --network none: a namespace of its own with lo alone (the default, the bridge network,
    # adds eth0: tests/integration/test_network.py).
    r = runtime.md("run", "--rm", "--network", "none", "busybox", "sh", "-c",
                   "ls /sys/class/net; echo ---; cat /sys/class/net/lo/flags; echo ---; ip link",
                   check=True)
    names, flags, iplink = r.stdout.split("---\n")
    assert names.split() == ["lo"]
    assert int(flags.strip(), 16) & 0x1, "IFF_UP not set on lo"
    assert "lo:" in iplink and ",UP" in iplink, iplink
    assert len([l for l in iplink.splitlines() if not l.startswith(" ")]) == 1, iplink
    # Loopback actually works inside.
    r = runtime.md("run", "--rm", "--network", "none", "busybox", "ping", "-c", "1", "-W", "2",
                   "127.0.0.1")
    assert r.returncode == 0, r.stderr


def test_namespaces_differ_from_host(runtime):
    host = {ns: os.readlink(f"/proc/self/ns/{ns}") for ns in ("uts", "ipc", "net", "pid", "mnt")}
    r = runtime.md("run", "--rm", "busybox", "sh", "-c",
                   "for n in uts ipc net pid mnt; do readlink /proc/self/ns/$n; done",
                   check=True)
    inside = r.stdout.split()
    assert len(inside) == 5
    for (ns, host_link), link in zip(host.items(), inside):
        assert link.startswith(ns + ":"), link
        assert link != host_link, f"{ns} namespace shared with the host"


def test_ipc_namespace_isolated(runtime):
    # A SysV shared memory segment from the host must not be visible inside.
    with open("/proc/sysvipc/shm") as f:
        host_segments = len(f.readlines()) - 1
    r = runtime.md("run", "--rm", "busybox", "sh", "-c", "tail -n +2 /proc/sysvipc/shm | wc -l",
                   check=True)
    assert r.stdout.strip() == "0", (host_segments, r.stdout)


def test_files_invisible_to_other_containers_and_image(runtime):
    layers = runtime.layer_dirs()
    assert len(layers) == 1
    layer_path = Path(runtime.root) / "layers" / "sha256" / layers[0]
    before = tree_digest(layer_path)
    r = runtime.md("run", "--name", "writer", "busybox", "sh", "-c",
                   "echo secret > /etc/written && echo x > /newfile && rm /bin/ls && cat /etc/written",
                   check=True)
    assert r.stdout.strip() == "secret"
    r = runtime.md("run", "--name", "reader", "busybox", "sh", "-c",
                   "ls /etc/written /newfile /bin/ls 2>&1; true")
    assert "/etc/written: No such file" in r.stdout, r.stdout
    assert "/newfile: No such file" in r.stdout, r.stdout
    assert "/bin/ls" in r.stdout and "/bin/ls: No such file" not in r.stdout, r.stdout
    assert tree_digest(layer_path) == before, "the image layer changed"
    # The writes went to the writer's own upper directory.
    writer = runtime.inspect("writer")["ID"]
    upper = runtime.container_dir(writer) / "upper"
    assert (upper / "etc" / "written").read_text() == "secret\n"
    assert (upper / "newfile").exists()


def test_sys_is_read_only(runtime):
    r = runtime.md("run", "--rm", "busybox", "sh", "-c", "touch /sys/x")
    assert r.returncode != 0
    assert "Read-only file system" in r.stderr
    r = runtime.md("run", "--rm", "busybox", "sh", "-c", "grep ' /sys ' /proc/mounts", check=True)
    assert " ro," in r.stdout or " ro " in r.stdout, r.stdout


def test_proc_sensitive_paths_masked(runtime):
    r = runtime.md("run", "--rm", "busybox", "sh", "-c",
                   "cat /proc/keys | wc -c; cat /proc/kcore 2>/dev/null | head -c 16 | wc -c",
                   check=True)
    keys, kcore = r.stdout.split()
    assert keys == "0", "/proc/keys readable inside the container"
    assert kcore == "0", "/proc/kcore readable inside the container"
    # Writing to /proc/sys must not change the host.
    r = runtime.md("run", "--rm", "busybox", "sh", "-c", "echo 1 > /proc/sys/kernel/panic_on_oops")
    assert r.returncode != 0


def test_dev_contents(runtime):
    r = runtime.md("run", "--rm", "busybox", "sh", "-c",
                   "ls /dev; echo ---; ls -ld /dev/pts/ptmx /dev/shm; echo ---; "
                   "echo hi > /dev/null && head -c 4 /dev/zero | wc -c && "
                   "head -c 4 /dev/urandom | wc -c && ! echo x > /dev/full",
                   check=True)
    listing, special, io = r.stdout.split("---\n")
    names = set(listing.split())
    for dev in ("null", "zero", "full", "random", "urandom", "tty", "pts", "shm"):
        assert dev in names, f"/dev/{dev} missing: {sorted(names)}"
    # Nothing of the host's devices.
    assert not names & {"sda", "vda", "mem", "kmsg", "nvme0"}, sorted(names)
    assert io.split() == ["4", "4"]
    r = runtime.md("run", "--rm", "busybox", "sh", "-c", "grep -E ' /dev/(pts|shm) ' /proc/mounts",
                   check=True)
    assert "devpts" in r.stdout and "/dev/shm" in r.stdout, r.stdout


def test_no_fd_leak(runtime):
    # PID 1 is the shell; its descriptors are exactly what the runtime handed over.
    r = runtime.md("run", "--rm", "busybox", "sh", "-c", "ls /proc/1/fd; true", check=True)
    assert sorted(r.stdout.split(), key=int) == ["0", "1", "2"]
    # ls as PID 1 itself: any descriptor >= 3 may only be ls's own directory handle.
    r = runtime.md("run", "--rm", "busybox", "ls", "-l", "/proc/self/fd")
    lines = [l for l in r.stdout.splitlines() if "->" in l or l.split()[-1:] and l.split()[-1].isdigit()]
    fds = {}
    for l in lines:
        parts = l.split()
        if "->" in parts:
            i = parts.index("->")
            fds[int(parts[i - 1])] = parts[i + 1]
        else:
            fds[int(parts[-1])] = None  # link unreadable: ls's own, already closed, dir fd
    assert {0, 1, 2} <= set(fds), r.stdout
    for fd, target in fds.items():
        if fd >= 3:
            assert target is None or target.startswith("/proc"), f"fd {fd} -> {target} leaked"
    assert len([fd for fd in fds if fd >= 3]) <= 1, r.stdout


def test_cgroupns_private_shows_the_container_cgroup_as_root(runtime):
    """--cgroupns private (Docker's default on cgroup v2): init and exec's commands see their
    cgroup as "/"; with host (the default on v1) the host's path shows."""
    r = runtime.md("run", "--rm", "--cgroupns", "private", "busybox", "cat", "/proc/self/cgroup",
                   check=True)
    lines = r.stdout.split()
    assert lines and all(line.endswith(":/") for line in lines), r.stdout
    host = runtime.md("run", "--rm", "--cgroupns", "host", "busybox", "cat", "/proc/self/cgroup",
                      check=True)
    assert "/mydocker/" in host.stdout
    cid = runtime.md("run", "-d", "--cgroupns", "private", "busybox", "sleep", "30",
                     check=True).stdout.strip()
    runtime.track(cid)
    ns = runtime.md("exec", cid, "readlink", "/proc/self/ns/cgroup", check=True).stdout.strip()
    assert ns != os.readlink("/proc/self/ns/cgroup")
    r = runtime.md("exec", cid, "cat", "/proc/self/cgroup", check=True)
    assert all(line.endswith(":/") for line in r.stdout.split()), r.stdout
    bad = runtime.md("run", "--rm", "--cgroupns", "shared", "busybox", "true")
    assert bad.returncode == 125
    assert "invalid cgroup namespace mode" in bad.stderr
