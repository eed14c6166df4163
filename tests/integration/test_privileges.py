"""--cap-add, --cap-drop and --privileged: the capability set Docker's rules make, the default
seccomp profile following it, and what --privileged lifts (docs/security.md)."""

import os

import pytest

needs_loop0 = pytest.mark.skipif(not os.path.exists("/dev/loop0"), reason="no /dev/loop0 here")

MOUNT_TMPFS = "mkdir -p /mnt/t && mount -t tmpfs none /mnt/t && echo mounted && umount /mnt/t"


def status_field(text, key):
    for line in text.splitlines():
        if line.startswith(key + ":"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"no {key} in {text!r}")


def held_capabilities():
    """What the runtime can give: this process's permitted and bounding sets (mydocker runs
    with the same ones)."""
    with open("/proc/self/status") as f:
        text = f.read()
    return int(status_field(text, "CapPrm"), 16) & int(status_field(text, "CapBnd"), 16)


def test_cap_add_sys_admin_lets_the_container_mount(runtime):
    r = runtime.md("run", "--rm", "--cap-add", "SYS_ADMIN", "busybox", "sh", "-c", MOUNT_TMPFS)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "mounted\n"
    # Without it: refused (the capability and the seccomp profile both say no).
    r = runtime.md("run", "--rm", "busybox", "sh", "-c", MOUNT_TMPFS)
    assert r.returncode != 0
    assert "mounted" not in r.stdout


def test_cap_add_is_case_insensitive_with_or_without_the_prefix(runtime):
    r = runtime.md("run", "--rm", "--cap-add", "net_admin", "--cap-add", "Cap_Sys_Ptrace",
                   "busybox", "grep", "CapEff", "/proc/self/status")
    assert r.returncode == 0, r.stderr
    eff = int(status_field(r.stdout, "CapEff"), 16)
    assert eff & (1 << 12) and eff & (1 << 19)  # NET_ADMIN, SYS_PTRACE
    assert not eff & (1 << 21)  # no SYS_ADMIN


def test_cap_drop_all_leaves_nothing(runtime):
    r = runtime.md("run", "--rm", "--cap-drop", "ALL", "busybox", "cat", "/proc/self/status")
    assert r.returncode == 0, r.stderr
    for key in ("CapEff", "CapPrm", "CapBnd"):
        assert int(status_field(r.stdout, key), 16) == 0, key


def test_cap_drop_all_with_cap_add_keeps_only_the_added(runtime):
    r = runtime.md("run", "--rm", "--cap-drop", "all", "--cap-add", "CHOWN", "busybox", "grep",
                   "CapEff", "/proc/self/status")
    assert r.returncode == 0, r.stderr
    assert int(status_field(r.stdout, "CapEff"), 16) == 1


def test_cap_drop_chown_makes_chown_fail(runtime):
    script = "touch /tmp/f && chown 1:1 /tmp/f && echo changed"
    r = runtime.md("run", "--rm", "--cap-drop", "CHOWN", "busybox", "sh", "-c", script)
    assert r.returncode != 0
    assert "Operation not permitted" in r.stderr
    r = runtime.md("run", "--rm", "busybox", "sh", "-c", script)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "changed\n"


@pytest.mark.parametrize("flag, name, field", [
    ("--cap-add", "SYS_FOO", "CapAdd"),
    ("--cap-drop", "cap_nope", "CapDrop"),
    ("--cap-add", "", "CapAdd"),
])
def test_unknown_capabilities_are_refused_before_anything_is_created(runtime, flag, name, field):
    r = runtime.md("run", "--rm", flag, name, "no-such-image-pulled", "true")
    assert r.returncode == 125
    wanted = "CAP_" + name.upper().removeprefix("CAP_")
    assert f'invalid {field}: unknown capability: "{wanted}"' in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert runtime.container_dirs() == []


def test_privileged_holds_every_capability_the_runtime_has(runtime):
    r = runtime.md("run", "--rm", "--privileged", "busybox", "cat", "/proc/self/status")
    assert r.returncode == 0, r.stderr
    assert int(status_field(r.stdout, "CapEff"), 16) == held_capabilities()
    assert int(status_field(r.stdout, "CapBnd"), 16) == held_capabilities()
    # No filter of its own: only what this process itself runs under (none on most hosts).
    with open("/proc/self/status") as f:
        assert status_field(r.stdout, "Seccomp") == status_field(f.read(), "Seccomp")


def test_privileged_has_no_masked_or_read_only_paths_and_a_writable_sys(runtime):
    # Every mount at or below /proc and /sys, with its first option (rw or ro).
    script = "grep -E ' /(proc|sys)[ /]' /proc/mounts | cut -d' ' -f2,4 | cut -d, -f1"
    r = runtime.md("run", "--rm", "--privileged", "busybox", "sh", "-c",
                   script + "; " + MOUNT_TMPFS)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["/proc rw", "/sys rw", "mounted"]
    r = runtime.md("run", "--rm", "busybox", "sh", "-c", script)
    assert r.returncode == 0, r.stderr
    mounts = r.stdout.splitlines()
    assert "/sys ro" in mounts and "/proc/sys ro" in mounts
    assert len(mounts) > 3  # the masked paths the host has


def test_privileged_sees_the_hosts_devices(runtime):
    host = sorted(n for n in os.listdir("/dev")
                  if n not in ("console", "ptmx") and
                  (os.path.isfile(f"/dev/{n}") is False) and
                  not os.path.islink(f"/dev/{n}") and
                  (os.stat(f"/dev/{n}").st_mode & 0o170000) in (0o020000, 0o060000))
    r = runtime.md("run", "--rm", "--privileged", "busybox", "sh", "-c",
                   "for f in /dev/*; do [ -b $f -o -c $f ] && [ ! -L $f ] && echo ${f#/dev/};"
                   " done")
    assert r.returncode == 0, r.stderr
    inside = set(r.stdout.split())
    assert set(host) <= inside | {"console", "ptmx"}, set(host) - inside


@needs_loop0
def test_privileged_opens_the_device_cgroup(runtime):
    r = runtime.md("run", "--rm", "--privileged", "busybox", "sh", "-c",
                   "head -c 1 /dev/loop0 >/dev/null 2>/tmp/e; cat /tmp/e; echo done")
    assert r.returncode == 0, r.stderr
    assert "Operation not permitted" not in r.stdout
    assert r.stdout.endswith("done\n")
    # Without it the same node (made with mknod) cannot be opened.
    r = runtime.md("run", "--rm", "busybox", "sh", "-c",
                   "mknod /tmp/d b 7 0; head -c 1 /tmp/d >/dev/null")
    assert r.returncode != 0
    assert "Operation not permitted" in r.stderr


def test_new_flags_are_in_run_and_create_help(runtime):
    for command in ("run", "create"):
        r = runtime.md(command, "--help", check=True)
        for flag in ("--cap-add", "--cap-drop", "--privileged"):
            assert flag in r.stdout, (command, flag)
